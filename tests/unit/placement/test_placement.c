/* Placement: resolution Release -> Environment -> plane, opt-in, Placement + binding goldens,
 * label-selector parsing, PlacementDecisions -> clusters. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/core/json.h"
#include "placement/placement.h"
#include "support/golden.h"

static cJSON *objects;

static void load(void)
{
	char p[512];

	objects = tg_load_json(tg_path(p, sizeof(p), "placement", "objects.json"));
}

static void unload(void)
{
	cJSON_Delete(objects);
}

static const cJSON *lookup(void *ctx, const char *kind, const char *ns, const char *name)
{
	const cJSON *o;

	cJSON_ArrayForEach(o, (const cJSON *)ctx)
	{
		const char *ons = cocm_json_str(o, "metadata", "namespace", NULL);
		if (strcmp(cocm_json_str(o, "kind", NULL), kind) == 0 &&
			strcmp(cocm_json_str(o, "metadata", "name", NULL), name) == 0 &&
			strcmp(ons ? ons : "", ns) == 0)
			return o;
	}
	return NULL;
}

static cJSON *release(const char *ns, const char *env, const char *target)
{
	cJSON *r = cJSON_CreateObject(), *md, *spec;

	cJSON_AddStringToObject(r, "apiVersion", "openchoreo.dev/v1alpha1");
	cJSON_AddStringToObject(r, "kind", "RenderedRelease");
	md = cJSON_AddObjectToObject(r, "metadata");
	cJSON_AddStringToObject(md, "name", "web-dev");
	cJSON_AddStringToObject(md, "namespace", ns);
	spec = cJSON_AddObjectToObject(r, "spec");
	if (env)
		cJSON_AddStringToObject(spec, "environmentName", env);
	if (target)
		cJSON_AddStringToObject(spec, "targetPlane", target);
	return r;
}

struct want {
	const char *ns, *env, *target;
	enum cocm_err rc;
	const char *kind, *name, *plane_id; /* of the plane */
	int opted_in;
	const char *msg; /* substring of the error */
};

static const struct want resolves[] = {
	{ "default", "development", NULL, COCM_OK, "DataPlane", "dev-eu", "eu-dev-1", 1, NULL },
	{ "default", "development", "dataplane", COCM_OK, "DataPlane", "dev-eu", "eu-dev-1", 1, NULL },
	{ "default", "staging", NULL, COCM_OK, "ClusterDataPlane", "shared", "shared-pool", 1, NULL },
	{ "default", "production", NULL, COCM_OK, "DataPlane", "prod", "prod", 1, NULL },
	/* no dataPlaneRef: DataPlane default in the namespace (not opted in) */
	{ "default", "qa", NULL, COCM_OK, "DataPlane", "default", "default", 0, NULL },
	/* ... else ClusterDataPlane default */
	{ "team-b", "qa", NULL, COCM_OK, "ClusterDataPlane", "default", "fallback", 1, NULL },
	/* observability: the DataPlane's ref */
	{ "default", "development", "observabilityplane", COCM_OK, "ObservabilityPlane", "obs-eu",
		"eu-obs", 1, NULL },
	/* DataPlane without a ref: ObservabilityPlane default in its namespace (not opted in) */
	{ "default", "production", "observabilityplane", COCM_OK, "ObservabilityPlane", "default",
		"default", 0, NULL },
	/* ClusterDataPlane without a ref: ClusterObservabilityPlane default */
	{ "default", "staging", "observabilityplane", COCM_OK, "ClusterObservabilityPlane",
		"default", "central-obs", 1, NULL },
	{ "default", "nowhere", NULL, COCM_ENOTFOUND, NULL, NULL, NULL, 0,
		"Environment default/nowhere not found" },
	{ "default", "dangling", NULL, COCM_ENOTFOUND, NULL, NULL, NULL, 0,
		"DataPlane default/missing not found" },
	{ "default", "broken", NULL, COCM_EINVAL, NULL, NULL, NULL, 0, "spec.dataPlaneRef needs kind" },
	{ "default", NULL, NULL, COCM_EINVAL, NULL, NULL, NULL, 0, "spec.environmentName is missing" },
	{ "default", "development", "elsewhere", COCM_EINVAL, NULL, NULL, NULL, 0,
		"spec.targetPlane \"elsewhere\"" },
	{ "team-c", "qa", NULL, COCM_ENOTFOUND, NULL, NULL, NULL, 0,
		"Environment team-c/qa not found" },
};

