#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "kube/cache.h"
#include "kube/core/json.h"
#include "kube/core/xalloc.h"

static cJSON *obj(const char *ns, const char *name, const char *app, const char *rv)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *md = cocm_json_obj(o, "metadata");

	cocm_json_set_str(md, "name", name);
	if (ns != NULL)
		cocm_json_set_str(md, "namespace", ns);
	cocm_json_set_str(md, "resourceVersion", rv);
	if (app != NULL)
		cocm_json_set_str(cocm_json_obj(md, "labels"), "app", app);
	cocm_json_set_str(cocm_json_obj(o, "spec"), "big", "xxxxxxxxxxxxxxxxxxxxxxxx");
	return o;
}

struct names {
	int n;
	char keys[32][64];
};

static int collect(const char *key, const cJSON *o, void *arg)
{
	struct names *s = arg;

	cr_assert_not_null(o);
	snprintf(s->keys[s->n++], sizeof(s->keys[0]), "%s", key);
	return 0;
}

static int has(const struct names *s, const char *key)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->keys[i], key) == 0)
			return 1;
	return 0;
}

Test(cache, keys_put_get_take)
{
	struct cocm_cache *c = cocm_cache_create();
	char key[COCM_CACHE_KEY_MAX];
	cJSON *old = (cJSON *)1;
	cJSON *bad = cJSON_CreateObject();

	cr_assert_eq(cocm_cache_put(c, obj("ns", "a", NULL, "1"), &old), COCM_OK);
	cr_assert_null(old);
	cr_assert_eq(cocm_cache_put(c, obj(NULL, "cluster-wide", NULL, "2"), NULL), COCM_OK);
	cr_assert_not_null(cocm_cache_get(c, "ns/a"));
	cr_assert_not_null(cocm_cache_get(c, "cluster-wide"));
	cr_assert_eq(cocm_cache_put(c, obj("ns", "a", NULL, "3"), &old), COCM_OK);
	cr_assert_str_eq(cocm_json_str(old, "metadata", "resourceVersion", NULL), "1");
	cJSON_Delete(old);
	cr_assert_str_eq(cocm_json_str(cocm_cache_get(c, "ns/a"), "metadata", "resourceVersion", NULL),
		"3");
	cr_assert_eq(cocm_cache_len(c), 2);
	cr_assert_eq(cocm_cache_put(c, bad, NULL), COCM_EINVAL, "no name");
	cJSON_Delete(bad);
	cr_assert_eq(cocm_cache_key_of(cocm_cache_get(c, "ns/a"), key, 4), COCM_EINVAL, "too small");
	cJSON *t = cocm_cache_take(c, "ns/a");

	cr_assert_not_null(t);
	cJSON_Delete(t);
	cr_assert_null(cocm_cache_get(c, "ns/a"));
	cr_assert_null(cocm_cache_take(c, "ns/a"));
	cr_assert_eq(cocm_cache_len(c), 1);
	cocm_cache_destroy(c);
	cocm_cache_destroy(NULL);
}

static void label_index_checks(struct cocm_cache *c)
{
	struct names s = { 0 };

	cr_assert_eq(cocm_cache_put(c, obj("n1", "a", "web", "1"), NULL), COCM_OK);
	cr_assert_eq(cocm_cache_put(c, obj("n2", "b", "web", "1"), NULL), COCM_OK);
	cr_assert_eq(cocm_cache_put(c, obj("n1", "c", "db", "1"), NULL), COCM_OK);
	cr_assert_eq(cocm_cache_put(c, obj("n1", "d", NULL, "1"), NULL), COCM_OK);
	cocm_cache_each_label(c, "app", "web", collect, &s);
	cr_assert_eq(s.n, 2);
	cr_assert(has(&s, "n1/a") && has(&s, "n2/b"));

	/* Relabel: b moves from web to db; the index follows. */
	cr_assert_eq(cocm_cache_put(c, obj("n2", "b", "db", "2"), NULL), COCM_OK);
	s.n = 0;
	cocm_cache_each_label(c, "app", "web", collect, &s);
	cr_assert_eq(s.n, 1);
	cr_assert(has(&s, "n1/a"));
	s.n = 0;
	cocm_cache_each_label(c, "app", "db", collect, &s);
	cr_assert_eq(s.n, 2);
	cr_assert(has(&s, "n1/c") && has(&s, "n2/b"));

	/* Delete drops it from the index. */
	cJSON_Delete(cocm_cache_take(c, "n1/c"));
	s.n = 0;
	cocm_cache_each_label(c, "app", "db", collect, &s);
	cr_assert_eq(s.n, 1);
	cr_assert(has(&s, "n2/b"));
	s.n = 0;
	cocm_cache_each_label(c, "app", "none", collect, &s);
	cr_assert_eq(s.n, 0);
	s.n = 0;
	cocm_cache_each(c, collect, &s);
	cr_assert_eq(s.n, 3);
}

Test(cache, label_index)
{
	struct cocm_cache *c = cocm_cache_create();

	cocm_cache_index_label(c, "app");
	label_index_checks(c);
	cocm_cache_destroy(c);
}

Test(cache, label_lookup_without_index_scans)
{
	struct cocm_cache *c = cocm_cache_create();

	label_index_checks(c);
	cocm_cache_destroy(c);
}

Test(cache, index_added_late_covers_existing)
{
	struct cocm_cache *c = cocm_cache_create();
	struct names s = { 0 };

	cr_assert_eq(cocm_cache_put(c, obj("n1", "a", "web", "1"), NULL), COCM_OK);
	cocm_cache_index_label(c, "app");
	cocm_cache_each_label(c, "app", "web", collect, &s);
	cr_assert_eq(s.n, 1);
	cocm_cache_clear(c);
	cr_assert_eq(cocm_cache_len(c), 0);
	s.n = 0;
	cocm_cache_each_label(c, "app", "web", collect, &s);
	cr_assert_eq(s.n, 0);
	cocm_cache_destroy(c);
}

static cJSON *strip_spec(cJSON *o, void *arg)
{
	(*(int *)arg)++;
	cJSON_DeleteItemFromObjectCaseSensitive(o, "spec");
	return o;
}

Test(cache, transform_hook)
{
	struct cocm_cache *c = cocm_cache_create();
	int calls = 0;

	cocm_cache_set_transform(c, strip_spec, &calls);
	cr_assert_eq(cocm_cache_put(c, obj("n", "a", "web", "1"), NULL), COCM_OK);
	cr_assert_eq(calls, 1);
	cr_assert_null(cocm_json_get(cocm_cache_get(c, "n/a"), "spec", NULL));
	cr_assert_not_null(cocm_json_get(cocm_cache_get(c, "n/a"), "metadata", NULL));
	cocm_cache_destroy(c);
}

Test(cache, sorted_keys)
{
	struct cocm_cache *c = cocm_cache_create();
	size_t n;
	char **k;

	cocm_cache_put(c, obj("b", "x", NULL, "1"), NULL);
	cocm_cache_put(c, obj("a", "y", NULL, "1"), NULL);
	cocm_cache_put(c, obj(NULL, "z", NULL, "1"), NULL);
	k = cocm_cache_keys(c, &n);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(k[0], "a/y");
	cr_assert_str_eq(k[1], "b/x");
	cr_assert_str_eq(k[2], "z");
	cocm_cache_keys_free(k, n);
	cocm_cache_destroy(c);
}
