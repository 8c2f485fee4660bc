/* Work queue: a dirty set, a FIFO of ready keys, a processing set, and a min-heap of delayed
 * keys driven by one uv timer. Dispatch happens from a uv_idle handle, so add() never calls the
 * handler re-entrantly and each loop turn hands out at most one batch; while the idle handle is
 * active the loop still polls sockets (with a zero timeout) between batches. (Not a 0 ms timer:
 * libuv 1.44 runs a 0 ms timer started from a timer callback in the same pass, which would starve
 * I/O.) */
#include "kube/workqueue.h"

#include <stdlib.h>
#include <string.h>

#include "kube/backoff.h"
#include "kube/core/log.h"
#include "kube/core/xalloc.h"
#include "kube/strmap.h"

struct waiter {
	char *key;
	uint64_t due;
	size_t idx; /* position in the heap */
};

struct cocm_workqueue {
	uv_loop_t *loop;
	char *name;
	unsigned max_inflight, batch;
	cocm_workqueue_cb cb;
	void *arg;

	struct cocm_strmap dirty;      /* key -> NULL: needs processing */
	struct cocm_strmap processing; /* key -> NULL: handed to cb, not done yet */
	char **fifo;                   /* ring of owned keys, ready to dispatch */
	size_t head, count, cap;

	struct cocm_strmap waiting;    /* key -> struct waiter */
	struct waiter **heap;
	size_t heap_len, heap_cap;

	struct cocm_backoff backoff;
	struct cocm_tokenbucket bucket;

	uv_idle_t kick;                /* dispatch the next batch on the next loop turn */
	uv_timer_t delay;              /* earliest waiter */
	int closing, handles_open, dispatching;
	void (*close_cb)(void *arg);
	void *close_arg;
};

/* ---- FIFO ---- */

static void fifo_push(struct cocm_workqueue *q, char *key)
{
	if (q->count == q->cap) {
		size_t ncap = q->cap ? q->cap * 2 : 64;
		char **n = COCM_NEWN(char *, ncap);

		for (size_t i = 0; i < q->count; i++)
			n[i] = q->fifo[(q->head + i) % q->cap];
		free(q->fifo);
		q->fifo = n;
		q->head = 0;
		q->cap = ncap;
	}
	q->fifo[(q->head + q->count) % q->cap] = key;
	q->count++;
}

static char *fifo_pop(struct cocm_workqueue *q)
{
	char *k;

	if (q->count == 0)
		return NULL;
	k = q->fifo[q->head];
	q->head = (q->head + 1) % q->cap;
	q->count--;
	return k;
}

/* ---- heap of waiters (by due time) ---- */

static void heap_swap(struct cocm_workqueue *q, size_t a, size_t b)
{
	struct waiter *t = q->heap[a];

	q->heap[a] = q->heap[b];
	q->heap[b] = t;
	q->heap[a]->idx = a;
	q->heap[b]->idx = b;
}

static void heap_up(struct cocm_workqueue *q, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (q->heap[p]->due <= q->heap[i]->due)
			break;
		heap_swap(q, p, i);
		i = p;
	}
}

static void heap_down(struct cocm_workqueue *q, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < q->heap_len && q->heap[l]->due < q->heap[m]->due)
			m = l;
		if (r < q->heap_len && q->heap[r]->due < q->heap[m]->due)
			m = r;
		if (m == i)
			return;
		heap_swap(q, i, m);
		i = m;
	}
}

static struct waiter *heap_pop(struct cocm_workqueue *q)
{
	struct waiter *w = q->heap[0];

	q->heap_len--;
	if (q->heap_len > 0) {
		q->heap[0] = q->heap[q->heap_len];
		q->heap[0]->idx = 0;
		heap_down(q, 0);
	}
	return w;
}

/* ---- scheduling ---- */

static void on_kick(uv_idle_t *h);
static void on_delay(uv_timer_t *t);

static void schedule_dispatch(struct cocm_workqueue *q)
{
	if (q->closing || q->dispatching || q->count == 0 ||
		q->processing.len >= q->max_inflight)
		return;
	if (!uv_is_active((uv_handle_t *)&q->kick))
		uv_idle_start(&q->kick, on_kick);
}

