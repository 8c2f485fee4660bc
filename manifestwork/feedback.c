/* The feedback-rule table (see feedback.h). Adding a field: append a row, never rename one. */
#include "manifestwork/feedback.h"

#include <string.h>

#include "kube/core/xalloc.h"

#define COND(t, f) ".status.conditions[?(@.type==\"" t "\")]." f

static const struct cocm_feedback_rule deployment[] = {
	{ "generation", ".metadata.generation", NULL, COCM_FB_INTEGER },
	{ "observedGeneration", ".status.observedGeneration", "observedGeneration", COCM_FB_INTEGER },
	{ "specReplicas", ".spec.replicas", NULL, COCM_FB_INTEGER },
	{ "specPaused", ".spec.paused", NULL, COCM_FB_BOOLEAN },
	{ "replicas", ".status.replicas", "replicas", COCM_FB_INTEGER },
	{ "updatedReplicas", ".status.updatedReplicas", "updatedReplicas", COCM_FB_INTEGER },
	{ "readyReplicas", ".status.readyReplicas", "readyReplicas", COCM_FB_INTEGER },
	{ "availableReplicas", ".status.availableReplicas", "availableReplicas", COCM_FB_INTEGER },
	{ "unavailableReplicas", ".status.unavailableReplicas", "unavailableReplicas", COCM_FB_INTEGER },
	{ "progressingStatus", COND("Progressing", "status"), "conditions[Progressing].status", COCM_FB_STRING },
	{ "progressingReason", COND("Progressing", "reason"), "conditions[Progressing].reason", COCM_FB_STRING },
	{ "availableStatus", COND("Available", "status"), "conditions[Available].status", COCM_FB_STRING },
	{ "availableReason", COND("Available", "reason"), "conditions[Available].reason", COCM_FB_STRING },
	{ "replicaFailureStatus", COND("ReplicaFailure", "status"), "conditions[ReplicaFailure].status", COCM_FB_STRING },
	{ "replicaFailureReason", COND("ReplicaFailure", "reason"), "conditions[ReplicaFailure].reason", COCM_FB_STRING },
};

static const struct cocm_feedback_rule statefulset[] = {
	{ "generation", ".metadata.generation", NULL, COCM_FB_INTEGER },
	{ "observedGeneration", ".status.observedGeneration", "observedGeneration", COCM_FB_INTEGER },
	{ "specReplicas", ".spec.replicas", NULL, COCM_FB_INTEGER },
	{ "replicas", ".status.replicas", "replicas", COCM_FB_INTEGER },
	{ "readyReplicas", ".status.readyReplicas", "readyReplicas", COCM_FB_INTEGER },
	{ "availableReplicas", ".status.availableReplicas", "availableReplicas", COCM_FB_INTEGER },
	{ "updatedReplicas", ".status.updatedReplicas", "updatedReplicas", COCM_FB_INTEGER },
	{ "currentRevision", ".status.currentRevision", "currentRevision", COCM_FB_STRING },
	{ "updateRevision", ".status.updateRevision", "updateRevision", COCM_FB_STRING },
};

static const struct cocm_feedback_rule daemonset[] = {
	{ "generation", ".metadata.generation", NULL, COCM_FB_INTEGER },
	{ "observedGeneration", ".status.observedGeneration", "observedGeneration", COCM_FB_INTEGER },
	{ "desiredNumberScheduled", ".status.desiredNumberScheduled", "desiredNumberScheduled", COCM_FB_INTEGER },
	{ "updatedNumberScheduled", ".status.updatedNumberScheduled", "updatedNumberScheduled", COCM_FB_INTEGER },
	{ "numberReady", ".status.numberReady", "numberReady", COCM_FB_INTEGER },
	{ "numberAvailable", ".status.numberAvailable", "numberAvailable", COCM_FB_INTEGER },
	{ "numberUnavailable", ".status.numberUnavailable", "numberUnavailable", COCM_FB_INTEGER },
};

