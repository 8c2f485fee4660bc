/* Watches on the wire: framing across chunks, BOOKMARK and ERROR events, a connection dropped
 * mid-stream, a normal end, 410 at start, oversized and undecodable frames, idle timeout,
 * cancel from inside the event callback and on close. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "kube/core/json.h"

static struct kt_server srv;
static uv_loop_t loop;
static struct cocm_kube *k;
static const struct cocm_gvr rel = { "openchoreo.dev", "v1alpha1", "releases", 1 };

static void setup(void)
{
	uv_loop_init(&loop);
}

static void teardown(void)
{
	kt_server_stop(&srv);
}

TestSuite(watch, .init = setup, .fini = teardown, .timeout = 90);

static void start(const char *events_resp, const struct cocm_kube_opts *o)
{
	struct cocm_kube_config cfg;
	char sc[8192];

	snprintf(sc, sizeof(sc), "{\"routes\":[{\"path\":\"/apis/openchoreo.dev/v1alpha1/namespaces/ns/releases\","
		"\"query\":{\"watch\":\"1\"},\"responses\":[%s]}]}", events_resp);
	kt_server_start(&srv, sc, 0);
	kt_config(&cfg, &srv, "ca.crt");
	k = cocm_kube_create(&loop, &cfg, o);
	cocm_kube_config_finish(&cfg);
	cr_assert_not_null(k);
}

struct rec {
	int n;
	enum cocm_watch_ev types[16];
	char names[16][32];
	int done;
	enum cocm_err err;
	int cancel_after;          /* cancel from the event callback after this many events */
	struct cocm_watch *w;
};

static void on_ev(enum cocm_watch_ev type, cJSON *obj, void *arg)
{
	struct rec *r = arg;
	const char *name = cocm_json_str(obj, "metadata", "name", NULL);

	cr_assert_eq(r->done, 0, "event after done");
	cr_assert_lt(r->n, 16);
	r->types[r->n] = type;
	snprintf(r->names[r->n], sizeof(r->names[0]), "%s", name != NULL ? name : "");
	r->n++;
	if (r->cancel_after > 0 && r->n == r->cancel_after)
		cocm_watch_cancel(r->w);
}

static void on_done(enum cocm_err err, void *arg)
{
	struct rec *r = arg;

	cr_assert_eq(r->done, 0, "done twice");
	r->done = 1;
	r->err = err;
}

#define EV(t, name, rv) "{\"type\":\"" t "\",\"object\":{\"kind\":\"Release\",\"metadata\":" \
	"{\"name\":\"" name "\",\"resourceVersion\":\"" rv "\"}}}"

static void run_watch(struct rec *r, const struct cocm_watch_opts *o)
{
	cr_assert_eq(cocm_kube_watch(k, &rel, "ns", o, on_ev, on_done, r, &r->w), COCM_OK);
	kt_run_until(&loop, &r->done, 60);
}

Test(watch, events_split_across_chunks_then_connection_drop)
{
	struct rec r = { 0 };
	const struct cocm_watch_opts o = { .resource_version = "41", .label_selector = "a=b",
		.timeout_s = 300 };
	cJSON *log;
	const cJSON *q;

	start("{\"events\":[" EV("ADDED", "r1", "42") "," EV("MODIFIED", "r1", "43") ","
		"{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Release\",\"metadata\":{\"resourceVersion\":\"50\"}}},"
		EV("DELETED", "r1", "51") "],\"split\":true,\"end\":\"drop\"}", NULL);
	run_watch(&r, &o);
	cr_assert_eq(r.err, COCM_EHTTP, "a dropped stream must be reported, got %s", cocm_err_name(r.err));
	cr_assert_eq(r.n, 4);
	cr_assert_eq(r.types[0], COCM_WATCH_ADDED);
	cr_assert_eq(r.types[1], COCM_WATCH_MODIFIED);
	cr_assert_eq(r.types[2], COCM_WATCH_BOOKMARK);
	cr_assert_eq(r.types[3], COCM_WATCH_DELETED);
	cr_assert_str_eq(r.names[3], "r1");
	log = kt_server_log(&srv);
	q = cJSON_GetObjectItem(cJSON_GetArrayItem(log, 0), "query");
	cr_assert_str_eq(cocm_json_str(q, "watch", NULL), "1");
	cr_assert_str_eq(cocm_json_str(q, "allowWatchBookmarks", NULL), "true");
	cr_assert_str_eq(cocm_json_str(q, "resourceVersion", NULL), "41");
	cr_assert_str_eq(cocm_json_str(q, "labelSelector", NULL), "a=b");
	cr_assert_str_eq(cocm_json_str(q, "timeoutSeconds", NULL), "300");
	cJSON_Delete(log);
	kt_finish(&loop, k);
}

