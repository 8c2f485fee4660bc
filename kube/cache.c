/* Object store + label indexes. The label index is two levels of string maps:
 * label key -> label value -> set of object keys. */
#include "kube/cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/core/json.h"
#include "kube/core/xalloc.h"
#include "kube/strmap.h"

struct cocm_cache {
	struct cocm_strmap objs;    /* key -> cJSON* */
	struct cocm_strmap indexes; /* label key -> struct cocm_strmap* (value -> set*) */
	cocm_cache_transform_fn transform;
	void *transform_arg;
};

struct cocm_cache *cocm_cache_create(void)
{
	struct cocm_cache *c = COCM_NEW(struct cocm_cache);

	cocm_strmap_init(&c->objs);
	cocm_strmap_init(&c->indexes);
	return c;
}

static void free_values(struct cocm_strmap *values)
{
	struct cocm_strmap_iter it;

	cocm_strmap_iter_init(&it, values);
	while (cocm_strmap_next(&it)) {
		cocm_strmap_finish(it.value);
		free(it.value);
	}
	cocm_strmap_finish(values);
}

static void clear_indexes(struct cocm_cache *c)
{
	struct cocm_strmap_iter it;

	cocm_strmap_iter_init(&it, &c->indexes);
	while (cocm_strmap_next(&it)) {
		free_values(it.value);
		cocm_strmap_init(it.value);
	}
}

void cocm_cache_clear(struct cocm_cache *c)
{
	struct cocm_strmap_iter it;

	cocm_strmap_iter_init(&it, &c->objs);
	while (cocm_strmap_next(&it))
		cJSON_Delete(it.value);
	cocm_strmap_finish(&c->objs);
	cocm_strmap_init(&c->objs);
	clear_indexes(c);
}

void cocm_cache_destroy(struct cocm_cache *c)
{
	struct cocm_strmap_iter it;

	if (c == NULL)
		return;
	cocm_cache_clear(c);
	cocm_strmap_iter_init(&it, &c->indexes);
	while (cocm_strmap_next(&it)) {
		cocm_strmap_finish(it.value);
		free(it.value);
	}
	cocm_strmap_finish(&c->indexes);
	free(c);
}

void cocm_cache_set_transform(struct cocm_cache *c, cocm_cache_transform_fn fn, void *arg)
{
	c->transform = fn;
	c->transform_arg = arg;
}

static const char *label_of(const cJSON *obj, const char *lkey)
{
	return cocm_json_str(obj, "metadata", "labels", lkey, NULL);
}

static void index_one(struct cocm_strmap *values, const char *key, const char *value)
{
	struct cocm_strmap *set = cocm_strmap_get(values, value);

	if (set == NULL) {
		set = COCM_NEW(struct cocm_strmap);
		cocm_strmap_init(set);
		cocm_strmap_put(values, value, set);
	}
	cocm_strmap_put(set, key, NULL);
}

static void unindex_one(struct cocm_strmap *values, const char *key, const char *value)
{
	struct cocm_strmap *set = cocm_strmap_get(values, value);

	if (set == NULL)
		return;
	cocm_strmap_del(set, key, NULL);
	if (set->len == 0) {
		cocm_strmap_del(values, value, NULL);
		cocm_strmap_finish(set);
		free(set);
	}
}

/* add = 1 indexes obj under key, add = 0 removes it. */
static void reindex(struct cocm_cache *c, const char *key, const cJSON *obj, int add)
{
	struct cocm_strmap_iter it;

	cocm_strmap_iter_init(&it, &c->indexes);
	while (cocm_strmap_next(&it)) {
		const char *v = label_of(obj, it.key);

		if (v == NULL)
			continue;
		if (add)
			index_one(it.value, key, v);
		else
			unindex_one(it.value, key, v);
	}
}

void cocm_cache_index_label(struct cocm_cache *c, const char *label_key)
{
	struct cocm_strmap *values;
	struct cocm_strmap_iter it;

	if (cocm_strmap_has(&c->indexes, label_key))
		return;
	values = COCM_NEW(struct cocm_strmap);
	cocm_strmap_init(values);
	cocm_strmap_put(&c->indexes, label_key, values);
	cocm_strmap_iter_init(&it, &c->objs);
	while (cocm_strmap_next(&it)) {
		const char *v = label_of(it.value, label_key);

		if (v != NULL)
			index_one(values, it.key, v);
	}
}

