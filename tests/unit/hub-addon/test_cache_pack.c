/* The daemon's cache transforms (works.h) and packed strings (pack.h): what the caches keep
 * must be enough for every reader. The strongest check: folding a Release over its works
 * gives the same status and summary whether fold reads the objects as the API server sent
 * them or as the caches keep them (transformed, then unpacked the way reconcile.c does). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub-addon/pack.h"
#include "hub-addon/works.h"
#include "kube/cache.h"
#include "kube/core/json.h"
#include "kube/core/xalloc.h"
#include "manifestwork/names.h"
#include "status-sync/fold.h"

static cJSON *load(const char *name)
{
	char path[512];
	FILE *f;
	char *buf;
	long n;
	cJSON *v;

	snprintf(path, sizeof(path), "%s/hub-addon/cache/%s", COCM_TEST_DATA, name);
	f = fopen(path, "rb");
	cr_assert_not_null(f, "%s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	v = cocm_json_parse(buf, (size_t)n, NULL, 0);
	free(buf);
	cr_assert_not_null(v);
	return v;
}

static cJSON *fold(const cJSON *doc, const cJSON *release, cJSON *const *works, size_t n,
	struct cocm_fold_summary *sum)
{
	const char *clusters[8];
	size_t nc = 0;
	const cJSON *it;
	struct cocm_fold_in in = { 0 };
	cJSON *st = NULL;
	char err[256];

	cJSON_ArrayForEach(it, cJSON_GetObjectItem(doc, "clusters"))
		clusters[nc++] = it->valuestring;
	in.release = release;
	in.works = (const cJSON *const *)works;
	in.nworks = n;
	in.clusters = clusters;
	in.nclusters = nc;
	in.now = cocm_json_str(doc, "now", NULL);
	in.sched = COCM_SCHED_TRUE;
	cr_assert_eq(cocm_fold(&in, &st, sum, err, sizeof(err)), COCM_OK, "%s", err);
	return st;
}

/* Runs obj through a cache with transform fn, returns the cached object unpacked. */
static cJSON *through_cache(cJSON *obj, cocm_cache_transform_fn fn, const cJSON **cached)
{
	static struct cocm_cache *c;
	char key[COCM_CACHE_KEY_MAX];

	if (c == NULL) {
		c = cocm_cache_create();
		cocm_cache_set_transform(c, fn, NULL);
		cocm_cache_index_label(c, COCM_LABEL_RELEASE_NAME);
	}
	cocm_cache_set_transform(c, fn, NULL);
	cr_assert_eq(cocm_cache_key_of(obj, key, sizeof(key)), COCM_OK);
	cr_assert_eq(cocm_cache_put(c, obj, NULL), COCM_OK);
	*cached = cocm_cache_get(c, key);
	cr_assert_not_null(*cached);
	return cocm_works_unpack(*cached);
}

Test(cache_pack, fold_sees_the_same_through_the_caches)
{
	cJSON *doc, *rel, *rel_cached, *works[3], *cached_works[3], *a, *b;
	const cJSON *raw;
	struct cocm_fold_summary sa, sb;
	char *ta, *tb;
	size_t i;

	cocm_xalloc_init();
	doc = load("typical.json");
	rel = cJSON_GetObjectItem(doc, "release");
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "works")), 3);
	for (i = 0; i < 3; i++)
		works[i] = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "works"), (int)i);
	a = fold(doc, rel, works, 3, &sa);

	rel_cached = through_cache(cJSON_Duplicate(rel, 1), cocm_works_release_transform, &raw);
	for (i = 0; i < 3; i++)
		cached_works[i] = through_cache(cJSON_Duplicate(works[i], 1), cocm_works_transform,
			&raw);
	b = fold(doc, rel_cached, cached_works, 3, &sb);

	ta = cocm_json_print(a);
	tb = cocm_json_print(b);
	cr_assert_str_eq(tb, ta);
	cr_assert_eq(sb.worst, sa.worst);
	cr_assert_eq(sb.applied, sa.applied);
	cr_assert_eq(sb.failures, sa.failures);
	cr_assert_eq(sb.pending, sa.pending);
	cr_assert_eq(sb.clusters, sa.clusters);
	/* the fixture exercises the failure paths the trimming must keep */
	cr_assert(sa.failures >= 1);
	cr_assert(strstr(ta, "data too large") != NULL, "%s", ta);
	free(ta);
	free(tb);
	cJSON_Delete(a);
	cJSON_Delete(b);
	cJSON_Delete(rel_cached);
	for (i = 0; i < 3; i++)
		cJSON_Delete(cached_works[i]);
	cJSON_Delete(doc);
}

