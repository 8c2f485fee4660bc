/* The status stays within its fixed budget whatever the number of clusters and resources. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/core/json.h"
#include "support/sim.h"
#include "status-sync/fold.h"
#include "status-sync/rebuild.h"

#define NOW "2026-08-01T10:00:00Z"

static void mk_deploy(char *buf, size_t cap, int i);
static void mk_cm(char *buf, size_t cap, int i);

static cJSON *release_with(int n, void (*mk)(char *buf, size_t cap, int i))
{
	cJSON *rel = cJSON_Parse("{\"apiVersion\":\"openchoreo.dev/v1alpha1\",\"kind\":\"Release\","
				 "\"metadata\":{\"name\":\"big\",\"namespace\":\"acme\","
				 "\"generation\":1},\"spec\":{\"environmentName\":\"dev\"}}");
	cJSON *res = cJSON_AddArrayToObject(cJSON_GetObjectItem(rel, "spec"), "resources");
	char buf[1024];
	int i;

	for (i = 0; i < n; i++) {
		cJSON *r = cJSON_CreateObject();

		mk(buf, 512, i);
		snprintf(buf + 512, 256, "res-%05d", i);
		cJSON_AddStringToObject(r, "id", buf + 512);
		cJSON_AddItemToObject(r, "object", cJSON_Parse(buf));
		cr_assert_not_null(cJSON_GetObjectItem(r, "object"));
		cJSON_AddItemToArray(res, r);
	}
	return rel;
}

static cJSON *work_for(const cJSON *rel, const char *cluster, const char *status_fmt,
	int degraded_every, const char *error)
{
	cJSON *w = cJSON_CreateObject(), *md, *mans;
	const cJSON *r;
	int i = 0;

	md = cJSON_AddObjectToObject(w, "metadata");
	cJSON_AddStringToObject(md, "name", "acme-big");
	cJSON_AddStringToObject(md, "namespace", cluster);
	cJSON_AddNumberToObject(md, "generation", 1);
	cJSON_AddItemToObject(cJSON_AddObjectToObject(w, "status"), "conditions",
		cJSON_Parse("[{\"type\":\"Applied\",\"status\":\"True\",\"observedGeneration\":1}]"));
	mans = cJSON_AddArrayToObject(cJSON_AddObjectToObject(cJSON_GetObjectItem(w, "status"),
					      "resourceStatus"), "manifests");
	cJSON_ArrayForEach(r, cocm_json_get(rel, "spec", "resources", NULL))
	{
		const cJSON *obj = cJSON_GetObjectItem(r, "object");
		int bad = degraded_every > 0 && i % degraded_every == 0;
		cJSON *patch = cJSON_Parse(status_fmt ? status_fmt : "{}");
		cJSON *live;

		if (bad && status_fmt != NULL)
			cJSON_ReplaceItemInObject(cJSON_GetObjectItem(patch, "status"), "updatedReplicas",
				cJSON_CreateNumber(0));
		live = sim_merge(obj, patch);
		cJSON_AddItemToArray(mans, sim_manifest_status(i, obj, live,
						   bad && error ? error : NULL, 0));
		cJSON_Delete(live);
		cJSON_Delete(patch);
		i++;
	}
	return w;
}

static size_t printed(const cJSON *j)
{
	char *s = cocm_json_print(j);
	size_t n = strlen(s);

	free(s);
	return n;
}

static int valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int n = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2 :
			(*p & 0xF8) == 0xF0 ? 3 : -1;

		if (n < 0)
			return 0;
		p++;
		while (n-- > 0) {
			if ((*p & 0xC0) != 0x80)
				return 0;
			p++;
		}
	}
	return 1;
}

#define DEPLOY "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":" \
	       "\"component-with-a-rather-long-name-%04d\",\"namespace\":\"dp-acme-shop-dev-1a2b3c4d\"}," \
	       "\"spec\":{\"replicas\":2}}"
#define CM "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":" \
	   "\"configuration-file-with-a-long-descriptive-name-number-%05d\",\"namespace\":" \
	   "\"dp-acme-shop-development-environment-1a2b3c4d\"}}"
#define DEPLOY_STATUS "{\"metadata\":{\"generation\":2},\"status\":{\"observedGeneration\":2," \
		      "\"replicas\":2,\"updatedReplicas\":2,\"readyReplicas\":2,\"availableReplicas\":2," \
		      "\"conditions\":[{\"type\":\"Available\",\"status\":\"True\",\"reason\":" \
		      "\"MinimumReplicasAvailable\"},{\"type\":\"Progressing\",\"status\":\"True\"," \
		      "\"reason\":\"NewReplicaSetAvailable\"}]}}"

static void mk_deploy(char *buf, size_t cap, int i)
{
	snprintf(buf, cap, DEPLOY, i);
}

static void mk_cm(char *buf, size_t cap, int i)
{
	snprintf(buf, cap, CM, i);
}

Test(budget, many_resources_drop_healthy_statuses_first)
{
	cJSON *rel = release_with(400, mk_deploy);
	cJSON *w = work_for(rel, "dp-east", DEPLOY_STATUS, 20, NULL);
	const cJSON *works[] = { w };
	const char *clusters[] = { "dp-east" };
	struct cocm_fold_in in = { .release = rel, .works = works, .nworks = 1,
		.clusters = clusters, .nclusters = 1, .now = NOW };
	struct cocm_fold_summary sum;
	cJSON *st = NULL;
	const cJSON *e;
	char err[256];
	int n = 0, with_status = 0;

	cr_assert_eq(cocm_fold(&in, &st, &sum, err, sizeof(err)), COCM_OK, "%s", err);
	cr_assert_leq(printed(st), COCM_FOLD_MAX_STATUS);
	cr_assert_gt(sum.trimmed, 0);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(st, "resources")), 400);
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(st, "resources"))
	{
		const char *h = cocm_json_str(e, "healthStatus", NULL);

		if (n % 20 == 0) {
			cr_assert_str_eq(h, "Progressing");
			cr_assert_not_null(cJSON_GetObjectItem(e, "status"), "entry %d lost its status", n);
		} else {
			cr_assert_str_eq(h, "Healthy");
		}
		with_status += cJSON_GetObjectItem(e, "status") != NULL;
		n++;
	}
	/* Trimmed from the end: the first healthy entries keep theirs. */
	cr_assert_not_null(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(st,
		"resources"), 1), "status"));
	cr_assert_lt(with_status, 400);
	cJSON_Delete(st);
	cJSON_Delete(w);
	cJSON_Delete(rel);
}


