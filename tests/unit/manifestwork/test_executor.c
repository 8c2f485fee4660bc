/* spec.executor (opts->executor, the plane annotation ocm.openchoreo.dev/executor): both value
 * forms, the refusals of the "<serviceaccount>" form and of malformed values
 * (executor.cases.json -> goldens executor.works.json and executor.errors.txt), every part of a
 * split work carrying it, the content hash covering it, and the raw render printing the same. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/core/json.h"
#include "kube/core/xalloc.h"
#include "manifestwork/names.h"
#include "manifestwork/render.h"
#include "support/golden.h"

static cJSON *load_cases(void)
{
	char p[512];

	return tg_load_json(tg_path(p, sizeof(p), "manifestwork", "executor.cases.json"));
}

/* The tree and the raw render print the same bytes. */
static void same_raw(const cJSON *rel, const struct cocm_render_opts *o, const cJSON *tree)
{
	cJSON *raw = NULL;
	char err[512] = "";
	char *a, *b;

	cr_assert_eq(cocm_render_works_raw(rel, "cluster-a", o, &raw, err, sizeof(err)), COCM_OK,
		"%s", err);
	a = cocm_json_print(tree);
	b = cocm_json_print(raw);
	cr_assert_str_eq(b, a);
	free(a);
	free(b);
	cJSON_Delete(raw);
}

static const char *hash_of(const cJSON *w)
{
	return cocm_json_str(w, "metadata", "annotations", COCM_ANN_CONTENT_HASH, NULL);
}

Test(render_executor, cases_golden)
{
	cJSON *cases = load_cases();
	cJSON *out = cJSON_CreateObject();
	const cJSON *c;
	size_t cap = 1 << 14, n = 0;
	char *errs = malloc(cap), *text, p[512];
	int ok = 0, refused = 0;

	cocm_xalloc_init();
	errs[0] = '\0';
	cJSON_ArrayForEach(c, cases)
	{
		const char *name = cocm_json_str(c, "case", NULL);
		const char *want_err = cocm_json_str(c, "error", NULL);
		const cJSON *rel = cJSON_GetObjectItem(c, "release");
		struct cocm_render_opts o = { .executor = cocm_json_str(c, "executor", NULL) };
		char err[1024] = "";
		cJSON *works = (cJSON *)1, *plain = NULL;
		const cJSON *w;
		enum cocm_err rc = cocm_render_works(rel, "cluster-a", &o, &works, err, sizeof(err));

		if (want_err != NULL) {
			cr_assert_eq(rc, COCM_EINVAL, "%s: want EINVAL, got %s", name,
				cocm_err_name(rc));
			cr_assert_null(works, "%s", name);
			cr_assert(strstr(err, want_err) != NULL, "%s: \"%s\" lacks \"%s\"", name, err,
				want_err);
			cr_assert(strstr(err, "executor") != NULL, "%s: %s", name, err);
			/* the raw render refuses the same way */
			works = (cJSON *)1;
			cr_assert_eq(cocm_render_works_raw(rel, "cluster-a", &o, &works, err,
					     sizeof(err)),
				COCM_EINVAL, "%s", name);
			cr_assert_null(works);
			n += (size_t)snprintf(errs + n, cap - n, "%s: %s\n", name, err);
			refused++;
			continue;
		}
		cr_assert_eq(rc, COCM_OK, "%s: %s", name, err);
		cr_assert_eq(cocm_render_works(rel, "cluster-a", NULL, &plain, err, sizeof(err)),
			COCM_OK);
		cr_assert_eq(cJSON_GetArraySize(works), cJSON_GetArraySize(plain));
		cJSON_ArrayForEach(w, works)
		{
			const cJSON *sa = cocm_json_get(w, "spec", "executor", "subject",
				"serviceAccount", NULL);
			const cJSON *pw = cJSON_GetArrayItem(plain, 0);

			cr_assert_str_eq(cocm_json_str(w, "spec", "executor", "subject", "type", NULL),
				"ServiceAccount", "%s", name);
			cr_assert(cocm_names_is_dns_label(cocm_json_str(sa, "namespace", NULL)), "%s",
				name);
			cr_assert(strchr(o.executor, '/') == NULL ||
					strncmp(o.executor, cocm_json_str(sa, "namespace", NULL),
						strlen(cocm_json_str(sa, "namespace", NULL))) == 0,
				"%s", name);
			cr_assert_null(cocm_json_get(pw, "spec", "executor", NULL));
			/* the executor is part of the content: a different hash */
			cr_assert_str_neq(hash_of(w), hash_of(pw), "%s", name);
		}
		same_raw(rel, &o, works);
		cJSON_AddItemToObject(out, name, works);
		cJSON_Delete(plain);
		ok++;
	}
	cr_assert_geq(ok, 4);
	cr_assert_geq(refused, 6);
	text = cJSON_Print(out);
	tg_golden(tg_path(p, sizeof(p), "manifestwork", "executor.works.json"), text);
	tg_golden(tg_path(p, sizeof(p), "manifestwork", "executor.errors.txt"), errs);
	free(text);
	free(errs);
	cJSON_Delete(out);
	cJSON_Delete(cases);
}

/* Every part of a split Release carries the same executor; "" and NULL mean none. */
Test(render_executor, every_part_and_empty_value)
{
	char p[512];
	cJSON *rel = tg_load_json(tg_path(p, sizeof(p), "manifestwork", "service.release.json"));
	struct cocm_render_opts o = { .max_manifest_bytes = 3000, .executor = "ops/applier" };
	struct cocm_render_opts none = { .max_manifest_bytes = 3000, .executor = "" };
	cJSON *works = NULL, *plain = NULL;
	const cJSON *w;
	char err[512] = "";
	int parts = 0;

	cocm_xalloc_init();
	cr_assert_eq(cocm_render_works(rel, "cluster-a", &o, &works, err, sizeof(err)), COCM_OK,
		"%s", err);
	cJSON_ArrayForEach(w, works)
	{
		cr_assert_str_eq(cocm_json_str(w, "spec", "executor", "subject", "serviceAccount",
					 "namespace", NULL),
			"ops");
		cr_assert_str_eq(cocm_json_str(w, "spec", "executor", "subject", "serviceAccount",
					 "name", NULL),
			"applier");
		parts++;
	}
	cr_assert_gt(parts, 2, "the split really happens");
	same_raw(rel, &o, works);
	cr_assert_eq(cocm_render_works(rel, "cluster-a", &none, &plain, err, sizeof(err)),
		COCM_OK);
	cJSON_ArrayForEach(w, plain)
		cr_assert_null(cocm_json_get(w, "spec", "executor", NULL));
	cJSON_Delete(works);
	cJSON_Delete(plain);
	cJSON_Delete(rel);
}
