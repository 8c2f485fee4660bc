/* Fold scenarios (tests/data/status-sync/fold/<case>.json -> <case>.golden.json), each with the
 * behaviour it pins down asserted independently of the golden. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/core/json.h"
#include "support/sim.h"
#include "status-sync/fold.h"

#define NOW "2026-08-01T10:00:00Z"
#define OLD "2026-07-01T00:00:00Z"

static struct sim_case C;

/* Loads and folds a case, and checks the output against its golden file. */
static void run(const char *name)
{
	char path[512], golden[512];
	char *text, *t;
	size_t n;

	snprintf(path, sizeof(path), "%s/status-sync/fold/%s.json", COCM_TEST_DATA, name);
	snprintf(golden, sizeof(golden), "%s/status-sync/fold/%s.golden.json", COCM_TEST_DATA, name);
	sim_case_load(&C, path);
	sim_case_fold(&C);
	text = cJSON_Print(C.status);
	n = strlen(text);
	t = malloc(n + 2);
	memcpy(t, text, n);
	memcpy(t + n, "\n", 2);
	sim_golden(golden, t);
	free(t);
	free(text);
}

static void fini(void)
{
	sim_case_finish(&C);
}

TestSuite(fold, .fini = fini);

static const char *health(const char *id)
{
	const char *h = cocm_json_str(sim_entry(C.status, id), "healthStatus", NULL);

	cr_assert_not_null(h, "no entry %s", id);
	return h;
}

static const char *cstr(const char *type, const char *field)
{
	return cocm_json_str(sim_cond(C.status, type), field, NULL);
}

static void has(const char *hay, const char *needle)
{
	cr_assert_not_null(hay);
	cr_assert(strstr(hay, needle) != NULL, "\"%s\" not in \"%s\"", needle, hay);
}

Test(fold, multi_cluster_worst_wins_and_missing_cluster_is_unknown)
{
	const cJSON *st;

	run("multi_cluster_worst_wins");
	/* dp-west crash-loops, dp-east is fine: Degraded, with dp-west's status. */
	cr_assert_str_eq(health("deployment-web"), "Degraded");
	st = cocm_json_get(sim_entry(C.status, "deployment-web"), "status", NULL);
	cr_assert_not_null(st);
	cr_assert_null(cJSON_GetObjectItem(st, "availableReplicas"));
	cr_assert_eq(cJSON_GetObjectItem(st, "unavailableReplicas")->valueint, 2);
	/* The Service exists on both, but dp-north has no work yet: Unknown beats Healthy. */
	cr_assert_str_eq(health("service-web"), "Unknown");
	cr_assert_str_eq(cstr("ResourcesApplied", "status"), "Unknown");
	cr_assert_str_eq(cstr("ResourcesApplied", "reason"), "ApplyPending");
	has(cstr("ResourcesApplied", "message"), "dp-north");
	cr_assert_str_eq(cstr("Scheduled", "status"), "True");
	has(cstr("Scheduled", "message"), "dp-east, dp-north, dp-west");
	cr_assert_eq(C.sum.worst, COCM_HEALTH_DEGRADED);
	cr_assert_eq(C.sum.pending, 1);
	cr_assert_eq(C.sum.clusters, 3);
	cr_assert_eq(C.sum.applied, 0);
	cr_assert_eq(cocm_json_int(&(int64_t){ 0 }, sim_cond(C.status, "Scheduled"),
			     "observedGeneration", NULL),
		COCM_OK);
}

Test(fold, multi_cluster_disagreement_takes_the_worse_cluster_status)
{
	const cJSON *st;

	run("multi_cluster_disagreement");
	cr_assert_str_eq(health("deployment-web"), "Progressing");
	st = cocm_json_get(sim_entry(C.status, "deployment-web"), "status", NULL);
	cr_assert_eq(cJSON_GetObjectItem(st, "updatedReplicas")->valueint, 1); /* dp-west's */
	cr_assert_str_eq(health("service-web"), "Healthy");
	cr_assert_str_eq(cstr("ResourcesApplied", "status"), "True");
	cr_assert_str_eq(cstr("ResourcesApplied", "reason"), "ApplySucceeded");
	has(cstr("ResourcesApplied", "message"), "2 clusters: dp-east, dp-west");
	cr_assert_null(sim_cond(C.status, "Scheduled")); /* KEEP with nothing stored */
	cr_assert_null(sim_cond(C.status, "Finalizing"));
}

Test(fold, split_works_are_matched_across_parts)
{
	run("split_works");
	cr_assert_str_eq(health("namespace-shop"), "Healthy");
	cr_assert_str_eq(health("configmap-web-env"), "Healthy");
	cr_assert_str_eq(health("deployment-web"), "Healthy");
	cr_assert_str_eq(health("service-web"), "Healthy");
	cr_assert_null(cocm_json_get(sim_entry(C.status, "namespace-shop"), "namespace", NULL));
	cr_assert_str_eq(cstr("ResourcesApplied", "status"), "True");
	cr_assert_eq(C.sum.worst, COCM_HEALTH_HEALTHY);
	cr_assert_eq(C.sum.applied, 1);
}

