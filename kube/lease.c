/* Leader election. One request in flight at a time; a tick timer drives attempts and a deadline
 * timer enforces renew_deadline independently of how long a hung request takes (the client's
 * request timeout can be longer than the renew deadline). */
#include "kube/lease.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kube/backoff.h"
#include "kube/core/json.h"
#include "kube/core/log.h"
#include "kube/core/xalloc.h"

static const struct cocm_gvr leases = { "coordination.k8s.io", "v1", "leases", 1 };

struct cocm_lease {
	struct cocm_kube *k;
	uv_loop_t *loop;
	char *ns, *name, *identity;
	uint64_t lease_ms, renew_deadline_ms, retry_ms;
	int no_release;
	struct cocm_lease_callbacks cb;
	uint64_t rng;

	int started, leading, inflight, closing, releasing, handles_open;
	cJSON *last;           /* our last successfully written Lease (for release) */
	char *observed;        /* holder + "|" + renewTime of the last record seen */
	uint64_t observed_at;  /* uv_now() when `observed` last changed */
	char *holder;          /* last observed holder, "" = none */
	uint64_t last_renew_ok;
	uv_timer_t tick, deadline;
	void (*done)(void *arg);
	void *done_arg;
};

static void attempt(struct cocm_lease *l);
static void finish_close(struct cocm_lease *l);

void cocm_lease_microtime(char out[32])
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm); /* 19 bytes for years 1000..9999 */
	snprintf(out + n, 32 - n, ".%06uZ", (unsigned)(ts.tv_nsec / 1000) % 1000000u);
}

/* ---- lifecycle ---- */

struct cocm_lease *cocm_lease_create(struct cocm_kube *k, uv_loop_t *loop,
	const struct cocm_lease_opts *o, const struct cocm_lease_callbacks *cb)
{
	struct cocm_lease *l;
	uint64_t dur, renew, retry;

	if (o == NULL || o->ns == NULL || o->name == NULL || o->identity == NULL ||
		o->ns[0] == '\0' || o->name[0] == '\0' || o->identity[0] == '\0') {
		cocm_log(COCM_LOG_ERROR, "lease", "bad-options reason=ns-name-identity-required");
		return NULL;
	}
	dur = o->lease_duration_ms ? o->lease_duration_ms : COCM_LEASE_DURATION_MS;
	renew = o->renew_deadline_ms ? o->renew_deadline_ms : COCM_LEASE_RENEW_DEADLINE_MS;
	retry = o->retry_ms ? o->retry_ms : COCM_LEASE_RETRY_MS;
	if (renew >= dur || retry >= renew) {
		cocm_log(COCM_LOG_ERROR, "lease",
			"bad-options reason=need-retry<renew-deadline<lease-duration");
		return NULL;
	}
	l = COCM_NEW(struct cocm_lease);
	l->k = k;
	l->loop = loop;
	l->ns = cocm_xstrdup(o->ns);
	l->name = cocm_xstrdup(o->name);
	l->identity = cocm_xstrdup(o->identity);
	l->lease_ms = dur;
	l->renew_deadline_ms = renew;
	l->retry_ms = retry;
	l->no_release = o->no_release;
	if (cb != NULL)
		l->cb = *cb;
	l->rng = cocm_backoff_seed(o->seed);
	l->holder = cocm_xstrdup("");
	uv_timer_init(loop, &l->tick);
	uv_timer_init(loop, &l->deadline);
	l->tick.data = l;
	l->deadline.data = l;
	l->handles_open = 2;
	return l;
}

static void on_handle_closed(uv_handle_t *h)
{
	struct cocm_lease *l = h->data;
	void (*done)(void *);
	void *arg;

	if (--l->handles_open > 0)
		return;
	done = l->done;
	arg = l->done_arg;
	cJSON_Delete(l->last);
	free(l->observed);
	free(l->holder);
	free(l->ns);
	free(l->name);
	free(l->identity);
	free(l);
	if (done != NULL)
		done(arg);
}

int cocm_lease_is_leader(const struct cocm_lease *l)
{
	return l->leading;
}

const char *cocm_lease_holder(const struct cocm_lease *l)
{
	return l->holder;
}

/* ---- state changes ---- */

static void on_tick(uv_timer_t *t)
{
	attempt(t->data);
}

static void schedule(struct cocm_lease *l)
{
	uint64_t d = l->retry_ms;

	if (l->closing)
		return;
	if (!l->leading) /* candidates spread out: [retry, retry * 2.2] */
		d += cocm_backoff_rand(&l->rng) % (l->retry_ms * 12 / 10 + 1);
	uv_timer_start(&l->tick, on_tick, d, 0);
}

