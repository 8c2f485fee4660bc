/* Release -> Environment -> (Cluster)DataPlane [-> observability plane] (see placement.h),
 * and PlacementDecisions -> cluster names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/core/json.h"
#include "kube/core/xalloc.h"
#include "placement/placement.h"

static enum cocm_err not_found(char *err, size_t errcap, const char *what, const char *kind,
	const char *ns, const char *name)
{
	snprintf(err, errcap, "%s: %s %s%s%s not found", what, kind, ns, ns[0] ? "/" : "", name);
	return COCM_ENOTFOUND;
}

/* Follows a {kind, name} ref (or the default when ref is NULL) from a data plane. */
static enum cocm_err observability_plane(const cJSON *dp, enum cocm_plane_kind dpk,
	cocm_placement_lookup_fn lookup, void *ctx, const cJSON **out, char *err, size_t errcap)
{
	const cJSON *ref = cocm_json_get(dp, "spec", "observabilityPlaneRef", NULL);
	const char *kind = cocm_json_str(ref, "kind", NULL);
	const char *name = cocm_json_str(ref, "name", NULL);
	const char *dpns = cocm_json_str(dp, "metadata", "namespace", NULL);
	const char *ns;

	if (ref == NULL || cJSON_IsNull(ref)) {
		kind = dpk == COCM_PLANE_DATA ? "ObservabilityPlane" : "ClusterObservabilityPlane";
		name = "default";
	}
	if (kind == NULL || name == NULL || name[0] == '\0' ||
		(strcmp(kind, "ObservabilityPlane") != 0 &&
			strcmp(kind, "ClusterObservabilityPlane") != 0)) {
		snprintf(err, errcap, "%s %s: spec.observabilityPlaneRef needs kind "
			"ObservabilityPlane|ClusterObservabilityPlane and a name",
			cocm_placement_kind_name(dpk), cocm_json_str(dp, "metadata", "name", NULL));
		return COCM_EINVAL;
	}
	ns = strcmp(kind, "ObservabilityPlane") == 0 ? (dpns ? dpns : "") : "";
	*out = lookup(ctx, kind, ns, name);
	if (*out == NULL)
		return not_found(err, errcap, "observability plane of the data plane", kind, ns,
			name);
	return COCM_OK;
}

