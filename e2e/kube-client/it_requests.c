/* Requests on the wire: verbs, paths, query strings and bodies; retries (429 + Retry-After,
 * transport errors for idempotent requests only); the body cap; keep-alive; the rate limiter;
 * cancellation on close; discovery; the metrics observer. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "kube/core/json.h"
#include "kube/discovery.h"

static struct kt_server srv;
static uv_loop_t loop;
static struct cocm_kube *k;
static const struct cocm_gvr pods = { "", "v1", "pods", 1 };
static const struct cocm_gvr rel = { "openchoreo.dev", "v1alpha1", "releases", 1 };
static const struct cocm_gvr mcs = { "cluster.open-cluster-management.io", "v1", "managedclusters", 0 };

static void setup(void)
{
	uv_loop_init(&loop);
	k = NULL;
}

static void teardown(void)
{
	kt_server_stop(&srv);
}

TestSuite(requests, .init = setup, .fini = teardown, .timeout = 90);

static void start(const char *scenario, const struct cocm_kube_opts *o)
{
	struct cocm_kube_config cfg;

	kt_server_start(&srv, scenario, 0);
	kt_config(&cfg, &srv, "ca.crt");
	k = cocm_kube_create(&loop, &cfg, o);
	cocm_kube_config_finish(&cfg);
	cr_assert_not_null(k);
}

static const cJSON *nth(cJSON *log, int i)
{
	const cJSON *e = cJSON_GetArrayItem(log, i);

	cr_assert_not_null(e, "request %d missing", i);
	return e;
}

Test(requests, retry_after_429_is_honoured)
{
	struct kt_resp r = { 0 };
	double t0;
	cJSON *log;

	start("{\"routes\":[{\"path\":\"/api/v1/namespaces/ns/pods/p\",\"responses\":["
		"{\"status\":429,\"headers\":{\"Retry-After\":\"1\"},\"json\":{\"kind\":\"Status\","
		"\"reason\":\"TooManyRequests\",\"code\":429}},{\"json\":{\"kind\":\"Pod\"}}]}]}", NULL);
	t0 = kt_now();
	cr_assert_eq(cocm_kube_get(k, &pods, "ns", "p", kt_resp_cb, &r), COCM_OK);
	cr_assert_eq(r.done, 0, "callback must not run inside the call");
	kt_run_until(&loop, &r.done, 30);
	cr_assert_eq(r.err, COCM_OK, "got %s", cocm_err_name(r.err));
	cr_assert_geq(r.at - t0, 0.95, "retried after %.3f s, before Retry-After", r.at - t0);
	cr_assert_lt(r.at - t0, 10.0);
	log = kt_server_log(&srv);
	cr_assert_eq(cJSON_GetArraySize(log), 2);
	cr_assert_geq(cJSON_GetObjectItem(nth(log, 1), "t")->valuedouble -
		cJSON_GetObjectItem(nth(log, 0), "t")->valuedouble, 0.95);
	cJSON_Delete(log);
	kt_resp_finish(&r);
	kt_finish(&loop, k);
}

Test(requests, retries_are_capped_and_report_the_last_status)
{
	struct kt_resp r = { 0 };
	const struct cocm_kube_opts o = { .max_retries = 2 };

	start("{\"routes\":[{\"path\":\"/api/v1/namespaces/ns/pods/p\",\"responses\":["
		"{\"status\":503,\"json\":{\"kind\":\"Status\",\"reason\":\"ServiceUnavailable\","
		"\"message\":\"etcd down\",\"code\":503}}]}]}", &o);
	cr_assert_eq(cocm_kube_get(k, &pods, "ns", "p", kt_resp_cb, &r), COCM_OK);
	kt_run_until(&loop, &r.done, 30);
	cr_assert_eq(r.err, COCM_ERETRY);
	cr_assert_eq(r.http_status, 503);
	cr_assert_str_eq(r.status.message, "etcd down");
	cr_assert_eq(kt_server_count(&srv, "GET", NULL), 3, "1 attempt + 2 retries");
	kt_finish(&loop, k);
}

Test(requests, retry_after_503_honoured_for_get_not_for_create)
{
	struct kt_resp g = { 0 }, c = { 0 };
	cJSON *obj = cJSON_Parse("{\"metadata\":{\"name\":\"r1\"}}");
	double t0;

	start("{\"routes\":["
		"{\"path\":\"/api/v1/namespaces/ns/pods/p\",\"responses\":["
		"{\"status\":503,\"headers\":{\"Retry-After\":\"1\"},\"json\":{\"kind\":\"Status\","
		"\"reason\":\"ServiceUnavailable\",\"code\":503}},{\"json\":{\"kind\":\"Pod\"}}]},"
		"{\"method\":\"POST\",\"path\":\"/apis/openchoreo.dev/v1alpha1/namespaces/ns/releases\","
		"\"responses\":[{\"status\":503,\"headers\":{\"Retry-After\":\"1\"},\"json\":{\"kind\":\"Status\","
		"\"reason\":\"ServiceUnavailable\",\"code\":503}},{\"status\":201,\"json\":{}}]}"
		"]}", NULL);
	t0 = kt_now();
	cr_assert_eq(cocm_kube_get(k, &pods, "ns", "p", kt_resp_cb, &g), COCM_OK);
	cr_assert_eq(cocm_kube_create_obj(k, &rel, "ns", obj, NULL, kt_resp_cb, &c), COCM_OK);
	cJSON_Delete(obj);
	kt_run_until(&loop, &g.done, 30);
	kt_run_until(&loop, &c.done, 30);
	cr_assert_eq(g.err, COCM_OK, "GET after 503: %s", cocm_err_name(g.err));
	cr_assert_geq(g.at - t0, 0.95, "GET retried after %.3f s, before Retry-After", g.at - t0);
	cr_assert_eq(c.err, COCM_ERETRY, "a create answered 503 is not resent: %s", cocm_err_name(c.err));
	cr_assert_eq(c.http_status, 503);
	cr_assert_eq(c.retry_after_s, 1.0);
	cr_assert_eq(kt_server_count(&srv, "GET", NULL), 2);
	cr_assert_eq(kt_server_count(&srv, "POST", NULL), 1);
	kt_resp_finish(&g);
	kt_finish(&loop, k);
}

Test(requests, transport_errors_retried_for_get_never_for_create)
{
	struct kt_resp g = { 0 }, c = { 0 }, c429 = { 0 };
	cJSON *obj = cJSON_Parse("{\"apiVersion\":\"openchoreo.dev/v1alpha1\",\"kind\":\"Release\","
		"\"metadata\":{\"name\":\"r1\"}}");

	start("{\"routes\":["
		"{\"path\":\"/api/v1/namespaces/ns/pods/p\",\"responses\":[{\"drop\":true},{\"json\":{}}]},"
		"{\"method\":\"POST\",\"path\":\"/apis/openchoreo.dev/v1alpha1/namespaces/ns/releases\","
		"\"responses\":[{\"drop\":true},{\"status\":201,\"json\":{}}]},"
		"{\"method\":\"POST\",\"path\":\"/apis/openchoreo.dev/v1alpha1/namespaces/other/releases\","
		"\"responses\":[{\"status\":429,\"headers\":{\"Retry-After\":\"0\"}},{\"status\":201,\"echo\":true}]}"
		"]}", NULL);
	cr_assert_eq(cocm_kube_get(k, &pods, "ns", "p", kt_resp_cb, &g), COCM_OK);
	cr_assert_eq(cocm_kube_create_obj(k, &rel, "ns", obj, NULL, kt_resp_cb, &c), COCM_OK);
	cr_assert_eq(cocm_kube_create_obj(k, &rel, "other", obj, NULL, kt_resp_cb, &c429), COCM_OK);
	cJSON_Delete(obj);
	kt_run_until(&loop, &g.done, 30);
	kt_run_until(&loop, &c.done, 30);
	kt_run_until(&loop, &c429.done, 30);
	cr_assert_eq(g.err, COCM_OK, "GET after a dropped connection: %s", cocm_err_name(g.err));
	cr_assert_eq(c.err, COCM_EHTTP, "a create is not resent blindly: %s", cocm_err_name(c.err));
	cr_assert_eq(c.http_status, 0);
	cr_assert_eq(c429.err, COCM_OK, "a create refused with 429 is resent");
	cr_assert_eq(c429.http_status, 201);
	cr_assert_eq(kt_server_count(&srv, "GET", NULL), 2);
	cr_assert_eq(kt_server_count(&srv, "POST", "/apis/openchoreo.dev/v1alpha1/namespaces/ns/releases"), 1);
	cr_assert_eq(kt_server_count(&srv, "POST", "/apis/openchoreo.dev/v1alpha1/namespaces/other/releases"), 2);
	kt_resp_finish(&g);
	kt_resp_finish(&c429);
	kt_finish(&loop, k);
}

Test(requests, body_cap_enforced)
{
	struct kt_resp a = { 0 }, b = { 0 }, ok = { 0 };
	const struct cocm_kube_opts o = { .max_body = 64 * 1024 };

	start("{\"routes\":["
		"{\"path\":\"/api/v1/namespaces/ns/pods/big\",\"responses\":[{\"big\":1000000}]},"
		"{\"path\":\"/api/v1/namespaces/ns/pods/chunked\",\"responses\":[{\"big\":1000000,\"chunked\":true}]},"
		"{\"path\":\"/api/v1/namespaces/ns/pods/fits\",\"responses\":[{\"big\":60000,\"chunked\":true}]}"
		"]}", &o);
	cr_assert_eq(cocm_kube_get(k, &pods, "ns", "big", kt_resp_cb, &a), COCM_OK);
	cr_assert_eq(cocm_kube_get(k, &pods, "ns", "chunked", kt_resp_cb, &b), COCM_OK);
	cr_assert_eq(cocm_kube_get(k, &pods, "ns", "fits", kt_resp_cb, &ok), COCM_OK);
	kt_run_until(&loop, &a.done, 30);
	kt_run_until(&loop, &b.done, 30);
	kt_run_until(&loop, &ok.done, 30);
	cr_assert_eq(a.err, COCM_ETOOBIG, "Content-Length over the cap: %s", cocm_err_name(a.err));
	cr_assert_eq(b.err, COCM_ETOOBIG, "streamed body over the cap: %s", cocm_err_name(b.err));
	cr_assert_null(b.body);
	cr_assert_eq(ok.err, COCM_OK);
	cr_assert_eq(strlen(cocm_json_str(ok.body, "pad", NULL)), 60000);
	cr_assert_eq(kt_server_count(&srv, NULL, NULL), 3, "ETOOBIG is not retried");
	kt_resp_finish(&ok);
	kt_finish(&loop, k);
}

Test(requests, verbs_paths_queries_and_bodies)
{
	struct kt_resp lst = { 0 }, cr = { 0 }, up = { 0 }, mp = { 0 }, jp = { 0 }, ap = { 0 },
		del = { 0 }, st = { 0 }, cl = { 0 };
	const struct cocm_list_opts lo = { .label_selector = "app in (a,b),!x",
		.field_selector = "metadata.name=r1", .resource_version = "0", .cont = "tok+/=", .limit = 500 };
	const struct cocm_write_opts ssa = { .field_manager = "choreo-ocm", .force = 1 };
	const struct cocm_write_opts status = { .subresource = "status" };
	const struct cocm_write_opts dry = { .dry_run = 1, .field_manager = "m" };
	const struct cocm_delete_opts dopt = { .propagation = "Foreground", .precondition_uid = "u-1",
		.precondition_rv = "42" };
	cJSON *obj = cJSON_Parse("{\"metadata\":{\"name\":\"r1\",\"resourceVersion\":\"7\"},\"spec\":{}}");
	cJSON *jpatch = cJSON_Parse("[{\"op\":\"add\",\"path\":\"/metadata/labels/a\",\"value\":\"b\"}]");
	const cJSON *b;

	start("{\"routes\":["
		"{\"method\":\"GET\",\"path\":\"/apis/openchoreo.dev/v1alpha1/releases\",\"responses\":[{\"echo\":true}]},"
		"{\"method\":\"POST\",\"path\":\"/apis/openchoreo.dev/v1alpha1/namespaces/ns/releases\",\"responses\":[{\"status\":201,\"echo\":true}]},"
		"{\"method\":\"PUT\",\"path\":\"/apis/openchoreo.dev/v1alpha1/namespaces/ns/releases/r1\",\"responses\":[{\"echo\":true}]},"
		"{\"method\":\"PUT\",\"path\":\"/apis/openchoreo.dev/v1alpha1/namespaces/ns/releases/r1/status\",\"responses\":[{\"echo\":true}]},"
		"{\"method\":\"PATCH\",\"path\":\"/apis/openchoreo.dev/v1alpha1/namespaces/ns/releases/r1\",\"responses\":[{\"echo\":true}]},"
		"{\"method\":\"DELETE\",\"path\":\"/apis/openchoreo.dev/v1alpha1/namespaces/ns/releases/r1\",\"responses\":[{\"echo\":true}]},"
		"{\"method\":\"GET\",\"path\":\"/apis/cluster.open-cluster-management.io/v1/managedclusters/c1\",\"responses\":[{\"echo\":true}]}"
		"]}", NULL);
	cr_assert_eq(cocm_kube_list(k, &rel, NULL, &lo, kt_resp_cb, &lst), COCM_OK);
	cr_assert_eq(cocm_kube_create_obj(k, &rel, "ns", obj, &dry, kt_resp_cb, &cr), COCM_OK);
	cr_assert_eq(cocm_kube_update(k, &rel, "ns", "r1", obj, NULL, kt_resp_cb, &up), COCM_OK);
	cr_assert_eq(cocm_kube_update(k, &rel, "ns", "r1", obj, &status, kt_resp_cb, &st), COCM_OK);
	cr_assert_eq(cocm_kube_patch(k, &rel, "ns", "r1", COCM_PATCH_MERGE, obj, NULL, kt_resp_cb, &mp), COCM_OK);
	cr_assert_eq(cocm_kube_patch(k, &rel, "ns", "r1", COCM_PATCH_JSON, jpatch, NULL, kt_resp_cb, &jp), COCM_OK);
	cr_assert_eq(cocm_kube_patch(k, &rel, "ns", "r1", COCM_PATCH_APPLY, obj, &ssa, kt_resp_cb, &ap), COCM_OK);
	cr_assert_eq(cocm_kube_delete(k, &rel, "ns", "r1", &dopt, kt_resp_cb, &del), COCM_OK);
	cr_assert_eq(cocm_kube_get(k, &mcs, NULL, "c1", kt_resp_cb, &cl), COCM_OK);
	/* argument errors are synchronous and never call back */
	cr_assert_eq(cocm_kube_get(k, &pods, NULL, "p", kt_resp_cb, &cl), COCM_EINVAL);
	cr_assert_eq(cocm_kube_get(k, &mcs, "ns", "c1", kt_resp_cb, &cl), COCM_EINVAL);
	cr_assert_eq(cocm_kube_patch(k, &rel, "ns", "r1", COCM_PATCH_APPLY, obj, NULL, kt_resp_cb, &cl), COCM_EINVAL);
	cr_assert_eq(cocm_kube_get(k, &pods, "ns", "../x", kt_resp_cb, &cl), COCM_EINVAL);
	{	/* requests run in parallel over several connections: wait for every one of them */
		struct kt_resp *all[] = { &lst, &cr, &up, &mp, &jp, &ap, &del, &st, &cl };
		size_t i;
		for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
			kt_run_until(&loop, &all[i]->done, 30);
	}

	b = lst.body;
	cr_assert_eq(lst.err, COCM_OK);
	cr_assert_str_eq(cocm_json_str(b, "query", "labelSelector", NULL), "app in (a,b),!x");
	cr_assert_str_eq(cocm_json_str(b, "query", "fieldSelector", NULL), "metadata.name=r1");
	cr_assert_str_eq(cocm_json_str(b, "query", "resourceVersion", NULL), "0");
	cr_assert_str_eq(cocm_json_str(b, "query", "continue", NULL), "tok+/=");
	cr_assert_str_eq(cocm_json_str(b, "query", "limit", NULL), "500");

	cr_assert_eq(cr.http_status, 201);
	cr_assert_str_eq(cocm_json_str(cr.body, "content_type", NULL), "application/json");
	cr_assert_str_eq(cocm_json_str(cr.body, "query", "dryRun", NULL), "All");
	cr_assert_str_eq(cocm_json_str(cr.body, "body", "metadata", "name", NULL), "r1");
	cr_assert_str_eq(cocm_json_str(up.body, "body", "metadata", "resourceVersion", NULL), "7");
	cr_assert_str_eq(cocm_json_str(st.body, "path", NULL),
		"/apis/openchoreo.dev/v1alpha1/namespaces/ns/releases/r1/status");
	cr_assert_str_eq(cocm_json_str(mp.body, "content_type", NULL), "application/merge-patch+json");
	cr_assert_str_eq(cocm_json_str(jp.body, "content_type", NULL), "application/json-patch+json");
	cr_assert(cJSON_IsArray(cJSON_GetObjectItem(jp.body, "body")));
	cr_assert_str_eq(cocm_json_str(ap.body, "content_type", NULL), "application/apply-patch+yaml");
	cr_assert_str_eq(cocm_json_str(ap.body, "query", "fieldManager", NULL), "choreo-ocm");
	cr_assert_str_eq(cocm_json_str(ap.body, "query", "force", NULL), "true");
	cr_assert_str_eq(cocm_json_str(del.body, "body", "propagationPolicy", NULL), "Foreground");
	cr_assert_str_eq(cocm_json_str(del.body, "body", "preconditions", "uid", NULL), "u-1");
	cr_assert_str_eq(cocm_json_str(del.body, "body", "preconditions", "resourceVersion", NULL), "42");
	cr_assert_str_eq(cocm_json_str(del.body, "body", "kind", NULL), "DeleteOptions");
	cr_assert_eq(cl.err, COCM_OK);
	cr_assert_str_eq(cocm_json_str(cl.body, "method", NULL), "GET");
	{
		struct kt_resp *all[] = { &lst, &cr, &up, &mp, &jp, &ap, &del, &st, &cl };
		size_t i;
		for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
			cr_assert_eq(all[i]->err, COCM_OK, "request %zu: %s", i, cocm_err_name(all[i]->err));
			kt_resp_finish(all[i]);
		}
	}
	cJSON_Delete(obj);
	cJSON_Delete(jpatch);
	kt_finish(&loop, k);
}

