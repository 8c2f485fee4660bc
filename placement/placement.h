/* (Cluster)DataPlane -> Placement + ManagedClusterSetBinding, Release -> plane resolution, and
 * PlacementDecisions -> clusters. Pure functions over cJSON (no I/O), used by the daemon, the
 * `choreo-ocm render` CLI and bench/. Output is deterministic (same input, same bytes).
 *
 * Opt-in: a plane object is handled by choreo-ocm when it carries the label
 * `ocm.openchoreo.dev/enabled: "true"`; everything else is left to OpenChoreo.
 *
 * Resolution (OpenChoreo's own rules, reference/openchoreo.md §3):
 *   Release (namespace, spec.environmentName) -> Environment in the same namespace
 *   -> spec.dataPlaneRef {kind: DataPlane|ClusterDataPlane, name}; no ref: DataPlane
 *      `default` in the namespace, else ClusterDataPlane `default`
 *   -> planeID = spec.planeID, defaulting to the plane's metadata.name.
 *   spec.targetPlane `observabilityplane` continues through the data plane's
 *   spec.observabilityPlaneRef {kind: ObservabilityPlane|ClusterObservabilityPlane, name}
 *   (no ref: ObservabilityPlane `default` in the DataPlane's namespace, or
 *   ClusterObservabilityPlane `default` for a ClusterDataPlane); that plane must opt in itself.
 *
 * Placement (cluster.open-cluster-management.io/v1beta1), one per opted-in plane:
 *   name       choreo-dp-<plane> (data planes) / choreo-op-<plane> (observability planes),
 *              cut to a prefix + 8 hex of sha256 when longer than 63 characters (the name is
 *              also the value of the PlacementDecision label, so it must be a label value)
 *   namespace  the plane's namespace; opts->addon_namespace for cluster-scoped planes
 *   labels     app.kubernetes.io/managed-by: choreo-ocm
 *   annotations ocm.openchoreo.dev/plane: <Kind>/<namespace>/<name> (<Kind>/<name> when
 *              cluster-scoped)
 *   spec       clusterSets [<annotation ocm.openchoreo.dev/cluster-set, or "global">];
 *              predicates [{requiredClusterSelector: {labelSelector: <annotation
 *              ocm.openchoreo.dev/cluster-selector parsed, or matchLabels
 *              {openchoreo.dev/plane-id: <planeID>}>}}];
 *              tolerations [{key: cluster.open-cluster-management.io/unreachable,
 *              operator: Exists, tolerationSeconds: N}]
 * ManagedClusterSetBinding (cluster.open-cluster-management.io/v1beta2): name = the set,
 * namespace = the Placement's, spec.clusterSet = the set, same label.
 *
 * Errors: COCM_EINVAL with a message naming the object and field (bad annotation, bad
 * planeID, missing fields); COCM_ENOTFOUND from resolve when a referenced object is missing
 * (message names kind, namespace and name). New cJSON results belong to the caller. */
#ifndef COCM_PLACEMENT_PLACEMENT_H
#define COCM_PLACEMENT_PLACEMENT_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "kube/core/err.h"

#define COCM_PLACEMENT_ADDON_NAMESPACE "choreo-ocm-system"
#define COCM_PLACEMENT_TOLERATION_SECONDS 300
#define COCM_PLACEMENT_DEFAULT_CLUSTER_SET "global"
#define COCM_PLACEMENT_SELECTOR_MAX 4096 /* bytes of a cluster-selector annotation */

#define COCM_LABEL_ENABLED "ocm.openchoreo.dev/enabled"
#define COCM_ANN_CLUSTER_SELECTOR "ocm.openchoreo.dev/cluster-selector"
#define COCM_ANN_CLUSTER_SET "ocm.openchoreo.dev/cluster-set"
#define COCM_ANN_EXECUTOR "ocm.openchoreo.dev/executor"
#define COCM_ANN_PLANE "ocm.openchoreo.dev/plane"
#define COCM_LABEL_PLANE_ID "openchoreo.dev/plane-id"
#define COCM_LABEL_DECISION_PLACEMENT "cluster.open-cluster-management.io/placement"
#define COCM_TAINT_UNREACHABLE "cluster.open-cluster-management.io/unreachable"