Test(cache_pack, work_entry_keeps_only_what_readers_use)
{
	cJSON *doc = load("typical.json"), *w, *u;
	const cJSON *c, *m;
	const char *packed;
	char *text;

	cocm_xalloc_init();
	w = cJSON_Duplicate(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "works"), 1), 1);
	u = through_cache(w, cocm_works_transform, &c);
	/* metadata the daemon reads */
	cr_assert_str_eq(cocm_json_str(c, "metadata", "name", NULL), "default-checkout-development");
	cr_assert_str_eq(cocm_json_str(c, "metadata", "labels", COCM_LABEL_RELEASE_NAME, NULL),
		"checkout-development");
	cr_assert_not_null(cocm_works_hash(c));
	cr_assert_not_null(cocm_json_str(c, "metadata", "resourceVersion", NULL));
	cr_assert_not_null(cocm_json_get(c, "metadata", "generation", NULL));
	cr_assert_str_eq(cocm_json_str(c, "metadata", "annotations", COCM_ANN_RELEASE, NULL),
		"default/checkout-development");
	/* dropped */
	cr_assert_null(cocm_json_get(c, "spec", NULL));
	cr_assert_null(cocm_json_get(c, "metadata", "managedFields", NULL));
	cr_assert_null(cocm_json_get(c, "metadata", "uid", NULL));
	cr_assert_null(cocm_json_get(c, "metadata", "creationTimestamp", NULL));
	cr_assert_null(cocm_json_str(c, "metadata", "labels", COCM_LABEL_PART, NULL));
	/* conditions stay a tree (addon_reg.c reads them), without times */
	m = cJSON_GetArrayItem(cocm_json_get(c, "status", "conditions", NULL), 0);
	cr_assert_str_eq(cocm_json_str(m, "type", NULL), "Applied");
	cr_assert_str_eq(cocm_json_str(m, "status", NULL), "True");
	cr_assert_null(cocm_json_get(m, "lastTransitionTime", NULL));
	cr_assert_null(cocm_json_get(m, "message", NULL)); /* True: message not kept */
	/* resourceStatus is packed, and compressed at this size */
	packed = cocm_json_str(c, "status", COCM_PACKED_PREFIX "resourceStatus", NULL);
	cr_assert_not_null(packed);
	cr_assert_eq(strncmp(packed, "z:", 2), 0, "%.40s", packed);
	cr_assert_null(cocm_json_get(c, "status", "resourceStatus", NULL));
	/* unpacked: the failing manifest keeps its message, loses what no reader uses */
	m = cJSON_GetArrayItem(cocm_json_get(u, "status", "resourceStatus", NULL)->child, 5);
	text = cocm_json_print(m);
	cr_assert(strstr(text, "data too large") != NULL, "%s", text);
	cr_assert(strstr(text, "lastTransitionTime") == NULL, "%s", text);
	cr_assert(strstr(text, "Progressing") == NULL, "%s", text); /* foreign condition type */
	cr_assert(strstr(text, "ordinal") == NULL, "%s", text);
	free(text);
	m = cJSON_GetArrayItem(cocm_json_get(u, "status", "resourceStatus", NULL)->child, 1);
	cr_assert_null(cocm_json_get(m, "statusFeedback", "rawJsonStatus", NULL));
	cr_assert(cJSON_GetArraySize(cocm_json_get(m, "statusFeedback", "values", NULL)) > 5);
	/* shared strings: keys flagged const, values references; copies are independent */
	cr_assert(cJSON_GetObjectItem(c, "metadata")->type & cJSON_StringIsConst);
	m = cJSON_GetArrayItem(cocm_json_get(c, "status", "conditions", NULL), 0);
	cr_assert(cJSON_GetObjectItem(m, "status")->type & cJSON_IsReference);
	cr_assert(cJSON_GetObjectItem(m, "status")->type & cJSON_StringIsConst);
	cJSON_Delete(u);
	cJSON_Delete(doc);
}