Test(requests, api_errors_decoded)
{
	struct kt_resp a = { 0 }, c = { 0 }, g = { 0 }, i = { 0 }, n = { 0 };
	cJSON *obj = cJSON_Parse("{\"metadata\":{\"name\":\"r1\"}}");

	start("{\"routes\":["
		"{\"method\":\"POST\",\"path\":\"/apis/openchoreo.dev/v1alpha1/namespaces/ns/releases\",\"responses\":[{\"status\":409,"
		"\"json\":{\"kind\":\"Status\",\"reason\":\"AlreadyExists\",\"message\":\"exists\",\"code\":409}}]},"
		"{\"method\":\"PUT\",\"path\":\"/apis/openchoreo.dev/v1alpha1/namespaces/ns/releases/r1\",\"responses\":[{\"status\":409,"
		"\"json\":{\"kind\":\"Status\",\"reason\":\"Conflict\",\"message\":\"modified\",\"code\":409}}]},"
		"{\"method\":\"GET\",\"path\":\"/apis/openchoreo.dev/v1alpha1/releases\",\"responses\":[{\"status\":410,"
		"\"json\":{\"kind\":\"Status\",\"reason\":\"Expired\",\"message\":\"too old\",\"code\":410}}]},"
		"{\"method\":\"PATCH\",\"path\":\"/apis/openchoreo.dev/v1alpha1/namespaces/ns/releases/r1\",\"responses\":[{\"status\":422,"
		"\"json\":{\"kind\":\"Status\",\"reason\":\"Invalid\",\"message\":\"spec.x: Required\",\"code\":422}}]}"
		"]}", NULL);
	cocm_kube_create_obj(k, &rel, "ns", obj, NULL, kt_resp_cb, &a);
	cocm_kube_update(k, &rel, "ns", "r1", obj, NULL, kt_resp_cb, &c);
	cocm_kube_list(k, &rel, NULL, NULL, kt_resp_cb, &g);
	cocm_kube_patch(k, &rel, "ns", "r1", COCM_PATCH_MERGE, obj, NULL, kt_resp_cb, &i);
	cocm_kube_get(k, &rel, "ns", "missing", kt_resp_cb, &n);
	kt_run_until(&loop, &a.done, 30);
	kt_run_until(&loop, &c.done, 30);
	kt_run_until(&loop, &g.done, 30);
	kt_run_until(&loop, &i.done, 30);
	kt_run_until(&loop, &n.done, 30);
	cr_assert_eq(a.err, COCM_EEXIST);
	cr_assert_str_eq(a.status.message, "exists");
	cr_assert_eq(c.err, COCM_ECONFLICT);
	cr_assert_eq(g.err, COCM_EGONE);
	cr_assert_str_eq(g.status.reason, "Expired");
	cr_assert_eq(i.err, COCM_EINVALID);
	cr_assert_str_eq(i.status.message, "spec.x: Required");
	cr_assert_eq(n.err, COCM_ENOTFOUND);
	cr_assert_eq(n.http_status, 404);
	cJSON_Delete(obj);
	kt_finish(&loop, k);
}