static void arm_delay(struct cocm_workqueue *q)
{
	uint64_t now = uv_now(q->loop);
	uint64_t due;

	if (q->heap_len == 0) {
		uv_timer_stop(&q->delay);
		return;
	}
	due = q->heap[0]->due;
	uv_timer_start(&q->delay, on_delay, due > now ? due - now : 0, 0);
}

static void dispatch(struct cocm_workqueue *q)
{
	unsigned n = 0;

	q->dispatching = 1;
	while (!q->closing && n < q->batch && q->processing.len < q->max_inflight) {
		char *key = fifo_pop(q);
		const char *own;

		if (key == NULL)
			break;
		cocm_strmap_del(&q->dirty, key, NULL);
		cocm_strmap_put(&q->processing, key, NULL);
		own = cocm_strmap_key(&q->processing, key); /* lives until done() */
		free(key);
		n++;
		q->cb(q, own, q->arg);
	}
	q->dispatching = 0;
	schedule_dispatch(q); /* more left: next loop turn, after I/O */
}

static void on_kick(uv_idle_t *h)
{
	uv_idle_stop(h);
	dispatch(h->data);
}

static void on_delay(uv_timer_t *t)
{
	struct cocm_workqueue *q = t->data;
	uint64_t now = uv_now(q->loop);

	while (q->heap_len > 0 && q->heap[0]->due <= now) {
		struct waiter *w = heap_pop(q);

		cocm_strmap_del(&q->waiting, w->key, NULL);
		cocm_workqueue_add(q, w->key);
		free(w->key);
		free(w);
	}
	arm_delay(q);
}

/* ---- API ---- */

struct cocm_workqueue *cocm_workqueue_create(uv_loop_t *loop, const struct cocm_workqueue_opts *o,
	cocm_workqueue_cb cb, void *arg)
{
	struct cocm_workqueue_opts def = { 0 };
	struct cocm_workqueue *q = COCM_NEW(struct cocm_workqueue);

	if (o == NULL)
		o = &def;
	q->loop = loop;
	q->name = cocm_xstrdup(o->name ? o->name : "queue");
	q->max_inflight = o->max_inflight ? o->max_inflight : 1;
	q->batch = o->batch ? o->batch : 32;
	q->cb = cb;
	q->arg = arg;
	cocm_strmap_init(&q->dirty);
	cocm_strmap_init(&q->processing);
	cocm_strmap_init(&q->waiting);
	cocm_backoff_init(&q->backoff, o->base_ms ? o->base_ms : COCM_BACKOFF_ITEM_BASE_MS,
		o->cap_ms ? o->cap_ms : COCM_BACKOFF_ITEM_CAP_MS, o->seed);
	cocm_tokenbucket_init(&q->bucket, o->qps != 0 ? o->qps : COCM_BACKOFF_BUCKET_QPS,
		o->burst > 0 ? o->burst : COCM_BACKOFF_BUCKET_BURST, uv_now(loop));
	uv_idle_init(loop, &q->kick);
	uv_timer_init(loop, &q->delay);
	q->kick.data = q;
	q->delay.data = q;
	q->handles_open = 2;
	return q;
}

static void free_queue(struct cocm_workqueue *q)
{
	void (*cb)(void *) = q->close_cb;
	void *arg = q->close_arg;
	char *k;
	struct cocm_strmap_iter it;

	while ((k = fifo_pop(q)) != NULL)
		free(k);
	free(q->fifo);
	cocm_strmap_iter_init(&it, &q->waiting);
	while (cocm_strmap_next(&it)) {
		struct waiter *w = it.value;

		free(w->key);
		free(w);
	}
	free(q->heap);
	cocm_strmap_finish(&q->waiting);
	cocm_strmap_finish(&q->dirty);
	cocm_strmap_finish(&q->processing);
	cocm_backoff_finish(&q->backoff);
	free(q->name);
	free(q);
	if (cb != NULL)
		cb(arg);
}

static void on_handle_closed(uv_handle_t *h)
{
	struct cocm_workqueue *q = h->data;

	if (--q->handles_open == 0)
		free_queue(q);
}

static void maybe_finish_close(struct cocm_workqueue *q)
{
	if (!q->closing || q->processing.len > 0 || uv_is_closing((uv_handle_t *)&q->kick))
		return;
	uv_close((uv_handle_t *)&q->kick, on_handle_closed);
	uv_close((uv_handle_t *)&q->delay, on_handle_closed);
}

