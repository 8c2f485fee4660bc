/* Work names, label values, plurals and scopes. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "manifestwork/kinds.h"
#include "manifestwork/names.h"
#include "manifestwork/render.h"

Test(names, work_name_plain_and_parts)
{
	char out[254];

	cr_assert_str_eq(cocm_names_work(out, "default", "web-dev", 1), "default-web-dev");
	cr_assert_str_eq(cocm_names_work(out, "default", "web-dev", 2), "default-web-dev-p2");
	cr_assert_str_eq(cocm_names_work(out, "team-a", "svc.v2", 12), "team-a-svc.v2-p12");
}

Test(names, long_work_names_are_hashed_valid_and_stable)
{
	char name[300], a[254], b[254], c[254], d[254];

	memset(name, 'n', 240);
	name[240] = '\0';
	cocm_names_work(a, "default", name, 1);
	cocm_names_work(b, "default", name, 1);
	cocm_names_work(c, "default", name, 3);
	cr_assert_str_eq(a, b);
	cr_assert_leq(strlen(a), 253);
	cr_assert_leq(strlen(c), 253);
	cr_assert(cocm_names_is_subdomain(a), "%s", a);
	cr_assert(cocm_names_is_subdomain(c), "%s", c);
	cr_assert(strcmp(c + strlen(c) - 3, "-p3") == 0, "%s", c);
	/* same prefix, different release: different hash */
	name[239] = 'm';
	cocm_names_work(d, "default", name, 1);
	cr_assert_str_neq(a, d);
	cr_assert_eq(strncmp(a, d, 200), 0);
	/* exactly 253 stays as is, 254 is hashed */
	memset(name, 'x', 245);
	name[245] = '\0';
	cr_assert_eq(strlen(cocm_names_work(a, "default", name, 1)), 253);
	cr_assert(strchr(a + 8, '-') == NULL);
	cocm_names_work(a, "default", name, 2);
	cr_assert_leq(strlen(a), 253);
	cr_assert(cocm_names_is_subdomain(a));
}

Test(names, label_values)
{
	char out[64], long_[200];

	cr_assert_str_eq(cocm_names_label_value(out, "checkout-development"), "checkout-development");
	cr_assert_str_eq(cocm_names_label_value(out, ""), "");
	memset(long_, 'a', 100);
	long_[100] = '\0';
	cocm_names_label_value(out, long_);
	cr_assert_leq(strlen(out), 63);
	cr_assert(cocm_names_is_label_value(out), "%s", out);
	cr_assert_str_neq(out, long_);
	cocm_names_label_value(out, "has space/and:colon");
	cr_assert(cocm_names_is_label_value(out), "%s", out);
	cocm_names_label_value(out, "---");
	cr_assert(cocm_names_is_label_value(out), "%s", out);
	cr_assert_eq(strlen(out), 8);
	cr_assert(cocm_names_is_label_value("A.b_c-9"));
	cr_assert_not(cocm_names_is_label_value("-a"));
	cr_assert_not(cocm_names_is_label_value("a."));
}

Test(names, subdomains_and_labels)
{
	cr_assert(cocm_names_is_subdomain("a.b-c.d"));
	cr_assert_not(cocm_names_is_subdomain("a..b"));
	cr_assert_not(cocm_names_is_subdomain("a.-b"));
	cr_assert_not(cocm_names_is_subdomain("A"));
	cr_assert_not(cocm_names_is_subdomain(""));
	cr_assert(cocm_names_is_dns_label("cluster-1"));
	cr_assert_not(cocm_names_is_dns_label("cluster.1"));
	cr_assert_not(cocm_names_is_dns_label("Cluster"));
}

Test(kinds, plurals_from_table_and_rules)
{
	static const char *const cases[][3] = {
		{ "", "Endpoints", "endpoints" },
		{ "networking.k8s.io", "NetworkPolicy", "networkpolicies" },
		{ "networking.k8s.io", "Ingress", "ingresses" },
		{ "gateway.networking.k8s.io", "Gateway", "gateways" },
		{ "gateway.networking.k8s.io", "HTTPRoute", "httproutes" },
		{ "external-secrets.io", "ExternalSecret", "externalsecrets" },
		{ "cilium.io", "CiliumNetworkPolicy", "ciliumnetworkpolicies" },
		{ "autoscaling", "HorizontalPodAutoscaler", "horizontalpodautoscalers" },
		{ "example.com", "Proxy", "proxies" },
		{ "example.com", "Gateway", "gateways" },
		{ "example.com", "Box", "boxes" },
		{ "example.com", "Mesh", "meshes" },
		{ "example.com", "Batch", "batches" },
		{ "example.com", "Status", "statuses" },
		{ "example.com", "Quiz", "quizes" },
		{ "example.com", "Widget", "widgets" },
		{ "other.io", "Endpoints", "endpoints" },
	};
	char out[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_assert_str_eq(cocm_kinds_plural(cases[i][0], cases[i][1], out, sizeof(out)),
			cases[i][2], "%s/%s", cases[i][0], cases[i][1]);
}

Test(kinds, groups_and_scope)
{
	char g[64];

	cr_assert_str_eq(cocm_kinds_group("apps/v1", g, sizeof(g)), "apps");
	cr_assert_str_eq(cocm_kinds_group("v1", g, sizeof(g)), "");
	cr_assert(cocm_kinds_cluster_scoped("", "Namespace"));
	cr_assert(cocm_kinds_cluster_scoped("rbac.authorization.k8s.io", "ClusterRole"));
	cr_assert(cocm_kinds_cluster_scoped("apiextensions.k8s.io", "CustomResourceDefinition"));
	cr_assert_not(cocm_kinds_cluster_scoped("", "ConfigMap"));
	cr_assert_not(cocm_kinds_cluster_scoped("example.com", "Namespace"));
}

Test(names, tracking_label_keys_by_kind)
{
	char sel[200];

	cr_assert_str_eq(cocm_render_tracking_label(COCM_RELEASE, "uid"),
		"openchoreo.dev/release-uid");
	cr_assert_str_eq(cocm_render_tracking_label(COCM_RENDERED_RELEASE, "resource-id"),
		"openchoreo.dev/rendered-release-resource-id");
	cr_assert_null(cocm_render_tracking_label(COCM_RELEASE_UNKNOWN, "uid"));
	cr_assert_null(cocm_render_tracking_label(COCM_RELEASE, "bogus"));
	cr_assert_str_eq(cocm_render_work_selector(sel, sizeof(sel), "u-1"),
		"app.kubernetes.io/managed-by=choreo-ocm,ocm.openchoreo.dev/release-uid=u-1");
}
