/* Informer state machine against an in-test fake of the three client calls it makes
 * (cocm_kube_list, cocm_kube_watch, cocm_watch_cancel). These definitions take the place of
 * the real client's for this binary only; the real-server tests are in e2e/kube-client. The
 * test plays the API server: it answers each request explicitly, so every step is
 * deterministic. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <uv.h>

#include "kube/informer.h"
#include "kube/core/json.h"
#include "kube/core/xalloc.h"

/* ---- the fake client ---- */

struct fake_list {
	int active;
	cocm_resp_cb cb;
	void *arg;
	char cont[64], lsel[64], ns[64];
	long limit;
	int n;
};

struct cocm_watch {
	int active, canceled;
	cocm_watch_event_cb ev;
	cocm_watch_done_cb done;
	void *arg;
	char rv[64];
	long timeout_s;
	uv_timer_t t; /* delivers the ECANCELED completion on a later loop turn */
};

static uv_loop_t loop;
static struct fake_list L;
static struct cocm_watch W;
static int watches_started, lists_started;

enum cocm_err cocm_kube_list(struct cocm_kube *k, const struct cocm_gvr *r, const char *ns,
	const struct cocm_list_opts *o, cocm_resp_cb cb, void *arg)
{
	(void)k;
	cr_assert_str_eq(r->resource, "widgets");
	cr_assert(!L.active, "one list at a time");
	cr_assert(!W.active, "no list while watching");
	memset(&L, 0, sizeof(L));
	L.active = 1;
	L.cb = cb;
	L.arg = arg;
	snprintf(L.cont, sizeof(L.cont), "%s", o->cont ? o->cont : "");
	snprintf(L.lsel, sizeof(L.lsel), "%s", o->label_selector ? o->label_selector : "");
	snprintf(L.ns, sizeof(L.ns), "%s", ns ? ns : "");
	L.limit = o->limit;
	lists_started++;
	return COCM_OK;
}

static void on_cancel_timer(uv_timer_t *t)
{
	struct cocm_watch *w = t->data;

	w->active = 0;
	w->done(COCM_ECANCELED, w->arg);
}

enum cocm_err cocm_kube_watch(struct cocm_kube *k, const struct cocm_gvr *r, const char *ns,
	const struct cocm_watch_opts *o, cocm_watch_event_cb ev, cocm_watch_done_cb done, void *arg,
	struct cocm_watch **out)
{
	(void)k;
	(void)r;
	(void)ns;
	cr_assert(!W.active, "one watch at a time");
	cr_assert(!L.active, "no watch while listing");
	W.active = 1;
	W.canceled = 0;
	W.ev = ev;
	W.done = done;
	W.arg = arg;
	snprintf(W.rv, sizeof(W.rv), "%s", o->resource_version ? o->resource_version : "");
	W.timeout_s = o->timeout_s;
	watches_started++;
	if (out != NULL)
		*out = &W;
	return COCM_OK;
}

void cocm_watch_cancel(struct cocm_watch *w)
{
	cr_assert(w->active && !w->canceled, "cancel of a live watch only");
	w->canceled = 1;
	uv_timer_start(&w->t, on_cancel_timer, 0, 0);
}

/* ---- server side helpers ---- */

static cJSON *widget(const char *name, const char *rv, const char *color)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *md = cocm_json_obj(o, "metadata");

	cocm_json_set_str(md, "name", name);
	cocm_json_set_str(md, "namespace", "ns");
	cocm_json_set_str(md, "resourceVersion", rv);
	if (color != NULL)
		cocm_json_set_str(cocm_json_obj(md, "labels"), "color", color);
	return o;
}

