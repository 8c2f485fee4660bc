/* Fuzz target: the render core, Release JSON -> ManifestWorks (cocm_render_works).
 * Input: byte 0 holds options (bit 0: allow a missing uid; bits 1-3: the per-work manifest
 * budget, from 0 = default down to 512 bytes, so splitting into parts is exercised), the rest
 * is the Release as JSON.
 * Checks: never crashes; an error has a message and no output; a success is deterministic
 * (the same bytes twice: cocm_render_works, then cocm_render_works_raw, the daemon's variant,
 * which must print the same works and fail the same way) and every work is a ManifestWork in the cluster's namespace, with a
 * name, a content hash, and a parts annotation equal to the number of works. */
#include <string.h>

#include "fuzz/fuzz.h"
#include "kube/core/json.h"
#include "kube/core/log.h"
#include "kube/core/xalloc.h"
#include "manifestwork/names.h"
#include "manifestwork/render.h"

#define CLUSTER "dp-east"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	cocm_xalloc_init();
	cocm_log_max = -1;
	return 0;
}

static const size_t budgets[8] = {0, 512, 1024, 2048, 4096, 16384, 65536, 491520};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > (1u << 20))
		return 0;
	struct cocm_render_opts o = {
		.max_manifest_bytes = budgets[(data[0] >> 1) & 7],
		.allow_missing_uid = data[0] & 1,
	};
	cJSON *rel = cocm_json_parse((const char *)data + 1, size - 1, NULL, 0);
	if (!rel)
		return 0;
	(void)cocm_render_release_kind(rel);

	cJSON *w1 = NULL, *w2 = NULL;
	char err[512] = "", err2[512] = "";
	enum cocm_err e1 = cocm_render_works(rel, CLUSTER, &o, &w1, err, sizeof(err));
	enum cocm_err e2 = cocm_render_works_raw(rel, CLUSTER, &o, &w2, err2, sizeof(err2));
	cocm_fuzz_check(e1 == e2);
	cocm_fuzz_debug("render: %s %d works %s\n", cocm_err_name(e1), cJSON_GetArraySize(w1), err);
	if (e1 != COCM_OK) {
		cocm_fuzz_check(e1 == COCM_EINVAL || e1 == COCM_ETOOBIG);
		cocm_fuzz_check(w1 == NULL && w2 == NULL);
		cocm_fuzz_check(err[0] != '\0' && strcmp(err, err2) == 0);
		cJSON_Delete(rel);
		return 0;
	}
	cocm_fuzz_check(cJSON_IsArray(w1));
	char *p1 = cocm_json_print(w1), *p2 = cocm_json_print(w2);
	cocm_fuzz_check(strcmp(p1, p2) == 0);
	free(p1);
	free(p2);

	int n = cJSON_GetArraySize(w1);
	char parts[16];
	snprintf(parts, sizeof(parts), "%d", n);
	const cJSON *w;
	cJSON_ArrayForEach(w, w1) {
		const char *kind = cocm_json_str(w, "kind", NULL);
		const char *ns = cocm_json_str(w, "metadata", "namespace", NULL);
		const char *name = cocm_json_str(w, "metadata", "name", NULL);
		const cJSON *ann = cocm_json_get(w, "metadata", "annotations", NULL);
		cocm_fuzz_check(kind && strcmp(kind, "ManifestWork") == 0);
		cocm_fuzz_check(ns && strcmp(ns, CLUSTER) == 0);
		cocm_fuzz_check(name && name[0] && strlen(name) <= COCM_NAMES_SUBDOMAIN_MAX);
		cocm_fuzz_check(cocm_json_str(ann, COCM_ANN_CONTENT_HASH, NULL) != NULL);
		const char *np = cocm_json_str(ann, COCM_ANN_PARTS, NULL);
		cocm_fuzz_check(np && strcmp(np, parts) == 0);
		const cJSON *m = cocm_json_get(w, "spec", "workload", NULL);
		m = m ? cJSON_GetObjectItemCaseSensitive(m, "manifests") : NULL;
		cocm_fuzz_check(cJSON_IsArray(m) && cJSON_GetArraySize(m) > 0);
	}
	cJSON_Delete(w1);
	cJSON_Delete(w2);
	cJSON_Delete(rel);
	return 0;
}
