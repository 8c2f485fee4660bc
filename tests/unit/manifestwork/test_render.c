/* Release -> ManifestWork render: goldens for every case of issue 4, contract invariants
 * checked on every rendered work, determinism, HPA, feedback, split and refused inputs. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/core/json.h"
#include "kube/core/sha256.h"
#include "manifestwork/feedback.h"
#include "manifestwork/names.h"
#include "manifestwork/render.h"
#include "support/golden.h"

static const char *const cases[] = {
	"service", "cronjob", "statefulset", "project", "observability", "hpa", "longnames",
	"clusterscoped", "crd", "empty",
};

static cJSON *load_case(const char *name)
{
	char p[512], f[128];

	snprintf(f, sizeof(f), "%s.release.json", name);
	return tg_load_json(tg_path(p, sizeof(p), "manifestwork", f));
}

static cJSON *render_ok(const cJSON *rel, const char *cluster, const struct cocm_render_opts *o)
{
	char err[1024] = "";
	cJSON *works = NULL;
	enum cocm_err rc = cocm_render_works(rel, cluster, o, &works, err, sizeof(err));

	cr_assert_eq(rc, COCM_OK, "render failed: %s (%s)", err, cocm_err_name(rc));
	cr_assert(cJSON_IsArray(works));
	return works;
}

static size_t manifests_bytes(const cJSON *work)
{
	const cJSON *m;
	size_t n = 0;

	cJSON_ArrayForEach(m, cocm_json_get(work, "spec", "workload", "manifests", NULL))
	{
		char *s = cocm_json_print(m);
		n += strlen(s);
		free(s);
	}
	return n;
}

static void expect_hash(const cJSON *work)
{
	cJSON *copy = cJSON_Duplicate(work, 1);
	cJSON *ann = (cJSON *)cocm_json_get(copy, "metadata", "annotations", NULL);
	const char *want = cocm_json_str(work, "metadata", "annotations", COCM_ANN_CONTENT_HASH,
		NULL);
	struct cocm_sha256 h;
	unsigned char dig[32];
	char hex[65];
	const cJSON *parts[3];
	int i;

	cr_assert_not_null(want);
	cJSON_DeleteItemFromObjectCaseSensitive(ann, COCM_ANN_CONTENT_HASH);
	parts[0] = cocm_json_get(copy, "metadata", "labels", NULL);
	parts[1] = ann;
	parts[2] = cocm_json_get(copy, "spec", NULL);
	cocm_sha256_init(&h);
	for (i = 0; i < 3; i++) {
		char *s = cocm_json_print(parts[i]);
		cocm_sha256_update(&h, s, strlen(s));
		cocm_sha256_update(&h, "\n", 1);
		free(s);
	}
	cocm_sha256_final(&h, dig);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", dig[i]);
	cr_assert_str_eq(want, hex, "content-hash does not match the work's content");
	cJSON_Delete(copy);
}

/* The contract of render.h, checked on any rendered work list. */
static void check_invariants(const cJSON *rel, const cJSON *works, const char *cluster,
	size_t max)
{
	enum cocm_release_kind rk = cocm_render_release_kind(rel);
	const char *uid = cocm_json_str(rel, "metadata", "uid", NULL);
	const cJSON *w, *m, *l;
	int nworks = cJSON_GetArraySize(works), part = 0;
	size_t spec_count = 0;
	char num[16];

	cJSON_ArrayForEach(w, works)
	{
		const cJSON *manifests = cocm_json_get(w, "spec", "workload", "manifests", NULL);
		const cJSON *configs = cocm_json_get(w, "spec", "manifestConfigs", NULL);
		const cJSON *del = cocm_json_get(w, "spec", "deleteOption", NULL);
		const char *name = cocm_json_str(w, "metadata", "name", NULL);
		int orphanable = 0, i = 0;

		part++;
		cr_assert_str_eq(cocm_json_str(w, "apiVersion", NULL),
			"work.open-cluster-management.io/v1");
		cr_assert_str_eq(cocm_json_str(w, "kind", NULL), "ManifestWork");
		cr_assert(cocm_names_is_subdomain(name), "bad work name %s", name);
		cr_assert_str_eq(cocm_json_str(w, "metadata", "namespace", NULL), cluster);
		cJSON_ArrayForEach(l, cocm_json_get(w, "metadata", "labels", NULL))
			cr_assert(cocm_names_is_label_value(l->valuestring), "label %s=%s", l->string,
				l->valuestring);
		cr_assert_str_eq(cocm_json_str(w, "metadata", "labels", COCM_LABEL_MANAGED_BY, NULL),
			"choreo-ocm");
		snprintf(num, sizeof(num), "%d", part);
		cr_assert_str_eq(cocm_json_str(w, "metadata", "labels", COCM_LABEL_PART, NULL), num);
		snprintf(num, sizeof(num), "%d", nworks);
		cr_assert_str_eq(cocm_json_str(w, "metadata", "annotations", COCM_ANN_PARTS, NULL),
			num);
		cr_assert_str_eq(cocm_json_str(w, "metadata", "annotations", COCM_ANN_RELEASE_KIND,
					 NULL),
			rk == COCM_RELEASE ? "Release" : "RenderedRelease");
		if (part > 1)
			cr_assert(strstr(name, "-p") != NULL);
		cr_assert_gt(cJSON_GetArraySize(manifests), 0, "a work without manifests");
		cr_assert_eq(cJSON_GetArraySize(manifests), cJSON_GetArraySize(configs));
		cr_assert_leq(manifests_bytes(w), max);
		expect_hash(w);
		cJSON_ArrayForEach(m, manifests)
		{
			const cJSON *cfg = cJSON_GetArrayItem(configs, i++);
			const char *kind = cocm_json_str(m, "kind", NULL);
			const char *id = cocm_json_str(m, "metadata", "labels",
				cocm_render_tracking_label(rk, "resource-id"), NULL);
			cr_assert_str_eq(cocm_json_str(cfg, "resourceIdentifier", "name", NULL),
				cocm_json_str(m, "metadata", "name", NULL));
			cr_assert_str_eq(cocm_json_str(cfg, "updateStrategy", "type", NULL),
				"ServerSideApply");
			cr_assert(cJSON_IsTrue(cocm_json_get(cfg, "updateStrategy", "serverSideApply",
				"force", NULL)));
			cr_assert_str_eq(cocm_json_str(cfg, "updateStrategy", "serverSideApply",
						 "fieldManager", NULL),
				"work-agent-choreo-ocm");
			if (strcmp(kind, "Namespace") == 0 || strcmp(kind, "PersistentVolumeClaim") == 0)
				orphanable++;
			if (id == NULL) {
				/* only added Namespaces carry no resource id */
				cr_assert_str_eq(kind, "Namespace");
				cr_assert_str_eq(cocm_json_str(m, "metadata", "labels",
							 "openchoreo.dev/created-by", NULL),
					"choreo-ocm");
				continue;
			}
			spec_count++;
			cr_assert_str_eq(cocm_json_str(m, "metadata", "labels",
						 "openchoreo.dev/managed-by", NULL),
				"choreo-ocm");
			if (uid)
				cr_assert_str_eq(cocm_json_str(m, "metadata", "labels",
							 cocm_render_tracking_label(rk, "uid"), NULL),
					uid);
			cr_assert_not_null(cocm_json_str(m, "metadata", "labels",
				cocm_render_tracking_label(rk, "name"), NULL));
			cr_assert_not_null(cocm_json_str(m, "metadata", "labels",
				cocm_render_tracking_label(rk, "namespace"), NULL));
		}
		if (orphanable) {
			cr_assert_str_eq(cocm_json_str(del, "propagationPolicy", NULL),
				"SelectivelyOrphan");
			cr_assert_eq(cJSON_GetArraySize(cocm_json_get(del, "selectivelyOrphans",
					     "orphaningRules", NULL)),
				orphanable);
		} else {
			cr_assert_str_eq(cocm_json_str(del, "propagationPolicy", NULL), "Foreground");
		}
	}
	cr_assert_eq(spec_count,
		(size_t)cJSON_GetArraySize(cocm_json_get(rel, "spec", "resources", NULL)),
		"every spec resource appears exactly once");
}