Test(placement, resolve_follows_openchoreo_defaults, .init = load, .fini = unload)
{
	size_t i;

	for (i = 0; i < sizeof(resolves) / sizeof(resolves[0]); i++) {
		const struct want *w = &resolves[i];
		cJSON *r = release(w->ns, w->env, w->target);
		struct cocm_placement_target t;
		char err[512] = "";
		enum cocm_err rc = cocm_placement_resolve(r, lookup, objects, &t, err, sizeof(err));

		cr_assert_eq(rc, w->rc, "case %zu: got %s (%s)", i, cocm_err_name(rc), err);
		if (rc == COCM_OK) {
			cr_assert_str_eq(cocm_json_str(t.plane, "kind", NULL), w->kind, "case %zu", i);
			cr_assert_str_eq(cocm_json_str(t.plane, "metadata", "name", NULL), w->name,
				"case %zu", i);
			cr_assert_str_eq(cocm_placement_kind_name(t.kind), w->kind);
			cr_assert_str_eq(t.plane_id, w->plane_id, "case %zu", i);
			cr_assert_eq(t.opted_in, w->opted_in, "case %zu", i);
			cr_assert_not_null(t.environment);
			cr_assert_not_null(t.dataplane);
		} else {
			cr_assert(strstr(err, w->msg) != NULL, "case %zu: \"%s\" lacks \"%s\"", i, err,
				w->msg);
		}
		cJSON_Delete(r);
	}
}

static const cJSON *plane(const char *kind, const char *ns, const char *name)
{
	const cJSON *p = lookup(objects, kind, ns, name);

	cr_assert_not_null(p, "%s %s/%s missing from objects.json", kind, ns, name);
	return p;
}

static void golden_pair(const cJSON *p, const struct cocm_placement_opts *o, const char *file)
{
	cJSON *pl, *b, *pair;
	char err[512], path[512];
	char *text;

	cr_assert_eq(cocm_placement_build(p, o, &pl, &b, err, sizeof(err)), COCM_OK, "%s", err);
	cr_assert_leq(strlen(cocm_json_str(pl, "metadata", "name", NULL)), 63);
	cr_assert_str_eq(cocm_json_str(b, "metadata", "namespace", NULL),
		cocm_json_str(pl, "metadata", "namespace", NULL));
	cr_assert_str_eq(cocm_json_str(b, "metadata", "name", NULL),
		cJSON_GetArrayItem(cocm_json_get(pl, "spec", "clusterSets", NULL), 0)->valuestring);
	cr_assert_str_eq(cocm_json_str(b, "spec", "clusterSet", NULL),
		cocm_json_str(b, "metadata", "name", NULL));
	pair = cJSON_CreateArray();
	cJSON_AddItemToArray(pair, pl);
	cJSON_AddItemToArray(pair, b);
	text = cJSON_Print(pair);
	tg_golden(tg_path(path, sizeof(path), "placement", file), text);
	free(text);
	cJSON_Delete(pair);
}

Test(placement, goldens, .init = load, .fini = unload)
{
	struct cocm_placement_opts custom = { "ocm-addons", 600 };
	struct cocm_placement_opts forever = { NULL, -1 };

	golden_pair(plane("DataPlane", "default", "dev-eu"), NULL, "dataplane.json");
	golden_pair(plane("DataPlane", "default", "prod"), NULL, "overrides.json");
	golden_pair(plane("ClusterDataPlane", "", "shared"), NULL, "clusterdataplane.json");
	golden_pair(plane("ClusterDataPlane", "", "shared"), &custom, "clusterdataplane-opts.json");
	golden_pair(plane("DataPlane", "default", "dev-eu"), &forever, "toleration-forever.json");
	golden_pair(plane("ObservabilityPlane", "default", "obs-eu"), NULL, "observability.json");
	golden_pair(plane("DataPlane", "default",
			    "a-dataplane-with-a-really-long-name-that-does-not-fit-in-a-label"),
		NULL, "longname.json");
}

