#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <uv.h>

#include "kube/workqueue.h"
#include "kube/strmap.h"
#include "kube/core/xalloc.h"

/* A handler that records every dispatch and, unless hold is set, finishes at once. */
struct rec {
	uv_loop_t *loop;
	struct cocm_workqueue *q;
	int n;
	char keys[64][32];
	uint64_t at[64];
	struct cocm_strmap busy; /* keys being processed (must never be dispatched again) */
	int hold;                /* 1: keep keys in processing until the test calls done */
	enum cocm_err result;    /* with hold = 0: complete() with this */
	int closed;
};

static void handler(struct cocm_workqueue *q, const char *key, void *arg)
{
	struct rec *r = arg;

	cr_assert(!cocm_strmap_has(&r->busy, key), "key %s dispatched while processing", key);
	cr_assert_lt(r->n, 64);
	snprintf(r->keys[r->n], sizeof(r->keys[0]), "%s", key);
	r->at[r->n] = uv_now(r->loop);
	r->n++;
	if (r->hold) {
		cocm_strmap_put(&r->busy, key, NULL);
		return;
	}
	cocm_workqueue_complete(q, key, r->result);
}

static void finish_key(struct rec *r, const char *key)
{
	cocm_strmap_del(&r->busy, key, NULL);
	cocm_workqueue_done(r->q, key);
}

static uv_loop_t loop;
static struct rec R;

static void setup(void)
{
	cr_assert_eq(uv_loop_init(&loop), 0);
	memset(&R, 0, sizeof(R));
	R.loop = &loop;
	cocm_strmap_init(&R.busy);
}

static void on_closed(void *arg)
{
	((struct rec *)arg)->closed = 1;
}

static void teardown(void)
{
	if (R.q != NULL && !R.closed) {
		cocm_workqueue_close(R.q, on_closed, &R);
		uv_run(&loop, UV_RUN_DEFAULT);
	}
	cocm_strmap_finish(&R.busy);
	cr_assert_eq(uv_loop_close(&loop), 0, "every handle closed");
}

static struct cocm_workqueue *mkq(unsigned inflight, unsigned batch)
{
	struct cocm_workqueue_opts o = { .name = "test", .max_inflight = inflight, .batch = batch,
		.seed = 42 };

	R.q = cocm_workqueue_create(&loop, &o, handler, &R);
	return R.q;
}