Test(render, goldens_and_invariants)
{
	size_t i;
	char p[512], f[128];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cJSON *rel = load_case(cases[i]);
		cJSON *works = render_ok(rel, "cluster-a", NULL);
		char *text = cJSON_Print(works);

		check_invariants(rel, works, "cluster-a", COCM_RENDER_MAX_MANIFEST_BYTES);
		snprintf(f, sizeof(f), "%s.works.json", cases[i]);
		tg_golden(tg_path(p, sizeof(p), "manifestwork", f), text);
		free(text);
		cJSON_Delete(works);
		cJSON_Delete(rel);
	}
}

Test(render, deterministic_across_runs_and_clusters)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cJSON *rel = load_case(cases[i]);
		cJSON *a = render_ok(rel, "cluster-a", NULL);
		cJSON *b = render_ok(rel, "cluster-a", NULL);
		cJSON *c = render_ok(rel, "cluster-b", NULL);
		char *sa = cocm_json_print(a), *sb = cocm_json_print(b);
		const cJSON *wa, *wc = c->child;

		cr_assert_str_eq(sa, sb, "%s: two renders differ", cases[i]);
		/* another cluster: only the namespace differs */
		cJSON_ArrayForEach(wa, a)
		{
			cJSON *x = cJSON_Duplicate(wc, 1);
			char *s1, *s2;
			cocm_json_set_str(cJSON_GetObjectItem(x, "metadata"), "namespace", "cluster-a");
			s1 = cocm_json_print(wa);
			s2 = cocm_json_print(x);
			cr_assert_str_eq(s1, s2);
			free(s1);
			free(s2);
			cJSON_Delete(x);
			wc = wc->next;
		}
		free(sa);
		free(sb);
		cJSON_Delete(a);
		cJSON_Delete(b);
		cJSON_Delete(c);
		cJSON_Delete(rel);
	}
}

