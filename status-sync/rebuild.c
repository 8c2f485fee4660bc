/* .status rebuilt from feedback values along the table's status paths (see rebuild.h). */
#include "status-sync/rebuild.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kube/core/json.h"
#include "kube/core/xalloc.h"

#define MAX_INDEX 64 /* "parents[N]": a larger index is refused, not padded */

size_t cocm_utf8_cut(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	n = max;
	/* Back off over continuation bytes, then drop the lead byte of the split sequence. */
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

static cJSON *list_elem(cJSON *arr, const char *sel, size_t sellen)
{
	cJSON *e;
	char key[128];

	if (sellen == 0 || sellen >= sizeof(key))
		return NULL;
	memcpy(key, sel, sellen);
	key[sellen] = '\0';
	if (key[0] >= '0' && key[0] <= '9') {
		char *end = NULL;
		long long idx;

		errno = 0;
		idx = strtoll(key, &end, 10);
		if (errno != 0 || end == key || *end != '\0' || idx < 0 || idx > MAX_INDEX)
			return NULL;
		while (cJSON_GetArraySize(arr) <= idx)
			cJSON_AddItemToArray(arr, cJSON_CreateObject());
		return cJSON_GetArrayItem(arr, (int)idx);
	}
	cJSON_ArrayForEach(e, arr)
	{
		const char *t = cocm_json_str(e, "type", NULL);

		if (t != NULL && strcmp(t, key) == 0)
			return e;
	}
	e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "type", key);
	cJSON_AddItemToArray(arr, e);
	return e;
}

/* Syntax check, so a malformed path changes nothing: name ( "[" sel "]" )? ( "." ... )*,
 * where a selector must be followed by ".field" and an index is at most MAX_INDEX. */
static int path_ok(const char *p)
{
	for (;;) {
		size_t n = strcspn(p, ".[]");

		if (n == 0 || n >= 128)
			return 0;
		p += n;
		if (*p == '[') {
			const char *close = strchr(p, ']');
			size_t sl;

			if (close == NULL)
				return 0;
			sl = (size_t)(close - p - 1);
			if (sl == 0 || sl >= 128 || memchr(p + 1, '.', sl) != NULL)
				return 0;
			if (p[1] >= '0' && p[1] <= '9') {
				char *end = NULL;
				long long idx = strtoll(p + 1, &end, 10);

				if (end != close || idx > MAX_INDEX)
					return 0;
			}
			p = close + 1;
			if (*p != '.')
				return 0;
		}
		if (*p == '\0')
			return 1;
		if (*p != '.')
			return 0;
		p++;
	}
}

int cocm_status_path_set(cJSON *obj, const char *status_path, cJSON *value)
{
	const char *p = status_path;
	cJSON *cur = obj;

	if (!cJSON_IsObject(obj) || p == NULL || !path_ok(p))
		goto fail;
	for (;;) {
		size_t n = strcspn(p, ".[");
		char name[128];
		cJSON *child;

		if (n == 0 || n >= sizeof(name))
			goto fail;
		memcpy(name, p, n);
		name[n] = '\0';
		p += n;
		child = cJSON_GetObjectItemCaseSensitive(cur, name);
		if (*p == '[') {
			const char *close = strchr(p, ']');

			if (close == NULL)
				goto fail;
			if (child == NULL) {
				child = cJSON_CreateArray();
				cJSON_AddItemToObject(cur, name, child);
			}
			if (!cJSON_IsArray(child))
				goto fail;
			child = list_elem(child, p + 1, (size_t)(close - p - 1));
			if (!cJSON_IsObject(child))
				goto fail;
			p = close + 1;
			if (*p != '.')
				goto fail; /* a selector must be followed by a field */
			cur = child;
			p++;
			continue;
		}
		if (*p == '\0') {
			cocm_json_set(cur, name, value);
			return 0;
		}
		/* *p == '.' */
		if (child == NULL) {
			child = cJSON_CreateObject();
			cJSON_AddItemToObject(cur, name, child);
		}
		if (!cJSON_IsObject(child))
			goto fail;
		cur = child;
		p++;
	}
fail:
	cJSON_Delete(value);
	return -1;
}

static cJSON *value_json(const cJSON *fv)
{
	const char *type = cocm_json_str(fv, "type", NULL);
	const cJSON *x;

	if (type == NULL)
		return NULL;
	if (strcmp(type, "Integer") == 0) {
		x = cJSON_GetObjectItemCaseSensitive(fv, "integer");
		return cJSON_IsNumber(x) ? cJSON_CreateNumber(x->valuedouble) : NULL;
	}
	if (strcmp(type, "Boolean") == 0) {
		x = cJSON_GetObjectItemCaseSensitive(fv, "boolean");
		return cJSON_IsBool(x) ? cJSON_CreateBool(cJSON_IsTrue(x)) : NULL;
	}
	if (strcmp(type, "String") == 0) {
		x = cJSON_GetObjectItemCaseSensitive(fv, "string");
		if (!cJSON_IsString(x))
			return NULL;
		{
			size_t n = cocm_utf8_cut(x->valuestring, COCM_REBUILD_MAX_STRING);
			char *s = cocm_xstrndup(x->valuestring, n);
			cJSON *r = cJSON_CreateString(s);

			free(s);
			return r;
		}
	}
	if (strcmp(type, "JsonRaw") == 0) {
		x = cJSON_GetObjectItemCaseSensitive(fv, "jsonRaw");
		if (!cJSON_IsString(x) || strlen(x->valuestring) > 1024)
			return NULL;
		return cocm_json_parse(x->valuestring, strlen(x->valuestring), NULL, 0);
	}
	return NULL;
}

cJSON *cocm_status_rebuild(const struct cocm_feedback_kind *k, const cJSON *values)
{
	cJSON *out;
	size_t i;

	if (k == NULL || !cJSON_IsArray(values))
		return NULL;
	cocm_xalloc_init();
	out = cJSON_CreateObject();
	/* Table order, so the rebuilt object does not depend on the agent's value order. */
	for (i = 0; i < k->nrules; i++) {
		const struct cocm_feedback_rule *r = &k->rules[i];
		const cJSON *v;

		if (r->status_path == NULL)
			continue;
		cJSON_ArrayForEach(v, values)
		{
			const char *name = cocm_json_str(v, "name", NULL);
			cJSON *j;

			if (name == NULL || strcmp(name, r->name) != 0)
				continue;
			j = value_json(cJSON_GetObjectItemCaseSensitive(v, "fieldValue"));
			if (j != NULL)
				(void)cocm_status_path_set(out, r->status_path, j);
			break;
		}
	}
	if (out->child == NULL) {
		cJSON_Delete(out);
		return NULL;
	}
	return out;
}
