/* Hostile Releases at the render API (cocm_render_works): unknown kinds, names at and past the
 * API's limits, more resources than the cap, JSON nested 10,000 deep inside a resource, invalid
 * UTF-8 in values, wrong types. Each gives a defined answer: works that satisfy the contract, or
 * COCM_EINVAL/ETOOBIG with one line naming the resource. test_render.c covers the ordinary
 * refusals (refused.json); the CLI-level cases (2 MiB Release, files) are in
 * tests/unit/hub-addon/test_badinput_cli.c. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/core/json.h"
#include "manifestwork/names.h"
#include "manifestwork/render.h"

static cJSON *release(const char *name, const char *ns)
{
	cJSON *r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "apiVersion", "openchoreo.dev/v1alpha1");
	cJSON_AddStringToObject(r, "kind", "Release");
	cJSON *md = cJSON_AddObjectToObject(r, "metadata");
	cJSON_AddStringToObject(md, "name", name);
	cJSON_AddStringToObject(md, "namespace", ns);
	cJSON_AddStringToObject(md, "uid", "0b0b0b0b-1111-2222-3333-444444444444");
	cJSON_AddArrayToObject(cJSON_AddObjectToObject(r, "spec"), "resources");
	return r;
}

static cJSON *add(cJSON *rel, const char *id, const char *api, const char *kind, const char *name,
	const char *ns)
{
	cJSON *res = cJSON_GetObjectItem(cJSON_GetObjectItem(rel, "spec"), "resources");
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "id", id);
	cJSON *o = cJSON_AddObjectToObject(e, "object");
	cJSON_AddStringToObject(o, "apiVersion", api);
	cJSON_AddStringToObject(o, "kind", kind);
	cJSON *md = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(md, "name", name);
	if (ns)
		cJSON_AddStringToObject(md, "namespace", ns);
	cJSON_AddItemToArray(res, e);
	return o;
}

static cJSON *render(const cJSON *rel, enum cocm_err want, char *err, size_t cap)
{
	cJSON *works = NULL;
	err[0] = '\0';
	enum cocm_err e = cocm_render_works(rel, "dp-east", NULL, &works, err, cap);
	cr_assert_eq(e, want, "render: %s (%s), want %s", cocm_err_name(e), err, cocm_err_name(want));
	if (e != COCM_OK) {
		cr_assert_null(works);
		cr_assert_neq(err[0], '\0');
		cr_assert_null(strchr(err, '\n'), "one line: %s", err);
	}
	return works;
}

/* The manifestConfig of the manifest named name in the first work. */
static const cJSON *config_of(const cJSON *works, const char *name)
{
	const cJSON *spec = cocm_json_get(cJSON_GetArrayItem(works, 0), "spec", NULL);
	const cJSON *c;

	cJSON_ArrayForEach(c, cJSON_GetObjectItem(spec, "manifestConfigs")) {
		const char *n = cocm_json_str(c, "resourceIdentifier", "name", NULL);
		if (n && strcmp(n, name) == 0)
			return c;
	}
	return NULL;
}

Test(render_badinput, unknown_kinds_get_a_guessed_plural_and_scope)
{
	cJSON *rel = release("web", "team");
	char err[512];

	add(rel, "gizmo", "widgets.example.com/v1", "Gizmo", "g", "x");
	add(rel, "policy", "widgets.example.com/v1", "ClusterPolicy", "p", NULL);
	add(rel, "box", "widgets.example.com/v1", "Box", "b", "x");
	cJSON *works = render(rel, COCM_OK, err, sizeof(err));
	const cJSON *g = config_of(works, "g"), *p = config_of(works, "p"), *b = config_of(works, "b");
	cr_assert_not_null(g);
	cr_assert_not_null(p);
	cr_assert_not_null(b);
	cr_assert_str_eq(cocm_json_str(g, "resourceIdentifier", "resource", NULL), "gizmos");
	cr_assert_str_eq(cocm_json_str(b, "resourceIdentifier", "resource", NULL), "boxes");
	cr_assert_str_eq(cocm_json_str(p, "resourceIdentifier", "resource", NULL), "clusterpolicies");
	cr_assert_null(cocm_json_str(p, "resourceIdentifier", "namespace", NULL),
		"no namespace on a manifest means cluster-scoped");
	cJSON_Delete(works);
	cJSON_Delete(rel);
}