static const cJSON *config_for(const cJSON *work, const char *kind, const char *name)
{
	const cJSON *m, *cfgs = cocm_json_get(work, "spec", "manifestConfigs", NULL);
	int i = 0;

	cJSON_ArrayForEach(m, cocm_json_get(work, "spec", "workload", "manifests", NULL))
	{
		if (strcmp(cocm_json_str(m, "kind", NULL), kind) == 0 &&
			strcmp(cocm_json_str(m, "metadata", "name", NULL), name) == 0)
			return cJSON_GetArrayItem(cfgs, i);
		i++;
	}
	cr_assert_fail("no %s %s in work", kind, name);
	return NULL;
}

Test(render, hpa_target_ignores_replicas_only)
{
	cJSON *rel = load_case("hpa");
	cJSON *works = render_ok(rel, "c1", NULL);
	const cJSON *w = works->child;
	const cJSON *ign = cocm_json_get(config_for(w, "Deployment", "checkout-development-5d2c8b1a"),
		"updateStrategy", "serverSideApply", "ignoreFields", NULL);
	const cJSON *other = config_for(w, "Deployment", "checkout-development-5d2c8b1a-worker");

	cr_assert_eq(cJSON_GetArraySize(ign), 1);
	cr_assert_str_eq(cocm_json_str(ign->child, "condition", NULL), "OnSpokePresent");
	cr_assert_str_eq(cJSON_GetArrayItem(cocm_json_get(ign->child, "jsonPaths", NULL), 0)
				 ->valuestring,
		".spec.replicas");
	cr_assert_null(cocm_json_get(other, "updateStrategy", "serverSideApply", "ignoreFields",
		NULL));
	cr_assert_null(cocm_json_get(config_for(w, "Service", "checkout-development-5d2c8b1a"),
		"updateStrategy", "serverSideApply", "ignoreFields", NULL));
	cJSON_Delete(works);
	cJSON_Delete(rel);
}

