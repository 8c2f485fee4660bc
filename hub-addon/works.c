/* ManifestWork cache helpers (see works.h). */
#include "hub-addon/works.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub-addon/pack.h"
#include "kube/core/json.h"
#include "kube/core/xalloc.h"
#include "manifestwork/names.h"

const char *const cocm_works_index_labels[] = { COCM_LABEL_RELEASE_NAME, NULL };

/* ---- shared strings ------------------------------------------------------------------------
 * Keys and values that recur in nearly every cached object. A cached object points at these
 * static copies (keys flagged cJSON_StringIsConst, string values cJSON_IsReference: cJSON_Delete
 * frees neither, cJSON_Duplicate copies them) instead of holding one allocation (>= 32 bytes)
 * each. */
static const char *common[] = {
	/* keys */
	"apiVersion", "kind", "metadata", "name", "namespace", "labels", "annotations",
	"generation", "resourceVersion", "uid", "creationTimestamp", "deletionTimestamp",
	"deletionGracePeriodSeconds", "finalizers", "ownerReferences", "spec", "status",
	"conditions", "type", "reason", "message", "lastTransitionTime", "observedGeneration",
	"environmentName", "owner", "componentName", "projectName", "targetPlane",
	COCM_PACKED_PREFIX "resources", COCM_PACKED_PREFIX "status",
	COCM_PACKED_PREFIX "resourceStatus", COCM_LABEL_MANAGED_BY, COCM_LABEL_RELEASE_UID,
	COCM_LABEL_RELEASE_NAME, COCM_LABEL_RELEASE_NAMESPACE, COCM_LABEL_PART, COCM_ANN_RELEASE,
	COCM_ANN_RELEASE_KIND, COCM_ANN_PARTS, COCM_ANN_CONTENT_HASH, "openchoreo.dev/component",
	"openchoreo.dev/environment", "openchoreo.dev/namespace", "openchoreo.dev/project",
	/* values */
	"True", "False", "Unknown", "Applied", "Available", "Release", "RenderedRelease",
	"ManifestWork", "work.open-cluster-management.io/v1", "openchoreo.dev/v1alpha1", "1",
	"2", "3", COCM_MANAGED_BY, "ocm.openchoreo.dev/manifestwork-cleanup",
};
static int common_sorted; /* loop thread only, like the caches */

static int cmp_common(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *common_copy(const char *s)
{
	const char *const *hit;

	if (!common_sorted) {
		qsort(common, COCM_ARRAY_LEN(common), sizeof(common[0]), cmp_common);
		common_sorted = 1;
	}
	hit = bsearch(&s, common, COCM_ARRAY_LEN(common), sizeof(common[0]), cmp_common);
	return hit != NULL ? *hit : NULL;
}

static void share_strings(cJSON *v)
{
	const char *c;

	for (; v != NULL; v = v->next) {
		if (v->string != NULL && !(v->type & cJSON_StringIsConst) &&
			(c = common_copy(v->string)) != NULL) {
			cJSON_free(v->string);
			v->string = (char *)c;
			v->type |= cJSON_StringIsConst;
		}
		if (v->type & cJSON_IsReference)
			continue;
		if (cJSON_IsString(v) && v->valuestring != NULL &&
			(c = common_copy(v->valuestring)) != NULL) {
			cJSON_free(v->valuestring);
			v->valuestring = (char *)c;
			v->type |= cJSON_IsReference;
		}
		share_strings(v->child);
	}
}

static void slim(cJSON *obj)
{
	cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	cJSON *ann;

	if (!cJSON_IsObject(md))
		return;
	cJSON_DeleteItemFromObjectCaseSensitive(md, "managedFields");
	ann = cJSON_GetObjectItemCaseSensitive(md, "annotations");
	if (cJSON_IsObject(ann))
		cJSON_DeleteItemFromObjectCaseSensitive(ann,
			"kubectl.kubernetes.io/last-applied-configuration");
}

cJSON *cocm_works_slim(cJSON *obj, void *arg)
{
	(void)arg;
	slim(obj);
	share_strings(obj);
	return obj;
}

/* parent[key] (an array or object) -> parent["x-cocm-packed-<key>"] = cocm_pack_json of it */
static void pack(cJSON *parent, const char *key)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(parent, key);
	char name[64];
	char *text;

	if (v == NULL || !(cJSON_IsArray(v) || cJSON_IsObject(v)))
		return;
	snprintf(name, sizeof(name), COCM_PACKED_PREFIX "%s", key);
	text = cocm_pack_json(v);
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
			cJSON *v = cocm_pack_parse(it->valuestring);
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
	slim(obj);
	pack(cJSON_GetObjectItemCaseSensitive(obj, "spec"), "resources");
	pack(obj, "status"); /* read only by the reconcile (unpacked), never on events */
	return cocm_works_slim(obj, arg);
}

