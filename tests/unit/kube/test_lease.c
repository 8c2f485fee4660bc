/* Leader election against an in-test fake of the client calls the elector makes (get, create,
 * update on leases). The fake stores Leases in memory with real optimistic concurrency
 * (resourceVersion checks, 409 on conflicts) and answers on a later loop turn; it can fail or
 * hold every answer to simulate an unreachable API server. Real-server tests live in
 * e2e/kube-client. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <uv.h>

#include "kube/lease.h"
#include "kube/core/json.h"
#include "kube/core/xalloc.h"

/* ---- fake API ---- */

struct pending {
	cocm_resp_cb cb;
	void *arg;
	enum cocm_err err;
	int http;
	cJSON *body;
};

static uv_loop_t loop;
static uv_idle_t pump;
static struct pending Q[64];
static int nq;
static cJSON *stored;      /* the one Lease (NULL = absent) */
static long rv_counter;
static int fail_all, hold;  /* fail: 503 on everything; hold: answer nothing until released */
static int writes_by[2];
static uint64_t last_write_ms[2];

static void on_pump(uv_idle_t *h)
{
	struct pending cur[64];
	int n = nq;

	if (hold)
		return;
	memcpy(cur, Q, sizeof(Q[0]) * (size_t)n);
	nq = 0;
	uv_idle_stop(h);
	for (int i = 0; i < n; i++) {
		struct cocm_resp r = { .err = cur[i].err, .http_status = cur[i].http,
			.body = cur[i].body };

		cur[i].cb(&r, cur[i].arg);
		cJSON_Delete(r.body);
	}
}

static void answer(cocm_resp_cb cb, void *arg, enum cocm_err err, int http, cJSON *body)
{
	cr_assert_lt(nq, 64);
	if (fail_all) {
		cJSON_Delete(body);
		err = COCM_ERETRY;
		http = 503;
		body = NULL;
	}
	Q[nq++] = (struct pending){ cb, arg, err, http, body };
	uv_idle_start(&pump, on_pump);
}

static void check_gvr(const struct cocm_gvr *r, const char *ns, const char *name)
{
	cr_assert_str_eq(r->group, "coordination.k8s.io");
	cr_assert_str_eq(r->version, "v1");
	cr_assert_str_eq(r->resource, "leases");
	cr_assert_str_eq(ns, "kube-system");
	cr_assert_str_eq(name, "choreo-ocm");
}

static void bump_rv(cJSON *obj)
{
	char rv[32];

	snprintf(rv, sizeof(rv), "%ld", ++rv_counter);
	cocm_json_set_str(cocm_json_obj(obj, "metadata"), "resourceVersion", rv);
}

static void count_write(const cJSON *obj)
{
	const char *h = cocm_json_str(obj, "spec", "holderIdentity", NULL);

	if (h != NULL && (strcmp(h, "a") == 0 || strcmp(h, "b") == 0)) {
		writes_by[h[0] - 'a']++;
		last_write_ms[h[0] - 'a'] = uv_now(&loop);
	}
}

enum cocm_err cocm_kube_get(struct cocm_kube *k, const struct cocm_gvr *r, const char *ns,
	const char *name, cocm_resp_cb cb, void *arg)
{
	(void)k;
	check_gvr(r, ns, name);
	if (stored == NULL)
		answer(cb, arg, COCM_ENOTFOUND, 404, NULL);
	else
		answer(cb, arg, COCM_OK, 200, cJSON_Duplicate(stored, 1));
	return COCM_OK;
}

enum cocm_err cocm_kube_create_obj(struct cocm_kube *k, const struct cocm_gvr *r, const char *ns,
	const cJSON *obj, const struct cocm_write_opts *o, cocm_resp_cb cb, void *arg)
{
	(void)k;
	(void)o;
	check_gvr(r, ns, cocm_json_str(obj, "metadata", "name", NULL));
	cr_assert_str_eq(cocm_json_str(obj, "kind", NULL), "Lease");
	if (fail_all || hold) {
		answer(cb, arg, COCM_ERETRY, 503, NULL);
		return COCM_OK;
	}
	if (stored != NULL) {
		answer(cb, arg, COCM_EEXIST, 409, NULL);
		return COCM_OK;
	}
	stored = cJSON_Duplicate(obj, 1);
	bump_rv(stored);
	count_write(stored);
	answer(cb, arg, COCM_OK, 201, cJSON_Duplicate(stored, 1));
	return COCM_OK;
}

