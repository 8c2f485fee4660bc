/* Every health branch of every kind, from live objects as a cluster would hold them, turned
 * into feedback values the way the work agent reports them, then folded (golden per kind). */
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/core/json.h"
#include "support/sim.h"
#include "status-sync/fold.h"
#include "status-sync/health.h"
#include "status-sync/rebuild.h"

#define NOW "2026-08-01T10:00:00Z"

static const char *const all_branches[] = {
	"deployment.paused", "deployment.scaled-to-zero", "deployment.stale-generation",
	"deployment.progress-deadline-exceeded", "deployment.replica-failure",
	"deployment.crashloop-after-rollout", "deployment.rolling-out-none-available",
	"deployment.none-available", "deployment.unavailable", "deployment.ready",
	"deployment.progressing", "statefulset.stale-generation", "statefulset.revision-rollout",
	"statefulset.ready", "statefulset.progressing", "pod.pending", "pod.container-waiting",
	"pod.not-ready", "pod.ready", "pod.succeeded", "pod.failed", "pod.unknown-phase",
	"cronjob.suspended", "cronjob.active", "cronjob.scheduled", "cronjob.never-scheduled",
	"job.failed", "job.complete", "job.running", "job.starting", "daemonset.stale-generation",
	"daemonset.updating", "daemonset.not-ready", "daemonset.ready", "route.not-accepted",
	"route.refs-unresolved", "route.accepted", "route.pending", "exists",
};
static int seen[sizeof(all_branches) / sizeof(all_branches[0])];

static void group_of(const cJSON *obj, char *group, size_t cap)
{
	const char *av = cocm_json_str(obj, "apiVersion", NULL);
	const char *slash = strchr(av, '/');

	snprintf(group, cap, "%.*s", slash ? (int)(slash - av) : 0, av);
}

/* Folds one data file's cases as one Release on one cluster and checks each branch. */
static void run_kind(const char *file)
{
	char path[512], golden[512], id[256], group[128];
	cJSON *doc, *release, *resources, *work, *mans;
	const cJSON *c;
	const cJSON *works[1];
	const char *clusters[] = { "dp-east" };
	struct cocm_fold_in in = { 0 };
	struct cocm_fold_summary sum;
	cJSON *status = NULL;
	char err[256];
	char *text;
	int ordinal = 0;

	snprintf(path, sizeof(path), "%s/status-sync/health/%s.json", COCM_TEST_DATA, file);
	snprintf(golden, sizeof(golden), "%s/status-sync/health/%s.golden.json", COCM_TEST_DATA,
		file);
	doc = sim_load_json(path);
	release = cJSON_Parse("{\"apiVersion\":\"openchoreo.dev/v1alpha1\",\"kind\":\"Release\","
			      "\"metadata\":{\"name\":\"shop-dev\",\"namespace\":\"acme\","
			      "\"generation\":7},\"spec\":{\"environmentName\":\"dev\"}}");
	resources = cJSON_AddArrayToObject(cJSON_GetObjectItem(release, "spec"), "resources");
	work = cJSON_Parse("{\"apiVersion\":\"work.open-cluster-management.io/v1\","
			   "\"kind\":\"ManifestWork\",\"metadata\":{\"name\":\"acme-shop-dev\","
			   "\"namespace\":\"dp-east\",\"generation\":1},\"status\":{\"conditions\":"
			   "[{\"type\":\"Applied\",\"status\":\"True\",\"observedGeneration\":1,"
			   "\"reason\":\"AppliedManifestWorkComplete\"}],\"resourceStatus\":{}}}");
	mans = cJSON_AddArrayToObject(cocm_json_obj(cJSON_GetObjectItem(work, "status"),
					      "resourceStatus"), "manifests");
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "cases"))
	{
		const cJSON *live = cJSON_GetObjectItem(c, "object");
		cJSON *desired = cJSON_Duplicate(live, 1), *r = cJSON_CreateObject();
		const char *kind = cocm_json_str(live, "kind", NULL);
		size_t i;

		cJSON_DeleteItemFromObject(desired, "status");
		cJSON_DeleteItemFromObject(cJSON_GetObjectItem(desired, "metadata"), "generation");
		for (i = 0; kind[i] && i < 64; i++)
			id[i] = (char)tolower((unsigned char)kind[i]);
		snprintf(id + i, sizeof(id) - i, "-%s", cocm_json_str(live, "metadata", "name", NULL));
		cJSON_AddStringToObject(r, "id", id);
		cJSON_AddItemToObject(r, "object", desired);
		cJSON_AddItemToArray(resources, r);
		cJSON_AddItemToArray(mans, sim_manifest_status(ordinal++, desired, live, NULL, 0));
	}
	works[0] = work;
	in.release = release;
	in.works = works;
	in.nworks = 1;
	in.clusters = clusters;
	in.nclusters = 1;
	in.now = NOW;
	cr_assert_eq(cocm_fold(&in, &status, &sum, err, sizeof(err)), COCM_OK, "%s", err);

	ordinal = 0;
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "cases"))
	{
		const cJSON *live = cJSON_GetObjectItem(c, "object");
		const char *want_branch = cocm_json_str(c, "branch", NULL);
		const char *want = cocm_json_str(c, "health", NULL);
		const cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(status, "resources"), ordinal++);
		cJSON *values;
		const char *why = NULL;
		size_t i;

		group_of(live, group, sizeof(group));
		values = sim_feedback(group, cocm_json_str(live, "kind", NULL), live);
		cocm_health_eval(group, cocm_json_str(live, "kind", NULL), values, &why);
		cr_expect_str_eq(why, want_branch, "%s %s", file,
			cocm_json_str(live, "metadata", "name", NULL));
		cr_expect_str_eq(cocm_json_str(e, "healthStatus", NULL), want, "%s %s (%s)", file,
			cocm_json_str(e, "id", NULL), want_branch);
		/* Seen and reported: lastObservedTime is set to now on first sight. */
		cr_expect_str_eq(cocm_json_str(e, "lastObservedTime", NULL), NOW);
		for (i = 0; i < sizeof(all_branches) / sizeof(all_branches[0]); i++)
			if (strcmp(all_branches[i], why) == 0)
				seen[i] = 1;
		cJSON_Delete(values);
	}
	cr_expect_str_eq(cocm_json_str(sim_cond(status, "ResourcesApplied"), "status", NULL), "True");
	text = cJSON_Print(status);
	{
		size_t n = strlen(text);
		char *t = malloc(n + 2);

		memcpy(t, text, n);
		memcpy(t + n, "\n", 2);
		sim_golden(golden, t);
		free(t);
	}
	free(text);
	cJSON_Delete(status);
	cJSON_Delete(work);
	cJSON_Delete(release);
	cJSON_Delete(doc);
}

