/* Per-kind health rules over feedback values (see health.h). */
#include "status-sync/health.h"

#include <math.h>
#include <string.h>

static const char *const names[] = {
	[COCM_HEALTH_HEALTHY] = "Healthy",
	[COCM_HEALTH_SUSPENDED] = "Suspended",
	[COCM_HEALTH_UNKNOWN] = "Unknown",
	[COCM_HEALTH_PROGRESSING] = "Progressing",
	[COCM_HEALTH_DEGRADED] = "Degraded",
};

const char *cocm_health_name(enum cocm_health h)
{
	if ((unsigned)h >= sizeof(names) / sizeof(names[0]))
		return "Unknown";
	return names[h];
}

int cocm_health_parse(const char *s, enum cocm_health *out)
{
	unsigned i;

	if (s == NULL)
		return -1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum cocm_health)i;
			return 0;
		}
	}
	return -1;
}

enum cocm_health cocm_health_worst(enum cocm_health a, enum cocm_health b)
{
	return a > b ? a : b;
}

static const cJSON *fb_value(const cJSON *values, const char *name)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, values)
	{
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(v, "name");

		if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0)
			return cJSON_GetObjectItemCaseSensitive(v, "fieldValue");
	}
	return NULL;
}

int cocm_fb_int(const cJSON *values, const char *name, int64_t *out)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(fb_value(values, name), "integer");
	double d;

	if (!cJSON_IsNumber(n))
		return -1;
	d = n->valuedouble;
	if (!(d >= -9007199254740992.0 && d <= 9007199254740992.0) || floor(d) != d)
		return -1;
	*out = (int64_t)d;
	return 0;
}

int cocm_fb_str(const cJSON *values, const char *name, const char **out)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(fb_value(values, name), "string");

	if (!cJSON_IsString(s))
		return -1;
	*out = s->valuestring;
	return 0;
}

int cocm_fb_bool(const cJSON *values, const char *name, int *out)
{
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(fb_value(values, name), "boolean");

	if (!cJSON_IsBool(b))
		return -1;
	*out = cJSON_IsTrue(b);
	return 0;
}

/* Absent integers read as 0, absent strings as "" (Go zero values). */
static int64_t ival(const cJSON *v, const char *name)
{
	int64_t x = 0;

	if (cocm_fb_int(v, name, &x) != 0)
		return 0;
	return x;
}

static const char *sval(const cJSON *v, const char *name)
{
	const char *s = "";

	if (cocm_fb_str(v, name, &s) != 0)
		return "";
	return s;
}

static int is(const cJSON *v, const char *name, const char *want)
{
	return strcmp(sval(v, name), want) == 0;
}

#define RET(h, w) \
	do { \
		*why = (w); \
		return (h); \
	} while (0)

static enum cocm_health deployment(const cJSON *v, const char **why)
{
	int paused = 0;
	int64_t spec_replicas = 0, desired = 1;
	int has_replicas = cocm_fb_int(v, "specReplicas", &spec_replicas) == 0;
	int64_t gen = ival(v, "generation"), obs = ival(v, "observedGeneration");
	int64_t updated = ival(v, "updatedReplicas"), ready = ival(v, "readyReplicas");
	int64_t available = ival(v, "availableReplicas");
	int64_t unavailable = ival(v, "unavailableReplicas");
	const char *avail = NULL;

	if (cocm_fb_bool(v, "specPaused", &paused) == 0 && paused)
		RET(COCM_HEALTH_SUSPENDED, "deployment.paused");
	if (has_replicas && spec_replicas == 0)
		RET(COCM_HEALTH_SUSPENDED, "deployment.scaled-to-zero");
	if (obs == 0 || obs < gen)
		RET(COCM_HEALTH_PROGRESSING, "deployment.stale-generation");
	if (has_replicas)
		desired = spec_replicas;
	if (is(v, "progressingReason", "ProgressDeadlineExceeded"))
		RET(COCM_HEALTH_DEGRADED, "deployment.progress-deadline-exceeded");
	if (is(v, "replicaFailureStatus", "True"))
		RET(COCM_HEALTH_DEGRADED, "deployment.replica-failure");
	if (updated == desired && available == 0 && desired > 0) {
		if (is(v, "progressingStatus", "True")) {
			if (is(v, "progressingReason", "NewReplicaSetAvailable"))
				RET(COCM_HEALTH_DEGRADED, "deployment.crashloop-after-rollout");
			RET(COCM_HEALTH_PROGRESSING, "deployment.rolling-out-none-available");
		}
		RET(COCM_HEALTH_DEGRADED, "deployment.none-available");
	}
	if (cocm_fb_str(v, "availableStatus", &avail) == 0 && strcmp(avail, "True") != 0 &&
		unavailable > 0 && (ready > 0 || available > 0))
		RET(COCM_HEALTH_DEGRADED, "deployment.unavailable");
	if (updated == desired && ready == desired && available == desired && unavailable == 0)
		RET(COCM_HEALTH_HEALTHY, "deployment.ready");
	RET(COCM_HEALTH_PROGRESSING, "deployment.progressing");
}

static enum cocm_health statefulset(const cJSON *v, const char **why)
{
	int64_t gen = ival(v, "generation"), obs = ival(v, "observedGeneration");
	int64_t desired = 1;

