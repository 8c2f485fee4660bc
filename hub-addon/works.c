/* ManifestWork cache helpers (see works.h). */
#include "hub-addon/works.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/core/json.h"
#include "kube/core/xalloc.h"
#include "manifestwork/names.h"

const char *const cocm_works_index_labels[] = { COCM_LABEL_RELEASE_NAME, NULL };

cJSON *cocm_works_slim(cJSON *obj, void *arg)
{
	cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	cJSON *ann;

	(void)arg;
	if (!cJSON_IsObject(md))
		return obj;
	cJSON_DeleteItemFromObjectCaseSensitive(md, "managedFields");
	ann = cJSON_GetObjectItemCaseSensitive(md, "annotations");
	if (cJSON_IsObject(ann))
		cJSON_DeleteItemFromObjectCaseSensitive(ann,
			"kubectl.kubernetes.io/last-applied-configuration");
	return obj;
}

/* parent[key] (an array or object) -> parent["x-cocm-packed-<key>"] = its compact text */
static void pack(cJSON *parent, const char *key)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(parent, key);
	char name[64];
	char *text;

	if (v == NULL || !(cJSON_IsArray(v) || cJSON_IsObject(v)))
		return;
	snprintf(name, sizeof(name), COCM_PACKED_PREFIX "%s", key);
	text = cocm_json_print(v);
	cJSON_DeleteItemFromObjectCaseSensitive(parent, key);
	cJSON_AddItemToObject(parent, name, cJSON_CreateString(text));
	free(text);
}

static void unpack(cJSON *parent)
{
	cJSON *it, *next;

	if (!cJSON_IsObject(parent))
		return;
	for (it = parent->child; it != NULL; it = next) {
		next = it->next;
		if (it->string != NULL && cJSON_IsString(it) &&
			strncmp(it->string, COCM_PACKED_PREFIX, strlen(COCM_PACKED_PREFIX)) == 0) {
			const char *key = it->string + strlen(COCM_PACKED_PREFIX);
			cJSON *v = cocm_json_parse(it->valuestring, strlen(it->valuestring), NULL, 0);
			char *k = cocm_xstrdup(key);

			cJSON_Delete(cJSON_DetachItemViaPointer(parent, it));
			if (v != NULL)
				cJSON_AddItemToObject(parent, k, v);
			free(k);
		}
	}
}

cJSON *cocm_works_release_transform(cJSON *obj, void *arg)
{
	cocm_works_slim(obj, arg);
	pack(cJSON_GetObjectItemCaseSensitive(obj, "spec"), "resources");
	pack(cJSON_GetObjectItemCaseSensitive(obj, "status"), "resources");
	return obj;
}

cJSON *cocm_works_unpack(const cJSON *cached)
{
	cJSON *o;

	if (cached == NULL)
		return NULL;
	o = cJSON_Duplicate(cached, 1);
	unpack(cJSON_GetObjectItemCaseSensitive(o, "spec"));
	unpack(cJSON_GetObjectItemCaseSensitive(o, "status"));
	return o;
}

cJSON *cocm_works_transform(cJSON *obj, void *arg)
{
	cJSON *it = obj->child, *next;

	for (; it != NULL; it = next) {
		next = it->next;
		if (it->string != NULL && strcmp(it->string, "apiVersion") != 0 &&
			strcmp(it->string, "kind") != 0 && strcmp(it->string, "metadata") != 0 &&
			strcmp(it->string, "status") != 0)
			cJSON_Delete(cJSON_DetachItemViaPointer(obj, it));
	}
	pack(cJSON_GetObjectItemCaseSensitive(obj, "status"), "resourceStatus");
	return cocm_works_slim(obj, arg);
}

int cocm_works_release_key(const cJSON *work, char *out, size_t cap)
{
	const char *rel = cocm_json_str(work, "metadata", "annotations", COCM_ANN_RELEASE, NULL);
	const char *kind = cocm_json_str(work, "metadata", "annotations", COCM_ANN_RELEASE_KIND, NULL);
	int n;

	if (rel == NULL || kind == NULL || strchr(rel, '/') == NULL)
		return -1;
	if (strcmp(kind, "Release") != 0 && strcmp(kind, "RenderedRelease") != 0)
		return -1;
	n = snprintf(out, cap, "%s/%s", kind, rel);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

struct collect {
	char want[600];
	const cJSON **v;
	size_t n, cap;
};

static int collect_one(const char *key, const cJSON *obj, void *arg)
{
	struct collect *c = arg;
	char rk[600];

	(void)key;
	if (cocm_works_release_key(obj, rk, sizeof(rk)) != 0 || strcmp(rk, c->want) != 0)
		return 0;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 8;
		c->v = cocm_xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	c->v[c->n++] = obj;
	return 0;
}

size_t cocm_works_of_release(const struct cocm_cache *works, const char *kind, const char *ns,
	const char *name, const cJSON ***out)
{
	struct collect c = { .v = NULL };
	char lv[COCM_NAMES_LABEL_MAX + 1];

	*out = NULL;
	if (works == NULL)
		return 0;
	snprintf(c.want, sizeof(c.want), "%s/%s/%s", kind, ns, name);
	cocm_cache_each_label(works, COCM_LABEL_RELEASE_NAME, cocm_names_label_value(lv, name),
		collect_one, &c);
	*out = c.v;
	return c.n;
}

const char *cocm_works_hash(const cJSON *work)
{
	return cocm_json_str(work, "metadata", "annotations", COCM_ANN_CONTENT_HASH, NULL);
}

int cocm_works_deleting(const cJSON *obj)
{
	return cocm_json_str(obj, "metadata", "deletionTimestamp", NULL) != NULL;
}
