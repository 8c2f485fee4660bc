/* cJSON helpers: bounded parsing with located errors, key-path lookups, replace-style sets. */
#include "kube/core/json.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kube/core/xalloc.h"

cJSON *cocm_json_parse(const char *data, size_t len, char *err, size_t errcap)
{
	const char *end = NULL;
	cJSON *root;

	cocm_xalloc_init();
	if (data == NULL || len == 0) {
		if (err && errcap)
			snprintf(err, errcap, "empty input");
		return NULL;
	}
	root = cJSON_ParseWithLengthOpts(data, len, &end, 0);
	if (root == NULL && err && errcap) {
		const char *at = cJSON_GetErrorPtr();
		size_t off = (at && at >= data && at <= data + len) ? (size_t)(at - data) : 0;
		snprintf(err, errcap, "invalid JSON near byte %zu", off);
	}
	return root;
}

static const cJSON *vget(const cJSON *obj, va_list ap)
{
	const char *key;

	while ((key = va_arg(ap, const char *)) != NULL) {
		if (!cJSON_IsObject(obj))
			return NULL;
		obj = cJSON_GetObjectItemCaseSensitive(obj, key);
		if (obj == NULL)
			return NULL;
	}
	return obj;
}

const cJSON *cocm_json_get(const cJSON *obj, ...)
{
	va_list ap;
	const cJSON *r;

	va_start(ap, obj);
	r = vget(obj, ap);
	va_end(ap);
	return r;
}

const char *cocm_json_str(const cJSON *obj, ...)
{
	va_list ap;
	const cJSON *r;

	va_start(ap, obj);
	r = vget(obj, ap);
	va_end(ap);
	return cJSON_IsString(r) ? r->valuestring : NULL;
}

enum cocm_err cocm_json_int(int64_t *out, const cJSON *obj, ...)
{
	va_list ap;
	const cJSON *r;
	double d;

	va_start(ap, obj);
	r = vget(obj, ap);
	va_end(ap);
	if (r == NULL)
		return COCM_ENOTFOUND;
	if (!cJSON_IsNumber(r))
		return COCM_EINVAL;
	d = r->valuedouble;
	if (!(d >= -9007199254740992.0 && d <= 9007199254740992.0) || floor(d) != d)
		return COCM_EINVAL;
	*out = (int64_t)d;
	return COCM_OK;
}

char *cocm_json_print(const cJSON *item)
{
	char *s;

	cocm_xalloc_init();
	s = cJSON_PrintUnformatted(item);
	if (s == NULL)
		s = cocm_xstrdup("null");
	return s;
}

void cocm_json_set(cJSON *obj, const char *key, cJSON *value)
{
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, value);
	else
		cJSON_AddItemToObject(obj, key, value);
}

void cocm_json_set_str(cJSON *obj, const char *key, const char *value)
{
	cocm_json_set(obj, key, cJSON_CreateString(value));
}

cJSON *cocm_json_obj(cJSON *obj, const char *key)
{
	cJSON *o = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (cJSON_IsObject(o))
		return o;
	o = cJSON_CreateObject();
	cocm_json_set(obj, key, o);
	return o;
}