/* Answers the pending list with the given items (NULL-terminated), continue token and rv. */
static void answer_list(cJSON **items, const char *cont, const char *rv)
{
	struct cocm_resp resp = { 0 };
	cJSON *body = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(body, "items");
	cJSON *md = cocm_json_obj(body, "metadata");
	cocm_resp_cb cb = L.cb;

	cr_assert(L.active, "a list is pending");
	cocm_json_set_str(body, "apiVersion", "example.dev/v1");
	cocm_json_set_str(body, "kind", "WidgetList");
	for (; *items != NULL; items++)
		cJSON_AddItemToArray(arr, *items);
	if (cont != NULL)
		cocm_json_set_str(md, "continue", cont);
	cocm_json_set_str(md, "resourceVersion", rv);
	resp.http_status = 200;
	resp.body = body;
	L.active = 0;
	cb(&resp, L.arg);
	cJSON_Delete(resp.body); /* NULL when the informer took it */
}

static void fail_list(enum cocm_err err, int http)
{
	struct cocm_resp resp = { .err = err, .http_status = http };

	cr_assert(L.active);
	L.active = 0;
	L.cb(&resp, L.arg);
}

static void send_event(enum cocm_watch_ev type, cJSON *obj)
{
	cr_assert(W.active && !W.canceled, "watch is live");
	W.ev(type, obj, W.arg);
	cJSON_Delete(obj);
}

static void end_watch(enum cocm_err err)
{
	cr_assert(W.active && !W.canceled);
	W.active = 0;
	W.done(err, W.arg);
}