static int observed;
static void on_observe(const char *verb, const char *resource, int status, double secs, void *arg)
{
	(void)arg;
	cr_assert_str_eq(verb, "GET");
	cr_assert_str_eq(resource, "pods");
	cr_assert_eq(status, 200);
	cr_assert_geq(secs, 0.0);
	observed++;
}

struct seq {
	int left, done, failed;
};

static void on_seq(struct cocm_resp *resp, void *arg)
{
	struct seq *s = arg;

	if (resp->err != COCM_OK)
		s->failed++;
	if (--s->left > 0)
		cr_assert_eq(cocm_kube_get(k, &pods, "ns", "p", on_seq, s), COCM_OK);
	else
		s->done = 1;
}

/* Keep-alive: 20 sequential GETs ride one TLS connection. */
Test(requests, keep_alive_reuses_one_connection)
{
	struct seq s = { 20, 0, 0 };

	start("{\"routes\":[{\"path\":\"/api/v1/namespaces/ns/pods/p\",\"responses\":[{\"json\":{}}]}]}", NULL);
	cocm_kube_set_observer(k, on_observe, NULL);
	cr_assert_eq(cocm_kube_get(k, &pods, "ns", "p", on_seq, &s), COCM_OK);
	kt_run_until(&loop, &s.done, 60);
	cr_assert_eq(s.failed, 0);
	cr_assert_eq(observed, 20);
	cr_assert_eq(kt_server_count(&srv, "GET", NULL), 20);
	cr_assert_eq(kt_server_connections(&srv), 1, "connections: %d", kt_server_connections(&srv));
	kt_finish(&loop, k);
}

