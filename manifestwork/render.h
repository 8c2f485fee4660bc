/* Release -> ManifestWork render: a pure function (JSON in, JSON out, no I/O), used by the
 * daemon's reconciler, the `choreo-ocm render` CLI and bench/.
 *
 * Input: a Release or RenderedRelease (apiVersion openchoreo.dev/<any>) with metadata.name,
 * metadata.namespace and (unless opts allow otherwise) metadata.uid, and the target cluster
 * name (= the ManagedCluster, = the work's namespace; a DNS-1123 label).
 *
 * Output: a JSON array of ManifestWork bodies (work.open-cluster-management.io/v1), part 1
 * first. For the names, labels and annotations see names.h:
 *   metadata.name       <ns>-<name>[-pN]  (hashed when too long)
 *   metadata.namespace  cluster
 *   labels              app.kubernetes.io/managed-by=choreo-ocm, ocm.openchoreo.dev/release-uid
 *                       (omitted when the Release has no uid and opts allow it),
 *                       ocm.openchoreo.dev/release-name, .../release-namespace (label-safe),
 *                       ocm.openchoreo.dev/part="<n>"
 *   annotations         ocm.openchoreo.dev/release=<ns>/<name>, .../release-kind=Release|
 *                       RenderedRelease, .../parts="<total>", .../content-hash=<sha256 hex>
 * The content hash covers the work's labels, its annotations before the hash, and its spec,
 * exactly as rendered (not the namespace: it is the same for every cluster). The API server
 * reorders keys, so compare the annotation of the stored work with the freshly rendered one;
 * do not re-hash a stored work. Works for different clusters differ only in
 * metadata.namespace.
 *
 * spec.workload.manifests: each spec.resources[].object with OpenChoreo's five tracking labels
 * (openchoreo.dev/managed-by=choreo-ocm and release-{resource-id,uid,name,namespace}, or
 * rendered-release-* for a RenderedRelease; existing labels kept, same keys overwritten). A
 * namespace used by a namespaced resource but not among the resources is added as a Namespace
 * manifest labelled only openchoreo.dev/created-by=choreo-ocm and
 * app.kubernetes.io/managed-by=choreo-ocm (identical in every Release, so two works may carry
 * it without fighting). The Release annotation openchoreo.dev/restartedAt is copied into the
 * pod template annotations of apps/Deployments, as OpenChoreo does.
 * Order: added Namespaces, then the Release's Namespaces and CustomResourceDefinitions, then
 * every other resource, each group in spec order (the agent matches status by identity).
 *
 * spec.manifestConfigs: one per manifest: resourceIdentifier {group, resource (plural, see
 * kinds.h), name, namespace} (empty group/namespace omitted); updateStrategy ServerSideApply
 * {force: true, fieldManager: work-agent-choreo-ocm}, plus ignoreFields [{OnSpokePresent,
 * [.spec.replicas]}] for a workload targeted by an autoscaling HorizontalPodAutoscaler of the
 * same Release; feedbackRules [{JSONPaths, <feedback.h rows in table order>}] for kinds in the
 * feedback table.
 * spec.deleteOption: SelectivelyOrphan with an orphaning rule per Namespace and
 * PersistentVolumeClaim in that work; Foreground when the work has neither.
 * spec.executor (only when opts->executor is set: the plane annotation
 * ocm.openchoreo.dev/executor): {subject: {type: ServiceAccount, serviceAccount: {namespace,
 * name}}} in every part, after manifestConfigs (so inside the content hash). The work agent
 * then applies as that data-plane service account instead of klusterlet-work-sa; the
 * writer of the work (the add-on) needs verb execute-as on manifestworks for
 * system:serviceaccount:<ns>:<name> on the hub. Value forms:
 *   "<namespace>/<serviceaccount>"  that account for every Release of the plane
 *   "<serviceaccount>"              that account in the Release's target namespace: the one
 *                                   namespace of its namespaced resources (a Release with
 *                                   only Namespaces: its single Namespace). Refused
 *                                   (COCM_EINVAL) when the namespaced resources span several
 *                                   namespaces, when there are none, or when the Release has
 *                                   a cluster-scoped resource other than a Namespace.
 * An empty Release renders no work and is never refused for its executor.
 *
 * Size: the manifests of each work, measured as Go's encoding/json sizes them (what OCM's webhook
 * counts: compact JSON with HTML-safe escapes), stay within opts->max_manifest_bytes
 * (default 480 KiB; OCM's webhook refuses 512000). More is split greedily in the order above
 * into parts 1..N; the split depends only on the input.
 * An empty Release (no spec.resources, or an empty list) renders NO work (OCM refuses a work
 * without manifests): the caller deletes the Release's existing works.
 *
 * Errors (err gets one line naming the resource id and spec index, and the field):
 *   COCM_EINVAL  not a Release/RenderedRelease, missing name/namespace/uid, bad cluster name,
 *                spec.resources not a list, a resource without id or object, an object that
 *                is not an object or lacks apiVersion/kind/metadata.name, generateName, a
 *                duplicate id, a duplicate group/kind/namespace/name (apiVersions of one
 *                group are the same object on the cluster), more than COCM_RENDER_MAX_RESOURCES
 *                (also: an executor value that is not <ns>/<sa> or <sa> with ns a DNS-1123
 *                label and sa a DNS-1123 subdomain, or a "<sa>" executor the Release's
 *                resources do not allow, see spec.executor above)
 *   COCM_ETOOBIG one resource alone is larger than the per-work budget
 * On error *works_out is NULL. On success the caller owns *works_out (cJSON_Delete).
 * Deterministic: the same input gives byte-identical output across runs and processes. */