enum cocm_err cocm_cache_key_of(const cJSON *obj, char *buf, size_t cap)
{
	const char *name = cocm_json_str(obj, "metadata", "name", NULL);
	const char *ns = cocm_json_str(obj, "metadata", "namespace", NULL);
	int n;

	if (name == NULL || name[0] == '\0' || cap == 0)
		return COCM_EINVAL;
	if (ns != NULL && ns[0] != '\0')
		n = snprintf(buf, cap, "%s/%s", ns, name);
	else
		n = snprintf(buf, cap, "%s", name);
	if (n < 0 || (size_t)n >= cap) {
		buf[0] = '\0';
		return COCM_EINVAL;
	}
	return COCM_OK;
}

enum cocm_err cocm_cache_put(struct cocm_cache *c, cJSON *obj, cJSON **old)
{
	char key[COCM_CACHE_KEY_MAX];
	cJSON *prev;

	if (old != NULL)
		*old = NULL;
	if (cocm_cache_key_of(obj, key, sizeof(key)) != COCM_OK)
		return COCM_EINVAL;
	if (c->transform != NULL)
		obj = c->transform(obj, c->transform_arg);
	prev = cocm_strmap_put(&c->objs, key, obj);
	if (prev != NULL)
		reindex(c, key, prev, 0);
	reindex(c, key, obj, 1);
	if (old != NULL)
		*old = prev;
	else
		cJSON_Delete(prev);
	return COCM_OK;
}

const cJSON *cocm_cache_get(const struct cocm_cache *c, const char *key)
{
	return cocm_strmap_get(&c->objs, key);
}

cJSON *cocm_cache_take(struct cocm_cache *c, const char *key)
{
	cJSON *obj = cocm_strmap_get(&c->objs, key);

	if (obj == NULL)
		return NULL;
	reindex(c, key, obj, 0);
	cocm_strmap_del(&c->objs, key, NULL);
	return obj;
}

size_t cocm_cache_len(const struct cocm_cache *c)
{
	return c->objs.len;
}

void cocm_cache_each(const struct cocm_cache *c, cocm_cache_each_cb cb, void *arg)
{
	struct cocm_strmap_iter it;

	cocm_strmap_iter_init(&it, (struct cocm_strmap *)&c->objs);
	while (cocm_strmap_next(&it))
		if (cb(it.key, it.value, arg) != 0)
			return;
}

void cocm_cache_each_label(const struct cocm_cache *c, const char *label_key, const char *value,
	cocm_cache_each_cb cb, void *arg)
{
	struct cocm_strmap *values = cocm_strmap_get(&c->indexes, label_key);
	struct cocm_strmap_iter it;

	if (values == NULL) { /* not indexed: scan */
		cocm_strmap_iter_init(&it, (struct cocm_strmap *)&c->objs);
		while (cocm_strmap_next(&it)) {
			const char *v = label_of(it.value, label_key);

			if (v != NULL && strcmp(v, value) == 0 && cb(it.key, it.value, arg) != 0)
				return;
		}
		return;
	}
	struct cocm_strmap *set = cocm_strmap_get(values, value);

	if (set == NULL)
		return;
	cocm_strmap_iter_init(&it, set);
	while (cocm_strmap_next(&it))
		if (cb(it.key, cocm_strmap_get(&c->objs, it.key), arg) != 0)
			return;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **cocm_cache_keys(const struct cocm_cache *c, size_t *n)
{
	char **keys = COCM_NEWN(char *, c->objs.len + 1);
	struct cocm_strmap_iter it;
	size_t i = 0;

	cocm_strmap_iter_init(&it, (struct cocm_strmap *)&c->objs);
	while (cocm_strmap_next(&it))
		keys[i++] = cocm_xstrdup(it.key);
	qsort(keys, i, sizeof(*keys), cmp_str);
	*n = i;
	return keys;
}

void cocm_cache_keys_free(char **keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
}