Test(render_badinput, names_at_the_api_limits_stay_valid)
{
	char name[254], ns[64];
	char err[512];

	memset(name, 'n', 253);
	name[253] = '\0';
	memset(ns, 's', 63);
	ns[63] = '\0';
	cJSON *rel = release(name, ns);
	add(rel, "cm", "v1", "ConfigMap", "a", "x");
	cJSON *works = render(rel, COCM_OK, err, sizeof(err));
	const cJSON *w = cJSON_GetArrayItem(works, 0);
	const char *wn = cocm_json_str(w, "metadata", "name", NULL);
	cr_assert_not_null(wn);
	cr_assert_leq(strlen(wn), COCM_NAMES_SUBDOMAIN_MAX);
	const cJSON *labels = cocm_json_get(w, "metadata", "labels", NULL);
	const cJSON *l;
	cJSON_ArrayForEach(l, labels) {
		cr_assert(cJSON_IsString(l));
		cr_assert_leq(strlen(l->valuestring), COCM_NAMES_LABEL_MAX, "label %s is %zu long",
			l->string, strlen(l->valuestring));
	}
	/* The full name is kept where there is room: the release annotation. */
	const char *ann = cocm_json_str(w, "metadata", "annotations", COCM_ANN_RELEASE, NULL);
	cr_assert_not_null(ann);
	cr_assert(strstr(ann, name) != NULL);
	cJSON_Delete(works);
	cJSON_Delete(rel);
}

Test(render_badinput, more_resources_than_the_cap_is_refused)
{
	cJSON *rel = release("many", "team");
	char id[32], err[512];

	for (int i = 0; i <= COCM_RENDER_MAX_RESOURCES; i++) {
		snprintf(id, sizeof(id), "cm-%d", i);
		add(rel, id, "v1", "ConfigMap", id, "x");
	}
	render(rel, COCM_EINVAL, err, sizeof(err));
	cr_assert(strstr(err, "10000") != NULL || strstr(err, "too many") != NULL, "%s", err);
	cJSON_Delete(rel);
}

Test(render_badinput, deep_nesting_and_wrong_types_inside_a_resource)
{
	cJSON *rel = release("deep", "team");
	char err[512];
	cJSON *o = add(rel, "cm", "v1", "ConfigMap", "a", "x");
	cJSON *cur = cJSON_AddObjectToObject(o, "data");

	/* 10,000 levels (the API server's JSON decoder allows that much). Built in memory: the
	 * render must neither crash nor lose it; the split into works keeps it whole. */
	for (int i = 0; i < 10000; i++)
		cur = cJSON_AddArrayToObject(cJSON_AddObjectToObject(cur, "n"), "a");
	cJSON *works = NULL;
	err[0] = '\0';
	enum cocm_err e = cocm_render_works(rel, "dp-east", NULL, &works, err, sizeof(err));
	cr_assert(e == COCM_OK || e == COCM_EINVAL || e == COCM_ETOOBIG, "%s", cocm_err_name(e));
	if (e == COCM_OK)
		cr_assert_eq(cJSON_GetArraySize(works), 1);
	else
		cr_assert_neq(err[0], '\0');
	cJSON_Delete(works);
	cJSON_Delete(rel);

	/* kind / apiVersion / name of the wrong type are refused naming the resource. */
	static const char *const fields[] = { "kind", "apiVersion" };
	for (size_t i = 0; i < 2; i++) {
		rel = release("types", "team");
		o = add(rel, "bad", "v1", "ConfigMap", "a", "x");
		cJSON_ReplaceItemInObject(o, fields[i], cJSON_CreateNumber(5));
		render(rel, COCM_EINVAL, err, sizeof(err));
		cr_assert(strstr(err, "\"bad\"") != NULL, "names the resource: %s", err);
		cr_assert(strstr(err, fields[i]) != NULL, "names the field: %s", err);
		cJSON_Delete(rel);
	}
	rel = release("types", "team");
	o = add(rel, "bad", "v1", "ConfigMap", "a", "x");
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(o, "metadata"), "name", cJSON_CreateTrue());
	render(rel, COCM_EINVAL, err, sizeof(err));
	cr_assert(strstr(err, "metadata.name") != NULL, "%s", err);
	cJSON_Delete(rel);
}

Test(render_badinput, invalid_utf8_values_are_carried_deterministically)
{
	cJSON *rel = release("utf", "team");
	char err[512];
	cJSON *o = add(rel, "cm", "v1", "ConfigMap", "a", "x");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "data"), "k", "caf\xc3\x28 \xff\xfe end");

	cJSON *w1 = render(rel, COCM_OK, err, sizeof(err));
	cJSON *w2 = render(rel, COCM_OK, err, sizeof(err));
	char *p1 = cocm_json_print(w1), *p2 = cocm_json_print(w2);
	cr_assert_str_eq(p1, p2);
	cr_assert(strstr(p1, "caf\xc3\x28 \xff\xfe end") != NULL, "value carried as given");
	free(p1);
	free(p2);
	cJSON_Delete(w1);
	cJSON_Delete(w2);
	cJSON_Delete(rel);
}
