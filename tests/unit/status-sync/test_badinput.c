/* Hostile ManifestWorks for the fold (cocm_fold): wrong types at every level of a work's
 * status, works that are not objects, manifests without resourceMeta, feedback values of the
 * wrong type, a huge number of conditions and manifests. The fold must never fail or crash on
 * a bad WORK (works come from agents; one bad work must not stop the Release's status), must
 * stay within COCM_FOLD_MAX_STATUS, and must refuse only a malformed RELEASE, with a reason. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/core/json.h"
#include "status-sync/fold.h"

static const char REL[] = "{\"apiVersion\":\"openchoreo.dev/v1alpha1\",\"kind\":\"Release\","
	"\"metadata\":{\"name\":\"web\",\"namespace\":\"team\",\"generation\":2},\"spec\":{\"resources\":["
	"{\"id\":\"dep\",\"object\":{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":"
	"{\"name\":\"web\",\"namespace\":\"x\"}}}]}}";

static const char *const bad_works[] = {
	"7",
	"\"a string\"",
	"{\"metadata\":5}",
	"{\"metadata\":{\"name\":\"team-web\",\"namespace\":\"dp-east\",\"annotations\":"
		"{\"ocm.openchoreo.dev/release\":[\"team/web\"]}},\"status\":{}}",
	"{\"metadata\":{\"name\":\"team-web\",\"namespace\":\"dp-east\",\"annotations\":"
		"{\"ocm.openchoreo.dev/release\":\"team/web\"}},\"status\":\"applied\"}",
	"{\"metadata\":{\"name\":\"team-web\",\"namespace\":\"dp-east\",\"annotations\":"
		"{\"ocm.openchoreo.dev/release\":\"team/web\"}},\"status\":{\"conditions\":{\"type\":"
		"\"Applied\"},\"resourceStatus\":[1]}}",
	"{\"metadata\":{\"name\":\"team-web\",\"namespace\":7,\"annotations\":"
		"{\"ocm.openchoreo.dev/release\":\"team/web\"}},\"status\":{\"resourceStatus\":"
		"{\"manifests\":[{\"conditions\":[]},{\"resourceMeta\":\"x\"},{\"resourceMeta\":{\"kind\":"
		"5,\"name\":[]}}]}}}",
	"{\"metadata\":{\"name\":\"team-web\",\"namespace\":\"dp-east\",\"annotations\":"
		"{\"ocm.openchoreo.dev/release\":\"team/web\"}},\"status\":{\"resourceStatus\":"
		"{\"manifests\":[{\"resourceMeta\":{\"group\":\"apps\",\"kind\":\"Deployment\",\"name\":"
		"\"web\",\"namespace\":\"x\"},\"conditions\":[{\"type\":5,\"status\":true}],"
		"\"statusFeedback\":{\"values\":[{\"name\":\"readyReplicas\",\"fieldValue\":{\"type\":"
		"\"Integer\",\"integer\":\"two\"}},{\"name\":7},3,{\"name\":\"replicas\",\"fieldValue\":"
		"{\"type\":\"JsonRaw\",\"jsonRaw\":\"{not json\"}}]}}]}}}",
};

static cJSON *fold_ok(const cJSON *rel, const cJSON *const *works, size_t n)
{
	const char *clusters[] = { "dp-east" };
	struct cocm_fold_in in = {
		.release = rel, .works = works, .nworks = n, .clusters = clusters, .nclusters = 1,
		.now = "2026-08-01T10:00:00Z",
	};
	cJSON *st = NULL;
	struct cocm_fold_summary sum;
	char err[512] = "";

	enum cocm_err e = cocm_fold(&in, &st, &sum, err, sizeof(err));
	cr_assert_eq(e, COCM_OK, "fold: %s (%s)", cocm_err_name(e), err);
	char *p = cocm_json_print(st);
	cr_assert_leq(strlen(p), COCM_FOLD_MAX_STATUS);
	free(p);
	return st;
}

static const char *health(const cJSON *st)
{
	return cocm_json_str(cJSON_GetArrayItem(cJSON_GetObjectItem(st, "resources"), 0),
		"healthStatus", NULL);
}

Test(fold_badinput, each_broken_work_alone_gives_a_status)
{
	cJSON *rel = cJSON_Parse(REL);

	for (size_t i = 0; i < sizeof(bad_works) / sizeof(bad_works[0]); i++) {
		cJSON *w = cJSON_Parse(bad_works[i]);
		cr_assert_not_null(w, "test data %zu", i);
		const cJSON *ws[] = { w };
		cJSON *st = fold_ok(rel, ws, 1);
		cr_assert_not_null(health(st), "work %zu: resource entry kept", i);
		cr_assert_str_neq(health(st), "Healthy", "work %zu: nothing proves it healthy", i);
		cJSON_Delete(st);
		cJSON_Delete(w);
	}
	cJSON_Delete(rel);
}

Test(fold_badinput, all_broken_works_together_and_repeated)
{
	cJSON *rel = cJSON_Parse(REL);
	enum { N = sizeof(bad_works) / sizeof(bad_works[0]) };
	cJSON *w[N];
	const cJSON *ws[N];

	for (size_t i = 0; i < N; i++)
		ws[i] = w[i] = cJSON_Parse(bad_works[i]);
	cJSON *a = fold_ok(rel, ws, N);
	cJSON *b = fold_ok(rel, ws, N);
	cr_assert(cocm_status_equal(a, b), "deterministic");
	cJSON_Delete(a);
	cJSON_Delete(b);
	for (size_t i = 0; i < N; i++)
		cJSON_Delete(w[i]);
	cJSON_Delete(rel);
}

Test(fold_badinput, a_flood_of_failing_manifests_stays_within_budget)
{
	cJSON *rel = cJSON_Parse(REL);
	cJSON *w = cJSON_Parse("{\"metadata\":{\"name\":\"team-web\",\"namespace\":\"dp-east\","
		"\"annotations\":{\"ocm.openchoreo.dev/release\":\"team/web\","
		"\"ocm.openchoreo.dev/parts\":\"1\"}},\"status\":{\"resourceStatus\":{\"manifests\":[]}}}");
	cJSON *ms = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(w, "status"),
		"resourceStatus"), "manifests");
	char msg[4096];
	memset(msg, 'e', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	for (int i = 0; i < 5000; i++) {
		char name[32];
		snprintf(name, sizeof(name), "cm-%d", i);
		cJSON *m = cJSON_CreateObject();
		cJSON *rm = cJSON_AddObjectToObject(m, "resourceMeta");
		cJSON_AddStringToObject(rm, "kind", "ConfigMap");
		cJSON_AddStringToObject(rm, "name", name);
		cJSON_AddStringToObject(rm, "namespace", "x");
		cJSON *c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "type", "Applied");
		cJSON_AddStringToObject(c, "status", "False");
		cJSON_AddStringToObject(c, "reason", "AppliedManifestFailed");
		cJSON_AddStringToObject(c, "message", msg);
		cJSON_AddItemToArray(cJSON_AddArrayToObject(m, "conditions"), c);
		cJSON_AddItemToArray(ms, m);
	}
	const cJSON *ws[] = { w };
	cJSON *st = fold_ok(rel, ws, 1);
	cJSON_Delete(st);
	cJSON_Delete(w);
	cJSON_Delete(rel);
}

Test(fold_badinput, malformed_release_is_refused_with_a_reason)
{
	static const char *const rels[] = {
		"[1]",
		"{\"metadata\":{\"name\":\"r\",\"namespace\":\"n\"},\"spec\":{\"resources\":[{\"id\":\"a\"}]}}",
		("{\"metadata\":{\"name\":\"r\",\"namespace\":\"n\"},\"spec\":{\"resources\":[{\"id\":\"a\","
			"\"object\":{\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"x\"}}}]}}"),
	};
	for (size_t i = 0; i < sizeof(rels) / sizeof(rels[0]); i++) {
		cJSON *rel = cJSON_Parse(rels[i]);
		struct cocm_fold_in in = { .release = rel, .now = "2026-08-01T10:00:00Z" };
		cJSON *st = NULL;
		char err[512] = "";
		cr_assert_eq(cocm_fold(&in, &st, NULL, err, sizeof(err)), COCM_EINVAL, "release %zu", i);
		cr_assert_null(st);
		cr_assert_neq(err[0], '\0');
		cJSON_Delete(rel);
	}
}