cJSON *cocm_works_unpack(const cJSON *cached)
{
	cJSON *o;

	if (cached == NULL)
		return NULL;
	o = cJSON_Duplicate(cached, 1);
	unpack(o);
	unpack(cJSON_GetObjectItemCaseSensitive(o, "spec"));
	unpack(cJSON_GetObjectItemCaseSensitive(o, "status"));
	return o;
}

/* Deletes every member of obj whose key is not in keep (NULL-terminated). */
static void keep_only(cJSON *obj, const char *const *keep)
{
	cJSON *it, *next;
	size_t i;

	if (!cJSON_IsObject(obj))
		return;
	for (it = obj->child; it != NULL; it = next) {
		next = it->next;
		for (i = 0; keep[i] != NULL; i++)
			if (it->string != NULL && strcmp(it->string, keep[i]) == 0)
				break;
		if (keep[i] == NULL)
			cJSON_Delete(cJSON_DetachItemViaPointer(obj, it));
	}
}

static void drop(cJSON *obj, const char *const *keys)
{
	size_t i;

	if (!cJSON_IsObject(obj))
		return;
	for (i = 0; keys[i] != NULL; i++)
		while (cJSON_GetObjectItemCaseSensitive(obj, keys[i]) != NULL)
			cJSON_DeleteItemFromObjectCaseSensitive(obj, keys[i]);
}

/* A condition as its readers use it (the fold, addon_reg.c): type, status,
 * observedGeneration, and reason + message only while False (failure messages). */
static void trim_condition(cJSON *c)
{
	static const char *const keep[] = { "type", "status", "observedGeneration", NULL };
	static const char *const keep_false[] = { "type", "status", "observedGeneration",
		"reason", "message", NULL };
	const char *st = cocm_json_str(c, "status", NULL);

	keep_only(c, st != NULL && strcmp(st, "False") == 0 ? keep_false : keep);
}

/* types: the condition types kept (NULL-terminated), or NULL for all. */
static void trim_conditions(cJSON *list, const char *const *types)
{
	cJSON *it, *next;
	size_t i;

	if (!cJSON_IsArray(list))
		return;
	for (it = list->child; it != NULL; it = next) {
		const char *t = cocm_json_str(it, "type", NULL);

		next = it->next;
		for (i = 0; types != NULL && types[i] != NULL; i++)
			if (t != NULL && strcmp(t, types[i]) == 0)
				break;
		if (types != NULL && types[i] == NULL) {
			cJSON_Delete(cJSON_DetachItemViaPointer(list, it));
			continue;
		}
		trim_condition(it);
	}
}

/* status.resourceStatus.manifests[] down to what the fold reads (status-sync/fold.c):
 * resourceMeta {group, kind, namespace, name}, conditions Applied / Available /
 * StatusFeedbackSynced, statusFeedback.values. */
static void trim_manifests(cJSON *rs)
{
	static const char *const man_keep[] = { "resourceMeta", "conditions", "statusFeedback",
		NULL };
	static const char *const meta_keep[] = { "group", "kind", "namespace", "name", NULL };
	static const char *const fb_keep[] = { "values", NULL };
	static const char *const types[] = { "Applied", "Available", "StatusFeedbackSynced",
		NULL };
	cJSON *m;

	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(rs, "manifests"))
	{
		keep_only(m, man_keep);
		keep_only(cJSON_GetObjectItemCaseSensitive(m, "resourceMeta"), meta_keep);
		keep_only(cJSON_GetObjectItemCaseSensitive(m, "statusFeedback"), fb_keep);
		trim_conditions(cJSON_GetObjectItemCaseSensitive(m, "conditions"), types);
	}
}

cJSON *cocm_works_transform(cJSON *obj, void *arg)
{
	static const char *const root_keep[] = { "apiVersion", "kind", "metadata", "status",
		NULL };
	static const char *const md_drop[] = { "uid", "creationTimestamp", "selfLink", NULL };
	/* repeat the annotations, or the informer's selector guarantees them */
	static const char *const label_drop[] = { COCM_LABEL_MANAGED_BY, COCM_LABEL_RELEASE_UID,
		COCM_LABEL_RELEASE_NAMESPACE, COCM_LABEL_PART, NULL };
	cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	cJSON *st = cJSON_GetObjectItemCaseSensitive(obj, "status");

	keep_only(obj, root_keep);
	drop(md, md_drop);
	drop(cJSON_GetObjectItemCaseSensitive(md, "labels"), label_drop);
	trim_conditions(cJSON_GetObjectItemCaseSensitive(st, "conditions"), NULL);
	trim_manifests(cJSON_GetObjectItemCaseSensitive(st, "resourceStatus"));
	pack(st, "resourceStatus");
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