Test(render, feedback_rules_follow_the_shared_table)
{
	cJSON *rel = load_case("service");
	cJSON *works = render_ok(rel, "c1", NULL);
	const cJSON *cfg = config_for(works->child, "Deployment", "checkout-development-5d2c8b1a");
	const cJSON *rules = cocm_json_get(cfg, "feedbackRules", NULL);
	const cJSON *paths, *p;
	const struct cocm_feedback_kind *k = cocm_feedback_for("apps", "Deployment");
	size_t i = 0;

	cr_assert_eq(cJSON_GetArraySize(rules), 1);
	cr_assert_str_eq(cocm_json_str(rules->child, "type", NULL), "JSONPaths");
	paths = cocm_json_get(rules->child, "jsonPaths", NULL);
	cr_assert_eq((size_t)cJSON_GetArraySize(paths), k->nrules);
	cJSON_ArrayForEach(p, paths)
	{
		cr_assert_str_eq(cocm_json_str(p, "name", NULL), k->rules[i].name);
		cr_assert_str_eq(cocm_json_str(p, "path", NULL), k->rules[i].path);
		i++;
	}
	/* routes get theirs, kinds outside the table get none */
	cr_assert_not_null(cocm_json_get(config_for(works->child, "HTTPRoute",
						  "checkout-development-5d2c8b1a-external"),
		"feedbackRules", NULL));
	cr_assert_null(cocm_json_get(config_for(works->child, "ConfigMap",
					     "checkout-development-5d2c8b1a-env"),
		"feedbackRules", NULL));
	cJSON_Delete(works);
	cJSON_Delete(rel);
}

Test(render, namespace_added_once_and_first)
{
	cJSON *rel = load_case("service");
	cJSON *works = render_ok(rel, "c1", NULL);
	const cJSON *ms = cocm_json_get(works->child, "spec", "workload", "manifests", NULL);
	const cJSON *m;
	int namespaces = 0;

	cr_assert_str_eq(cocm_json_str(ms->child, "kind", NULL), "Namespace");
	cr_assert_str_eq(cocm_json_str(ms->child, "metadata", "name", NULL),
		"dp-default-shop-development-3f9c1a2e");
	cJSON_ArrayForEach(m, ms) namespaces += strcmp(cocm_json_str(m, "kind", NULL), "Namespace") == 0;
	cr_assert_eq(namespaces, 1);
	cJSON_Delete(works);
	cJSON_Delete(rel);

	/* the project release declares it: no second copy */
	rel = load_case("project");
	works = render_ok(rel, "c1", NULL);
	ms = cocm_json_get(works->child, "spec", "workload", "manifests", NULL);
	cr_assert_eq(cJSON_GetArraySize(ms), 1);
	cr_assert_str_eq(cocm_json_str(ms->child, "metadata", "labels",
				 "openchoreo.dev/rendered-release-resource-id", NULL),
		"cell-namespace");
	cJSON_Delete(works);
	cJSON_Delete(rel);
}

Test(render, restarted_at_reaches_deployment_pod_template_only)
{
	cJSON *rel = load_case("hpa");
	cJSON *works;
	const cJSON *m;

	cocm_json_set_str(cocm_json_obj(cJSON_GetObjectItem(rel, "metadata"), "annotations"),
		"openchoreo.dev/restartedAt", "2026-08-21T00:00:00Z");
	works = render_ok(rel, "c1", NULL);
	cJSON_ArrayForEach(m, cocm_json_get(works->child, "spec", "workload", "manifests", NULL))
	{
		const char *v = cocm_json_str(m, "spec", "template", "metadata", "annotations",
			"openchoreo.dev/restartedAt", NULL);
		if (strcmp(cocm_json_str(m, "kind", NULL), "Deployment") == 0)
			cr_assert_str_eq(v, "2026-08-21T00:00:00Z");
		else
			cr_assert_null(v);
	}
	cJSON_Delete(works);
	cJSON_Delete(rel);
}