enum cocm_err cocm_placement_resolve(const cJSON *release, cocm_placement_lookup_fn lookup,
	void *ctx, struct cocm_placement_target *out, char *err, size_t errcap)
{
	const char *ns = cocm_json_str(release, "metadata", "namespace", NULL);
	const char *rname = cocm_json_str(release, "metadata", "name", NULL);
	const char *envname = cocm_json_str(release, "spec", "environmentName", NULL);
	const char *target = cocm_json_str(release, "spec", "targetPlane", NULL);
	const cJSON *ref;
	const char *kind, *name;
	enum cocm_plane_kind dpk;
	enum cocm_err rc;
	int obs;

	memset(out, 0, sizeof(*out));
	if (ns == NULL || rname == NULL) {
		snprintf(err, errcap, "release: metadata.name and metadata.namespace are required");
		return COCM_EINVAL;
	}
	if (envname == NULL || envname[0] == '\0') {
		snprintf(err, errcap, "release %s/%s: spec.environmentName is missing", ns, rname);
		return COCM_EINVAL;
	}
	if (target != NULL && target[0] != '\0' && strcmp(target, "dataplane") != 0 &&
		strcmp(target, "observabilityplane") != 0) {
		snprintf(err, errcap, "release %s/%s: spec.targetPlane \"%s\" is not dataplane or "
			"observabilityplane", ns, rname, target);
		return COCM_EINVAL;
	}
	obs = target != NULL && strcmp(target, "observabilityplane") == 0;

	out->environment = lookup(ctx, "Environment", ns, envname);
	if (out->environment == NULL)
		return not_found(err, errcap, "spec.environmentName", "Environment", ns, envname);
	ref = cocm_json_get(out->environment, "spec", "dataPlaneRef", NULL);
	if (ref != NULL && !cJSON_IsNull(ref)) {
		kind = cocm_json_str(ref, "kind", NULL);
		name = cocm_json_str(ref, "name", NULL);
		if (kind == NULL || name == NULL || name[0] == '\0' ||
			(strcmp(kind, "DataPlane") != 0 && strcmp(kind, "ClusterDataPlane") != 0)) {
			snprintf(err, errcap, "Environment %s/%s: spec.dataPlaneRef needs kind "
				"DataPlane|ClusterDataPlane and a name", ns, envname);
			return COCM_EINVAL;
		}
		if (strcmp(kind, "DataPlane") == 0) {
			out->dataplane = lookup(ctx, "DataPlane", ns, name);
			if (out->dataplane == NULL)
				return not_found(err, errcap, "Environment spec.dataPlaneRef",
					"DataPlane", ns, name);
		} else {
			out->dataplane = lookup(ctx, "ClusterDataPlane", "", name);
			if (out->dataplane == NULL)
				return not_found(err, errcap, "Environment spec.dataPlaneRef",
					"ClusterDataPlane", "", name);
		}
	} else {
		out->dataplane = lookup(ctx, "DataPlane", ns, "default");
		if (out->dataplane == NULL)
			out->dataplane = lookup(ctx, "ClusterDataPlane", "", "default");
		if (out->dataplane == NULL) {
			snprintf(err, errcap, "Environment %s/%s has no spec.dataPlaneRef and neither "
				"DataPlane %s/default nor ClusterDataPlane default exists", ns, envname,
				ns);
			return COCM_ENOTFOUND;
		}
	}
	dpk = cocm_placement_plane_kind(out->dataplane);
	if (dpk != COCM_PLANE_DATA && dpk != COCM_PLANE_CLUSTER_DATA) {
		snprintf(err, errcap, "lookup returned no DataPlane/ClusterDataPlane");
		return COCM_EINVAL;
	}
	out->plane = out->dataplane;
	if (obs) {
		rc = observability_plane(out->dataplane, dpk, lookup, ctx, &out->plane, err, errcap);
		if (rc != COCM_OK)
			return rc;
	}
	out->kind = cocm_placement_plane_kind(out->plane);
	if (out->kind == COCM_PLANE_UNKNOWN) {
		snprintf(err, errcap, "lookup returned an object that is not a plane");
		return COCM_EINVAL;
	}
	out->plane_id = cocm_placement_plane_id(out->plane);
	out->opted_in = cocm_placement_opted_in(out->plane);
	return COCM_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

cJSON *cocm_placement_clusters(const cJSON *decisions, const char *placement_ns,
	const char *placement_name)
{
	const cJSON *d, *it;
	const char **names = NULL;
	size_t n = 0, cap = 0, i;
	cJSON *out = cJSON_CreateArray();

	cJSON_ArrayForEach(d, decisions)
	{
		if (!cJSON_IsObject(d))
			continue;
		if (placement_ns != NULL) {
			const char *ns = cocm_json_str(d, "metadata", "namespace", NULL);
			if (ns == NULL || strcmp(ns, placement_ns) != 0)
				continue;
		}
		if (placement_name != NULL) {
			const char *p = cocm_json_str(d, "metadata", "labels",
				COCM_LABEL_DECISION_PLACEMENT, NULL);
			if (p == NULL || strcmp(p, placement_name) != 0)
				continue;
		}
		cJSON_ArrayForEach(it, cocm_json_get(d, "status", "decisions", NULL))
		{
			const char *c = cocm_json_str(it, "clusterName", NULL);
			if (c == NULL || c[0] == '\0')
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				names = cocm_xrealloc(names, cap * sizeof(*names));
			}
			names[n++] = c;
		}
	}
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++)
		if (i == 0 || strcmp(names[i], names[i - 1]) != 0)
			cJSON_AddItemToArray(out, cJSON_CreateString(names[i]));
	free(names);
	return out;
}
