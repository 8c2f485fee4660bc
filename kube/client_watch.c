/* Watches: a streaming GET whose body is framed by kube/linebuf (bounded) and decoded by
 * kube/watchevent; events are delivered from inside curl's write callback, so a handler may
 * only do loop-safe things there (cancel is deferred; new requests are queued by the pump).
 * A watch is never retried here: the informer decides (resume, relist on 410). */
#include <stdio.h>
#include <string.h>

#include "kube/client.h"
#include "kube/client_internal.h"
#include "kube/core/log.h"
#include "kube/core/xalloc.h"
#include "kube/query.h"
#include "kube/status.h"
#include "kube/watchevent.h"

#define WATCH_ERROR_BODY_MAX ((size_t)1 << 20)

static enum cocm_err on_line(const char *line, size_t len, void *arg)
{
	struct req *r = arg;
	struct cocm_watch_event ev;
	char err[128];

	if (r->cancel)
		return COCM_ECANCELED;
	if (cocm_watchevent_decode(&ev, line, len, err, sizeof(err)) != COCM_OK) {
		cocm_log(COCM_LOG_WARN, "kube", "watch_bad_frame resource=%s len=%zu err=\"%s\"",
			r->resource, len, err);
		return COCM_EPARSE;
	}
	r->events++;
	r->ev(ev.type, ev.object, r->arg);
	cocm_watchevent_finish(&ev);
	return r->cancel ? COCM_ECANCELED : COCM_OK;
}

int cocm_kube_watch_data(struct req *r, struct cocm_http_xfer *x, const char *data, size_t len)
{
	enum cocm_err e;

	if (r->stream == 0) {
		long st = cocm_http_status(x);
		r->stream = st >= 200 && st < 300 ? 1 : 2;
	}
	if (r->stream == 2) {
		size_t room = WATCH_ERROR_BODY_MAX - r->resp.len;
		(void)cocm_buf_append(&r->resp, data, len < room ? len : room);
		return 0;
	}
	e = cocm_linebuf_feed(&r->lb, data, len, on_line, r);
	if (e != COCM_OK) {
		if (r->abort_err == COCM_OK)
			r->abort_err = e;
		return 1;
	}
	return r->cancel ? 1 : 0;
}

void cocm_kube_watch_finish(struct req *r, const struct cocm_http_result *res)
{
	struct cocm_api_status st;
	enum cocm_err e;

	if (res->canceled || r->cancel) {
		e = COCM_ECANCELED;
	} else if (r->abort_err != COCM_OK) {
		e = r->abort_err;
		cocm_log(COCM_LOG_WARN, "kube", "watch_failed resource=%s err=%s events=%llu",
			r->resource, cocm_err_name(e), (unsigned long long)r->events);
	} else if (res->rc != CURLE_OK) {
		e = COCM_EHTTP;
		cocm_log(COCM_LOG_WARN, "kube", "watch_dropped resource=%s events=%llu err=\"%s\"",
			r->resource, (unsigned long long)r->events, res->errmsg);
	} else if (res->status >= 200 && res->status < 300) {
		e = cocm_linebuf_pending(&r->lb) > 0 ? COCM_EHTTP : COCM_OK;
		cocm_log(COCM_LOG_DEBUG, "kube", "watch_closed resource=%s events=%llu cut=%d",
			r->resource, (unsigned long long)r->events, e != COCM_OK);
	} else {
		e = cocm_status_decode(&st, (int)res->status, r->resp.data, r->resp.len);
		cocm_log(COCM_LOG_INFO, "kube", "watch_refused resource=%s status=%ld reason=%s",
			r->resource, res->status, st.reason);
	}
	cocm_kube_req_finish_watch(r, e);
}

enum cocm_err cocm_kube_watch(struct cocm_kube *k, const struct cocm_gvr *gvr, const char *ns,
	const struct cocm_watch_opts *o, cocm_watch_event_cb ev, cocm_watch_done_cb done, void *arg,
	struct cocm_watch **out)
{
	struct cocm_buf url;
	struct cocm_query q;
	struct cocm_watch *w;
	enum cocm_err e = cocm_kube_check_open(k);

	if (e != COCM_OK)
		return e;
	if (gvr == NULL || ev == NULL || done == NULL)
		return COCM_EINVAL;
	cocm_buf_init(&url, (size_t)64 << 10);
	if (cocm_buf_puts(&url, cocm_kube_base_url(k)) != COCM_OK ||
		cocm_query_path(&url, gvr, gvr->namespaced ? ns : NULL, NULL, NULL) != COCM_OK) {
		cocm_buf_finish(&url);
		return COCM_EINVAL;
	}
	cocm_query_init(&q, &url);
	e = cocm_query_add(&q, "watch", "1");
	if (e == COCM_OK)
		e = cocm_query_add(&q, "allowWatchBookmarks", "true");
	if (e == COCM_OK && o != NULL) {
		e = cocm_query_add(&q, "resourceVersion", o->resource_version);
		if (e == COCM_OK)
			e = cocm_query_add(&q, "labelSelector", o->label_selector);
		if (e == COCM_OK)
			e = cocm_query_add(&q, "fieldSelector", o->field_selector);
		if (e == COCM_OK && o->timeout_s > 0)
			e = cocm_query_add_long(&q, "timeoutSeconds", o->timeout_s);
	}
	if (e != COCM_OK) {
		cocm_buf_finish(&url);
		return COCM_EINVAL;
	}
	w = cocm_container_of(cocm_kube_req_new(k, "WATCH", "GET", gvr->resource,
		cocm_buf_steal(&url)), struct cocm_watch, r);
	cocm_buf_finish(&url);
	cocm_buf_finish(&w->r.resp);
	cocm_buf_init(&w->r.resp, WATCH_ERROR_BODY_MAX);
	w->r.is_watch = 1;
	cocm_linebuf_init(&w->r.lb, cocm_kube_max_frame(k));
	w->r.ev = ev;
	w->r.done = done;
	w->r.arg = arg;
	cocm_kube_req_submit(&w->r);
	if (out != NULL)
		*out = w;
	return COCM_OK;
}

void cocm_watch_cancel(struct cocm_watch *w)
{
	if (w != NULL)
		cocm_kube_req_cancel(&w->r);
}
