/* The fold: ManifestWork status (+ feedback) -> a Release's new `status`. A pure function:
 * no I/O, no clock (the caller passes "now"), deterministic for a given input.
 *
 * Input (struct cocm_fold_in, everything borrowed for the duration of the call):
 *   release   the Release / RenderedRelease object; read: metadata.{namespace,name,generation},
 *             spec.resources[].{id,object}, status (old status: kept lastObservedTime /
 *             lastTransitionTime, conditions the add-on does not own).
 *   works     the ManifestWorks delivering it, on any clusters (cluster = metadata.namespace),
 *             any number of parts. Only metadata and status are read, so metadata+status-only
 *             cache entries suffice. A work whose `ocm.openchoreo.dev/release` annotation names
 *             another Release is ignored. Manifests are matched to spec resources through
 *             status.resourceStatus.manifests[].resourceMeta group/kind/namespace/name (a side
 *             with an empty namespace matches any namespace when that is unambiguous).
 *   clusters  the clusters that should have the Release (the Placement's decisions). The fold
 *             looks at the union of these and the clusters that hold works; an expected
 *             cluster without a work counts as Unknown / not yet applied.
 *   now       RFC 3339 UTC time ("2026-08-01T10:00:00Z"), used for every time it writes.
 *   sched*    the daemon's view for the `Scheduled` condition (KEEP = leave it as stored).
 *   deleting  the Release is being deleted: `Finalizing` names the clusters still holding
 *             works (the clusters of `works`); cleanup_failed switches it to CleanupFailed with
 *             cleanup_message (the error; never a secret) in front. Not deleting = no Finalizing.
 *
 * Output: a new status object (caller owns, cJSON_Delete):
 *   resources[]  one per spec resource in spec order: id, group, version, kind, name,
 *                namespace (omitted when empty), status (rebuilt from the worst cluster's
 *                feedback values, only fields that were reported), healthStatus,
 *                lastObservedTime (kept unless status or health changed; absent while the
 *                object has not been seen);
 *   conditions[] the stored conditions the add-on does not own, verbatim and in place, plus
 *                ResourcesApplied, Scheduled, Finalizing (see docs/status.md), each with
 *                observedGeneration = metadata.generation and lastTransitionTime changed only
 *                when its status flips.
 * The printed status (compact JSON) stays within COCM_FOLD_MAX_STATUS: condition messages are
 * cut to COCM_FOLD_MAX_MESSAGE, lists inside messages are capped with "and N more", rebuilt
 * strings are capped (rebuild.h); if the whole is still too big, rebuilt `status` objects are
 * dropped (Healthy/Suspended resources first, from the end), then whole entries (same order),
 * counted in summary.trimmed. Foreign conditions are never altered, only counted.
 *
 * Errors: COCM_EINVAL (err says why) when release is not an object, a spec resource lacks
 * id/object/apiVersion/kind/metadata.name, or now is not an RFC 3339 UTC time. */
#ifndef COCM_STATUSSYNC_FOLD_H
#define COCM_STATUSSYNC_FOLD_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "kube/core/err.h"
#include "status-sync/health.h"

#define COCM_FOLD_MAX_STATUS ((size_t)128 * 1024) /* bytes of compact JSON */
#define COCM_FOLD_MAX_MESSAGE 1024                /* bytes per condition message */
#define COCM_FOLD_MAX_FAILURES 3                  /* failures named in ApplyFailed */
#define COCM_FOLD_MAX_NAMES 10                    /* clusters named in other messages */
#define COCM_FOLD_MAX_ERROR 200                   /* bytes of one agent error in a message */

/* Condition types and reasons the add-on owns. */
#define COCM_COND_APPLIED "ResourcesApplied"
#define COCM_COND_SCHEDULED "Scheduled"
#define COCM_COND_FINALIZING "Finalizing"
#define COCM_REASON_APPLY_OK "ApplySucceeded"
#define COCM_REASON_APPLY_FAILED "ApplyFailed"
#define COCM_REASON_APPLY_PENDING "ApplyPending" /* status Unknown: agents not done yet */
#define COCM_REASON_SCHEDULED "ClustersSelected"
#define COCM_REASON_ENV_NOT_FOUND "EnvironmentNotFound"
#define COCM_REASON_DP_NOT_FOUND "DataPlaneNotFound"
#define COCM_REASON_NOT_MANAGED "NotManagedByOCM"
#define COCM_REASON_NO_CLUSTERS "NoClustersSelected"
#define COCM_REASON_MISCONFIGURED "PlacementMisconfigured"
#define COCM_REASON_CLEANUP "CleanupInProgress"
#define COCM_REASON_CLEANUP_FAILED "CleanupFailed"

enum cocm_sched_view {
	COCM_SCHED_KEEP = 0, /* leave the stored Scheduled condition (or its absence) alone */
	COCM_SCHED_TRUE,     /* True ClustersSelected, message lists `clusters` */
	COCM_SCHED_FALSE,    /* False with sched_reason (one of the COCM_REASON_* above) */
};

struct cocm_fold_in {
	const cJSON *release;
	const cJSON *const *works;
	size_t nworks;
	const char *const *clusters;
	size_t nclusters;
	const char *now;
	enum cocm_sched_view sched;
	const char *sched_reason;  /* FALSE: required; TRUE: NULL = ClustersSelected */
	const char *sched_message; /* NULL = a default text for the reason */
	int deleting;
	int cleanup_failed;
	const char *cleanup_message; /* NULL = none */
};

struct cocm_fold_summary {
	enum cocm_health worst; /* over every resource entry (Healthy when there are none) */
	int applied;            /* ResourcesApplied is True */
	size_t failures;        /* manifests (or works) whose apply failed, on current works */
	size_t pending;         /* clusters whose works are missing or not current */
	size_t clusters;        /* clusters looked at (expected + holding works) */
	size_t trimmed;         /* rebuilt statuses or entries dropped to respect the budget */
};

enum cocm_err cocm_fold(const struct cocm_fold_in *in, cJSON **status_out,
	struct cocm_fold_summary *sum, char *err, size_t errcap);

/* 1 when s is an RFC 3339 UTC time with seconds precision ("2026-01-02T03:04:05Z", the form
 * the API server stores metav1.Time in), else 0. */
int cocm_fold_valid_time(const char *s);

/* 1 when a and b (two Release statuses; NULL = empty) mean the same: conditions compared as
 * a set keyed by type, ignoring lastTransitionTime; resources compared in order, ignoring
 * lastObservedTime; object key order and absent-vs-empty lists ignored. 0 otherwise. */
int cocm_status_equal(const cJSON *a, const cJSON *b);

#endif
