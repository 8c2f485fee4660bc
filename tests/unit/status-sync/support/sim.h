/* Test support for status-sync: a simulated OCM work agent and golden-file helpers.
 *
 * The agent part evaluates the feedback-rule table (manifestwork/feedback.h) on a live object
 * the way the klusterlet work agent does with its default feature gates: the JSONPath subset
 * the table uses (.a.b, [N], [?(@.x.y=="v")]), first match only, scalars only (Integer, String,
 * Boolean; other types are not reported), absent paths not reported.
 *
 * Scenario files (tests/data/status-sync/fold/<name>.json) describe works compactly:
 *   { "now": "...", "expect": ["c1"], "scheduled": {"status": "True"|"False", "reason": ...},
 *     "deleting": bool, "cleanupFailed": "error text", "release": {...},
 *     "clusters": { "<cluster>": [ { "name": "...", "generation": N, "appliedGeneration": N,
 *          "parts": N, "part": N, "release": "ns/name",
 *          "manifests": [ { "id": "<spec id>" | "object": {...}, "live": {...} | "absent": true |
 *                           "error": "agent message", "noFeedback": true } ] } ] } }
 * "live" is deep-merged over the desired object to make the spoke's object (so it carries
 * metadata.generation and status); absent "appliedGeneration" = the agent has not written
 * Applied yet. sim_build_work turns one work description into a real ManifestWork JSON. */
#ifndef COCM_TEST_STATUSSYNC_SIM_H
#define COCM_TEST_STATUSSYNC_SIM_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "status-sync/fold.h"

/* First match of a table JSONPath in obj, or NULL (borrowed). */
const cJSON *sim_jsonpath(const cJSON *obj, const char *path);
/* statusFeedback.values for a live object of group/kind (new array; empty when no rules). */
cJSON *sim_feedback(const char *group, const char *kind, const cJSON *live);
/* Deep merge of patch over a copy of base (new object). */
cJSON *sim_merge(const cJSON *base, const cJSON *patch);
/* One manifest status entry as the agent writes it. */
cJSON *sim_manifest_status(int ordinal, const cJSON *desired, const cJSON *live,
	const char *apply_error, int no_feedback);
/* A ManifestWork from a scenario work description (see above). */
cJSON *sim_build_work(const cJSON *release, const char *cluster, const cJSON *desc);
/* Fills a rendered ManifestWork's status as an agent pass would: every manifest applied,
 * live = manifest deep-merged with the entry of `live` (an object keyed "<Kind>/<name>")
 * when there is one, else the manifest itself (exists, no status). */
void sim_agent_pass(cJSON *work, const cJSON *live);

/* Reads a whole file (NUL-terminated, free()); aborts the test when it cannot. */
char *sim_read_file(const char *path, size_t *len);
cJSON *sim_load_json(const char *path);
/* Compares text with the golden file, or rewrites it when UPDATE_GOLDEN=1. Fails the test on
 * a difference, showing the first differing line. */
void sim_golden(const char *path, const char *text);

/* A scenario loaded and folded: owns everything. */
struct sim_case {
	cJSON *doc;
	cJSON *works; /* array of built works */
	const cJSON **workv;
	const char **clusters;
	struct cocm_fold_in in;
	cJSON *status;
	struct cocm_fold_summary sum;
};
void sim_case_load(struct sim_case *c, const char *path);
/* Folds; asserts success. */
void sim_case_fold(struct sim_case *c);
void sim_case_finish(struct sim_case *c);
/* The status entry of a resource id, or NULL. */
const cJSON *sim_entry(const cJSON *status, const char *id);
const cJSON *sim_cond(const cJSON *status, const char *type);

#endif