void cocm_workqueue_close(struct cocm_workqueue *q, void (*done_cb)(void *arg), void *arg)
{
	if (q == NULL || q->closing)
		return;
	q->closing = 1;
	q->close_cb = done_cb;
	q->close_arg = arg;
	uv_idle_stop(&q->kick);
	uv_timer_stop(&q->delay);
	if (q->processing.len > 0)
		cocm_log(COCM_LOG_DEBUG, "workqueue", "close-wait queue=%s inflight=%zu", q->name,
			q->processing.len);
	maybe_finish_close(q);
}

void cocm_workqueue_add(struct cocm_workqueue *q, const char *key)
{
	if (q->closing || cocm_strmap_has(&q->dirty, key))
		return;
	cocm_strmap_put(&q->dirty, key, NULL);
	if (cocm_strmap_has(&q->processing, key))
		return; /* re-queued by done() */
	fifo_push(q, cocm_xstrdup(key));
	schedule_dispatch(q);
}

void cocm_workqueue_add_after(struct cocm_workqueue *q, const char *key, uint64_t delay_ms)
{
	struct waiter *w;
	uint64_t due;

	if (q->closing)
		return;
	if (delay_ms == 0) {
		cocm_workqueue_add(q, key);
		return;
	}
	due = uv_now(q->loop) + delay_ms;
	w = cocm_strmap_get(&q->waiting, key);
	if (w != NULL) {
		if (due < w->due) {
			w->due = due;
			heap_up(q, w->idx);
			arm_delay(q);
		}
		return;
	}
	w = COCM_NEW(struct waiter);
	w->key = cocm_xstrdup(key);
	w->due = due;
	if (q->heap_len == q->heap_cap) {
		q->heap_cap = q->heap_cap ? q->heap_cap * 2 : 16;
		q->heap = cocm_xrealloc(q->heap, q->heap_cap * sizeof(*q->heap));
	}
	w->idx = q->heap_len;
	q->heap[q->heap_len++] = w;
	heap_up(q, w->idx);
	cocm_strmap_put(&q->waiting, key, w);
	if (q->heap[0] == w)
		arm_delay(q);
}

uint64_t cocm_workqueue_add_rate_limited(struct cocm_workqueue *q, const char *key)
{
	uint64_t item, overall;

	if (q->closing)
		return 0;
	item = cocm_backoff_next(&q->backoff, key);
	overall = cocm_tokenbucket_reserve(&q->bucket, uv_now(q->loop));
	if (overall > item)
		item = overall;
	cocm_workqueue_add_after(q, key, item);
	return item;
}

void cocm_workqueue_forget(struct cocm_workqueue *q, const char *key)
{
	cocm_backoff_forget(&q->backoff, key);
}

unsigned cocm_workqueue_failures(const struct cocm_workqueue *q, const char *key)
{
	return cocm_backoff_failures(&q->backoff, key);
}

void cocm_workqueue_done(struct cocm_workqueue *q, const char *key)
{
	char *copy = cocm_xstrdup(key); /* key may be the processing map's own copy */
	int found;

	cocm_strmap_del(&q->processing, copy, &found);
	if (!found) {
		cocm_log(COCM_LOG_WARN, "workqueue", "done-unknown queue=%s", q->name);
		free(copy);
		return;
	}
	if (!q->closing && cocm_strmap_has(&q->dirty, copy))
		fifo_push(q, copy);
	else
		free(copy);
	schedule_dispatch(q);
	maybe_finish_close(q);
}

void cocm_workqueue_complete(struct cocm_workqueue *q, const char *key, enum cocm_err result)
{
	char *copy = cocm_xstrdup(key);

	cocm_workqueue_done(q, copy);
	if (result == COCM_OK)
		cocm_workqueue_forget(q, copy);
	else
		cocm_workqueue_add_rate_limited(q, copy);
	free(copy);
}

size_t cocm_workqueue_len(const struct cocm_workqueue *q)
{
	return q->count;
}

size_t cocm_workqueue_waiting(const struct cocm_workqueue *q)
{
	return q->heap_len;
}

size_t cocm_workqueue_inflight(const struct cocm_workqueue *q)
{
	return q->processing.len;
}

int cocm_workqueue_is_dirty(const struct cocm_workqueue *q, const char *key)
{
	return cocm_strmap_has(&q->dirty, key);
}