Test(placement, placement_shape, .init = load, .fini = unload)
{
	cJSON *pl, *b;
	char err[256], name[64];
	const cJSON *tol, *ml;

	cr_assert_eq(cocm_placement_build(plane("DataPlane", "default", "dev-eu"), NULL, &pl, &b,
			     err, sizeof(err)),
		COCM_OK);
	cr_assert_str_eq(cocm_json_str(pl, "metadata", "name", NULL), "choreo-dp-dev-eu");
	cr_assert_str_eq(cocm_json_str(pl, "metadata", "namespace", NULL), "default");
	ml = cocm_json_get(cJSON_GetArrayItem(cocm_json_get(pl, "spec", "predicates", NULL), 0),
		"requiredClusterSelector", "labelSelector", "matchLabels", NULL);
	cr_assert_str_eq(cocm_json_str(ml, "openchoreo.dev/plane-id", NULL), "eu-dev-1");
	tol = cJSON_GetArrayItem(cocm_json_get(pl, "spec", "tolerations", NULL), 0);
	cr_assert_str_eq(cocm_json_str(tol, "key", NULL),
		"cluster.open-cluster-management.io/unreachable");
	cr_assert_str_eq(cocm_json_str(tol, "operator", NULL), "Exists");
	cr_assert_eq(cJSON_GetObjectItem(tol, "tolerationSeconds")->valueint, 300);
	cr_assert_str_eq(cJSON_GetArrayItem(cocm_json_get(pl, "spec", "clusterSets", NULL), 0)
				 ->valuestring,
		"global");
	cr_assert_str_eq(cocm_json_str(b, "apiVersion", NULL),
		"cluster.open-cluster-management.io/v1beta2");
	cJSON_Delete(pl);
	cJSON_Delete(b);
	cr_assert_str_eq(cocm_placement_name(name, plane("ClusterDataPlane", "", "shared")),
		"choreo-dp-shared");
	cr_assert_str_eq(cocm_placement_name(name, plane("ObservabilityPlane", "default", "obs-eu")),
		"choreo-op-obs-eu");
	cr_assert_str_eq(cocm_placement_namespace(plane("ClusterDataPlane", "", "shared"), NULL),
		"choreo-ocm-system");
}

Test(placement, opt_in_needs_the_exact_label)
{
	cJSON *p = cJSON_Parse("{\"apiVersion\":\"openchoreo.dev/v1alpha1\",\"kind\":\"DataPlane\","
			       "\"metadata\":{\"name\":\"x\",\"namespace\":\"n\",\"labels\":{}}}");
	cJSON *labels = (cJSON *)cocm_json_get(p, "metadata", "labels", NULL);

	cr_assert_not(cocm_placement_opted_in(p));
	cJSON_AddStringToObject(labels, "ocm.openchoreo.dev/enabled", "yes");
	cr_assert_not(cocm_placement_opted_in(p));
	cocm_json_set_str(labels, "ocm.openchoreo.dev/enabled", "true");
	cr_assert(cocm_placement_opted_in(p));
	cr_assert_eq(cocm_placement_plane_kind(p), COCM_PLANE_DATA);
	cr_assert_str_eq(cocm_placement_plane_id(p), "x");
	cJSON_Delete(p);
}