Test(watch, normal_end_and_in_stream_error_event)
{
	struct rec r = { 0 };

	start("{\"events\":[" EV("ADDED", "a", "1") ",{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\","
		"\"status\":\"Failure\",\"reason\":\"Expired\",\"code\":410}}],\"end\":\"close\"}", NULL);
	run_watch(&r, NULL);
	cr_assert_eq(r.err, COCM_OK, "got %s", cocm_err_name(r.err));
	cr_assert_eq(r.n, 2);
	cr_assert_eq(r.types[1], COCM_WATCH_ERROR);
	kt_finish(&loop, k);
}

Test(watch, gone_at_start)
{
	struct rec r = { 0 };
	struct cocm_kube_config cfg;

	kt_server_start(&srv, "{\"routes\":[{\"path\":\"/apis/openchoreo.dev/v1alpha1/namespaces/ns/releases\","
		"\"responses\":[{\"status\":410,\"json\":{\"kind\":\"Status\",\"reason\":\"Expired\","
		"\"message\":\"too old resource version\",\"code\":410}}]}]}", 0);
	kt_config(&cfg, &srv, "ca.crt");
	k = cocm_kube_create(&loop, &cfg, NULL);
	cocm_kube_config_finish(&cfg);
	cr_assert_not_null(k);
	run_watch(&r, NULL);
	cr_assert_eq(r.err, COCM_EGONE, "got %s", cocm_err_name(r.err));
	cr_assert_eq(r.n, 0);
	kt_finish(&loop, k);
}

Test(watch, oversized_frame_fails_the_watch)
{
	struct rec r = { 0 };
	const struct cocm_kube_opts o = { .max_watch_frame = 4096 };

	start("{\"events\":[" EV("ADDED", "small", "1") ",{\"big_frame\":100000}," EV("ADDED", "after", "3")
		"],\"end\":\"hang\"}", &o);
	run_watch(&r, NULL);
	cr_assert_eq(r.err, COCM_ETOOBIG, "got %s", cocm_err_name(r.err));
	cr_assert_eq(r.n, 1);
	cr_assert_str_eq(r.names[0], "small");
	kt_finish(&loop, k);
}

Test(watch, undecodable_frame_fails_the_watch)
{
	struct rec r = { 0 };

	start("{\"events\":[{\"raw\":\"{not json\"}," EV("ADDED", "after", "3") "],\"end\":\"hang\"}", NULL);
	run_watch(&r, NULL);
	cr_assert_eq(r.err, COCM_EPARSE, "got %s", cocm_err_name(r.err));
	cr_assert_eq(r.n, 0);
	kt_finish(&loop, k);
}

Test(watch, idle_stream_times_out)
{
	struct rec r = { 0 };
	const struct cocm_kube_opts o = { .watch_idle_timeout_ms = 1000 };
	double t0 = kt_now();

	start("{\"events\":[" EV("ADDED", "a", "1") "],\"end\":\"hang\"}", &o);
	run_watch(&r, NULL);
	cr_assert_eq(r.err, COCM_EHTTP, "got %s", cocm_err_name(r.err));
	cr_assert_eq(r.n, 1);
	cr_assert_lt(kt_now() - t0, 30.0);
	kt_finish(&loop, k);
}

Test(watch, cancel_from_event_callback)
{
	struct rec r = { .cancel_after = 1 };

	start("{\"events\":[" EV("ADDED", "a", "1") "," EV("ADDED", "b", "2") "],\"end\":\"hang\"}", NULL);
	run_watch(&r, NULL);
	cr_assert_eq(r.err, COCM_ECANCELED);
	cr_assert_eq(r.n, 1, "no event after cancel");
	kt_finish(&loop, k);
}

static void on_closed(void *arg)
{
	*(int *)arg = 1;
}

Test(watch, close_cancels_open_watches)
{
	struct rec a = { 0 }, b = { 0 };
	int closed = 0;

	start("{\"events\":[" EV("ADDED", "a", "1") "],\"end\":\"hang\"}", NULL);
	cr_assert_eq(cocm_kube_watch(k, &rel, "ns", NULL, on_ev, on_done, &a, &a.w), COCM_OK);
	cr_assert_eq(cocm_kube_watch(k, &rel, "ns", NULL, on_ev, on_done, &b, &b.w), COCM_OK);
	while (a.n < 1 || b.n < 1)
		uv_run(&loop, UV_RUN_ONCE);
	cocm_kube_close(k, on_closed, &closed);
	kt_run_until(&loop, &closed, 30);
	cr_assert(a.done && b.done);
	cr_assert_eq(a.err, COCM_ECANCELED);
	cr_assert_eq(b.err, COCM_ECANCELED);
	uv_run(&loop, UV_RUN_DEFAULT);
	cr_assert_eq(uv_loop_close(&loop), 0);
}
