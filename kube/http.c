/* curl multi on libuv (see http.h for the rules this file follows).
 *
 * Lifetimes: struct sock is freed in its poll handle's close callback; struct cocm_http_xfer after
 * its on_done; struct cocm_http once every handle it owns (timer, reaper, socks) reported closed:
 * close callbacks run in no particular order, so a counter of pending closes decides. */
#include "kube/http.h"

#include <stdlib.h>
#include <string.h>

#include "kube/core/log.h"
#include "kube/core/xalloc.h"

struct sock {
	uv_poll_t poll;
	curl_socket_t fd;
	struct cocm_http *h;
	struct sock *prev, *next;
};

struct cocm_http_xfer {
	struct cocm_http *h;
	CURL *easy;
	const struct cocm_http_ops *ops;
	void *arg;
	int in_multi;
	int canceled;
	struct cocm_http_xfer *prev, *next; /* h->xfers */
	struct cocm_http_xfer *doomed_next; /* h->doomed */
	char errbuf[CURL_ERROR_SIZE];
};

struct cocm_http {
	uv_loop_t *loop;
	CURLM *multi;
	CURLSH *share;
	uv_timer_t timer;  /* curl's timeout */
	uv_timer_t reaper; /* deferred cancels and close */
	struct sock *socks;
	struct cocm_http_xfer *xfers;
	struct cocm_http_xfer *doomed;
	size_t nxfers;
	int closing;       /* close requested: no new transfers */
	int torn_down;     /* curl cleaned up, handles closing: ignore curl callbacks */
	int pending_closes;
	void (*close_done)(void *arg);
	void *close_arg;
};

static void check_done(struct cocm_http *h);

/* Every uv_close() counts in pending_closes; h is freed after teardown once none is left. */
static void close_counted(struct cocm_http *h, uv_handle_t *handle, uv_close_cb cb)
{
	h->pending_closes++;
	uv_close(handle, cb);
}

static void closed_one(struct cocm_http *h)
{
	void (*done)(void *) = h->close_done;
	void *arg = h->close_arg;

	if (--h->pending_closes > 0 || !h->torn_down)
		return;
	free(h);
	curl_global_cleanup();
	if (done != NULL)
		done(arg);
}

static void on_sock_closed(uv_handle_t *handle)
{
	struct sock *s = cocm_container_of((uv_poll_t *)handle, struct sock, poll);
	struct cocm_http *h = s->h;

	free(s);
	closed_one(h);
}

static void on_timer_closed(uv_handle_t *handle)
{
	closed_one(handle->data);
}

static void on_poll(uv_poll_t *poll, int status, int events)
{
	struct sock *s = cocm_container_of(poll, struct sock, poll);
	struct cocm_http *h = s->h;
	int flags = status < 0 ? CURL_CSELECT_ERR : 0; /* POLLERR arrives as a negative status */
	int running;

	if (events & UV_READABLE)
		flags |= CURL_CSELECT_IN;
	if (events & UV_WRITABLE)
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(h->multi, s->fd, flags, &running);
	check_done(h);
}

static void sock_unlink(struct cocm_http *h, struct sock *s)
{
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		h->socks = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	s->prev = s->next = NULL;
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct cocm_http *h = userp;
	struct sock *s = socketp;
	int events = 0;

	(void)easy;
	if (h->torn_down)
		return 0;
	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			uv_poll_stop(&s->poll);
			sock_unlink(h, s);
			curl_multi_assign(h->multi, fd, NULL);
			close_counted(h, (uv_handle_t *)&s->poll, on_sock_closed);
		}
		return 0;
	}
	if (s == NULL) {
		s = COCM_NEW(struct sock);
		s->fd = fd;
		s->h = h;
		if (uv_poll_init_socket(h->loop, &s->poll, fd) != 0) {
			cocm_log(COCM_LOG_ERROR, "http", "poll_init_failed fd=%d", (int)fd);
			free(s);
			return -1;
		}
		s->next = h->socks;
		if (h->socks != NULL)
			h->socks->prev = s;
		h->socks = s;
		curl_multi_assign(h->multi, fd, s);
	}
	if (what & CURL_POLL_IN)
		events |= UV_READABLE;
	if (what & CURL_POLL_OUT)
		events |= UV_WRITABLE;
	if (uv_poll_start(&s->poll, events, on_poll) != 0)
		return -1;
	return 0;
}

static void on_timeout(uv_timer_t *t)
{
	struct cocm_http *h = t->data;
	int running;

	curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(h);
}

/* CURLMOPT_TIMERFUNCTION: only arm the uv timer (a 0 ms timer fires on the next loop turn). */
static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct cocm_http *h = userp;

	(void)multi;
	if (h->torn_down)
		return 0;
	if (timeout_ms < 0)
		uv_timer_stop(&h->timer);
	else
		uv_timer_start(&h->timer, on_timeout, (uint64_t)timeout_ms, 0);
	return 0;
}

static void xfer_unlink(struct cocm_http_xfer *x)
{
	struct cocm_http *h = x->h;

	if (x->prev != NULL)
		x->prev->next = x->next;
	else
		h->xfers = x->next;
	if (x->next != NULL)
		x->next->prev = x->prev;
	x->prev = x->next = NULL;
	h->nxfers--;
}