static void step_down(struct cocm_lease *l, const char *why)
{
	if (!l->leading)
		return;
	l->leading = 0;
	uv_timer_stop(&l->deadline);
	cocm_log(COCM_LOG_WARN, "lease", "stopped-leading lease=%s/%s identity=%s reason=%s", l->ns,
		l->name, l->identity, why);
	if (l->cb.on_stopped_leading != NULL)
		l->cb.on_stopped_leading(l->cb.arg);
}

static void on_deadline(uv_timer_t *t)
{
	struct cocm_lease *l = t->data;

	step_down(l, "renew-deadline");
}

static void observe(struct cocm_lease *l, const cJSON *lease)
{
	const char *holder = cocm_json_str(lease, "spec", "holderIdentity", NULL);
	const char *renew = cocm_json_str(lease, "spec", "renewTime", NULL);
	char key[512];

	if (holder == NULL)
		holder = "";
	snprintf(key, sizeof(key), "%s|%s", holder, renew ? renew : "");
	if (l->observed == NULL || strcmp(l->observed, key) != 0) {
		free(l->observed);
		l->observed = cocm_xstrdup(key);
		l->observed_at = uv_now(l->loop);
	}
	if (strcmp(l->holder, holder) != 0) {
		free(l->holder);
		l->holder = cocm_xstrdup(holder);
		cocm_log(COCM_LOG_INFO, "lease", "new-leader lease=%s/%s holder=%s", l->ns, l->name,
			holder[0] ? holder : "<none>");
		if (l->cb.on_new_leader != NULL)
			l->cb.on_new_leader(holder, l->cb.arg);
	}
}

static uint64_t record_duration_ms(const struct cocm_lease *l, const cJSON *lease)
{
	int64_t s;

	if (cocm_json_int(&s, lease, "spec", "leaseDurationSeconds", NULL) == COCM_OK && s > 0 &&
		s < 86400)
		return (uint64_t)s * 1000;
	return l->lease_ms;
}

/* The spec we write to hold the lease, based on the current record (NULL = none). */
static void fill_spec(struct cocm_lease *l, cJSON *obj, const cJSON *cur, int release)
{
	cJSON *spec = cocm_json_obj(obj, "spec");
	const char *holder = cur ? cocm_json_str(cur, "spec", "holderIdentity", NULL) : NULL;
	int64_t transitions = 0;
	char now[32];

	cocm_lease_microtime(now);
	if (cur != NULL)
		(void)cocm_json_int(&transitions, cur, "spec", "leaseTransitions", NULL);
	if (release) {
		cocm_json_set_str(spec, "holderIdentity", "");
		cocm_json_set(spec, "leaseDurationSeconds", cJSON_CreateNumber(1));
		cocm_json_set_str(spec, "acquireTime", now);
		cocm_json_set_str(spec, "renewTime", now);
		return;
	}
	if (holder == NULL || strcmp(holder, l->identity) != 0) {
		cocm_json_set_str(spec, "acquireTime", now);
		if (cur != NULL)
			transitions++;
	}
	cocm_json_set_str(spec, "holderIdentity", l->identity);
	cocm_json_set(spec, "leaseDurationSeconds",
		cJSON_CreateNumber((double)((l->lease_ms + 999) / 1000)));
	cocm_json_set_str(spec, "renewTime", now);
	cocm_json_set(spec, "leaseTransitions", cJSON_CreateNumber((double)transitions));
}

/* ---- requests ---- */

static void failed(struct cocm_lease *l, const char *what, enum cocm_err err)
{
	cocm_log(l->leading ? COCM_LOG_WARN : COCM_LOG_DEBUG, "lease",
		"%s-failed lease=%s/%s identity=%s err=%s", what, l->ns, l->name, l->identity,
		cocm_err_name(err));
	if (l->leading && uv_now(l->loop) - l->last_renew_ok >= l->renew_deadline_ms)
		step_down(l, "renew-failed");
	schedule(l);
}

static void on_write(struct cocm_resp *resp, void *arg)
{
	struct cocm_lease *l = arg;

	l->inflight = 0;
	if (resp->err == COCM_ESTATE || resp->err == COCM_ECANCELED) {
		step_down(l, "client-closed");
		if (l->closing)
			finish_close(l);
		return;
	}
	if (resp->err != COCM_OK || resp->body == NULL) {
		if (l->closing) {
			finish_close(l);
			return;
		}
		failed(l, "write", resp->err != COCM_OK ? resp->err : COCM_EPARSE);
		return;
	}
	cJSON_Delete(l->last);
	l->last = resp->body;
	resp->body = NULL;
	observe(l, l->last);
	l->last_renew_ok = uv_now(l->loop);
	if (!l->leading) {
		l->leading = 1;
		cocm_log(COCM_LOG_INFO, "lease", "started-leading lease=%s/%s identity=%s", l->ns,
			l->name, l->identity);
		if (l->cb.on_started_leading != NULL)
			l->cb.on_started_leading(l->cb.arg);
	}
	if (l->closing) {
		finish_close(l);
		return;
	}
	if (l->leading) {
		uv_timer_start(&l->deadline, on_deadline, l->renew_deadline_ms, 0);
		schedule(l);
	}
}

