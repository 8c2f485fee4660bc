/* Plane -> Placement + ManagedClusterSetBinding (see placement.h). */
#include "placement/placement.h"

#include <stdio.h>
#include <string.h>

#include "kube/core/json.h"
#include "kube/core/sha256.h"
#include "kube/core/xalloc.h"

#define LABEL_MANAGED_BY "app.kubernetes.io/managed-by"
#define MANAGED_BY "choreo-ocm"

static const char *const kind_names[] = {
	NULL, "DataPlane", "ClusterDataPlane", "ObservabilityPlane", "ClusterObservabilityPlane",
};

const char *cocm_placement_kind_name(enum cocm_plane_kind k)
{
	if ((size_t)k >= COCM_ARRAY_LEN(kind_names))
		return NULL;
	return kind_names[k];
}

enum cocm_plane_kind cocm_placement_plane_kind(const cJSON *plane)
{
	const char *av = cocm_json_str(plane, "apiVersion", NULL);
	const char *kind = cocm_json_str(plane, "kind", NULL);
	size_t i;

	if (av == NULL || kind == NULL || strncmp(av, "openchoreo.dev/", 15) != 0)
		return COCM_PLANE_UNKNOWN;
	for (i = 1; i < COCM_ARRAY_LEN(kind_names); i++)
		if (strcmp(kind, kind_names[i]) == 0)
			return (enum cocm_plane_kind)i;
	return COCM_PLANE_UNKNOWN;
}

static int cluster_scoped(enum cocm_plane_kind k)
{
	return k == COCM_PLANE_CLUSTER_DATA || k == COCM_PLANE_CLUSTER_OBSERVABILITY;
}

int cocm_placement_opted_in(const cJSON *plane)
{
	const char *v = cocm_json_str(plane, "metadata", "labels", COCM_LABEL_ENABLED, NULL);

	return v != NULL && strcmp(v, "true") == 0;
}

const char *cocm_placement_plane_id(const cJSON *plane)
{
	const char *id = cocm_json_str(plane, "spec", "planeID", NULL);

	if (id != NULL && id[0] != '\0')
		return id;
	return cocm_json_str(plane, "metadata", "name", NULL);
}

const char *cocm_placement_executor(const cJSON *plane)
{
	const char *v = cocm_json_str(plane, "metadata", "annotations", COCM_ANN_EXECUTOR, NULL);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

const char *cocm_placement_name(char out[64], const cJSON *plane)
{
	enum cocm_plane_kind k = cocm_placement_plane_kind(plane);
	const char *name = cocm_json_str(plane, "metadata", "name", NULL);
	const char *prefix;
	char hex[65];
	size_t n;

	if (k == COCM_PLANE_UNKNOWN || name == NULL)
		return NULL;
	prefix = (k == COCM_PLANE_DATA || k == COCM_PLANE_CLUSTER_DATA) ? "choreo-dp-"
									  : "choreo-op-";
	if (strlen(prefix) + strlen(name) <= 63) {
		snprintf(out, 64, "%s%s", prefix, name);
		return out;
	}
	/* prefix + start of the name + '-' + 8 hex, ending alphanumeric */
	cocm_sha256_hex(name, strlen(name), hex);
	snprintf(out, 64, "%s%.44s", prefix, name);
	n = strlen(out);
	while (n > 0 && (out[n - 1] == '-' || out[n - 1] == '.'))
		n--;
	snprintf(out + n, 64 - n, "-%.8s", hex);
	return out;
}

const char *cocm_placement_namespace(const cJSON *plane, const struct cocm_placement_opts *o)
{
	enum cocm_plane_kind k = cocm_placement_plane_kind(plane);

	if (cluster_scoped(k))
		return (o && o->addon_namespace) ? o->addon_namespace
						 : COCM_PLACEMENT_ADDON_NAMESPACE;
	return cocm_json_str(plane, "metadata", "namespace", NULL);
}

static int valid_set_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 63)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (!alnum && !(c == '-' && i > 0 && i < n - 1))
			return 0;
	}
	return 1;
}

static int valid_plane_id(const char *s)
{
	return valid_set_name(s); /* same pattern: ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$, <= 63 */
}

static cJSON *managed_labels(void)
{
	cJSON *l = cJSON_CreateObject();

	cJSON_AddStringToObject(l, LABEL_MANAGED_BY, MANAGED_BY);
	return l;
}