Test(render, missing_uid_allowed_only_when_asked)
{
	cJSON *rel = load_case("service");
	struct cocm_render_opts o = { .allow_missing_uid = 1 };
	cJSON *works = NULL;
	char err[512];

	cJSON_DeleteItemFromObject(cJSON_GetObjectItem(rel, "metadata"), "uid");
	cr_assert_eq(cocm_render_works(rel, "c1", NULL, &works, err, sizeof(err)), COCM_EINVAL);
	cr_assert_null(works);
	works = render_ok(rel, "c1", &o);
	cr_assert_null(cocm_json_get(works->child, "metadata", "labels", COCM_LABEL_RELEASE_UID,
		NULL));
	cr_assert_null(cocm_json_get(cocm_json_get(works->child, "spec", "workload", "manifests",
					     NULL)->child->next,
		"metadata", "labels", "openchoreo.dev/release-uid", NULL));
	cJSON_Delete(works);
	cJSON_Delete(rel);
}

/* A Release of n ConfigMaps of `each` bytes of data, plus a Namespace and a CRD at the end. */
static cJSON *big_release(int n, size_t each)
{
	cJSON *rel = load_case("empty");
	cJSON *res = (cJSON *)cocm_json_get(rel, "spec", "resources", NULL);
	char *data = malloc(each + 1);
	char id[64], name[64];
	int i;

	memset(data, 'x', each);
	data[each] = '\0';
	for (i = 0; i < n; i++) {
		cJSON *r = cJSON_CreateObject(), *o = cJSON_CreateObject(), *md;
		snprintf(id, sizeof(id), "configmap-blob-%02d", i);
		snprintf(name, sizeof(name), "blob-%02d", i);
		cJSON_AddStringToObject(r, "id", id);
		cJSON_AddStringToObject(o, "apiVersion", "v1");
		cJSON_AddStringToObject(o, "kind", "ConfigMap");
		md = cJSON_AddObjectToObject(o, "metadata");
		cJSON_AddStringToObject(md, "name", name);
		cJSON_AddStringToObject(md, "namespace", "big-ns");
		cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "data"), "blob", data);
		cJSON_AddItemToObject(r, "object", o);
		cJSON_AddItemToArray(res, r);
	}
	cJSON_AddItemToArray(res, cJSON_Parse("{\"id\":\"ns\",\"object\":{\"apiVersion\":\"v1\","
					      "\"kind\":\"Namespace\",\"metadata\":{\"name\":\"big-ns\"}}}"));
	cJSON_AddItemToArray(res, cJSON_Parse("{\"id\":\"crd\",\"object\":{\"apiVersion\":"
					      "\"apiextensions.k8s.io/v1\",\"kind\":\"CustomResourceDefinition\","
					      "\"metadata\":{\"name\":\"blobs.example.com\"}}}"));
	free(data);
	return rel;
}

/* "work-name part=N: kind/name kind/name ..." per work, for the split golden. */
static char *split_summary(const cJSON *works)
{
	size_t cap = 1 << 16, n = 0;
	char *s = malloc(cap);
	const cJSON *w, *m;

	s[0] = '\0';
	cJSON_ArrayForEach(w, works)
	{
		n += (size_t)snprintf(s + n, cap - n, "%s part=%s bytes=%zu:",
			cocm_json_str(w, "metadata", "name", NULL),
			cocm_json_str(w, "metadata", "labels", COCM_LABEL_PART, NULL),
			manifests_bytes(w));
		cJSON_ArrayForEach(m, cocm_json_get(w, "spec", "workload", "manifests", NULL))
			n += (size_t)snprintf(s + n, cap - n, " %s/%s", cocm_json_str(m, "kind", NULL),
				cocm_json_str(m, "metadata", "name", NULL));
		n += (size_t)snprintf(s + n, cap - n, "\n");
	}
	return s;
}

