/* cocm_render_works_raw (the daemon's render: spec kept as the text printed once, manifests
 * as views over the Release instead of copies) against cocm_render_works (trees, pinned by
 * the goldens of test_render.c): the same works byte for byte, for every golden case and for
 * the shapes the views have to get right (labels null or missing, duplicate keys, a pod
 * template without metadata, split works). The works must not borrow from the Release:
 * it is freed before they are printed (ASan/valgrind catch a dangling reference). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/core/json.h"
#include "kube/core/xalloc.h"
#include "manifestwork/names.h"
#include "manifestwork/render.h"
#include "support/golden.h"

static const char *const cases[] = {
	"service", "cronjob", "statefulset", "project", "observability", "hpa", "longnames",
	"clusterscoped", "crd", "empty",
};

/* Renders text both ways (each from its own parse, freed before printing) and compares;
 * want_works 0 = any count. Returns the count. */
static size_t same(const char *text, const struct cocm_render_opts *o, size_t want_works)
{
	cJSON *a = cocm_json_parse(text, strlen(text), NULL, 0);
	cJSON *b = cocm_json_parse(text, strlen(text), NULL, 0);
	cJSON *tree = NULL, *raw = NULL;
	const cJSON *w;
	char err[512], err2[512];
	char *ta, *tb;

	cr_assert_not_null(a);
	cr_assert_eq(cocm_render_works(a, "dp-east", o, &tree, err, sizeof(err)), COCM_OK, "%s",
		err);
	cr_assert_eq(cocm_render_works_raw(b, "dp-east", o, &raw, err2, sizeof(err2)), COCM_OK,
		"%s", err2);
	cJSON_Delete(a);
	cJSON_Delete(b);
	if (want_works > 0)
		cr_assert_eq((size_t)cJSON_GetArraySize(raw), want_works);
	want_works = (size_t)cJSON_GetArraySize(raw);
	cJSON_ArrayForEach(w, raw)
	{
		cr_assert(cJSON_IsRaw(cJSON_GetObjectItem(w, "spec")));
		cr_assert_not_null(cocm_json_str(w, "metadata", "annotations",
			COCM_ANN_CONTENT_HASH, NULL));
	}
	ta = cocm_json_print(tree);
	tb = cocm_json_print(raw);
	cr_assert_str_eq(tb, ta);
	/* the daemon sets each cluster's namespace on the raw works */
	cJSON_ArrayForEach(w, raw)
		cocm_json_set_str(cJSON_GetObjectItem((cJSON *)w, "metadata"), "namespace", "dp-west");
	free(tb);
	tb = cocm_json_print(raw);
	cr_assert(want_works == 0 || strstr(tb, "\"namespace\":\"dp-west\"") != NULL);
	free(ta);
	free(tb);
	cJSON_Delete(tree);
	cJSON_Delete(raw);
	return want_works;
}

Test(render_raw, every_golden_case_prints_the_same)
{
	size_t i;

	cocm_xalloc_init();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char p[512], f[128];
		char *text;
		size_t len;
		cJSON *rel, *works = NULL;
		char err[512];

		snprintf(f, sizeof(f), "%s.release.json", cases[i]);
		text = tg_read(tg_path(p, sizeof(p), "manifestwork", f), &len);
		cr_assert_not_null(text, "%s", f);
		rel = cocm_json_parse(text, len, NULL, 0);
		cr_assert_eq(cocm_render_works(rel, "dp-east", NULL, &works, err, sizeof(err)),
			COCM_OK);
		if (cJSON_GetArraySize(works) > 0)
			same(text, NULL, (size_t)cJSON_GetArraySize(works));
		else
			cr_assert_eq(same(text, NULL, 0), 0);
		cJSON_Delete(works);
		cJSON_Delete(rel);
		free(text);
	}
}

Test(render_raw, split_works_print_the_same)
{
	char p[512];
	char *text;
	size_t len;
	struct cocm_render_opts o = { .max_manifest_bytes = 3000 };

	cocm_xalloc_init();
	text = tg_read(tg_path(p, sizeof(p), "manifestwork", "service.release.json"), &len);
	cr_assert_not_null(text);
	cr_assert_gt(same(text, &o, 0), 2); /* the split really happens */
	free(text);
}

/* Views: labels null / missing / with the tracking keys already set, duplicate metadata
 * keys, restartedAt on a Deployment whose template has no metadata, a Namespace added. */