Test(budget, huge_resource_count_drops_healthy_entries_keeps_failures)
{
	cJSON *rel = release_with(3000, mk_cm);
	cJSON *w = work_for(rel, "dp-east", NULL, 1000, "configmaps \"x\" is forbidden");
	const cJSON *works[] = { w };
	struct cocm_fold_in in = { .release = rel, .works = works, .nworks = 1, .now = NOW };
	struct cocm_fold_summary sum;
	cJSON *st = NULL;
	const cJSON *e;
	char err[256];
	int degraded = 0;

	cr_assert_eq(cocm_fold(&in, &st, &sum, err, sizeof(err)), COCM_OK, "%s", err);
	cr_assert_leq(printed(st), COCM_FOLD_MAX_STATUS);
	cr_assert_gt(sum.trimmed, 0);
	cr_assert_lt(cJSON_GetArraySize(cJSON_GetObjectItem(st, "resources")), 3000);
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(st, "resources"))
		degraded += strcmp(cocm_json_str(e, "healthStatus", NULL), "Degraded") == 0;
	cr_assert_eq(degraded, 3, "the failed resources must survive trimming");
	cr_assert_eq(sum.failures, 3);
	cr_assert_eq(sum.worst, COCM_HEALTH_DEGRADED);
	cJSON_Delete(st);
	cJSON_Delete(w);
	cJSON_Delete(rel);
}

Test(budget, many_clusters_keep_messages_bounded)
{
	cJSON *rel = release_with(3, mk_deploy);
	enum { N = 300 };
	cJSON *ws[N];
	const cJSON *works[N];
	const char *clusters[N];
	char names[N][32];
	struct cocm_fold_in in = { .release = rel, .now = NOW, .sched = COCM_SCHED_TRUE };
	struct cocm_fold_summary sum;
	cJSON *st = NULL;
	const char *m;
	char err[256];
	int i, nw = 0;

	for (i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "managed-cluster-%03d", i);
		clusters[i] = names[i];
		if (i % 2 == 0) {
			ws[nw] = work_for(rel, names[i], DEPLOY_STATUS, 0, NULL);
			works[nw] = ws[nw];
			nw++;
		}
	}
	in.works = works;
	in.nworks = (size_t)nw;
	in.clusters = clusters;
	in.nclusters = N;
	cr_assert_eq(cocm_fold(&in, &st, &sum, err, sizeof(err)), COCM_OK, "%s", err);
	cr_assert_eq(sum.clusters, N);
	cr_assert_eq(sum.pending, N / 2);
	m = cocm_json_str(sim_cond(st, "ResourcesApplied"), "message", NULL);
	cr_assert_leq(strlen(m), COCM_FOLD_MAX_MESSAGE);
	cr_assert(strstr(m, "and 140 more") != NULL, "%s", m);
	m = cocm_json_str(sim_cond(st, "Scheduled"), "message", NULL);
	cr_assert(strstr(m, "Scheduled to 300 clusters") != NULL && strstr(m, "and 290 more"), "%s", m);
	cr_assert_str_eq(cocm_json_str(sim_entry(st, "res-00000"), "healthStatus", NULL), "Unknown");
	cr_assert_leq(printed(st), COCM_FOLD_MAX_STATUS);
	for (i = 0; i < nw; i++)
		cJSON_Delete(ws[i]);
	cJSON_Delete(st);
	cJSON_Delete(rel);
}