Test(render, release_of_700k_splits_deterministically)
{
	/* 14 ConfigMaps of 50 KiB: ~700 KiB */
	cJSON *rel = big_release(14, 50 * 1024);
	cJSON *works = render_ok(rel, "cluster-a", NULL);
	cJSON *again = render_ok(rel, "cluster-a", NULL);
	char *sum = split_summary(works), *sum2 = split_summary(again);
	char p[512];
	const cJSON *first = cocm_json_get(works->child, "spec", "workload", "manifests", NULL);

	cr_assert_eq(cJSON_GetArraySize(works), 2);
	check_invariants(rel, works, "cluster-a", COCM_RENDER_MAX_MANIFEST_BYTES);
	/* Namespace and CRD lead part 1 even though they come last in the spec */
	cr_assert_str_eq(cocm_json_str(cJSON_GetArrayItem(first, 0), "kind", NULL), "Namespace");
	cr_assert_str_eq(cocm_json_str(cJSON_GetArrayItem(first, 1), "kind", NULL),
		"CustomResourceDefinition");
	cr_assert_str_eq(cocm_json_str(works->child->next, "metadata", "name", NULL),
		"default-checkout-development-p2");
	cr_assert_str_eq(sum, sum2);
	tg_golden(tg_path(p, sizeof(p), "manifestwork", "split700k.summary.txt"), sum);
	free(sum);
	free(sum2);
	cJSON_Delete(works);
	cJSON_Delete(again);
	cJSON_Delete(rel);
}

Test(render, smaller_budget_gives_more_parts)
{
	cJSON *rel = big_release(10, 1000);
	struct cocm_render_opts o = { .max_manifest_bytes = 3000 };
	cJSON *works = render_ok(rel, "c1", &o);

	/* each ConfigMap is ~1.3 KB with labels: two per part */
	cr_assert_geq(cJSON_GetArraySize(works), 5);
	check_invariants(rel, works, "c1", 3000);
	cJSON_Delete(works);
	cJSON_Delete(rel);
}

Test(render, single_resource_too_big_is_an_error)
{
	cJSON *rel = big_release(1, COCM_RENDER_MAX_MANIFEST_BYTES);
	cJSON *works = NULL;
	char err[1024];

	cr_assert_eq(cocm_render_works(rel, "c1", NULL, &works, err, sizeof(err)), COCM_ETOOBIG);
	cr_assert_null(works);
	cr_assert(strstr(err, "resource \"configmap-blob-00\" (spec.resources[0])") != NULL, "%s",
		err);
	cr_assert(strstr(err, "491520") != NULL, "%s", err);
	cJSON_Delete(rel);
}

Test(render, refused_inputs_name_the_resource)
{
	char p[512];
	cJSON *cases_ = tg_load_json(tg_path(p, sizeof(p), "manifestwork", "refused.json"));
	const cJSON *c;
	size_t cap = 1 << 16, n = 0;
	char *all = malloc(cap);

	all[0] = '\0';
	cr_assert_gt(cJSON_GetArraySize(cases_), 20);
	cJSON_ArrayForEach(c, cases_)
	{
		char err[1024] = "";
		cJSON *works = (cJSON *)1;
		const char *name = cocm_json_str(c, "case", NULL);
		enum cocm_err rc = cocm_render_works(cJSON_GetObjectItem(c, "release"),
			cocm_json_str(c, "cluster", NULL), NULL, &works, err, sizeof(err));

		cr_assert_eq(rc, COCM_EINVAL, "%s: want EINVAL, got %s", name, cocm_err_name(rc));
		cr_assert_null(works, "%s", name);
		cr_assert(strstr(err, cocm_json_str(c, "error", NULL)) != NULL,
			"%s: message \"%s\" lacks \"%s\"", name, err, cocm_json_str(c, "error", NULL));
		n += (size_t)snprintf(all + n, cap - n, "%s: %s\n", name, err);
	}
	tg_golden(tg_path(p, sizeof(p), "manifestwork", "refused.errors.txt"), all);
	free(all);
	cJSON_Delete(cases_);
}

Test(render, size_counts_go_html_escapes)
{
	/* 100 KB of '<' is 600 KB once Go escapes it as \u003c: too big for one work */
	cJSON *rel = big_release(1, 100 * 1024);
	cJSON *blob = (cJSON *)cocm_json_get(cJSON_GetArrayItem(cocm_json_get(rel, "spec",
								    "resources", NULL), 0),
		"object", "data", "blob", NULL);
	cJSON *works = NULL;
	char err[1024];

	memset(blob->valuestring, '<', strlen(blob->valuestring));
	cr_assert_eq(cocm_render_works(rel, "c1", NULL, &works, err, sizeof(err)), COCM_ETOOBIG,
		"%s", err);
	cJSON_Delete(rel);
}