static void on_count(struct cocm_resp *resp, void *arg)
{
	struct seq *s = arg;

	if (resp->err != COCM_OK)
		s->failed++;
	if (--s->left == 0)
		s->done = 1;
}

/* The token bucket paces requests: burst 1 at 20 qps -> 11 requests take >= 0.5 s. */
Test(requests, rate_limiter_paces_requests)
{
	const struct cocm_kube_opts o = { .qps = 20, .burst = 1 };
	struct seq s = { 11, 0, 0 };
	double t0;
	int i;

	start("{\"routes\":[{\"path\":\"/api/v1/namespaces/ns/pods/p\",\"responses\":[{\"json\":{}}]}]}", &o);
	t0 = kt_now();
	for (i = 0; i < 11; i++)
		cr_assert_eq(cocm_kube_get(k, &pods, "ns", "p", on_count, &s), COCM_OK);
	kt_run_until(&loop, &s.done, 60);
	cr_assert_eq(s.failed, 0);
	cr_assert_geq(kt_now() - t0, 0.49, "11 requests at 20 qps took %.3f s", kt_now() - t0);
	kt_finish(&loop, k);
}

static void on_cancel_count(struct cocm_resp *resp, void *arg)
{
	struct seq *s = arg;

	cr_assert_eq(resp->err, COCM_ECANCELED, "got %s", cocm_err_name(resp->err));
	s->done++;
}