#define RUN_UNTIL(cond) \
	do { \
		uint64_t t0_ = uv_now(&loop); \
		while (!(cond) && uv_now(&loop) - t0_ < 20000) { \
			uv_run(&loop, UV_RUN_ONCE); \
			uv_update_time(&loop); \
		} \
		cr_assert(cond, "timed out waiting for " #cond); \
	} while (0)

/* ---- what the handlers saw ---- */

struct seen {
	int adds, initial_adds, updates, deletes, missed, synced, resyncs;
	char log[64][48];
	int n;
};
static struct seen S;

static void note(const char *what, const cJSON *o)
{
	cr_assert_lt(S.n, 64);
	snprintf(S.log[S.n++], sizeof(S.log[0]), "%s %s@%s", what,
		cocm_json_str(o, "metadata", "name", NULL),
		cocm_json_str(o, "metadata", "resourceVersion", NULL));
}

static int logged(const char *line)
{
	for (int i = 0; i < S.n; i++)
		if (strcmp(S.log[i], line) == 0)
			return 1;
	return 0;
}

static struct cocm_informer *INF;

static void h_add(const cJSON *o, int initial, void *arg)
{
	(void)arg;
	S.adds++;
	S.initial_adds += initial;
	note(initial ? "add-initial" : "add", o);
	/* the cache already holds the new state */
	char key[COCM_CACHE_KEY_MAX];

	cr_assert_eq(cocm_cache_key_of(o, key, sizeof(key)), COCM_OK);
	cr_assert_eq(cocm_cache_get(cocm_informer_cache(INF), key), o);
	if (initial) /* list items carry no kind; watch objects do (from the server) */
		cr_assert_str_eq(cocm_json_str(o, "kind", NULL), "Widget", "kind filled from the list");
}

static void h_update(const cJSON *old, const cJSON *cur, void *arg)
{
	char line[48];

	(void)arg;
	S.updates++;
	snprintf(line, sizeof(line), "%s",
		cocm_json_str(old, "metadata", "resourceVersion", NULL));
	note("update", cur);
	snprintf(S.log[S.n - 1] + strlen(S.log[S.n - 1]),
		sizeof(S.log[0]) - strlen(S.log[S.n - 1]), " from %s", line);
}

static void h_delete(const cJSON *o, int missed, void *arg)
{
	(void)arg;
	S.deletes++;
	S.missed += missed;
	note(missed ? "delete-missed" : "delete", o);
}

static void h_synced(void *arg)
{
	(void)arg;
	S.synced++;
	cr_assert(cocm_informer_synced(INF));
}

static void h_resync(const cJSON *o, void *arg)
{
	(void)o;
	(void)arg;
	S.resyncs++;
}

static int closed;
static void on_closed(void *arg)
{
	(void)arg;
	closed = 1;
}

static void setup(void)
{
	cr_assert_eq(uv_loop_init(&loop), 0);
	memset(&L, 0, sizeof(L));
	memset(&W, 0, sizeof(W));
	memset(&S, 0, sizeof(S));
	uv_timer_init(&loop, &W.t);
	W.t.data = &W;
	watches_started = lists_started = closed = 0;
}

static void teardown(void)
{
	if (INF != NULL && !closed) {
		cocm_informer_close(INF, on_closed, NULL);
		RUN_UNTIL(closed);
	}
	INF = NULL;
	uv_close((uv_handle_t *)&W.t, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	cr_assert_eq(uv_loop_close(&loop), 0, "every handle closed");
}

static const struct cocm_gvr widgets = { "example.dev", "v1", "widgets", 1 };

static struct cocm_informer *mk(long page, uint64_t resync_ms)
{
	static const char *const idx[] = { "color", NULL };
	struct cocm_informer_opts o = { .page_size = page, .backoff_base_ms = 10,
		.backoff_cap_ms = 100, .label_selector = "tier=web", .resync_ms = resync_ms,
		.index_labels = idx, .seed = 3 };
	struct cocm_informer_handlers h = { h_add, h_update, h_delete, h_synced,
		resync_ms ? h_resync : NULL, NULL };

	INF = cocm_informer_create((struct cocm_kube *)&loop /* never dereferenced */, &loop,
		&widgets, &o, &h);
	cr_assert_eq(cocm_informer_start(INF), COCM_OK);
	cr_assert_eq(cocm_informer_start(INF), COCM_ESTATE);
	return INF;
}

/* Initial paged list: three objects over two pages, then a watch from the list's rv. */
static void initial_sync(void)
{
	cr_assert_eq(lists_started, 0, "nothing starts inside start()");
	RUN_UNTIL(L.active);
	cr_assert_str_eq(L.cont, "");
	cr_assert_eq(L.limit, 2);
	cr_assert_str_eq(L.lsel, "tier=web");
	answer_list((cJSON *[]){ widget("a", "1", "red"), widget("b", "2", "blue"), NULL }, "tok1",
		"5");
	cr_assert(!cocm_informer_synced(INF), "not synced after a partial list");
	cr_assert_eq(S.synced, 0);
	RUN_UNTIL(L.active);
	cr_assert_str_eq(L.cont, "tok1", "second page asks for the continuation");
	answer_list((cJSON *[]){ widget("c", "3", "red"), NULL }, NULL, "5");
	cr_assert_eq(S.synced, 1);
	cr_assert_eq(S.initial_adds, 3);
	cr_assert_str_eq(cocm_informer_rv(INF), "5");
	RUN_UNTIL(W.active);
	cr_assert_str_eq(W.rv, "5", "watch starts at the list's resourceVersion");
	cr_assert_geq(W.timeout_s, 300);
	cr_assert_lt(W.timeout_s, 600);
}

TestSuite(informer, .init = setup, .fini = teardown);

static int count(const char *k, const cJSON *o, void *arg)
{
	(void)k;
	(void)o;
	(*(int *)arg)++;
	return 0;
}

Test(informer, list_then_watch_events)
{
	struct cocm_informer_stats st;
	struct cocm_cache *c;
	int red = 0;

	mk(2, 0);
	initial_sync();
	c = cocm_informer_cache(INF);
	cr_assert_eq(cocm_cache_len(c), 3);

	send_event(COCM_WATCH_ADDED, widget("d", "6", "red"));
	send_event(COCM_WATCH_MODIFIED, widget("a", "7", "green"));
	send_event(COCM_WATCH_DELETED, widget("b", "8", "blue"));
	send_event(COCM_WATCH_BOOKMARK, widget("ignored", "20", NULL));
	cr_assert(logged("add d@6"));
	cr_assert(logged("update a@7 from 1"));
	cr_assert(logged("delete b@2"), "delete hands over the last known state");
	cr_assert_str_eq(cocm_informer_rv(INF), "20", "bookmark advances the rv");
	cr_assert_null(cocm_cache_get(c, "ns/b"));
	cr_assert_null(cocm_cache_get(c, "ignored"), "a bookmark is not an object");
	cr_assert_eq(cocm_cache_len(c), 3);

	/* Label index follows the watch. */
	cocm_cache_each_label(c, "color", "red", count, &red);
	cr_assert_eq(red, 2); /* c and d; a turned green */
	cocm_informer_stats(INF, &st);
	cr_assert_eq(st.events, 4);
	cr_assert_eq(st.lists, 1);
}

Test(informer, watch_resumes_from_last_rv_after_drop)
{
	struct cocm_informer_stats st;

	mk(2, 0);
	initial_sync();
	send_event(COCM_WATCH_MODIFIED, widget("a", "9", "red"));
	end_watch(COCM_EHTTP); /* connection dropped */
	RUN_UNTIL(W.active);
	cr_assert_str_eq(W.rv, "9", "resume from the last event's rv, no relist");
	cr_assert_eq(lists_started, 2, "no new list");
	send_event(COCM_WATCH_BOOKMARK, widget("x", "12", NULL));
	end_watch(COCM_ERETRY);
	RUN_UNTIL(W.active);
	cr_assert_str_eq(W.rv, "12");
	/* A clean end (server timeout) also resumes, at once. */
	end_watch(COCM_OK);
	RUN_UNTIL(W.active);
	cr_assert_str_eq(W.rv, "12");
	cocm_informer_stats(INF, &st);
	cr_assert_eq(st.watch_resumes, 2);
	cr_assert_eq(st.lists, 1);
	cr_assert_eq(S.synced, 1, "synced fires once");
}

static void relist_with_missed_deletions(void)
{
	struct cocm_informer_stats st;

	RUN_UNTIL(L.active);
	cr_assert_str_eq(L.cont, "", "relist starts from scratch");
	/* While we were away: b deleted, c changed, e created; a unchanged. */
	answer_list((cJSON *[]){ widget("a", "1", "red"), widget("c", "30", "red"),
		widget("e", "31", NULL), NULL }, NULL, "40");
	cr_assert(logged("delete-missed b@2"), "missed deletion delivered");
	cr_assert(logged("update c@30 from 3"));
	cr_assert(logged("add-initial e@31"));
	cr_assert(!logged("update a@1 from 1"), "unchanged objects are quiet");
	cr_assert_eq(S.missed, 1);
	cr_assert_null(cocm_cache_get(cocm_informer_cache(INF), "ns/b"));
	cr_assert_eq(cocm_cache_len(cocm_informer_cache(INF)), 3);
	RUN_UNTIL(W.active);
	cr_assert_str_eq(W.rv, "40");
	cocm_informer_stats(INF, &st);
	cr_assert_eq(st.relists_gone, 1);
	cr_assert_eq(st.missed_deletes, 1);
	cr_assert_eq(S.synced, 1);
}

Test(informer, relist_on_410_error_event)
{
	mk(100, 0);
	RUN_UNTIL(L.active);
	answer_list((cJSON *[]){ widget("a", "1", "red"), widget("b", "2", NULL),
		widget("c", "3", NULL), NULL }, NULL, "5");
	RUN_UNTIL(W.active);
	cJSON *st = cJSON_Parse("{\"kind\":\"Status\",\"status\":\"Failure\",\"code\":410,"
				"\"reason\":\"Expired\",\"message\":\"too old resource version\"}");

	send_event(COCM_WATCH_ERROR, st);
	cr_assert(W.canceled, "the informer stops the stream after an ERROR event");
	relist_with_missed_deletions();
}

Test(informer, relist_on_410_watch_status)
{
	mk(100, 0);
	RUN_UNTIL(L.active);
	answer_list((cJSON *[]){ widget("a", "1", "red"), widget("b", "2", NULL),
		widget("c", "3", NULL), NULL }, NULL, "5");
	RUN_UNTIL(W.active);
	end_watch(COCM_EGONE); /* HTTP 410 on the watch request: rv too old */
	relist_with_missed_deletions();
}

Test(informer, list_failures_retry_and_expired_continue_restarts)
{
	uint64_t t0;

	mk(1, 0);
	RUN_UNTIL(L.active);
	uv_update_time(&loop);
	t0 = uv_now(&loop);
	fail_list(COCM_ERETRY, 503);
	cr_assert(!L.active);
	RUN_UNTIL(L.active);
	cr_assert_geq(uv_now(&loop) - t0, 10, "retried after backoff");
	answer_list((cJSON *[]){ widget("a", "1", NULL), NULL }, "t", "5");
	RUN_UNTIL(L.active);
	cr_assert_str_eq(L.cont, "t");
	fail_list(COCM_EGONE, 410); /* continue token expired */
	RUN_UNTIL(L.active);
	cr_assert_str_eq(L.cont, "", "start over");
	answer_list((cJSON *[]){ widget("a", "1", NULL), NULL }, NULL, "6");
	cr_assert_eq(S.synced, 1);
	cr_assert_eq(S.adds, 1, "a re-listed unchanged object is not added twice");
	RUN_UNTIL(W.active);
}

Test(informer, periodic_resync)
{
	mk(100, 50);
	RUN_UNTIL(L.active);
	answer_list((cJSON *[]){ widget("a", "1", NULL), widget("b", "1", NULL), NULL }, NULL, "5");
	RUN_UNTIL(S.resyncs >= 4);
	cr_assert_eq(S.resyncs % 2, 0, "every object each period");
}

Test(informer, close_while_listing_waits_for_the_response)
{
	mk(100, 0);
	RUN_UNTIL(L.active);
	cocm_informer_close(INF, on_closed, NULL);
	for (int i = 0; i < 10; i++)
		uv_run(&loop, UV_RUN_NOWAIT);
	cr_assert(!closed, "the list callback is still owed");
	answer_list((cJSON *[]){ widget("a", "1", NULL), NULL }, NULL, "5");
	cr_assert_eq(S.adds, 0, "no delivery after close");
	RUN_UNTIL(closed);
	cr_assert(!W.active, "no watch started after close");
}

Test(informer, close_while_watching_cancels)
{
	mk(100, 0);
	RUN_UNTIL(L.active);
	answer_list((cJSON *[]){ widget("a", "1", NULL), NULL }, NULL, "5");
	RUN_UNTIL(W.active);
	cocm_informer_close(INF, on_closed, NULL);
	cr_assert(W.canceled);
	RUN_UNTIL(closed);
	cr_assert(!W.active);
}

static void close_from_handler(const cJSON *o, int initial, void *arg)
{
	(void)o;
	(void)initial;
	(void)arg;
	S.adds++;
	cocm_informer_close(INF, on_closed, NULL);
}

Test(informer, close_from_inside_a_handler)
{
	struct cocm_informer_handlers h = { .on_add = close_from_handler };

	INF = cocm_informer_create((struct cocm_kube *)&loop, &loop, &widgets, NULL, &h);
	cocm_informer_start(INF);
	RUN_UNTIL(L.active);
	answer_list((cJSON *[]){ widget("a", "1", NULL), widget("b", "1", NULL), NULL }, NULL, "5");
	cr_assert_eq(S.adds, 1, "delivery stops at once");
	RUN_UNTIL(closed);
	cr_assert(!W.active);
}