static const struct cocm_feedback_rule job[] = {
	{ "completeStatus", COND("Complete", "status"), "conditions[Complete].status", COCM_FB_STRING },
	{ "failedStatus", COND("Failed", "status"), "conditions[Failed].status", COCM_FB_STRING },
	{ "failedReason", COND("Failed", "reason"), "conditions[Failed].reason", COCM_FB_STRING },
	{ "active", ".status.active", "active", COCM_FB_INTEGER },
	{ "succeeded", ".status.succeeded", "succeeded", COCM_FB_INTEGER },
	{ "failed", ".status.failed", "failed", COCM_FB_INTEGER },
};

static const struct cocm_feedback_rule cronjob[] = {
	{ "specSuspend", ".spec.suspend", NULL, COCM_FB_BOOLEAN },
	{ "activeJob", ".status.active[0].name", "active[0].name", COCM_FB_STRING },
	{ "lastScheduleTime", ".status.lastScheduleTime", "lastScheduleTime", COCM_FB_STRING },
	{ "lastSuccessfulTime", ".status.lastSuccessfulTime", "lastSuccessfulTime", COCM_FB_STRING },
};

#define WAITING(r) ".status.containerStatuses[?(@.state.waiting.reason==\"" r "\")].name"
static const struct cocm_feedback_rule pod[] = {
	{ "phase", ".status.phase", "phase", COCM_FB_STRING },
	{ "readyStatus", COND("Ready", "status"), "conditions[Ready].status", COCM_FB_STRING },
	{ "crashLoopBackOff", WAITING("CrashLoopBackOff"), NULL, COCM_FB_STRING },
	{ "imagePullBackOff", WAITING("ImagePullBackOff"), NULL, COCM_FB_STRING },
	{ "errImagePull", WAITING("ErrImagePull"), NULL, COCM_FB_STRING },
};

#define PARENT(t, f) ".status.parents[0].conditions[?(@.type==\"" t "\")]." f
static const struct cocm_feedback_rule route[] = {
	{ "acceptedStatus", PARENT("Accepted", "status"), "parents[0].conditions[Accepted].status", COCM_FB_STRING },
	{ "acceptedReason", PARENT("Accepted", "reason"), "parents[0].conditions[Accepted].reason", COCM_FB_STRING },
	{ "resolvedRefsStatus", PARENT("ResolvedRefs", "status"), "parents[0].conditions[ResolvedRefs].status", COCM_FB_STRING },
	{ "resolvedRefsReason", PARENT("ResolvedRefs", "reason"), "parents[0].conditions[ResolvedRefs].reason", COCM_FB_STRING },
};

#define KIND(g, k, r) { g, k, r, COCM_ARRAY_LEN(r) }
static const struct cocm_feedback_kind kinds[] = {
	KIND("apps", "Deployment", deployment),
	KIND("apps", "StatefulSet", statefulset),
	KIND("apps", "DaemonSet", daemonset),
	KIND("batch", "Job", job),
	KIND("batch", "CronJob", cronjob),
	KIND("", "Pod", pod),
	KIND("gateway.networking.k8s.io", "HTTPRoute", route),
	KIND("gateway.networking.k8s.io", "GRPCRoute", route),
};

const struct cocm_feedback_kind *cocm_feedback_for(const char *group, const char *kind)
{
	size_t i;

	if (group == NULL || kind == NULL)
		return NULL;
	for (i = 0; i < COCM_ARRAY_LEN(kinds); i++)
		if (strcmp(kinds[i].group, group) == 0 && strcmp(kinds[i].kind, kind) == 0)
			return &kinds[i];
	return NULL;
}

const struct cocm_feedback_rule *cocm_feedback_rule(const struct cocm_feedback_kind *k,
	const char *name)
{
	size_t i;

	if (k == NULL || name == NULL)
		return NULL;
	for (i = 0; i < k->nrules; i++)
		if (strcmp(k->rules[i].name, name) == 0)
			return &k->rules[i];
	return NULL;
}

const struct cocm_feedback_kind *cocm_feedback_all(size_t *n)
{
	*n = COCM_ARRAY_LEN(kinds);
	return kinds;
}