Test(cache_pack, release_entry_round_trips)
{
	cJSON *doc = load("typical.json"), *rel, *u;
	const cJSON *c;
	const char *packed;

	cocm_xalloc_init();
	rel = cJSON_Duplicate(cJSON_GetObjectItem(doc, "release"), 1);
	u = through_cache(cJSON_Duplicate(rel, 1), cocm_works_release_transform, &c);
	cr_assert_null(cocm_json_get(c, "status", NULL));
	cr_assert_null(cocm_json_get(c, "spec", "resources", NULL));
	packed = cocm_json_str(c, "spec", COCM_PACKED_PREFIX "resources", NULL);
	cr_assert_not_null(packed);
	cr_assert_eq(strncmp(packed, "z:", 2), 0);
	cr_assert(strlen(packed) * 3 < 8000, "spec.resources packed to %zu bytes", strlen(packed));
	cr_assert_str_eq(cocm_json_str(c, "spec", "environmentName", NULL), "development");
	/* back: everything but managedFields, the same values (key order may change) */
	cJSON_DeleteItemFromObject(cJSON_GetObjectItem(rel, "metadata"), "managedFields");
	cr_assert(cJSON_Compare(u, rel, 1));
	cJSON_Delete(u);
	cJSON_Delete(rel);
	cJSON_Delete(doc);
}

Test(cache_pack, pack_round_trips_both_forms)
{
	cJSON *small = cJSON_Parse("{\"a\":[1,2,\"x\"]}"), *big = cJSON_CreateArray(), *back;
	char *p;
	int i;

	cocm_xalloc_init();
	p = cocm_pack_json(small);
	cr_assert_str_eq(p, "{\"a\":[1,2,\"x\"]}");
	back = cocm_pack_parse(p);
	cr_assert(cJSON_Compare(back, small, 1));
	cJSON_Delete(back);
	free(p);
	for (i = 0; i < 200; i++)
		cJSON_AddItemToArray(big, cJSON_Parse("{\"type\":\"Available\",\"status\":\"True\","
						      "\"message\":\"Resource is available\"}"));
	p = cocm_pack_json(big);
	cr_assert_eq(strncmp(p, "z:", 2), 0);
	cr_assert(strlen(p) < 2000, "%zu", strlen(p));
	for (i = 2; p[i] != '\0'; i++) /* printable: the cached object stays valid JSON */
		cr_assert(p[i] > ' ' && p[i] < 127 && p[i] != '"' && p[i] != '\\');
	back = cocm_pack_parse(p);
	cr_assert(cJSON_Compare(back, big, 1));
	cJSON_Delete(back);
	free(p);
	cJSON_Delete(small);
	cJSON_Delete(big);
}

Test(cache_pack, malformed_packed_strings_are_refused)
{
	cJSON *big = cJSON_CreateArray();
	char *p, *bad;
	size_t n;
	int i;

	cocm_xalloc_init();
	cr_assert_null(cocm_pack_parse(NULL));
	cr_assert_null(cocm_pack_parse("z:"));
	cr_assert_null(cocm_pack_parse("z:12"));
	cr_assert_null(cocm_pack_parse("z:-5:AAAA"));
	cr_assert_null(cocm_pack_parse("z:10:!!!!"));
	cr_assert_null(cocm_pack_parse("z:999999999999:eJwDAAAAAAE="));
	cr_assert_null(cocm_pack_parse("{\"not\":"));
	for (i = 0; i < 100; i++)
		cJSON_AddItemToArray(big, cJSON_CreateString("repeated text repeated text"));
	p = cocm_pack_json(big);
	cr_assert_eq(strncmp(p, "z:", 2), 0);
	n = strlen(p);
	/* wrong length claim, truncated stream, corrupted stream */
	bad = malloc(n + 8);
	snprintf(bad, n + 8, "z:7%s", p + 2);
	cr_assert_null(cocm_pack_parse(bad));
	memcpy(bad, p, n + 1);
	bad[n - 6] = '\0';
	cr_assert_null(cocm_pack_parse(bad));
	memcpy(bad, p, n + 1);
	bad[n / 2] = bad[n / 2] == 'A' ? 'B' : 'A';
	cr_assert_null(cocm_pack_parse(bad));
	free(bad);
	free(p);
	cJSON_Delete(big);
}