	if (obs == 0 || obs < gen)
		RET(COCM_HEALTH_PROGRESSING, "statefulset.stale-generation");
	if (strcmp(sval(v, "currentRevision"), sval(v, "updateRevision")) != 0)
		RET(COCM_HEALTH_PROGRESSING, "statefulset.revision-rollout");
	if (cocm_fb_int(v, "specReplicas", &desired) != 0)
		desired = 1;
	if (ival(v, "readyReplicas") == desired && ival(v, "availableReplicas") == desired &&
		ival(v, "updatedReplicas") == desired)
		RET(COCM_HEALTH_HEALTHY, "statefulset.ready");
	RET(COCM_HEALTH_PROGRESSING, "statefulset.progressing");
}

static enum cocm_health pod(const cJSON *v, const char **why)
{
	const char *phase = sval(v, "phase");

	if (strcmp(phase, "Pending") == 0)
		RET(COCM_HEALTH_PROGRESSING, "pod.pending");
	if (strcmp(phase, "Running") == 0) {
		if (*sval(v, "crashLoopBackOff") || *sval(v, "imagePullBackOff") ||
			*sval(v, "errImagePull"))
			RET(COCM_HEALTH_DEGRADED, "pod.container-waiting");
		if (!is(v, "readyStatus", "True"))
			RET(COCM_HEALTH_PROGRESSING, "pod.not-ready");
		RET(COCM_HEALTH_HEALTHY, "pod.ready");
	}
	if (strcmp(phase, "Succeeded") == 0)
		RET(COCM_HEALTH_HEALTHY, "pod.succeeded");
	if (strcmp(phase, "Failed") == 0)
		RET(COCM_HEALTH_DEGRADED, "pod.failed");
	RET(COCM_HEALTH_UNKNOWN, "pod.unknown-phase");
}

static enum cocm_health cronjob(const cJSON *v, const char **why)
{
	int suspend = 0;

	if (cocm_fb_bool(v, "specSuspend", &suspend) == 0 && suspend)
		RET(COCM_HEALTH_SUSPENDED, "cronjob.suspended");
	if (*sval(v, "activeJob"))
		RET(COCM_HEALTH_PROGRESSING, "cronjob.active");
	if (*sval(v, "lastScheduleTime"))
		RET(COCM_HEALTH_HEALTHY, "cronjob.scheduled");
	RET(COCM_HEALTH_PROGRESSING, "cronjob.never-scheduled");
}

static enum cocm_health job(const cJSON *v, const char **why)
{
	if (is(v, "failedStatus", "True"))
		RET(COCM_HEALTH_DEGRADED, "job.failed");
	if (is(v, "completeStatus", "True"))
		RET(COCM_HEALTH_HEALTHY, "job.complete");
	if (ival(v, "active") > 0)
		RET(COCM_HEALTH_PROGRESSING, "job.running");
	RET(COCM_HEALTH_PROGRESSING, "job.starting");
}

static enum cocm_health daemonset(const cJSON *v, const char **why)
{
	int64_t gen = ival(v, "generation"), obs = ival(v, "observedGeneration");
	int64_t desired = ival(v, "desiredNumberScheduled");

	if (obs == 0 || obs < gen)
		RET(COCM_HEALTH_PROGRESSING, "daemonset.stale-generation");
	if (ival(v, "updatedNumberScheduled") < desired)
		RET(COCM_HEALTH_PROGRESSING, "daemonset.updating");
	if (ival(v, "numberReady") < desired || ival(v, "numberAvailable") < desired ||
		ival(v, "numberUnavailable") > 0)
		RET(COCM_HEALTH_PROGRESSING, "daemonset.not-ready");
	RET(COCM_HEALTH_HEALTHY, "daemonset.ready");
}

static enum cocm_health route(const cJSON *v, const char **why)
{
	if (is(v, "acceptedStatus", "False"))
		RET(COCM_HEALTH_DEGRADED, "route.not-accepted");
	if (is(v, "resolvedRefsStatus", "False"))
		RET(COCM_HEALTH_DEGRADED, "route.refs-unresolved");
	if (is(v, "acceptedStatus", "True"))
		RET(COCM_HEALTH_HEALTHY, "route.accepted");
	RET(COCM_HEALTH_PROGRESSING, "route.pending");
}

enum cocm_health cocm_health_eval(const char *group, const char *kind, const cJSON *values,
	const char **why)
{
	const char *dummy;

	if (why == NULL)
		why = &dummy;
	if (group == NULL || kind == NULL)
		RET(COCM_HEALTH_HEALTHY, "exists");
	if (strcmp(group, "apps") == 0) {
		if (strcmp(kind, "Deployment") == 0)
			return deployment(values, why);
		if (strcmp(kind, "StatefulSet") == 0)
			return statefulset(values, why);
		if (strcmp(kind, "DaemonSet") == 0)
			return daemonset(values, why);
	} else if (strcmp(group, "batch") == 0) {
		if (strcmp(kind, "CronJob") == 0)
			return cronjob(values, why);
		if (strcmp(kind, "Job") == 0)
			return job(values, why);
	} else if (group[0] == '\0') {
		if (strcmp(kind, "Pod") == 0)
			return pod(values, why);
	} else if (strcmp(group, "gateway.networking.k8s.io") == 0) {
		if (strcmp(kind, "HTTPRoute") == 0 || strcmp(kind, "GRPCRoute") == 0)
			return route(values, why);
	}
	RET(COCM_HEALTH_HEALTHY, "exists");
}