Test(budget, long_agent_errors_are_cut_on_utf8_boundaries)
{
	char *big = malloc(6001);
	cJSON *rel = release_with(5, mk_deploy), *w;
	const cJSON *works[1];
	struct cocm_fold_in in = { .release = rel, .works = works, .nworks = 1, .now = NOW };
	cJSON *st = NULL;
	const char *m;
	char err[256];
	int i;

	for (i = 0; i < 2000; i++)
		memcpy(big + 3 * i, "\xe2\x82\xac", 3); /* U+20AC, 3 bytes each */
	big[6000] = '\0';
	w = work_for(rel, "dp-east", DEPLOY_STATUS, 1, big);
	works[0] = w;
	cr_assert_eq(cocm_fold(&in, &st, NULL, err, sizeof(err)), COCM_OK, "%s", err);
	m = cocm_json_str(sim_cond(st, "ResourcesApplied"), "message", NULL);
	cr_assert_leq(strlen(m), COCM_FOLD_MAX_MESSAGE);
	cr_assert(valid_utf8(m), "message split a UTF-8 sequence");
	cr_assert(strstr(m, "and 2 more") != NULL, "%s", m);
	cr_assert(strstr(m, "...") != NULL);
	free(big);
	cJSON_Delete(st);
	cJSON_Delete(w);
	cJSON_Delete(rel);
}

Test(budget, rebuilt_strings_are_capped)
{
	const struct cocm_feedback_kind *k = cocm_feedback_for("apps", "Deployment");
	char *longs = malloc(2001);
	cJSON *values = cJSON_CreateArray(), *v, *st;
	const char *got;

	memset(longs, 'x', 2000);
	longs[2000] = '\0';
	v = cJSON_Parse("{\"name\":\"progressingReason\",\"fieldValue\":{\"type\":\"String\"}}");
	cJSON_AddStringToObject(cJSON_GetObjectItem(v, "fieldValue"), "string", longs);
	cJSON_AddItemToArray(values, v);
	st = cocm_status_rebuild(k, values);
	got = cocm_json_str(cJSON_GetArrayItem(cJSON_GetObjectItem(st, "conditions"), 0), "reason",
		NULL);
	cr_assert_eq(strlen(got), COCM_REBUILD_MAX_STRING);
	cr_assert_null(cocm_status_rebuild(k, NULL));
	free(longs);
	cJSON_Delete(st);
	cJSON_Delete(values);
}

Test(budget, status_paths_build_real_shapes)
{
	cJSON *o = cJSON_CreateObject();
	char *s;

	cr_assert_eq(cocm_status_path_set(o, "parents[0].conditions[Accepted].status",
			     cJSON_CreateString("True")), 0);
	cr_assert_eq(cocm_status_path_set(o, "parents[0].conditions[Accepted].reason",
			     cJSON_CreateString("Accepted")), 0);
	cr_assert_eq(cocm_status_path_set(o, "active[0].name", cJSON_CreateString("job-1")), 0);
	cr_assert_eq(cocm_status_path_set(o, "a.b", cJSON_CreateNumber(1)), 0);
	cr_assert_eq(cocm_status_path_set(o, "a.b.c", cJSON_CreateNumber(1)), -1); /* b is a number */
	cr_assert_eq(cocm_status_path_set(o, "x[999].y", cJSON_CreateNumber(1)), -1);
	cr_assert_eq(cocm_status_path_set(o, "x[0]", cJSON_CreateNumber(1)), -1);
	cr_assert_eq(cocm_status_path_set(o, "x..y", cJSON_CreateNumber(1)), -1);
	cr_assert_eq(cocm_status_path_set(o, "x[a.b].y", cJSON_CreateNumber(1)), -1);
	s = cocm_json_print(o);
	cr_assert_str_eq(s, "{\"parents\":[{\"conditions\":[{\"type\":\"Accepted\",\"status\":"
			    "\"True\",\"reason\":\"Accepted\"}]}],\"active\":[{\"name\":\"job-1\"}],"
			    "\"a\":{\"b\":1}}");
	free(s);
	cJSON_Delete(o);
}