enum cocm_plane_kind {
	COCM_PLANE_UNKNOWN = 0,
	COCM_PLANE_DATA,                 /* DataPlane (namespaced) */
	COCM_PLANE_CLUSTER_DATA,         /* ClusterDataPlane */
	COCM_PLANE_OBSERVABILITY,        /* ObservabilityPlane (namespaced) */
	COCM_PLANE_CLUSTER_OBSERVABILITY, /* ClusterObservabilityPlane */
};

struct cocm_placement_opts {
	const char *addon_namespace; /* NULL = COCM_PLACEMENT_ADDON_NAMESPACE */
	/* 0 = COCM_PLACEMENT_TOLERATION_SECONDS; > 0 = that many seconds; < 0 = tolerate an
	 * unreachable cluster forever (no tolerationSeconds) */
	int64_t toleration_seconds;
};

/* The kind of an openchoreo.dev plane object (from apiVersion group and kind). */
enum cocm_plane_kind cocm_placement_plane_kind(const cJSON *plane);
/* Kind string for a plane kind ("DataPlane", ...), or NULL. */
const char *cocm_placement_kind_name(enum cocm_plane_kind k);
/* 1 when the plane has label ocm.openchoreo.dev/enabled: "true". */
int cocm_placement_opted_in(const cJSON *plane);
/* spec.planeID, or metadata.name when unset; NULL when neither is a string. Borrowed. */
const char *cocm_placement_plane_id(const cJSON *plane);
/* The plane's annotation ocm.openchoreo.dev/executor (borrowed), or NULL when absent or
 * empty: the value for cocm_render_opts.executor ("<namespace>/<serviceaccount>" or
 * "<serviceaccount>"; the render checks it and refuses a bad one, see manifestwork/render.h). */
const char *cocm_placement_executor(const cJSON *plane);
/* The Placement's name for a plane into out (>= 64 bytes); NULL for a non-plane object. */
const char *cocm_placement_name(char out[64], const cJSON *plane);
/* The Placement's namespace for a plane (borrowed from plane or opts). */
const char *cocm_placement_namespace(const cJSON *plane, const struct cocm_placement_opts *o);

/* Builds the Placement and the ManagedClusterSetBinding for a plane (opt-in not checked). */
enum cocm_err cocm_placement_build(const cJSON *plane, const struct cocm_placement_opts *o,
	cJSON **placement_out, cJSON **binding_out, char *err, size_t errcap);

/* Parses a Kubernetes label-selector string ("a=b,c!=d,e in (f,g),h notin (i),j,!k") into a
 * metav1.LabelSelector object {matchLabels, matchExpressions} (empty parts omitted). An
 * empty selector is refused (it would select every cluster). NULL + message on error. */
cJSON *cocm_placement_parse_selector(const char *s, char *err, size_t errcap);

/* Looks an object up for resolve: kind is "Environment", "DataPlane", "ClusterDataPlane",
 * "ObservabilityPlane" or "ClusterObservabilityPlane"; ns is "" for cluster-scoped kinds.
 * Returns a borrowed object that must stay valid until resolve returns, or NULL. */
typedef const cJSON *(*cocm_placement_lookup_fn)(void *ctx, const char *kind, const char *ns,
	const char *name);

struct cocm_placement_target {
	const cJSON *environment; /* borrowed results of the lookups */
	const cJSON *dataplane;   /* the (Cluster)DataPlane */
	const cJSON *plane;       /* the plane whose Placement delivers the Release: dataplane,
				   * or the observability plane for targetPlane observabilityplane */
	enum cocm_plane_kind kind; /* of plane */
	const char *plane_id;     /* of plane, borrowed */
	int opted_in;             /* plane opted in */
};

/* Release -> target plane. COCM_EINVAL for a malformed Release or plane (no
 * environmentName, unknown targetPlane or ref kind); COCM_ENOTFOUND when the Environment or a
 * plane is missing. COCM_OK with opted_in = 0 means: not ours, leave it to OpenChoreo. */
enum cocm_err cocm_placement_resolve(const cJSON *release, cocm_placement_lookup_fn lookup,
	void *ctx, struct cocm_placement_target *out, char *err, size_t errcap);

/* Union of status.decisions[].clusterName over PlacementDecision objects (array, any number
 * of pages), as a sorted array of unique non-empty strings. When placement_ns /
 * placement_name are non-NULL, only decisions in that namespace / labelled
 * cluster.open-cluster-management.io/placement=<name> count. Never NULL. */
cJSON *cocm_placement_clusters(const cJSON *decisions, const char *placement_ns,
	const char *placement_name);

#endif