Test(placement, bad_annotations_and_plane_ids_are_refused)
{
	static const char *const bad[][2] = {
		{ "ocm.openchoreo.dev/cluster-set", "Not_A_Set" },
		{ "ocm.openchoreo.dev/cluster-selector", "" },
		{ "ocm.openchoreo.dev/cluster-selector", "a in b" },
		{ "ocm.openchoreo.dev/cluster-selector", "-bad-key=x" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cJSON *p = cJSON_Parse("{\"apiVersion\":\"openchoreo.dev/v1alpha1\",\"kind\":"
				       "\"DataPlane\",\"metadata\":{\"name\":\"x\",\"namespace\":\"n\"}}");
		cJSON *pl = (cJSON *)1, *b = (cJSON *)1;
		char err[512] = "";

		cJSON_AddStringToObject(cocm_json_obj(cJSON_GetObjectItem(p, "metadata"),
						"annotations"),
			bad[i][0], bad[i][1]);
		cr_assert_eq(cocm_placement_build(p, NULL, &pl, &b, err, sizeof(err)), COCM_EINVAL,
			"case %zu", i);
		cr_assert_null(pl);
		cr_assert_null(b);
		cr_assert(strstr(err, bad[i][0]) != NULL, "case %zu: %s", i, err);
		cJSON_Delete(p);
	}
	{
		cJSON *p = cJSON_Parse("{\"apiVersion\":\"openchoreo.dev/v1alpha1\",\"kind\":"
				       "\"DataPlane\",\"metadata\":{\"name\":\"x\",\"namespace\":\"n\"},"
				       "\"spec\":{\"planeID\":\"UPPER\"}}");
		cJSON *pl, *b;
		char err[512];

		cr_assert_eq(cocm_placement_build(p, NULL, &pl, &b, err, sizeof(err)), COCM_EINVAL);
		cr_assert(strstr(err, "spec.planeID") != NULL, "%s", err);
		cJSON_Delete(p);
	}
}

Test(placement, selector_strings)
{
	static const char *const ok[][2] = {
		{ "a=b", "{\"matchLabels\":{\"a\":\"b\"}}" },
		{ " a == b , c != d ",
			"{\"matchLabels\":{\"a\":\"b\"},\"matchExpressions\":[{\"key\":\"c\","
			"\"operator\":\"NotIn\",\"values\":[\"d\"]}]}" },
		{ "example.com/tier in (web, api),x notin(y),z,!q",
			"{\"matchExpressions\":[{\"key\":\"example.com/tier\",\"operator\":\"In\","
			"\"values\":[\"web\",\"api\"]},{\"key\":\"x\",\"operator\":\"NotIn\","
			"\"values\":[\"y\"]},{\"key\":\"z\",\"operator\":\"Exists\"},{\"key\":\"q\","
			"\"operator\":\"DoesNotExist\"}]}" },
		{ "openchoreo.dev/plane-id=eu-1,empty=",
			"{\"matchLabels\":{\"openchoreo.dev/plane-id\":\"eu-1\",\"empty\":\"\"}}" },
	};
	static const char *const bad[] = {
		"", "   ", "a=b,", "a in (b", "a in b", "a=b=c", "a b", "a=b,a=c",
		"UPPER.example.com/x=y", "a=-x", "a in ()", "a notin ( )",
	};
	size_t i;
	char err[256];

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cJSON *s = cocm_placement_parse_selector(ok[i][0], err, sizeof(err));
		char *text;
		cr_assert_not_null(s, "\"%s\": %s", ok[i][0], err);
		text = cocm_json_print(s);
		cr_assert_str_eq(text, ok[i][1], "\"%s\"", ok[i][0]);
		free(text);
		cJSON_Delete(s);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cJSON *s;
		err[0] = '\0';
		s = cocm_placement_parse_selector(bad[i], err, sizeof(err));
		cr_assert_null(s, "\"%s\" should be refused", bad[i]);
		cr_assert(strstr(err, "selector") != NULL, "\"%s\": %s", bad[i], err);
	}
}

Test(placement, decisions_union_sorted_unique)
{
	char p[512];
	cJSON *d = tg_load_json(tg_path(p, sizeof(p), "placement", "decisions.json"));
	cJSON *c = cocm_placement_clusters(d, "default", "choreo-dp-prod");
	char *s = cocm_json_print(c);

	cr_assert_str_eq(s, "[\"prod-eu-1\",\"prod-eu-2\",\"prod-eu-3\"]");
	free(s);
	cJSON_Delete(c);
	c = cocm_placement_clusters(d, NULL, NULL);
	s = cocm_json_print(c);
	cr_assert_str_eq(s, "[\"dev-1\",\"intruder\",\"prod-eu-1\",\"prod-eu-2\",\"prod-eu-3\"]");
	free(s);
	cJSON_Delete(c);
	c = cocm_placement_clusters(NULL, NULL, NULL);
	cr_assert_eq(cJSON_GetArraySize(c), 0);
	cJSON_Delete(c);
	cJSON_Delete(d);
}