enum cocm_err cocm_placement_build(const cJSON *plane, const struct cocm_placement_opts *o,
	cJSON **placement_out, cJSON **binding_out, char *err, size_t errcap)
{
	enum cocm_plane_kind k = cocm_placement_plane_kind(plane);
	const char *kname = cocm_placement_kind_name(k);
	const char *name = cocm_json_str(plane, "metadata", "name", NULL);
	const char *ns = cocm_placement_namespace(plane, o);
	const char *set = cocm_json_str(plane, "metadata", "annotations", COCM_ANN_CLUSTER_SET,
		NULL);
	const char *selstr = cocm_json_str(plane, "metadata", "annotations",
		COCM_ANN_CLUSTER_SELECTOR, NULL);
	const char *pid = cocm_placement_plane_id(plane);
	char pname[64], back[600], serr[256];
	cJSON *p, *md, *spec, *pred, *sel, *tol, *b;
	int64_t secs;

	*placement_out = NULL;
	*binding_out = NULL;
	if (k == COCM_PLANE_UNKNOWN) {
		snprintf(err, errcap, "not a plane: want openchoreo.dev DataPlane, ClusterDataPlane, "
			"ObservabilityPlane or ClusterObservabilityPlane");
		return COCM_EINVAL;
	}
	if (name == NULL || name[0] == '\0') {
		snprintf(err, errcap, "%s: metadata.name is missing", kname);
		return COCM_EINVAL;
	}
	if (ns == NULL || ns[0] == '\0') {
		snprintf(err, errcap, "%s %s: metadata.namespace is missing", kname, name);
		return COCM_EINVAL;
	}
	if (set == NULL)
		set = COCM_PLACEMENT_DEFAULT_CLUSTER_SET;
	if (!valid_set_name(set)) {
		snprintf(err, errcap, "%s %s: annotation %s: \"%s\" is not a ManagedClusterSet name",
			kname, name, COCM_ANN_CLUSTER_SET, set);
		return COCM_EINVAL;
	}
	if (selstr != NULL) {
		sel = cocm_placement_parse_selector(selstr, serr, sizeof(serr));
		if (sel == NULL) {
			snprintf(err, errcap, "%s %s: annotation %s: %s", kname, name,
				COCM_ANN_CLUSTER_SELECTOR, serr);
			return COCM_EINVAL;
		}
	} else {
		if (pid == NULL || !valid_plane_id(pid)) {
			snprintf(err, errcap, "%s %s: spec.planeID \"%s\" is not a valid plane id "
				"(^[a-z0-9]([-a-z0-9]*[a-z0-9])?$, at most 63)", kname, name,
				pid ? pid : "");
			return COCM_EINVAL;
		}
		sel = cJSON_CreateObject();
		cJSON_AddStringToObject(cJSON_AddObjectToObject(sel, "matchLabels"),
			COCM_LABEL_PLANE_ID, pid);
	}
	secs = (o && o->toleration_seconds) ? o->toleration_seconds
					    : COCM_PLACEMENT_TOLERATION_SECONDS;

	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "apiVersion", "cluster.open-cluster-management.io/v1beta1");
	cJSON_AddStringToObject(p, "kind", "Placement");
	md = cJSON_AddObjectToObject(p, "metadata");
	cJSON_AddStringToObject(md, "name", cocm_placement_name(pname, plane));
	cJSON_AddStringToObject(md, "namespace", ns);
	cJSON_AddItemToObject(md, "labels", managed_labels());
	if (cluster_scoped(k))
		snprintf(back, sizeof(back), "%s/%s", kname, name);
	else
		snprintf(back, sizeof(back), "%s/%s/%s", kname, ns, name);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(md, "annotations"), COCM_ANN_PLANE, back);
	spec = cJSON_AddObjectToObject(p, "spec");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(spec, "clusterSets"), cJSON_CreateString(set));
	pred = cJSON_CreateObject();
	cJSON_AddItemToObject(cJSON_AddObjectToObject(pred, "requiredClusterSelector"),
		"labelSelector", sel);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(spec, "predicates"), pred);
	tol = cJSON_CreateObject();
	cJSON_AddStringToObject(tol, "key", COCM_TAINT_UNREACHABLE);
	cJSON_AddStringToObject(tol, "operator", "Exists");
	if (secs > 0)
		cJSON_AddNumberToObject(tol, "tolerationSeconds", (double)secs);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(spec, "tolerations"), tol);

	b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "apiVersion", "cluster.open-cluster-management.io/v1beta2");
	cJSON_AddStringToObject(b, "kind", "ManagedClusterSetBinding");
	md = cJSON_AddObjectToObject(b, "metadata");
	cJSON_AddStringToObject(md, "name", set);
	cJSON_AddStringToObject(md, "namespace", ns);
	cJSON_AddItemToObject(md, "labels", managed_labels());
	cJSON_AddStringToObject(cJSON_AddObjectToObject(b, "spec"), "clusterSet", set);

	*placement_out = p;
	*binding_out = b;
	return COCM_OK;
}