Test(fold, split_works_missing_part_is_pending)
{
	run("split_works_part_missing");
	cr_assert_str_eq(health("configmap-web-env"), "Healthy");
	cr_assert_str_eq(health("deployment-web"), "Unknown");
	cr_assert_null(cocm_json_get(sim_entry(C.status, "deployment-web"), "lastObservedTime", NULL));
	cr_assert_str_eq(cstr("ResourcesApplied", "reason"), "ApplyPending");
	cr_assert_eq(C.sum.pending, 1);
}

Test(fold, stale_generation_is_never_healthy)
{
	run("stale_generation");
	/* Healthy feedback from the previous generation: Progressing, not Healthy. */
	cr_assert_str_eq(health("deployment-web"), "Progressing");
	cr_assert_not_null(cocm_json_get(sim_entry(C.status, "deployment-web"), "status", NULL));
	/* A new resource the stale status does not list yet: Unknown. */
	cr_assert_str_eq(health("configmap-web-env"), "Unknown");
	/* A failure of the old generation is not this generation's failure. */
	cr_assert_str_eq(health("service-web"), "Unknown");
	cr_assert_str_eq(cstr("ResourcesApplied", "status"), "Unknown");
	cr_assert_eq(C.sum.failures, 0);
	cr_assert_eq(cJSON_GetObjectItem(sim_cond(C.status, "ResourcesApplied"),
			     "observedGeneration")->valueint, 4);
}

Test(fold, work_not_applied_yet_is_unknown)
{
	run("not_yet_applied");
	cr_assert_str_eq(health("deployment-web"), "Unknown");
	cr_assert_str_eq(health("service-web"), "Unknown");
	cr_assert_str_eq(cstr("ResourcesApplied", "reason"), "ApplyPending");
}

Test(fold, apply_failures_name_cluster_resource_and_error)
{
	const char *m;

	run("apply_failures");
	cr_assert_str_eq(cstr("ResourcesApplied", "status"), "False");
	cr_assert_str_eq(cstr("ResourcesApplied", "reason"), "ApplyFailed");
	m = cstr("ResourcesApplied", "message");
	has(m, "Failed to apply 4 resources: ");
	has(m, "cluster dp-east resource deployment-web: namespaces \"dp-acme-shop-dev-1a2b3c4d\" "
	       "not found");
	has(m, "cluster dp-east resource service-web: namespaces");
	has(m, "cluster dp-south resource deployment-web: Apply failed with 1 conflict: conflict "
	       "with \"kubectl-edit\"");
	has(m, "; and 1 more"); /* the forbidden HTTPRoute on dp-west is the 4th */
	cr_assert(strstr(m, "Failed to apply manifest:") == NULL, "agent prefix kept: %s", m);
	cr_assert(strlen(m) <= COCM_FOLD_MAX_MESSAGE);
	cr_assert_str_eq(health("deployment-web"), "Degraded");
	cr_assert_str_eq(health("service-web"), "Degraded");
	cr_assert_str_eq(health("httproute-web"), "Degraded");
	cr_assert_str_eq(health("configmap-web-env"), "Healthy");
	cr_assert_eq(C.sum.failures, 4);
	cr_assert_eq(C.sum.applied, 0);
}

Test(fold, missing_feedback_is_unknown_and_unseen_has_no_time)
{
	run("missing_feedback");
	cr_assert_str_eq(health("deployment-web"), "Unknown");
	cr_assert_str_eq(cocm_json_str(sim_entry(C.status, "deployment-web"), "lastObservedTime",
				 NULL), NOW);
	cr_assert_null(cocm_json_get(sim_entry(C.status, "deployment-web"), "status", NULL));
	cr_assert_str_eq(health("httproute-web"), "Unknown");
	cr_assert_str_eq(health("service-web"), "Healthy");
	cr_assert_str_eq(health("configmap-web-env"), "Healthy");
	cr_assert_str_eq(health("deployment-worker"), "Unknown");
	cr_assert_null(cocm_json_get(sim_entry(C.status, "deployment-worker"), "lastObservedTime",
		NULL));
}

Test(fold, times_preserved_unless_changed_and_foreign_conditions_kept)
{
	const cJSON *conds;

	run("preserve_times");
	/* Same health and status as stored: the stored lastObservedTime stays. */
	cr_assert_str_eq(cocm_json_str(sim_entry(C.status, "deployment-web"), "lastObservedTime",
				 NULL), OLD);
	/* Unknown -> Healthy: observed now. */
	cr_assert_str_eq(cocm_json_str(sim_entry(C.status, "service-web"), "lastObservedTime",
				 NULL), NOW);
	/* Status did not flip: lastTransitionTime kept, observedGeneration moves. */
	cr_assert_str_eq(cstr("ResourcesApplied", "lastTransitionTime"), OLD);
	cr_assert_eq(cJSON_GetObjectItem(sim_cond(C.status, "ResourcesApplied"),
			     "observedGeneration")->valueint, 3);
	cr_assert_str_eq(cstr("Scheduled", "lastTransitionTime"), OLD);
	/* Foreign condition verbatim and first; Finalizing dropped (not deleting). */
	conds = cJSON_GetObjectItem(C.status, "conditions");
	cr_assert_eq(cJSON_GetArraySize(conds), 3);
	cr_assert_str_eq(cocm_json_str(cJSON_GetArrayItem(conds, 0), "type", NULL),
		"example.com/Audited");
	cr_assert_str_eq(cocm_json_str(cJSON_GetArrayItem(conds, 0), "message", NULL), "kept as is");
	cr_assert_null(sim_cond(C.status, "Finalizing"));
}

