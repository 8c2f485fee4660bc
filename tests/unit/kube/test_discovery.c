/* Discovery: APIResourceList parsing and lookups by resource and by kind. */
#include <criterion/criterion.h>
#include <string.h>

#include "kube/core/json.h"
#include "kube/discovery.h"

static void add(struct cocm_discovery *d, const char *json, int preferred)
{
	cJSON *j = cocm_json_parse(json, strlen(json), NULL, 0);

	cr_assert_not_null(j);
	cr_assert_eq(cocm_discovery_add_list(d, j, preferred), COCM_OK);
	cJSON_Delete(j);
}

Test(discovery, finds_plural_kind_scope_preferring_preferred_version)
{
	struct cocm_discovery d;
	const struct cocm_api_resource *r;

	cocm_discovery_init(&d);
	add(&d, "{\"kind\":\"APIResourceList\",\"groupVersion\":\"openchoreo.dev/v1alpha1\",\"resources\":["
		"{\"name\":\"renderedreleases\",\"singularName\":\"renderedrelease\",\"namespaced\":true,"
		"\"kind\":\"RenderedRelease\",\"verbs\":[\"get\",\"list\"]},"
		"{\"name\":\"renderedreleases/status\",\"namespaced\":true,\"kind\":\"RenderedRelease\"},"
		"{\"name\":\"clusterdataplanes\",\"namespaced\":false,\"kind\":\"ClusterDataPlane\"}]}", 0);
	add(&d, "{\"groupVersion\":\"openchoreo.dev/v1\",\"resources\":["
		"{\"name\":\"renderedreleases\",\"namespaced\":true,\"kind\":\"RenderedRelease\"}]}", 1);
	add(&d, "{\"groupVersion\":\"v1\",\"resources\":[{\"name\":\"namespaces\",\"namespaced\":false,"
		"\"kind\":\"Namespace\"},{\"name\":\"pods/log\",\"kind\":\"Pod\"}]}", 1);
	cr_assert_eq(d.n, 4, "subresources skipped");

	r = cocm_discovery_find(&d, "openchoreo.dev", "renderedreleases");
	cr_assert_not_null(r);
	cr_assert_str_eq(r->version, "v1");
	cr_assert_str_eq(r->kind, "RenderedRelease");
	cr_assert_eq(r->namespaced, 1);
	cr_assert_null(cocm_discovery_find(&d, "openchoreo.dev", "releases"));
	r = cocm_discovery_find_kind(&d, "openchoreo.dev", "ClusterDataPlane");
	cr_assert_not_null(r);
	cr_assert_str_eq(r->resource, "clusterdataplanes");
	cr_assert_eq(r->namespaced, 0);
	cr_assert_str_eq(r->version, "v1alpha1");
	r = cocm_discovery_find(&d, NULL, "namespaces");
	cr_assert_not_null(r);
	cr_assert_str_eq(r->group, "");
	cr_assert_null(cocm_discovery_find(&d, "", "pods"));
	cr_assert_null(cocm_discovery_find_kind(&d, "apps", "Namespace"));
	cocm_discovery_finish(&d);
}

Test(discovery, rejects_non_lists)
{
	struct cocm_discovery d;
	cJSON *j = cocm_json_parse("{\"groups\":[]}", 13, NULL, 0);

	cocm_discovery_init(&d);
	cr_assert_eq(cocm_discovery_add_list(&d, j, 0), COCM_EPARSE);
	cr_assert_eq(d.n, 0);
	cJSON_Delete(j);
	cocm_discovery_finish(&d);
}