#ifndef COCM_MANIFESTWORK_RENDER_H
#define COCM_MANIFESTWORK_RENDER_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "kube/core/err.h"

#define COCM_RENDER_MAX_MANIFEST_BYTES ((size_t)491520) /* 480 KiB per work */
#define COCM_RENDER_MAX_RESOURCES 10000

struct cocm_render_opts {
	size_t max_manifest_bytes; /* per work; 0 = COCM_RENDER_MAX_MANIFEST_BYTES */
	int allow_missing_uid;     /* 1: no metadata.uid -> uid labels omitted (render on files) */
	/* NULL or "": no spec.executor; else the value of the plane's annotation
	 * ocm.openchoreo.dev/executor, "<namespace>/<serviceaccount>" or "<serviceaccount>"
	 * (borrowed for the call) */
	const char *executor;
};

enum cocm_release_kind {
	COCM_RELEASE_UNKNOWN = 0,
	COCM_RELEASE = 1,          /* openchoreo.dev Release (label keys openchoreo.dev/release-*) */
	COCM_RENDERED_RELEASE = 2, /* RenderedRelease (openchoreo.dev/rendered-release-*) */
};

/* Which of the two kinds obj is (apiVersion group openchoreo.dev and the kind). */
enum cocm_release_kind cocm_render_release_kind(const cJSON *obj);

/* OpenChoreo's tracking label key for the kind: what is one of "resource-id", "uid", "name",
 * "namespace" -> e.g. "openchoreo.dev/rendered-release-uid". Returns a static string, or NULL
 * for an unknown kind or what. */
const char *cocm_render_tracking_label(enum cocm_release_kind k, const char *what);

/* The label selector that lists every work of a Release:
 * "app.kubernetes.io/managed-by=choreo-ocm,ocm.openchoreo.dev/release-uid=<uid>". */
const char *cocm_render_work_selector(char *out, size_t cap, const char *uid);

/* The render. o may be NULL (defaults). */
enum cocm_err cocm_render_works(const cJSON *release, const char *cluster,
	const struct cocm_render_opts *o, cJSON **works_out, char *err, size_t errcap);

/* The same render (same checks, errors, works and printed bytes) for callers that only
 * print the works (the daemon's apply): each element of spec.workload.manifests is a
 * cJSON_Raw item holding that manifest's compact JSON text (cJSON prints it verbatim), so
 * the manifests are printed once, inside the render, instead of being copied as trees and
 * printed again. Everything else is a normal tree (metadata, deleteOption, manifestConfigs)
 * the caller may read and change (e.g. metadata.namespace). Ownership as cocm_render_works:
 * the caller owns *works_out (cJSON_Delete); nothing borrows from release (some keys and
 * values point at static strings, flagged cJSON_StringIsConst / cJSON_IsReference, which
 * cJSON_Delete and cJSON_Duplicate handle). Do not parse the manifests back from it: use
 * cocm_render_works when you need them as trees. */
enum cocm_err cocm_render_works_raw(const cJSON *release, const char *cluster,
	const struct cocm_render_opts *o, cJSON **works_out, char *err, size_t errcap);

#endif
