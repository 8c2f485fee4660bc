/* Hostile API answers against the real client over TLS (tests/kube-server/server.py):
 * a 2xx body that is not JSON, a 2xx JSON body cut short, a body cut mid-transfer (retried for a
 * GET, never taken as data), and an informer fed a list with wrong types. Each gives a clear
 * error code, and nothing cached is ever dropped because of a garbage answer (a list the
 * informer cannot read must not look like an empty list: that would delete every object).
 * Oversized bodies and frames, undecodable watch frames and API Status decoding are covered by
 * e2e/kube-client (it_requests.c body_cap_enforced, it_watch.c oversized/undecodable frames). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "kube/cache.h"
#include "kube/informer.h"

static struct kt_server srv;
static uv_loop_t loop;
static struct cocm_kube *k;
static const struct cocm_gvr cms = { "", "v1", "configmaps", 1 };

static void setup(void)
{
	uv_loop_init(&loop);
	k = NULL;
}

static void teardown(void)
{
	kt_server_stop(&srv);
}

TestSuite(badresp, .init = setup, .fini = teardown, .timeout = 120);

static void start(const char *scenario)
{
	struct cocm_kube_config cfg;
	const struct cocm_kube_opts o = { .max_body = 1 << 20 };

	kt_server_start(&srv, scenario, 0);
	kt_config(&cfg, &srv, "ca.crt");
	k = cocm_kube_create(&loop, &cfg, &o);
	cocm_kube_config_finish(&cfg);
	cr_assert_not_null(k);
}

#define P "/api/v1/namespaces/ns/configmaps/"

Test(badresp, non_json_and_truncated_2xx_bodies_are_parse_errors)
{
	struct kt_resp html = { 0 }, cut = { 0 }, type = { 0 };

	start("{\"routes\":["
		"{\"path\":\"" P "html\",\"responses\":[{\"status\":200,\"body\":\"<html>proxy</html>\"}]},"
		"{\"path\":\"" P "cut\",\"responses\":[{\"status\":200,\"body\":\"{\\\"kind\\\":\\\"ConfigMap\\\",\\\"da\"}]},"
		"{\"path\":\"" P "type\",\"responses\":[{\"status\":200,\"json\":[1,2,3]}]}"
		"]}");
	cr_assert_eq(cocm_kube_get(k, &cms, "ns", "html", kt_resp_cb, &html), COCM_OK);
	cr_assert_eq(cocm_kube_get(k, &cms, "ns", "cut", kt_resp_cb, &cut), COCM_OK);
	cr_assert_eq(cocm_kube_get(k, &cms, "ns", "type", kt_resp_cb, &type), COCM_OK);
	kt_run_until(&loop, &html.done, 30);
	kt_run_until(&loop, &cut.done, 30);
	kt_run_until(&loop, &type.done, 30);
	cr_assert_eq(html.err, COCM_EPARSE, "html: %s", cocm_err_name(html.err));
	cr_assert_null(html.body);
	cr_assert_eq(cut.err, COCM_EPARSE, "cut: %s", cocm_err_name(cut.err));
	cr_assert_null(cut.body);
	/* Valid JSON of the wrong shape is handed over as JSON; callers check the shape. */
	cr_assert_eq(type.err, COCM_OK);
	cr_assert(cJSON_IsArray(type.body));
	kt_resp_finish(&type);
	cr_assert_eq(kt_server_count(&srv, NULL, NULL), 3, "parse errors are not retried");
	kt_finish(&loop, k);
}

Test(badresp, body_cut_mid_transfer_is_retried_not_used)
{
	struct kt_resp r = { 0 };

	start("{\"routes\":[{\"path\":\"" P "x\",\"responses\":["
		"{\"status\":200,\"events\":[{\"raw\":\"{\\\"kind\\\":\\\"ConfigMap\\\",\\\"metadata\\\":{\"}],"
		"\"end\":\"drop\"},"
		"{\"status\":200,\"json\":{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\"}}}]}]}");
	cr_assert_eq(cocm_kube_get(k, &cms, "ns", "x", kt_resp_cb, &r), COCM_OK);
	kt_run_until(&loop, &r.done, 60);
	cr_assert_eq(r.err, COCM_OK, "%s", cocm_err_name(r.err));
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(r.body,
		"metadata"), "name")), "x");
	cr_assert_eq(kt_server_count(&srv, "GET", P "x"), 2, "the cut answer was retried once");
	kt_resp_finish(&r);
	kt_finish(&loop, k);
}

