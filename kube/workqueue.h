/* Work queue of string keys (client-go's rate-limiting workqueue, on one libuv loop).
 *
 * Guarantees:
 *  - De-duplication: a key added many times before it is processed is processed once.
 *  - A key is never processed twice at once: adding a key while it is being processed marks it
 *    dirty, and it is queued again when cocm_workqueue_done() is called for it.
 *  - Bounded dispatch: at most `batch` keys are handed out per loop turn (then the loop polls its
 *    sockets before the next batch), and at most `max_inflight` keys are in processing at once.
 *  - Delayed adds (uv timer): add_after(key, ms); a key waiting twice keeps the earlier deadline.
 *  - Rate-limited adds: delay = max(per-key capped exponential backoff with jitter (client-go's
 *    5 ms ... 1000 s), overall token bucket (10 qps, burst 100)); forget() resets the key's backoff.
 *
 * Processing: cb(q, key, arg) runs from the loop (never inside add()). The handler owns the key
 * until it calls cocm_workqueue_done(q, key) (at once or later, after async work): `key` stays
 * valid until then. The handler may call add/add_after/forget/done from inside cb.
 * cocm_workqueue_complete() is the usual ending: done + forget on success, done + rate-limited
 * re-add on failure.
 *
 * Shutdown: cocm_workqueue_close() drops queued and waiting keys, stops dispatching (adds become
 * no-ops), waits until every in-flight key is done, closes its handles, frees the queue and then
 * calls done_cb. The loop must keep running until then. Everything is loop-thread only. */
#ifndef COCM_KUBE_WORKQUEUE_H
#define COCM_KUBE_WORKQUEUE_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "kube/core/err.h"

struct cocm_workqueue;

typedef void (*cocm_workqueue_cb)(struct cocm_workqueue *q, const char *key, void *arg);

/* Zero fields take defaults. */
struct cocm_workqueue_opts {
	const char *name;      /* for logs (copied); default "queue" */
	unsigned max_inflight; /* default 1 */
	unsigned batch;        /* keys dispatched per loop turn; default 32 */
	uint64_t base_ms;      /* per-key backoff base; default 5 ms */
	uint64_t cap_ms;       /* per-key backoff cap; default 1000 s */
	double qps;            /* overall bucket for rate-limited adds; default 10; < 0 disables */
	double burst;          /* default 100 */
	uint64_t seed;         /* jitter seed; 0 = random */
};

struct cocm_workqueue *cocm_workqueue_create(uv_loop_t *loop, const struct cocm_workqueue_opts *o,
	cocm_workqueue_cb cb, void *arg);
void cocm_workqueue_close(struct cocm_workqueue *q, void (*done_cb)(void *arg), void *arg);

void cocm_workqueue_add(struct cocm_workqueue *q, const char *key);
void cocm_workqueue_add_after(struct cocm_workqueue *q, const char *key, uint64_t delay_ms);
/* Returns the chosen delay in ms (for logs and tests). */
uint64_t cocm_workqueue_add_rate_limited(struct cocm_workqueue *q, const char *key);
void cocm_workqueue_forget(struct cocm_workqueue *q, const char *key);
unsigned cocm_workqueue_failures(const struct cocm_workqueue *q, const char *key);
/* Ends processing of key (must be in processing: otherwise logged and ignored). */
void cocm_workqueue_done(struct cocm_workqueue *q, const char *key);
/* done + forget when result is COCM_OK, else done + add_rate_limited. */
void cocm_workqueue_complete(struct cocm_workqueue *q, const char *key, enum cocm_err result);

size_t cocm_workqueue_len(const struct cocm_workqueue *q);      /* ready keys, not processing */
size_t cocm_workqueue_waiting(const struct cocm_workqueue *q);  /* keys with a pending delay */
size_t cocm_workqueue_inflight(const struct cocm_workqueue *q); /* keys being processed */
int cocm_workqueue_is_dirty(const struct cocm_workqueue *q, const char *key); /* queued or re-added */

#endif
