/* Query strings, resource paths and label selectors. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "kube/core/json.h"
#include "kube/query.h"

static struct cocm_buf b;

static void setup(void)
{
	cocm_buf_init(&b, 4096);
}

static void teardown(void)
{
	cocm_buf_finish(&b);
}

TestSuite(query, .init = setup, .fini = teardown);

Test(query, escape_keeps_unreserved_only)
{
	cr_assert_eq(cocm_query_escape(&b, "a-Z_0.9~ b/c=d&e,f(g)!h+%"), COCM_OK);
	cr_assert_str_eq(cocm_buf_cstr(&b), "a-Z_0.9~%20b%2Fc%3Dd%26e%2Cf%28g%29%21h%2B%25");
	cocm_buf_reset(&b);
	cr_assert_eq(cocm_query_escape(&b, "\xc3\xa9"), COCM_OK);
	cr_assert_str_eq(cocm_buf_cstr(&b), "%C3%A9");
}

Test(query, params_joined_and_empty_skipped)
{
	struct cocm_query q;

	cocm_buf_puts(&b, "/api/v1/pods");
	cocm_query_init(&q, &b);
	cr_assert_eq(cocm_query_add(&q, "labelSelector", "app in (a,b),!tier"), COCM_OK);
	cr_assert_eq(cocm_query_add(&q, "fieldSelector", NULL), COCM_OK);
	cr_assert_eq(cocm_query_add(&q, "resourceVersion", ""), COCM_OK);
	cr_assert_eq(cocm_query_add_long(&q, "limit", 500), COCM_OK);
	cr_assert_eq(cocm_query_add(&q, "continue", "eyJ2Ijoi+/="), COCM_OK);
	cr_assert_str_eq(cocm_buf_cstr(&b), "/api/v1/pods?labelSelector=app%20in%20%28a%2Cb%29%2C%21tier"
		"&limit=500&continue=eyJ2Ijoi%2B%2F%3D");
}

Test(query, escape_respects_buffer_max)
{
	struct cocm_buf small;

	cocm_buf_init(&small, 8);
	cr_assert_eq(cocm_query_escape(&small, "////"), COCM_ETOOBIG);
	cocm_buf_finish(&small);
}

Test(query, paths)
{
	const struct cocm_gvr pods = { "", "v1", "pods", 1 };
	const struct cocm_gvr rel = { "openchoreo.dev", "v1alpha1", "releases", 1 };
	const struct cocm_gvr mc = { "cluster.open-cluster-management.io", "v1", "managedclusters", 0 };

	cr_assert_eq(cocm_query_path(&b, &pods, "ns1", "p", NULL), COCM_OK);
	cr_assert_str_eq(cocm_buf_cstr(&b), "/api/v1/namespaces/ns1/pods/p");
	cocm_buf_reset(&b);
	cr_assert_eq(cocm_query_path(&b, &pods, NULL, NULL, NULL), COCM_OK);
	cr_assert_str_eq(cocm_buf_cstr(&b), "/api/v1/pods");
	cocm_buf_reset(&b);
	cr_assert_eq(cocm_query_path(&b, &rel, "team", "r1", "status"), COCM_OK);
	cr_assert_str_eq(cocm_buf_cstr(&b), "/apis/openchoreo.dev/v1alpha1/namespaces/team/releases/r1/status");
	cocm_buf_reset(&b);
	cr_assert_eq(cocm_query_path(&b, &mc, NULL, "cluster1", NULL), COCM_OK);
	cr_assert_str_eq(cocm_buf_cstr(&b), "/apis/cluster.open-cluster-management.io/v1/managedclusters/cluster1");
	cocm_buf_reset(&b);
	cr_assert_eq(cocm_query_path(&b, &pods, "ns", "a b", NULL), COCM_OK);
	cr_assert_str_eq(cocm_buf_cstr(&b), "/api/v1/namespaces/ns/pods/a%20b");
}

Test(query, hostile_or_inconsistent_paths_refused)
{
	const struct cocm_gvr pods = { "", "v1", "pods", 1 };
	const struct cocm_gvr mc = { "cluster.open-cluster-management.io", "v1", "managedclusters", 0 };
	const struct cocm_gvr nover = { "x", "", "things", 0 };

	cr_assert_eq(cocm_query_path(&b, &pods, "ns", "..", NULL), COCM_EINVAL);
	cr_assert_eq(cocm_query_path(&b, &pods, "ns", "a/b", NULL), COCM_EINVAL);
	cr_assert_eq(cocm_query_path(&b, &pods, "..", "a", NULL), COCM_EINVAL);
	cr_assert_eq(cocm_query_path(&b, &pods, "ns", "", NULL), COCM_EINVAL);
	cr_assert_eq(cocm_query_path(&b, &pods, NULL, "a", NULL), COCM_EINVAL);  /* needs ns */
	cr_assert_eq(cocm_query_path(&b, &mc, "ns", "a", NULL), COCM_EINVAL);    /* cluster scope */
	cr_assert_eq(cocm_query_path(&b, &pods, "ns", NULL, "status"), COCM_EINVAL);
	cr_assert_eq(cocm_query_path(&b, &nover, NULL, NULL, NULL), COCM_EINVAL);
	cr_assert_eq(cocm_query_path(&b, NULL, NULL, NULL, NULL), COCM_EINVAL);
}