struct counts {
	int synced, adds, deletes, closed;
};

static void on_add(const cJSON *o, int initial, void *arg)
{
	(void)o;
	(void)initial;
	((struct counts *)arg)->adds++;
}

static void on_update(const cJSON *a, const cJSON *b, void *arg)
{
	(void)a;
	(void)b;
	(void)arg;
}

static void on_delete(const cJSON *o, int missed, void *arg)
{
	(void)o;
	(void)missed;
	((struct counts *)arg)->deletes++;
}

static void on_synced(void *arg)
{
	((struct counts *)arg)->synced = 1;
}

static void on_closed(void *arg)
{
	((struct counts *)arg)->closed = 1;
}

struct poll {
	struct cocm_informer *inf;
	int done;
};

static void on_poll(uv_timer_t *t)
{
	struct poll *p = t->data;
	struct cocm_informer_stats st;

	cocm_informer_stats(p->inf, &st);
	if (st.watches >= 2 && kt_server_count(&srv, "GET", "/api/v1/namespaces/ns/configmaps") >= 7)
		p->done = 1;
}

#define CM(n, rv) "{\"metadata\":{\"name\":\"" n "\",\"namespace\":\"ns\",\"resourceVersion\":\"" rv "\"}}"
#define LIST(items) "{\"status\":200,\"json\":{\"kind\":\"ConfigMapList\",\"metadata\":" \
	"{\"resourceVersion\":\"10\"},\"items\":" items "}}"

Test(badresp, informer_keeps_its_cache_through_garbage_lists)
{
	struct counts c = { 0 };
	struct cocm_informer_handlers h = { on_add, on_update, on_delete, on_synced, NULL, &c };
	struct cocm_informer_opts o = { .ns = "ns", .backoff_base_ms = 20, .backoff_cap_ms = 200,
		.seed = 7 };

	/* list 1: a and b. The watch then says 410, so the informer relists and gets: items of
	 * the wrong type, then not JSON, then items that are not objects or lack a name, then
	 * a and b again. The watch after that stays open. */
	start("{\"routes\":["
		"{\"path\":\"/api/v1/namespaces/ns/configmaps\",\"query\":{\"watch\":\"1\"},\"responses\":["
		"{\"status\":200,\"events\":[{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":410,"
		"\"reason\":\"Expired\",\"message\":\"too old\"}}]},"
		"{\"status\":200,\"events\":[],\"end\":\"hang\"}]},"
		"{\"path\":\"/api/v1/namespaces/ns/configmaps\",\"responses\":["
		LIST("[" CM("a", "1") "," CM("b", "2") "]") ","
		LIST("5") ","
		"{\"status\":200,\"body\":\"<html>bad gateway</html>\"},"
		LIST("[7,\"x\",{\"metadata\":{}}]") ","
		LIST("[" CM("a", "1") "," CM("b", "2") "]")
		"]}]}");
	struct cocm_informer *inf = cocm_informer_create(k, &loop, &cms, &o, &h);
	cr_assert_eq(cocm_informer_start(inf), COCM_OK);
	kt_run_until(&loop, &c.synced, 30);
	cr_assert_eq(c.adds, 2);

	/* Run until the fifth list was served and the watch after it is open (polled). */
	struct poll p = { .inf = inf };
	uv_timer_t t;
	uv_timer_init(&loop, &t);
	t.data = &p;
	uv_timer_start(&t, on_poll, 50, 50);
	kt_run_until(&loop, &p.done, 60);
	uv_timer_stop(&t);
	uv_close((uv_handle_t *)&t, NULL);
	cr_assert_geq(kt_server_count(&srv, "GET", "/api/v1/namespaces/ns/configmaps"), 7,
		"5 lists + 2 watches");
	cr_assert_eq(c.deletes, 0, "a garbage list must never delete cached objects");
	cr_assert_eq(cocm_cache_len(cocm_informer_cache(inf)), 2);
	cocm_informer_close(inf, on_closed, &c);
	kt_finish(&loop, k);
	cr_assert(c.closed);
}