/* Runs the loop until cond holds (or a generous deadline passes). */
#define RUN_UNTIL(cond) \
	do { \
		uint64_t t0_ = uv_now(&loop); \
		while (!(cond) && uv_now(&loop) - t0_ < 20000) { \
			uv_run(&loop, UV_RUN_ONCE); \
			uv_update_time(&loop); \
		} \
		cr_assert(cond, "timed out waiting for " #cond); \
	} while (0)

TestSuite(workqueue, .init = setup, .fini = teardown);

Test(workqueue, dedup)
{
	struct cocm_workqueue *q = mkq(1, 32);

	cocm_workqueue_add(q, "ns/a");
	cocm_workqueue_add(q, "ns/a");
	cocm_workqueue_add(q, "ns/b");
	cocm_workqueue_add(q, "ns/a");
	cr_assert_eq(R.n, 0, "never dispatched from inside add()");
	cr_assert_eq(cocm_workqueue_len(q), 2);
	uv_run(&loop, UV_RUN_NOWAIT);
	RUN_UNTIL(cocm_workqueue_len(q) == 0 && cocm_workqueue_inflight(q) == 0);
	cr_assert_eq(R.n, 2);
	cr_assert_str_eq(R.keys[0], "ns/a", "FIFO order");
	cr_assert_str_eq(R.keys[1], "ns/b");
}

Test(workqueue, no_concurrent_processing_and_readd_during_processing)
{
	struct cocm_workqueue *q = mkq(4, 32);

	R.hold = 1;
	cocm_workqueue_add(q, "a");
	cocm_workqueue_add(q, "b");
	RUN_UNTIL(R.n == 2);
	cr_assert_eq(cocm_workqueue_inflight(q), 2);
	/* a is re-added twice while processing: it must wait for done, then run once more. */
	cocm_workqueue_add(q, "a");
	cocm_workqueue_add(q, "a");
	cr_assert(cocm_workqueue_is_dirty(q, "a"));
	for (int i = 0; i < 20; i++)
		uv_run(&loop, UV_RUN_NOWAIT);
	cr_assert_eq(R.n, 2, "a not dispatched again while still processing");
	cr_assert_eq(cocm_workqueue_len(q), 0);
	finish_key(&R, "b");
	for (int i = 0; i < 20; i++)
		uv_run(&loop, UV_RUN_NOWAIT);
	cr_assert_eq(R.n, 2, "b was not re-added: done ends it");
	finish_key(&R, "a");
	RUN_UNTIL(R.n == 3);
	cr_assert_str_eq(R.keys[2], "a");
	finish_key(&R, "a");
	for (int i = 0; i < 20; i++)
		uv_run(&loop, UV_RUN_NOWAIT);
	cr_assert_eq(R.n, 3, "two re-adds collapse into one run");
}

Test(workqueue, max_inflight_respected)
{
	struct cocm_workqueue *q = mkq(2, 32);
	char k[8];

	R.hold = 1;
	for (int i = 0; i < 5; i++) {
		snprintf(k, sizeof(k), "k%d", i);
		cocm_workqueue_add(q, k);
	}
	for (int i = 0; i < 20; i++)
		uv_run(&loop, UV_RUN_NOWAIT);
	cr_assert_eq(R.n, 2);
	cr_assert_eq(cocm_workqueue_inflight(q), 2);
	finish_key(&R, "k0");
	RUN_UNTIL(R.n == 3);
	cr_assert_str_eq(R.keys[2], "k2");
	finish_key(&R, "k1");
	finish_key(&R, "k2");
	RUN_UNTIL(R.n == 5);
	finish_key(&R, "k3");
	finish_key(&R, "k4");
	cr_assert_eq(cocm_workqueue_inflight(q), 0);
}

Test(workqueue, bounded_batches_per_loop_turn)
{
	struct cocm_workqueue *q = mkq(100, 4);
	char k[8];

	for (int i = 0; i < 10; i++) {
		snprintf(k, sizeof(k), "k%d", i);
		cocm_workqueue_add(q, k);
	}
	uv_run(&loop, UV_RUN_NOWAIT);
	cr_assert_eq(R.n, 4, "one batch per loop turn");
	uv_run(&loop, UV_RUN_NOWAIT);
	cr_assert_eq(R.n, 8);
	uv_run(&loop, UV_RUN_NOWAIT);
	cr_assert_eq(R.n, 10);
}

Test(workqueue, delayed_add)
{
	struct cocm_workqueue *q = mkq(1, 32);
	uint64_t t0;

	uv_update_time(&loop);
	t0 = uv_now(&loop);
	cocm_workqueue_add_after(q, "late", 300);
	cocm_workqueue_add_after(q, "soon", 60);
	cocm_workqueue_add_after(q, "soon", 5000); /* later deadline is ignored: keeps 60 ms */
	cr_assert_eq(cocm_workqueue_waiting(q), 2);
	RUN_UNTIL(R.n == 2);
	cr_assert_str_eq(R.keys[0], "soon");
	cr_assert_str_eq(R.keys[1], "late");
	cr_assert_geq(R.at[0] - t0, 60);
	cr_assert_lt(R.at[0] - t0, 4000, "the earlier deadline won");
	cr_assert_geq(R.at[1] - t0, 300);
	cr_assert_eq(cocm_workqueue_waiting(q), 0);
	/* An earlier deadline replaces a later one. */
	uv_update_time(&loop);
	t0 = uv_now(&loop);
	cocm_workqueue_add_after(q, "x", 60000);
	cocm_workqueue_add_after(q, "x", 20);
	RUN_UNTIL(R.n == 3);
	cr_assert_lt(R.at[2] - t0, 10000);
	cocm_workqueue_add_after(q, "now", 0);
	cr_assert_eq(cocm_workqueue_len(q), 1, "zero delay is a plain add");
}

Test(workqueue, failure_backoff_and_forget)
{
	struct cocm_workqueue *q = mkq(1, 32);

	R.result = COCM_ERETRY;
	cocm_workqueue_add(q, "flaky");
	RUN_UNTIL(R.n == 6);
	R.result = COCM_OK;
	/* Failures 1..5: ceilings 5,10,20,40,80 ms, gaps at least base 5 ms. */
	for (int i = 1; i < 6; i++)
		cr_assert_geq(R.at[i] - R.at[i - 1], 5, "retry %d too early", i);
	RUN_UNTIL(R.n == 7);
	cr_assert_eq(cocm_workqueue_failures(q, "flaky"), 0, "success forgets the key");
	for (int i = 0; i < 20; i++)
		uv_run(&loop, UV_RUN_NOWAIT);
	cr_assert_eq(R.n, 7, "no more retries after success");
}

Test(workqueue, rate_limited_delay_grows_and_caps)
{
	struct cocm_workqueue_opts o = { .base_ms = 5, .cap_ms = 1000, .qps = -1, .seed = 9 };
	struct cocm_workqueue *q = cocm_workqueue_create(&loop, &o, handler, &R);
	uint64_t d, maxd = 0;

	R.q = q;
	for (unsigned i = 0; i < 30; i++) {
		d = cocm_workqueue_add_rate_limited(q, "k");
		cr_assert_geq(d, 5);
		cr_assert_leq(d, 1000);
		maxd = d > maxd ? d : maxd;
	}
	cr_assert_gt(maxd, 500, "jittered delays reach towards the cap");
	cr_assert_eq(cocm_workqueue_failures(q, "k"), 30);
	cr_assert_eq(cocm_workqueue_waiting(q), 1, "one waiter per key");
	cocm_workqueue_forget(q, "k");
	cr_assert_eq(cocm_workqueue_add_rate_limited(q, "k"), 5);
}

Test(workqueue, overall_bucket_limits_many_keys)
{
	struct cocm_workqueue_opts o = { .qps = 10, .burst = 2, .seed = 9 };
	struct cocm_workqueue *q = cocm_workqueue_create(&loop, &o, handler, &R);
	char k[8];
	uint64_t d = 0;

	R.q = q;
	for (int i = 0; i < 5; i++) {
		snprintf(k, sizeof(k), "k%d", i);
		d = cocm_workqueue_add_rate_limited(q, k);
	}
	cr_assert_geq(d, 290, "5th key waits ~300 ms behind the bucket (got %llu)",
		(unsigned long long)d);
}

Test(workqueue, close_waits_for_inflight)
{
	struct cocm_workqueue *q = mkq(2, 32);

	R.hold = 1;
	cocm_workqueue_add(q, "a");
	cocm_workqueue_add_after(q, "b", 100000);
	RUN_UNTIL(R.n == 1);
	cocm_workqueue_close(q, on_closed, &R);
	cocm_workqueue_add(q, "c"); /* ignored after close */
	for (int i = 0; i < 20; i++)
		uv_run(&loop, UV_RUN_NOWAIT);
	cr_assert(!R.closed, "close waits for the in-flight key");
	cr_assert_eq(R.n, 1);
	finish_key(&R, "a");
	RUN_UNTIL(R.closed);
	R.q = NULL;
}