static char *sel(const char *json, enum cocm_err want)
{
	cJSON *j = json != NULL ? cocm_json_parse(json, strlen(json), NULL, 0) : NULL;
	char *out = NULL, err[128] = "";

	cr_assert(json == NULL || j != NULL);
	cr_assert_eq(cocm_query_label_selector(&out, j, err, sizeof(err)), want, "%s: %s", json, err);
	if (want != COCM_OK) {
		cr_assert_null(out);
		cr_assert_neq(err[0], '\0');
	}
	cJSON_Delete(j);
	return out;
}

Test(query, label_selector_from_object)
{
	char *s = sel("{\"matchLabels\":{\"app\":\"web\",\"openchoreo.dev/env\":\"dev\"},"
		"\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"In\",\"values\":[\"a\",\"b\"]},"
		"{\"key\":\"x\",\"operator\":\"NotIn\",\"values\":[\"c\"]},"
		"{\"key\":\"y\",\"operator\":\"Exists\"},{\"key\":\"z\",\"operator\":\"DoesNotExist\"}]}",
		COCM_OK);

	cr_assert_str_eq(s, "app=web,openchoreo.dev/env=dev,tier in (a,b),x notin (c),y,!z");
	free(s);
	s = sel("{}", COCM_OK);
	cr_assert_str_eq(s, "");
	free(s);
	s = sel(NULL, COCM_OK);
	cr_assert_str_eq(s, "");
	free(s);
	s = sel("{\"matchLabels\":{\"a\":\"\"}}", COCM_OK);
	cr_assert_str_eq(s, "a=");
	free(s);
}

Test(query, label_selector_refuses_injection_and_malformed)
{
	sel("{\"matchLabels\":{\"a\":\"b,c=d\"}}", COCM_EINVAL);
	sel("{\"matchLabels\":{\"a b\":\"c\"}}", COCM_EINVAL);
	sel("{\"matchLabels\":{\"a\":5}}", COCM_EINVAL);
	sel("{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"In\",\"values\":[]}]}", COCM_EINVAL);
	sel("{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Gt\",\"values\":[\"1\"]}]}", COCM_EINVAL);
	sel("{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Exists\",\"values\":[\"1\"]}]}", COCM_EINVAL);
	sel("{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"In\",\"values\":[\"x)\"]}]}", COCM_EINVAL);
	sel("{\"matchExpressions\":{}}", COCM_EINVAL);
	sel("[1]", COCM_EINVAL);
}