enum cocm_err cocm_kube_update(struct cocm_kube *k, const struct cocm_gvr *r, const char *ns,
	const char *name, const cJSON *obj, const struct cocm_write_opts *o, cocm_resp_cb cb,
	void *arg)
{
	const char *want;

	(void)k;
	(void)o;
	check_gvr(r, ns, name);
	if (fail_all || hold) {
		answer(cb, arg, COCM_ERETRY, 503, NULL);
		return COCM_OK;
	}
	want = cocm_json_str(obj, "metadata", "resourceVersion", NULL);
	if (stored == NULL) {
		answer(cb, arg, COCM_ENOTFOUND, 404, NULL);
		return COCM_OK;
	}
	if (want == NULL ||
		strcmp(want, cocm_json_str(stored, "metadata", "resourceVersion", NULL)) != 0) {
		answer(cb, arg, COCM_ECONFLICT, 409, NULL);
		return COCM_OK;
	}
	cJSON_Delete(stored);
	stored = cJSON_Duplicate(obj, 1);
	bump_rv(stored);
	count_write(stored);
	answer(cb, arg, COCM_OK, 200, cJSON_Duplicate(stored, 1));
	return COCM_OK;
}

/* ---- electors ---- */

struct elector {
	struct cocm_lease *l;
	int started, stopped, closed;
	uint64_t started_at, stopped_at;
};
static struct elector A, B;

static void e_started(void *arg)
{
	struct elector *e = arg;

	e->started++;
	e->started_at = uv_now(&loop);
	cr_assert(!(A.l && B.l && cocm_lease_is_leader(A.l) && cocm_lease_is_leader(B.l)),
		"two leaders at once");
}

static void e_stopped(void *arg)
{
	struct elector *e = arg;

	e->stopped++;
	e->stopped_at = uv_now(&loop);
}

static void e_closed(void *arg)
{
	struct elector *e = arg;

	e->closed = 1;
	e->l = NULL;
}

static struct cocm_lease *mk(struct elector *e, const char *id, int no_release)
{
	struct cocm_lease_opts o = { .ns = "kube-system", .name = "choreo-ocm", .identity = id,
		.lease_duration_ms = 1000, .renew_deadline_ms = 600, .retry_ms = 100,
		.no_release = no_release, .seed = (uint64_t)id[0] };
	struct cocm_lease_callbacks cb = { e_started, e_stopped, NULL, e };

	e->l = cocm_lease_create((struct cocm_kube *)&loop /* never dereferenced */, &loop, &o, &cb);
	cr_assert_not_null(e->l);
	cr_assert_eq(cocm_lease_start(e->l), COCM_OK);
	return e->l;
}

