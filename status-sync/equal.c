/* cocm_status_equal: does a newly folded status differ in meaning from the stored one? */
#include "status-sync/fold.h"

#include <string.h>

#include "kube/core/json.h"

/* Objects equal in every member except `skip` (NULL = none); key order ignored. */
static int obj_equal_except(const cJSON *a, const cJSON *b, const char *skip)
{
	const cJSON *x;
	int na = 0, nb = 0;

	if (!cJSON_IsObject(a) || !cJSON_IsObject(b))
		return cJSON_Compare(a, b, 1);
	cJSON_ArrayForEach(x, a)
	{
		const cJSON *y;

		if (skip != NULL && strcmp(x->string, skip) == 0)
			continue;
		y = cJSON_GetObjectItemCaseSensitive(b, x->string);
		if (y == NULL || !cJSON_Compare(x, y, 1))
			return 0;
		na++;
	}
	cJSON_ArrayForEach(x, b)
		if (skip == NULL || strcmp(x->string, skip) != 0)
			nb++;
	return na == nb;
}

static int empty_list(const cJSON *l)
{
	return l == NULL || cJSON_IsNull(l) || (cJSON_IsArray(l) && l->child == NULL);
}

static int resources_equal(const cJSON *a, const cJSON *b)
{
	const cJSON *x, *y;

	if (empty_list(a) || empty_list(b))
		return empty_list(a) && empty_list(b);
	if (!cJSON_IsArray(a) || !cJSON_IsArray(b))
		return cJSON_Compare(a, b, 1);
	if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
		return 0;
	for (x = a->child, y = b->child; x != NULL && y != NULL; x = x->next, y = y->next)
		if (!obj_equal_except(x, y, "lastObservedTime"))
			return 0;
	return 1;
}

static const cJSON *cond_by_type(const cJSON *list, const char *type)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, list)
	{
		const char *t = cocm_json_str(c, "type", NULL);

		if (t != NULL && strcmp(t, type) == 0)
			return c;
	}
	return NULL;
}

static int conditions_equal(const cJSON *a, const cJSON *b)
{
	const cJSON *x;

	if (empty_list(a) || empty_list(b))
		return empty_list(a) && empty_list(b);
	if (!cJSON_IsArray(a) || !cJSON_IsArray(b) || cJSON_Compare(a, b, 1))
		return cJSON_Compare(a, b, 1); /* identical lists are equal even when malformed */
	if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
		return 0;
	cJSON_ArrayForEach(x, a)
	{
		const char *t = cocm_json_str(x, "type", NULL);
		const cJSON *y;

		if (t == NULL)
			return 0; /* malformed: only a byte-for-byte match would be the same */
		y = cond_by_type(b, t);
		if (y == NULL || cond_by_type(a, t) != x || !obj_equal_except(x, y, "lastTransitionTime"))
			return 0;
	}
	return 1;
}

static const cJSON *member(const cJSON *o, const char *key)
{
	return o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

int cocm_status_equal(const cJSON *a, const cJSON *b)
{
	const cJSON *x;

	if (a == NULL || cJSON_IsNull(a))
		a = NULL;
	if (b == NULL || cJSON_IsNull(b))
		b = NULL;
	if (a != NULL && !cJSON_IsObject(a))
		return b != NULL && cJSON_Compare(a, b, 1);
	if (b != NULL && !cJSON_IsObject(b))
		return 0;
	if (!resources_equal(member(a, "resources"), member(b, "resources")))
		return 0;
	if (!conditions_equal(member(a, "conditions"), member(b, "conditions")))
		return 0;
	/* Any other member: present on both sides and equal, or absent on both. */
	for (x = a ? a->child : NULL; x != NULL; x = x->next) {
		if (strcmp(x->string, "resources") == 0 || strcmp(x->string, "conditions") == 0)
			continue;
		if (b == NULL || !cJSON_Compare(x, cJSON_GetObjectItemCaseSensitive(b, x->string), 1))
			return 0;
	}
	for (x = b ? b->child : NULL; x != NULL; x = x->next) {
		if (strcmp(x->string, "resources") == 0 || strcmp(x->string, "conditions") == 0)
			continue;
		if (a == NULL || cJSON_GetObjectItemCaseSensitive(a, x->string) == NULL)
			return 0;
	}
	return 1;
}