static void finish(struct cocm_http_xfer *x, CURLcode rc, int canceled)
{
	struct cocm_http_result res;
	long status = 0;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	res.rc = rc;
	res.status = status;
	res.canceled = canceled;
	res.errmsg = x->errbuf[0] != '\0' ? x->errbuf : curl_easy_strerror(rc);
	xfer_unlink(x);
	curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, NULL);
	x->ops->on_done(&res, x->arg);
	free(x);
}

static void check_done(struct cocm_http *h)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(h->multi, &left)) != NULL) {
		struct cocm_http_xfer *x = NULL;
		CURLcode rc;

		if (msg->msg != CURLMSG_DONE)
			continue;
		rc = msg->data.result;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		curl_multi_remove_handle(h->multi, msg->easy_handle);
		if (x == NULL)
			continue;
		x->in_multi = 0;
		if (x->canceled)
			continue; /* the reaper reports it */
		finish(x, rc, 0);
	}
}

static void teardown(struct cocm_http *h)
{
	struct sock *s;

	h->torn_down = 1;
	/* Stop watching fds before curl closes them, then let curl clean up. */
	while ((s = h->socks) != NULL) {
		uv_poll_stop(&s->poll);
		sock_unlink(h, s);
		close_counted(h, (uv_handle_t *)&s->poll, on_sock_closed);
	}
	curl_multi_cleanup(h->multi);
	curl_share_cleanup(h->share);
	h->multi = NULL;
	h->share = NULL;
	close_counted(h, (uv_handle_t *)&h->timer, on_timer_closed);
	close_counted(h, (uv_handle_t *)&h->reaper, on_timer_closed);
}

static void on_reap(uv_timer_t *t)
{
	struct cocm_http *h = t->data;
	struct cocm_http_xfer *x;

	while ((x = h->doomed) != NULL) {
		h->doomed = x->doomed_next;
		if (x->in_multi) {
			curl_multi_remove_handle(h->multi, x->easy);
			x->in_multi = 0;
		}
		finish(x, CURLE_ABORTED_BY_CALLBACK, 1);
	}
	if (h->closing && h->xfers == NULL && !h->torn_down)
		teardown(h);
}

static size_t on_write(char *data, size_t size, size_t n, void *ud)
{
	struct cocm_http_xfer *x = ud;

	(void)size; /* always 1 */
	if (x->canceled)
		return 0;
	if (x->ops->on_data(x, data, n, x->arg) != 0)
		return 0;
	return x->canceled ? 0 : n;
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
	struct cocm_http_xfer *x = ud;

	(void)size;
	if (!x->canceled && x->ops->on_header != NULL)
		x->ops->on_header(data, n, x->arg);
	return n;
}

struct cocm_http *cocm_http_create(uv_loop_t *loop)
{
	struct cocm_http *h;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		cocm_log(COCM_LOG_ERROR, "http", "curl_global_init_failed");
		return NULL;
	}
	h = COCM_NEW(struct cocm_http);
	h->loop = loop;
	h->multi = curl_multi_init();
	h->share = curl_share_init();
	if (h->multi == NULL || h->share == NULL)
		goto err_curl;
	curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, 32L);
	uv_timer_init(loop, &h->timer);  /* cannot fail: plain initialisation */
	uv_timer_init(loop, &h->reaper);
	h->timer.data = h;
	h->reaper.data = h;
	return h;
err_curl:
	cocm_log(COCM_LOG_ERROR, "http", "curl_init_failed");
	if (h->multi != NULL)
		curl_multi_cleanup(h->multi);
	if (h->share != NULL)
		curl_share_cleanup(h->share);
	free(h);
	curl_global_cleanup();
	return NULL;
}

CURLSH *cocm_http_share(struct cocm_http *h)
{
	return h->share;
}

enum cocm_err cocm_http_start(struct cocm_http *h, CURL *easy, const struct cocm_http_ops *ops,
	void *arg, struct cocm_http_xfer **out)
{
	struct cocm_http_xfer *x;

	if (h->closing)
		return COCM_ESTATE;
	x = COCM_NEW(struct cocm_http_xfer);
	x->h = h;
	x->easy = easy;
	x->ops = ops;
	x->arg = arg;
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(easy, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(easy, CURLOPT_PRIVATE, (char *)x);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(easy, CURLOPT_SHARE, h->share);
	if (curl_multi_add_handle(h->multi, easy) != CURLM_OK) {
		curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, NULL);
		curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
		free(x);
		return COCM_EHTTP;
	}
	x->in_multi = 1;
	x->next = h->xfers;
	if (h->xfers != NULL)
		h->xfers->prev = x;
	h->xfers = x;
	h->nxfers++;
	if (out != NULL)
		*out = x;
	return COCM_OK;
}

long cocm_http_status(struct cocm_http_xfer *x)
{
	long status = 0;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	return status;
}

void cocm_http_cancel(struct cocm_http_xfer *x)
{
	struct cocm_http *h = x->h;

	if (x->canceled)
		return;
	x->canceled = 1;
	x->doomed_next = h->doomed;
	h->doomed = x;
	uv_timer_start(&h->reaper, on_reap, 0, 0);
}

size_t cocm_http_active(const struct cocm_http *h)
{
	return h->nxfers;
}

void cocm_http_close(struct cocm_http *h, void (*done)(void *arg), void *arg)
{
	struct cocm_http_xfer *x;

	if (h->closing)
		return;
	h->closing = 1;
	h->close_done = done;
	h->close_arg = arg;
	for (x = h->xfers; x != NULL; x = x->next)
		cocm_http_cancel(x);
	uv_timer_start(&h->reaper, on_reap, 0, 0);
}