static void on_closed(void *arg)
{
	*(int *)arg = 1;
}

/* Close cancels in-flight, rate-limited and retry-delayed requests; every callback runs once
 * with ECANCELED; the loop closes cleanly. */
Test(requests, close_cancels_everything)
{
	const struct cocm_kube_opts o = { .qps = 0.01, .burst = 2 }; /* 2 now, the next in 100 s */
	struct seq s = { 0, 0, 0 };
	int closed = 0, i;

	start("{\"routes\":["
		"{\"path\":\"/api/v1/namespaces/ns/pods/slow\",\"responses\":[{\"delay_ms\":20000,\"json\":{}}]},"
		"{\"path\":\"/api/v1/namespaces/ns/pods/later\",\"responses\":[{\"status\":429,"
		"\"headers\":{\"Retry-After\":\"30\"}}]}]}", &o);
	cr_assert_eq(cocm_kube_get(k, &pods, "ns", "later", on_cancel_count, &s), COCM_OK);
	for (i = 0; i < 4; i++)
		cr_assert_eq(cocm_kube_get(k, &pods, "ns", "slow", on_cancel_count, &s), COCM_OK);
	/* wait until one request is in flight and the other is parked for its Retry-After */
	while (kt_server_count(&srv, "GET", NULL) < 2) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		uv_run(&loop, UV_RUN_NOWAIT);
		nanosleep(&ts, NULL);
	}
	for (i = 0; i < 20; i++) /* let the 429 answer arrive and be parked */
		uv_run(&loop, UV_RUN_NOWAIT);
	cocm_kube_close(k, on_closed, &closed);
	cr_assert_eq(cocm_kube_get(k, &pods, "ns", "slow", on_cancel_count, &s), COCM_ESTATE);
	kt_run_until(&loop, &closed, 30);
	cr_assert_eq(s.done, 5);
	cr_assert_eq(kt_server_count(&srv, "GET", NULL), 2, "queued requests never reached the wire");
	uv_run(&loop, UV_RUN_DEFAULT);
	cr_assert_eq(uv_loop_close(&loop), 0);
}

