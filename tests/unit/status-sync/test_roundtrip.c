/* render (manifestwork/render.h) -> simulated agent pass -> fold: the fold understands the
 * works render writes, including split parts and the Namespaces render adds. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/core/json.h"
#include "manifestwork/render.h"
#include "support/sim.h"
#include "status-sync/fold.h"

#define NOW "2026-08-01T10:00:00Z"

static cJSON *load(const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/status-sync/roundtrip/%s", COCM_TEST_DATA, name);
	return sim_load_json(path);
}

/* Renders for each cluster, runs the agent with live[cluster], folds. */
static cJSON *roundtrip(const cJSON *release, const cJSON *live, size_t max_bytes,
	struct cocm_fold_summary *sum, size_t *nworks_out)
{
	static const char *const clusters[] = { "dp-east", "dp-west" };
	const cJSON *workv[64];
	cJSON *all = cJSON_CreateArray(), *status = NULL;
	struct cocm_render_opts o = { .max_manifest_bytes = max_bytes };
	struct cocm_fold_in in = { 0 };
	char err[256];
	size_t i, n = 0;

	for (i = 0; i < 2; i++) {
		cJSON *works = NULL, *w;

		cr_assert_eq(cocm_render_works(release, clusters[i], &o, &works, err, sizeof(err)),
			COCM_OK, "render: %s", err);
		while ((w = cJSON_DetachItemFromArray(works, 0)) != NULL) {
			sim_agent_pass(w, cJSON_GetObjectItem(live, clusters[i]));
			cJSON_AddItemToArray(all, w);
			cr_assert(n < 64);
			workv[n++] = w;
		}
		cJSON_Delete(works);
	}
	in.release = release;
	in.works = workv;
	in.nworks = n;
	in.clusters = (const char *const *)clusters;
	in.nclusters = 2;
	in.now = NOW;
	in.sched = COCM_SCHED_TRUE;
	cr_assert_eq(cocm_fold(&in, &status, sum, err, sizeof(err)), COCM_OK, "fold: %s", err);
	cJSON_Delete(all);
	*nworks_out = n;
	return status;
}

Test(roundtrip, render_agent_fold)
{
	cJSON *rel = load("release.json"), *live = load("live.json"), *status;
	struct cocm_fold_summary sum;
	const cJSON *e;
	size_t nworks, n = 0;
	char *text, *t;

	status = roundtrip(rel, live, 0, &sum, &nworks);
	cr_assert_eq(nworks, 2);
	/* One entry per spec resource, in spec order; the Namespace render added is not one. */
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(status, "resources"))
	{
		const cJSON *spec = cJSON_GetArrayItem(cocm_json_get(rel, "spec", "resources", NULL),
			(int)n++);

		cr_assert_str_eq(cocm_json_str(e, "id", NULL), cocm_json_str(spec, "id", NULL));
		cr_assert_str_neq(cocm_json_str(e, "healthStatus", NULL), "Unknown", "%s unmatched",
			cocm_json_str(e, "id", NULL));
	}
	cr_assert_eq(n, (size_t)cJSON_GetArraySize(cocm_json_get(rel, "spec", "resources", NULL)));
	/* dp-west is mid-rollout: the worse cluster decides, with its own status. */
	cr_assert_str_eq(cocm_json_str(sim_entry(status, "deployment-web"), "healthStatus", NULL),
		"Progressing");
	cr_assert_str_eq(cocm_json_str(sim_entry(status, "cronjob-report"), "healthStatus", NULL),
		"Healthy");
	cr_assert_str_eq(cocm_json_str(sim_entry(status, "httproute-web"), "healthStatus", NULL),
		"Healthy");
	cr_assert_str_eq(cocm_json_str(sim_cond(status, "ResourcesApplied"), "status", NULL), "True");
	cr_assert_eq(sum.worst, COCM_HEALTH_PROGRESSING);
	text = cJSON_Print(status);
	t = malloc(strlen(text) + 2);
	memcpy(t, text, strlen(text));
	memcpy(t + strlen(text), "\n", 2);
	{
		char golden[512];

		snprintf(golden, sizeof(golden), "%s/status-sync/roundtrip/status.golden.json",
			COCM_TEST_DATA);
		sim_golden(golden, t);
	}
	free(t);
	free(text);
	cJSON_Delete(status);
	cJSON_Delete(live);
	cJSON_Delete(rel);
}

Test(roundtrip, split_parts_fold_like_one_work)
{
	cJSON *rel = load("release.json"), *live = load("live.json");
	cJSON *whole, *split;
	struct cocm_fold_summary s1, s2;
	size_t n1, n2;

	whole = roundtrip(rel, live, 0, &s1, &n1);
	split = roundtrip(rel, live, 1200, &s2, &n2);
	cr_assert_gt(n2, n1, "the small budget did not split (%zu works)", n2);
	cr_assert(cocm_status_equal(whole, split));
	cr_assert_eq(s2.applied, 1);
	cJSON_Delete(whole);
	cJSON_Delete(split);
	cJSON_Delete(live);
	cJSON_Delete(rel);
}