Test(render_raw, view_edge_shapes_print_the_same)
{
	static const char rel[] =
		"{\"apiVersion\":\"openchoreo.dev/v1alpha1\",\"kind\":\"Release\","
		"\"metadata\":{\"name\":\"r\",\"namespace\":\"ns\",\"uid\":\"u-1\","
		"\"annotations\":{\"openchoreo.dev/restartedAt\":\"2026-11-21T10:00:00Z\"}},"
		"\"spec\":{\"resources\":["
		"{\"id\":\"d\",\"object\":{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
		"\"metadata\":{\"name\":\"d\",\"namespace\":\"app\",\"labels\":null},"
		"\"spec\":{\"replicas\":2.5,\"template\":{\"spec\":{\"containers\":[]}}}}},"
		"{\"id\":\"c\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\","
		"\"metadata\":{\"name\":\"c\",\"namespace\":\"app\",\"labels\":{\"a\":\"1\","
		"\"openchoreo.dev/managed-by\":\"someone\",\"z\":\"2\"},\"name\":\"dup\"},"
		"\"data\":{\"k\":\"<v&>\\u2028\",\"n\":null,\"t\":true,\"e\":{},\"l\":[1,[2],{}]}}},"
		"{\"id\":\"s\",\"object\":{\"kind\":\"Service\",\"apiVersion\":\"v1\","
		"\"metadata\":{\"namespace\":\"app\",\"name\":\"s\"}}},"
		"{\"id\":\"d2\",\"object\":{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
		"\"metadata\":{\"name\":\"d2\",\"namespace\":\"other\"},"
		"\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"x\":\"y\","
		"\"openchoreo.dev/restartedAt\":\"old\"}}}}}}"
		"]}}";
	char *rt;
	cJSON *w = NULL;
	char err[256];
	cJSON *r;

	cocm_xalloc_init();
	same(rel, NULL, 1);
	/* and the owned render really applied what the views must reproduce */
	r = cocm_json_parse(rel, strlen(rel), NULL, 0);
	cr_assert_eq(cocm_render_works(r, "dp-east", NULL, &w, err, sizeof(err)), COCM_OK);
	rt = cocm_json_print(w);
	cr_assert(strstr(rt, "\"openchoreo.dev/managed-by\":\"choreo-ocm\",\"z\":\"2\"") != NULL,
		"%s", rt);
	cr_assert(strstr(rt, "\"template\":{\"spec\":{\"containers\":[]},\"metadata\":{"
		"\"annotations\":{\"openchoreo.dev/restartedAt\":\"2026-11-21T10:00:00Z\"}}}") != NULL,
		"%s", rt);
	cr_assert(strstr(rt, "{\"x\":\"y\",\"openchoreo.dev/restartedAt\":"
		"\"2026-11-21T10:00:00Z\"}") != NULL, "%s", rt);
	cr_assert(strstr(rt, "\"kind\":\"Namespace\",\"metadata\":{\"name\":\"other\"") != NULL,
		"%s", rt);
	free(rt);
	cJSON_Delete(w);
	cJSON_Delete(r);
}

Test(render_raw, errors_are_the_same)
{
	static const char bad[] =
		"{\"apiVersion\":\"openchoreo.dev/v1alpha1\",\"kind\":\"Release\","
		"\"metadata\":{\"name\":\"r\",\"namespace\":\"ns\",\"uid\":\"u\"},"
		"\"spec\":{\"resources\":[{\"id\":\"a\",\"object\":{\"apiVersion\":\"v1\","
		"\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\"}}},{\"id\":\"a\",\"object\":{}}]}}";
	cJSON *r = cocm_json_parse(bad, strlen(bad), NULL, 0), *w = (cJSON *)1;
	char e1[512], e2[512];

	cocm_xalloc_init();
	cr_assert_eq(cocm_render_works(r, "dp-east", NULL, &w, e1, sizeof(e1)), COCM_EINVAL);
	cr_assert_null(w);
	w = (cJSON *)1;
	cr_assert_eq(cocm_render_works_raw(r, "dp-east", NULL, &w, e2, sizeof(e2)), COCM_EINVAL);
	cr_assert_null(w);
	cr_assert_str_eq(e2, e1);
	cr_assert(strstr(e1, "duplicate id") != NULL, "%s", e1);
	cJSON_Delete(r);
}