static void on_disc(enum cocm_err err, struct cocm_discovery *d, void *arg)
{
	struct seq *s = arg;
	const struct cocm_api_resource *r;

	cr_assert_eq(err, COCM_OK, "%s", cocm_err_name(err));
	cr_assert_not_null(d);
	r = cocm_discovery_find(d, "openchoreo.dev", "renderedreleases");
	cr_assert_not_null(r);
	cr_assert_str_eq(r->kind, "RenderedRelease");
	cr_assert_str_eq(r->version, "v1alpha1");
	cr_assert_eq(r->namespaced, 1);
	cr_assert_null(cocm_discovery_find(d, "openchoreo.dev", "releases"));
	cr_assert_not_null(cocm_discovery_find_kind(d, "", "Namespace"));
	cr_assert_null(cocm_discovery_find(d, "apps", "deployments"), "group filtered out");
	cr_assert_eq(d->failed, 1, "the broken aggregated group version is skipped");
	cocm_discovery_destroy(d);
	s->done = 1;
}

Test(requests, discovery_finds_served_resources)
{
	struct seq s = { 0, 0, 0 };
	const char *groups[] = { "", "openchoreo.dev", "metrics.k8s.io", NULL };

	start("{\"routes\":["
		"{\"path\":\"/api\",\"responses\":[{\"json\":{\"kind\":\"APIVersions\",\"versions\":[\"v1\"]}}]},"
		"{\"path\":\"/apis\",\"responses\":[{\"json\":{\"kind\":\"APIGroupList\",\"groups\":["
		"{\"name\":\"apps\",\"versions\":[{\"groupVersion\":\"apps/v1\",\"version\":\"v1\"}]},"
		"{\"name\":\"openchoreo.dev\",\"versions\":[{\"groupVersion\":\"openchoreo.dev/v1alpha1\",\"version\":\"v1alpha1\"}],"
		"\"preferredVersion\":{\"groupVersion\":\"openchoreo.dev/v1alpha1\",\"version\":\"v1alpha1\"}},"
		"{\"name\":\"metrics.k8s.io\",\"versions\":[{\"groupVersion\":\"metrics.k8s.io/v1beta1\",\"version\":\"v1beta1\"}]}]}}]},"
		"{\"path\":\"/api/v1\",\"responses\":[{\"json\":{\"groupVersion\":\"v1\",\"resources\":["
		"{\"name\":\"namespaces\",\"namespaced\":false,\"kind\":\"Namespace\"}]}}]},"
		"{\"path\":\"/apis/openchoreo.dev/v1alpha1\",\"responses\":[{\"json\":{\"groupVersion\":\"openchoreo.dev/v1alpha1\",\"resources\":["
		"{\"name\":\"renderedreleases\",\"namespaced\":true,\"kind\":\"RenderedRelease\"},"
		"{\"name\":\"renderedreleases/status\",\"namespaced\":true,\"kind\":\"RenderedRelease\"}]}}]},"
		"{\"path\":\"/apis/metrics.k8s.io/v1beta1\",\"responses\":[{\"status\":503,\"json\":{}}]}"
		"]}", &(struct cocm_kube_opts){ .max_retries = -1 });
	cr_assert_eq(cocm_discovery_run(k, groups, on_disc, &s), COCM_OK);
	kt_run_until(&loop, &s.done, 30);
	cr_assert_eq(kt_server_count(&srv, NULL, "/apis/apps/v1"), 0);
	kt_finish(&loop, k);
}