Test(fold, scheduled_keep_and_flip_sets_transition_time)
{
	run("scheduled_kept");
	/* KEEP: the stored Scheduled condition is copied as it was (generation 2). */
	cr_assert_eq(cJSON_GetObjectItem(sim_cond(C.status, "Scheduled"), "observedGeneration")
			     ->valueint, 2);
	cr_assert_str_eq(cocm_json_str(sim_entry(C.status, "deployment-web"), "lastObservedTime",
				 NULL), NOW); /* Healthy -> Degraded */
	cr_assert_str_eq(health("deployment-web"), "Degraded");
}

Test(fold, not_scheduled_reason_and_no_clusters)
{
	run("not_scheduled");
	cr_assert_str_eq(cstr("Scheduled", "status"), "False");
	cr_assert_str_eq(cstr("Scheduled", "reason"), "DataPlaneNotFound");
	cr_assert_str_eq(cstr("Scheduled", "message"), "DataPlane acme/prod not found");
	cr_assert_str_eq(cstr("Scheduled", "lastTransitionTime"), NOW);
	cr_assert_str_eq(cstr("ResourcesApplied", "status"), "Unknown");
	has(cstr("ResourcesApplied", "message"), "No cluster");
	cr_assert_str_eq(health("deployment-web"), "Unknown");
	cr_assert_eq(C.sum.clusters, 0);
}

Test(fold, deleting_names_clusters_still_holding_works)
{
	run("deleting");
	cr_assert_str_eq(cstr("Finalizing", "status"), "True");
	cr_assert_str_eq(cstr("Finalizing", "reason"), "CleanupInProgress");
	has(cstr("Finalizing", "message"), "2 clusters: dp-east, dp-west");
	/* Stored Finalizing was True too: no flip, time kept. */
	cr_assert_str_eq(cstr("Finalizing", "lastTransitionTime"), OLD);
}

Test(fold, cleanup_failed_names_error_and_clusters)
{
	run("cleanup_failed");
	cr_assert_str_eq(cstr("Finalizing", "reason"), "CleanupFailed");
	has(cstr("Finalizing", "message"), "cluster dp-west unreachable for 12m");
	has(cstr("Finalizing", "message"), "clusters still holding works: dp-west");
}

Test(fold, works_of_other_releases_are_ignored)
{
	run("foreign_work_ignored");
	cr_assert_str_eq(health("deployment-web"), "Healthy");
	cr_assert_eq(C.sum.worst, COCM_HEALTH_HEALTHY);
}

Test(fold, empty_release_needs_no_work)
{
	run("empty_release");
	cr_assert_null(cJSON_GetObjectItem(C.status, "resources"));
	cr_assert_str_eq(cstr("ResourcesApplied", "status"), "True");
	cr_assert_eq(C.sum.pending, 0);
}

Test(fold, refolding_its_own_output_is_stable)
{
	cJSON *first;

	run("multi_cluster_worst_wins");
	first = cJSON_Duplicate(C.status, 1);
	/* Store the status on the Release, fold again an hour later: same meaning, same times. */
	cocm_json_set((cJSON *)C.in.release, "status", cJSON_Duplicate(first, 1));
	C.in.now = "2026-08-01T11:00:00Z";
	sim_case_fold(&C);
	cr_assert(cocm_status_equal(first, C.status));
	cr_assert(cJSON_Compare(first, C.status, 1), "times moved although nothing changed");
	cJSON_Delete(first);
}

Test(fold, bad_input_is_refused)
{
	struct cocm_fold_in in = { 0 };
	cJSON *st = NULL, *rel;
	char err[256];

	rel = cJSON_Parse("{\"metadata\":{\"name\":\"a\",\"namespace\":\"b\"},\"spec\":"
			  "{\"resources\":[{\"id\":\"x\",\"object\":{\"kind\":\"ConfigMap\"}}]}}");
	in.release = rel;
	in.now = NOW;
	cr_assert_eq(cocm_fold(&in, &st, NULL, err, sizeof(err)), COCM_EINVAL);
	has(err, "spec.resources[0]");
	cr_assert_null(st);
	in.now = "2026-08-01 10:00:00";
	cr_assert_eq(cocm_fold(&in, &st, NULL, err, sizeof(err)), COCM_EINVAL);
	has(err, "RFC 3339");
	in.release = NULL;
	in.now = NOW;
	cr_assert_eq(cocm_fold(&in, &st, NULL, err, sizeof(err)), COCM_EINVAL);
	cJSON_Delete(rel);
}
