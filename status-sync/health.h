/* Health of one live object, judged from the feedback values the work agent reported for it.
 *
 * The values are the `statusFeedback.values` array of one ManifestWork manifest status
 * ([{name, fieldValue: {type, integer|string|boolean|jsonRaw}}]); names are those of the
 * feedback-rule table (manifestwork/feedback.h). A value that was not reported is absent, and
 * absent numbers count as 0, exactly as a Go controller reading an omitted status field would.
 *
 * Rules (docs/status.md has the operator's version):
 *   apps/Deployment, apps/StatefulSet, core/Pod, batch/CronJob: OpenChoreo's rules, HEAD
 *     variant (Progressing=True/NewReplicaSetAvailable with 0 available => Degraded);
 *   batch/Job: Failed=True => Degraded, Complete=True => Healthy, else Progressing;
 *   apps/DaemonSet: stale observedGeneration or any of updated/ready/available short of
 *     desiredNumberScheduled (or unavailable > 0) => Progressing, else Healthy;
 *   gateway.networking.k8s.io HTTPRoute/GRPCRoute: first parent's Accepted or ResolvedRefs
 *     False => Degraded, Accepted True => Healthy, not reported yet => Progressing;
 *   any other kind: Healthy (the caller has already established that the object exists).
 * The caller decides the cases that come before these rules: object not seen => Unknown,
 * apply failed => Degraded, feedback never collected => Unknown. */
#ifndef COCM_STATUSSYNC_HEALTH_H
#define COCM_STATUSSYNC_HEALTH_H

#include <cjson/cJSON.h>
#include <stdint.h>

/* Ordered from best to worst, so the worst of several is the maximum. */
enum cocm_health {
	COCM_HEALTH_HEALTHY = 0,
	COCM_HEALTH_SUSPENDED = 1,
	COCM_HEALTH_UNKNOWN = 2,
	COCM_HEALTH_PROGRESSING = 3,
	COCM_HEALTH_DEGRADED = 4,
};

/* "Healthy", "Suspended", ... (OpenChoreo's spelling); never NULL. */
const char *cocm_health_name(enum cocm_health h);
/* Parses a name written by cocm_health_name; returns -1 when unknown, else 0. */
int cocm_health_parse(const char *s, enum cocm_health *out);
/* The worse of two. */
enum cocm_health cocm_health_worst(enum cocm_health a, enum cocm_health b);

/* Health of an existing object of group/kind from its feedback values (may be NULL = none).
 * *why (may be NULL) receives a short stable branch name such as "deployment.paused", for
 * tests and debug logs; it is a static string. */
enum cocm_health cocm_health_eval(const char *group, const char *kind, const cJSON *values,
	const char **why);

/* Looks one feedback value up by name in a values array. Each returns 0 when found with the
 * right type, -1 otherwise (absent, wrong type, or not a whole number). Borrowed results. */
int cocm_fb_int(const cJSON *values, const char *name, int64_t *out);
int cocm_fb_str(const cJSON *values, const char *name, const char **out);
int cocm_fb_bool(const cJSON *values, const char *name, int *out);

#endif