#define RUN_UNTIL(cond) \
	do { \
		uint64_t t0_ = uv_now(&loop); \
		while (!(cond) && uv_now(&loop) - t0_ < 20000) { \
			uv_run(&loop, UV_RUN_ONCE); \
			uv_update_time(&loop); \
			cr_assert(!(A.l && B.l && cocm_lease_is_leader(A.l) && \
				cocm_lease_is_leader(B.l)), "two leaders at once"); \
		} \
		cr_assert(cond, "timed out waiting for " #cond); \
	} while (0)

/* Runs the loop for ms milliseconds, checking the single-leader invariant throughout. */
static void run_for(uint64_t ms)
{
	uv_update_time(&loop);
	uint64_t until = uv_now(&loop) + ms;

	RUN_UNTIL(uv_now(&loop) >= until);
}

static void setup(void)
{
	cr_assert_eq(uv_loop_init(&loop), 0);
	uv_idle_init(&loop, &pump);
	memset(&A, 0, sizeof(A));
	memset(&B, 0, sizeof(B));
	stored = NULL;
	nq = 0;
	rv_counter = 100;
	fail_all = hold = 0;
	memset(writes_by, 0, sizeof(writes_by));
}

static void teardown(void)
{
	hold = 0;
	fail_all = 0;
	if (nq > 0)
		uv_idle_start(&pump, on_pump);
	if (A.l != NULL)
		cocm_lease_close(A.l, e_closed, &A);
	if (B.l != NULL)
		cocm_lease_close(B.l, e_closed, &B);
	RUN_UNTIL(A.l == NULL && B.l == NULL);
	uv_close((uv_handle_t *)&pump, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	cJSON_Delete(stored);
	cr_assert_eq(uv_loop_close(&loop), 0, "every handle closed");
}

TestSuite(lease, .init = setup, .fini = teardown);

static const char *holder(void)
{
	return stored ? cocm_json_str(stored, "spec", "holderIdentity", NULL) : NULL;
}

static int64_t transitions(void)
{
	int64_t t = -1;

	cocm_json_int(&t, stored, "spec", "leaseTransitions", NULL);
	return t;
}

Test(lease, acquire_renew_release_handover)
{
	int w;

	mk(&A, "a", 0);
	RUN_UNTIL(A.started == 1);
	cr_assert(cocm_lease_is_leader(A.l));
	cr_assert_str_eq(holder(), "a");
	cr_assert_eq(transitions(), 0);
	int64_t secs = 0;

	cr_assert_eq(cocm_json_int(&secs, stored, "spec", "leaseDurationSeconds", NULL), COCM_OK);
	cr_assert_eq(secs, 1);
	cr_assert_not_null(cocm_json_str(stored, "spec", "renewTime", NULL));
	mk(&B, "b", 0);
	w = writes_by[0];
	run_for(700);
	cr_assert_geq(writes_by[0] - w, 3, "the leader keeps renewing (%d)", writes_by[0] - w);
	cr_assert_eq(B.started, 0, "a renewed lease is not taken over");
	cr_assert_str_eq(cocm_lease_holder(B.l), "a");
	cr_assert_eq(writes_by[1], 0);

	/* Clean shutdown of the leader releases the lease; the standby takes over. */
	cocm_lease_close(A.l, e_closed, &A);
	RUN_UNTIL(A.closed);
	cr_assert_eq(A.stopped, 1, "on_stopped_leading on release");
	RUN_UNTIL(B.started == 1);
	cr_assert_str_eq(holder(), "b");
	cr_assert_eq(transitions(), 1);
}

Test(lease, takeover_only_after_lease_expires_on_observers_clock)
{
	mk(&A, "a", 1 /* crash: no release */);
	RUN_UNTIL(A.started == 1);
	mk(&B, "b", 0);
	run_for(300);
	cocm_lease_close(A.l, e_closed, &A);
	RUN_UNTIL(A.closed);
	cr_assert_str_eq(holder(), "a", "not released");
	RUN_UNTIL(B.started == 1);
	cr_assert_geq(B.started_at - last_write_ms[0], 1000,
		"takeover waited a full lease duration after the last renew (%llu ms)",
		(unsigned long long)(B.started_at - last_write_ms[0]));
	cr_assert_str_eq(holder(), "b");
	cr_assert_eq(transitions(), 1);
}

Test(lease, step_down_when_renewals_fail)
{
	mk(&A, "a", 0);
	RUN_UNTIL(A.started == 1);
	run_for(250);
	uint64_t last_ok = last_write_ms[0];

	fail_all = 1;
	RUN_UNTIL(A.stopped == 1);
	cr_assert(!cocm_lease_is_leader(A.l));
	cr_assert_geq(A.stopped_at - last_ok, 600, "stepped down only after the renew deadline");
	/* The API comes back: the lease still names us, so we lead again. */
	fail_all = 0;
	RUN_UNTIL(A.started == 2);
	cr_assert_str_eq(holder(), "a");
}

Test(lease, step_down_when_requests_hang)
{
	mk(&A, "a", 0);
	RUN_UNTIL(A.started == 1);
	hold = 1; /* the API server stops answering */
	RUN_UNTIL(A.stopped == 1);
	cr_assert(!cocm_lease_is_leader(A.l), "renew deadline enforced without any answer");
	hold = 0;
	uv_idle_start(&pump, on_pump);
	RUN_UNTIL(A.started == 2);
}

Test(lease, racing_candidates_single_leader)
{
	mk(&A, "a", 0);
	mk(&B, "b", 0);
	RUN_UNTIL(A.started + B.started == 1);
	run_for(800); /* RUN_UNTIL asserts there is never more than one leader */
	cr_assert_eq(A.started + B.started, 1, "the loser never led");
	cr_assert_eq(A.stopped + B.stopped, 0, "the winner kept the lease");
}

Test(lease, bad_options)
{
	struct cocm_lease_opts o = { .ns = "kube-system", .name = "x" };

	cr_assert_null(cocm_lease_create(NULL, &loop, &o, NULL), "identity required");
	o.identity = "me";
	o.lease_duration_ms = 1000;
	o.renew_deadline_ms = 2000;
	cr_assert_null(cocm_lease_create(NULL, &loop, &o, NULL), "renew deadline >= duration");
}

Test(lease, microtime_format)
{
	char t[32];

	cocm_lease_microtime(t);
	cr_assert_eq(strlen(t), 27, "%s", t);
	cr_assert_eq(t[4], '-');
	cr_assert_eq(t[10], 'T');
	cr_assert_eq(t[19], '.');
	cr_assert_eq(t[26], 'Z');
}
