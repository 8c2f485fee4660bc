/* Fuzz target: the fold core, Release + ManifestWorks -> Release status (cocm_fold).
 * Input: one JSON object {"release": {...}, "works": [...], "clusters": ["dp-east", ...],
 * "now": "...", "scheduled": {"status": "True|False", "reason", "message"}, "deleting": bool,
 * "cleanupFailed": "..."}; everything but "release" is optional ("now" defaults to a valid time).
 * Checks: never crashes; an error has a message and no output; a success is deterministic,
 * within COCM_FOLD_MAX_STATUS when printed, equal to itself by cocm_status_equal, and a
 * second fold over the new status gives an equal status (the fold converges). */
#include <string.h>

#include "fuzz/fuzz.h"
#include "fuzz/fuzz_json.h"
#include "kube/core/json.h"
#include "kube/core/log.h"
#include "kube/core/xalloc.h"
#include "status-sync/fold.h"

#define MAX_ITEMS 64

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	cocm_xalloc_init();
	cocm_log_max = -1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	cJSON *doc = cocm_json_parse((const char *)data, size, NULL, 0);
	if (!doc || cocm_fuzz_dup_keys(doc, 0)) {
		cJSON_Delete(doc);
		return 0;
	}
	const cJSON *works[MAX_ITEMS];
	const char *clusters[MAX_ITEMS];
	struct cocm_fold_in in = {0};
	in.release = cJSON_GetObjectItemCaseSensitive(doc, "release");
	in.now = cocm_json_str(doc, "now", NULL);
	if (!in.now)
		in.now = "2026-08-01T10:00:00Z";
	const cJSON *x;
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(doc, "works")) {
		if (in.nworks < MAX_ITEMS)
			works[in.nworks++] = x;
	}
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(doc, "clusters")) {
		if (cJSON_IsString(x) && in.nclusters < MAX_ITEMS)
			clusters[in.nclusters++] = x->valuestring;
	}
	in.works = works;
	in.clusters = clusters;
	const cJSON *sch = cJSON_GetObjectItemCaseSensitive(doc, "scheduled");
	if (cJSON_IsObject(sch)) {
		const char *s = cocm_json_str(sch, "status", NULL);
		in.sched = s && strcmp(s, "True") == 0 ? COCM_SCHED_TRUE : COCM_SCHED_FALSE;
		in.sched_reason = cocm_json_str(sch, "reason", NULL);
		in.sched_message = cocm_json_str(sch, "message", NULL);
		if (in.sched == COCM_SCHED_FALSE && !in.sched_reason)
			in.sched_reason = COCM_REASON_NO_CLUSTERS; /* required for FALSE */
	}
	in.deleting = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "deleting"));
	in.cleanup_message = cocm_json_str(doc, "cleanupFailed", NULL);
	in.cleanup_failed = in.cleanup_message != NULL;

	cJSON *s1 = NULL, *s2 = NULL;
	struct cocm_fold_summary sum1, sum2;
	char err[512] = "", err2[512] = "";
	enum cocm_err e1 = cocm_fold(&in, &s1, &sum1, err, sizeof(err));
	enum cocm_err e2 = cocm_fold(&in, &s2, &sum2, err2, sizeof(err2));
	cocm_fuzz_check(e1 == e2);
	cocm_fuzz_debug("fold: %s %s\n", cocm_err_name(e1), err);
	if (e1 != COCM_OK) {
		cocm_fuzz_check(e1 == COCM_EINVAL);
		cocm_fuzz_check(s1 == NULL && s2 == NULL);
		cocm_fuzz_check(err[0] != '\0' && strcmp(err, err2) == 0);
		cJSON_Delete(doc);
		return 0;
	}
	char *p1 = cocm_json_print(s1), *p2 = cocm_json_print(s2);
	cocm_fuzz_check(strcmp(p1, p2) == 0);
	cocm_fuzz_check(strlen(p1) <= COCM_FOLD_MAX_STATUS);
	cocm_fuzz_check(cocm_status_equal(s1, s2));
	cocm_fuzz_check(memcmp(&sum1, &sum2, sizeof(sum1)) == 0);

	/* Fold again on a Release that carries the new status: nothing changes (no write loop). */
	cJSON *rel2 = cJSON_Duplicate(in.release, 1);
	cocm_json_set(rel2, "status", s2);
	s2 = NULL;
	struct cocm_fold_in in2 = in;
	in2.release = rel2;
	cJSON *s3 = NULL;
	cocm_fuzz_check(cocm_fold(&in2, &s3, NULL, err, sizeof(err)) == COCM_OK);
	if (!cocm_status_equal(s1, s3)) {
		char *p3 = cocm_json_print(s3);
		fprintf(stderr, "fold is not stable:\n%s\n%s\n", p1, p3);
		free(p3);
		cocm_fuzz_check(!"fold converges");
	}
	free(p1);
	free(p2);
	cJSON_Delete(s3);
	cJSON_Delete(rel2);
	cJSON_Delete(s1);
	cJSON_Delete(doc);
	return 0;
}