Test(health, deployment)
{
	run_kind("deployment");
}

Test(health, statefulset)
{
	run_kind("statefulset");
}

Test(health, pod)
{
	run_kind("pod");
}

Test(health, cronjob)
{
	run_kind("cronjob");
}

Test(health, job)
{
	run_kind("job");
}

Test(health, daemonset)
{
	run_kind("daemonset");
}

Test(health, routes)
{
	run_kind("route");
}

Test(health, other_kinds_healthy_once_they_exist)
{
	run_kind("other");
}

Test(health, every_branch_has_a_case)
{
	static const char *const files[] = { "deployment", "statefulset", "pod", "cronjob", "job",
		"daemonset", "route", "other" };
	size_t i;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		run_kind(files[i]);
	for (i = 0; i < sizeof(all_branches) / sizeof(all_branches[0]); i++)
		cr_expect(seen[i], "no test case reaches branch %s", all_branches[i]);
}

Test(health, worst_order_and_names)
{
	enum cocm_health h;

	cr_assert_eq(cocm_health_worst(COCM_HEALTH_DEGRADED, COCM_HEALTH_PROGRESSING),
		COCM_HEALTH_DEGRADED);
	cr_assert_eq(cocm_health_worst(COCM_HEALTH_PROGRESSING, COCM_HEALTH_UNKNOWN),
		COCM_HEALTH_PROGRESSING);
	cr_assert_eq(cocm_health_worst(COCM_HEALTH_SUSPENDED, COCM_HEALTH_UNKNOWN),
		COCM_HEALTH_UNKNOWN);
	cr_assert_eq(cocm_health_worst(COCM_HEALTH_HEALTHY, COCM_HEALTH_SUSPENDED),
		COCM_HEALTH_SUSPENDED);
	cr_assert_eq(cocm_health_parse("Progressing", &h), 0);
	cr_assert_eq(h, COCM_HEALTH_PROGRESSING);
	cr_assert_str_eq(cocm_health_name(COCM_HEALTH_DEGRADED), "Degraded");
	cr_assert_eq(cocm_health_parse("degraded", &h), -1);
}

Test(health, feedback_paths_follow_the_table)
{
	/* The simulator's JSONPath subset must read every table path on a matching object. */
	cJSON *o = cJSON_Parse("{\"status\":{\"parents\":[{\"conditions\":[{\"type\":\"Accepted\","
			       "\"status\":\"True\"}]}],\"containerStatuses\":[{\"name\":\"a\","
			       "\"state\":{}},{\"name\":\"b\",\"state\":{\"waiting\":{\"reason\":"
			       "\"CrashLoopBackOff\"}}}]}}");

	cr_assert_str_eq(sim_jsonpath(o, ".status.parents[0].conditions[?(@.type==\"Accepted\")]"
					 ".status")->valuestring, "True");
	cr_assert_str_eq(sim_jsonpath(o, ".status.containerStatuses[?(@.state.waiting.reason=="
					 "\"CrashLoopBackOff\")].name")->valuestring, "b");
	cr_assert_null(sim_jsonpath(o, ".status.containerStatuses[?(@.state.waiting.reason=="
				       "\"ErrImagePull\")].name"));
	cJSON_Delete(o);
}

Test(health, table_status_paths_are_valid_and_documented)
{
	size_t nk, i, j;
	const struct cocm_feedback_kind *k = cocm_feedback_all(&nk);
	char path[512];
	char *doc;

	snprintf(path, sizeof(path), "%s/docs/status.md", COCM_SOURCE_DIR);
	doc = sim_read_file(path, NULL);
	for (i = 0; i < nk; i++) {
		cJSON *o = cJSON_CreateObject();

		for (j = 0; j < k[i].nrules; j++) {
			char row[256];

			if (k[i].rules[j].status_path != NULL)
				cr_expect_eq(cocm_status_path_set(o, k[i].rules[j].status_path,
						     cJSON_CreateNumber(1)), 0, "%s %s", k[i].kind,
					k[i].rules[j].status_path);
			snprintf(row, sizeof(row), "| `%s` | `%s` |", k[i].rules[j].name,
				k[i].rules[j].path);
			cr_expect(strstr(doc, row) != NULL, "docs/status.md lacks the row for %s %s",
				k[i].kind, k[i].rules[j].name);
		}
		cJSON_Delete(o);
	}
	free(doc);
}