static void write_lease(struct cocm_lease *l, const cJSON *cur)
{
	cJSON *obj;
	enum cocm_err rc;

	if (cur != NULL) {
		obj = cJSON_Duplicate(cur, 1);
		fill_spec(l, obj, cur, 0);
		rc = cocm_kube_update(l->k, &leases, l->ns, l->name, obj, NULL, on_write, l);
	} else {
		obj = cJSON_CreateObject();
		cocm_json_set_str(obj, "apiVersion", "coordination.k8s.io/v1");
		cocm_json_set_str(obj, "kind", "Lease");
		cJSON *md = cocm_json_obj(obj, "metadata");

		cocm_json_set_str(md, "name", l->name);
		cocm_json_set_str(md, "namespace", l->ns);
		fill_spec(l, obj, NULL, 0);
		rc = cocm_kube_create_obj(l->k, &leases, l->ns, obj, NULL, on_write, l);
	}
	cJSON_Delete(obj);
	if (rc == COCM_OK)
		l->inflight = 1;
	else
		failed(l, "write-start", rc);
}

static void on_get(struct cocm_resp *resp, void *arg)
{
	struct cocm_lease *l = arg;
	const cJSON *cur = resp->body;
	const char *holder;
	uint64_t now = uv_now(l->loop);

	l->inflight = 0;
	if (l->closing) {
		finish_close(l);
		return;
	}
	if (resp->err == COCM_ESTATE || resp->err == COCM_ECANCELED) {
		step_down(l, "client-closed");
		return;
	}
	if (resp->err == COCM_ENOTFOUND) {
		write_lease(l, NULL);
		return;
	}
	if (resp->err != COCM_OK || cur == NULL) {
		failed(l, "get", resp->err != COCM_OK ? resp->err : COCM_EPARSE);
		return;
	}
	observe(l, cur);
	holder = cocm_json_str(cur, "spec", "holderIdentity", NULL);
	if (holder != NULL && holder[0] != '\0' && strcmp(holder, l->identity) != 0 &&
		now - l->observed_at < record_duration_ms(l, cur)) {
		step_down(l, "held-by-another");
		schedule(l);
		return;
	}
	write_lease(l, cur);
}

static void attempt(struct cocm_lease *l)
{
	enum cocm_err rc;

	if (l->closing || l->inflight)
		return;
	rc = cocm_kube_get(l->k, &leases, l->ns, l->name, on_get, l);
	if (rc == COCM_ESTATE) {
		step_down(l, "client-closed");
		return;
	}
	if (rc != COCM_OK) {
		failed(l, "get-start", rc);
		return;
	}
	l->inflight = 1;
}

enum cocm_err cocm_lease_start(struct cocm_lease *l)
{
	if (l->started || l->closing)
		return COCM_ESTATE;
	l->started = 1;
	uv_timer_start(&l->tick, on_tick, 0, 0);
	return COCM_OK;
}

/* ---- shutdown ---- */

static void on_released(struct cocm_resp *resp, void *arg)
{
	struct cocm_lease *l = arg;

	l->inflight = 0;
	if (resp->err == COCM_OK)
		cocm_log(COCM_LOG_INFO, "lease", "released lease=%s/%s identity=%s", l->ns, l->name,
			l->identity);
	else
		cocm_log(COCM_LOG_WARN, "lease", "release-failed lease=%s/%s err=%s", l->ns, l->name,
			cocm_err_name(resp->err));
	step_down(l, "released");
	finish_close(l);
}

/* Called once nothing is in flight: release when leading, then close the handles. */
static void finish_close(struct cocm_lease *l)
{
	if (l->inflight || uv_is_closing((uv_handle_t *)&l->tick))
		return;
	if (l->leading && !l->releasing && !l->no_release && l->last != NULL) {
		cJSON *obj = cJSON_Duplicate(l->last, 1);
		enum cocm_err rc;

		l->releasing = 1;
		fill_spec(l, obj, l->last, 1);
		rc = cocm_kube_update(l->k, &leases, l->ns, l->name, obj, NULL, on_released, l);
		cJSON_Delete(obj);
		if (rc == COCM_OK) {
			l->inflight = 1;
			return;
		}
	}
	step_down(l, "shutdown");
	uv_close((uv_handle_t *)&l->tick, on_handle_closed);
	uv_close((uv_handle_t *)&l->deadline, on_handle_closed);
}

void cocm_lease_close(struct cocm_lease *l, void (*done)(void *arg), void *arg)
{
	if (l == NULL || l->closing)
		return;
	l->closing = 1;
	l->done = done;
	l->done_arg = arg;
	uv_timer_stop(&l->tick);
	finish_close(l);
}
