/* Rebuilds an object's `.status` from the feedback values the work agent reported, in the
 * shape of the real object's status, using the status_path of each rule of the feedback-rule
 * table (manifestwork/feedback.h documents the mini-language).
 *
 * Only values that were reported appear; rules with a NULL status_path (health-only values)
 * and values whose name the table does not know are skipped. String values are cut to
 * COCM_REBUILD_MAX_STRING bytes (on a UTF-8 boundary); JsonRaw values (agent feature gate
 * RawFeedbackJsonString) are parsed and inserted as JSON when they parse, else skipped.
 * Returns a new object (caller owns, cJSON_Delete) or NULL when nothing was reported. */
#ifndef COCM_STATUSSYNC_REBUILD_H
#define COCM_STATUSSYNC_REBUILD_H

#include <cjson/cJSON.h>

#include "manifestwork/feedback.h"

#define COCM_REBUILD_MAX_STRING 256

cJSON *cocm_status_rebuild(const struct cocm_feedback_kind *k, const cJSON *values);

/* Sets `value` (consumed) at status_path inside obj, creating objects and lists on the way.
 * Returns 0, or -1 (value freed) when the path is malformed or collides with a non-container. */
int cocm_status_path_set(cJSON *obj, const char *status_path, cJSON *value);

/* Length of the longest prefix of s no longer than max bytes that does not split a UTF-8
 * sequence. */
size_t cocm_utf8_cut(const char *s, size_t max);

#endif
