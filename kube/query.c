/* Query strings, resource paths and label selectors (see query.h). */
#include "kube/query.h"

#include <stdio.h>
#include <string.h>

#include "kube/core/xalloc.h"

static int unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		c == '-' || c == '.' || c == '_' || c == '~';
}

enum cocm_err cocm_query_escape(struct cocm_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		char enc[3];
		enum cocm_err e;

		if (unreserved(*p)) {
			e = cocm_buf_append(b, p, 1);
		} else {
			enc[0] = '%';
			enc[1] = hex[*p >> 4];
			enc[2] = hex[*p & 15];
			e = cocm_buf_append(b, enc, 3);
		}
		if (e != COCM_OK)
			return e;
	}
	return COCM_OK;
}

void cocm_query_init(struct cocm_query *q, struct cocm_buf *buf)
{
	q->buf = buf;
	q->n = 0;
}

enum cocm_err cocm_query_add(struct cocm_query *q, const char *key, const char *value)
{
	enum cocm_err e;

	if (value == NULL || value[0] == '\0')
		return COCM_OK;
	e = cocm_buf_puts(q->buf, q->n == 0 ? "?" : "&");
	if (e == COCM_OK)
		e = cocm_query_escape(q->buf, key);
	if (e == COCM_OK)
		e = cocm_buf_puts(q->buf, "=");
	if (e == COCM_OK)
		e = cocm_query_escape(q->buf, value);
	if (e == COCM_OK)
		q->n++;
	return e;
}

enum cocm_err cocm_query_add_long(struct cocm_query *q, const char *key, long value)
{
	char num[32];

	snprintf(num, sizeof(num), "%ld", value);
	return cocm_query_add(q, key, num);
}

static int segment_ok(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	return n > 0 && n <= COCM_QUERY_MAX_SEGMENT && strcmp(s, ".") != 0 && strcmp(s, "..") != 0 &&
		strchr(s, '/') == NULL;
}

static enum cocm_err add_segment(struct cocm_buf *b, const char *s)
{
	enum cocm_err e;

	if (!segment_ok(s))
		return COCM_EINVAL;
	e = cocm_buf_puts(b, "/");
	return e != COCM_OK ? e : cocm_query_escape(b, s);
}

enum cocm_err cocm_query_path(struct cocm_buf *b, const struct cocm_gvr *r, const char *ns,
	const char *name, const char *sub)
{
	enum cocm_err e;
	int has_ns = ns != NULL && ns[0] != '\0';

	if (r == NULL || !segment_ok(r->version) || !segment_ok(r->resource))
		return COCM_EINVAL;
	if (!r->namespaced && has_ns)
		return COCM_EINVAL;
	if (r->namespaced && !has_ns && name != NULL)
		return COCM_EINVAL;
	if (r->group == NULL || r->group[0] == '\0') {
		e = cocm_buf_puts(b, "/api");
	} else {
		e = cocm_buf_puts(b, "/apis");
		if (e == COCM_OK)
			e = add_segment(b, r->group);
	}
	if (e == COCM_OK)
		e = add_segment(b, r->version);
	if (e == COCM_OK && has_ns) {
		e = cocm_buf_puts(b, "/namespaces");
		if (e == COCM_OK)
			e = add_segment(b, ns);
	}
	if (e == COCM_OK)
		e = add_segment(b, r->resource);
	if (e == COCM_OK && name != NULL)
		e = add_segment(b, name);
	if (e == COCM_OK && sub != NULL) {
		if (name == NULL)
			return COCM_EINVAL;
		e = add_segment(b, sub);
	}
	return e;
}

/* Label keys: [prefix/]name, prefix a DNS subdomain (<= 253), name <= 63 of [A-Za-z0-9-_.]
 * starting and ending alphanumeric. Values: same alphabet as a name, may be empty. */
static int alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int label_name_ok(const char *s, size_t n, int allow_empty)
{
	size_t i;

	if (n == 0)
		return allow_empty;
	if (n > 63 || !alnum(s[0]) || !alnum(s[n - 1]))
		return 0;
	for (i = 0; i < n; i++)
		if (!alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return 0;
	return 1;
}

static int label_key_ok(const char *key)
{
	const char *slash = strchr(key, '/');
	size_t i, plen;

	if (slash == NULL)
		return label_name_ok(key, strlen(key), 0);
	plen = (size_t)(slash - key);
	if (plen == 0 || plen > 253)
		return 0;
	for (i = 0; i < plen; i++) {
		char c = key[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'))
			return 0;
	}
	return label_name_ok(slash + 1, strlen(slash + 1), 0);
}

static int label_value_ok(const char *v)
{
	return label_name_ok(v, strlen(v), 1);
}

static enum cocm_err fail(char *err, size_t errcap, const char *what, const char *detail)
{
	if (err != NULL && errcap > 0)
		snprintf(err, errcap, "%s: %s", what, detail);
	return COCM_EINVAL;
}

static void sep(struct cocm_buf *b)
{
	if (b->len > 0)
		(void)cocm_buf_puts(b, ",");
}

static enum cocm_err add_match_labels(struct cocm_buf *b, const cJSON *ml, char *err, size_t errcap)
{
	const cJSON *it;

	if (ml == NULL || cJSON_IsNull(ml))
		return COCM_OK;
	if (!cJSON_IsObject(ml))
		return fail(err, errcap, "matchLabels", "not an object");
	cJSON_ArrayForEach(it, ml) {
		if (!cJSON_IsString(it))
			return fail(err, errcap, "matchLabels", "value is not a string");
		if (!label_key_ok(it->string))
			return fail(err, errcap, "matchLabels", "invalid label key");
		if (!label_value_ok(it->valuestring))
			return fail(err, errcap, "matchLabels", "invalid label value");
		sep(b);
		(void)cocm_buf_printf(b, "%s=%s", it->string, it->valuestring);
	}
	return COCM_OK;
}

static enum cocm_err add_expression(struct cocm_buf *b, const cJSON *ex, char *err, size_t errcap)
{
	const cJSON *key = cJSON_GetObjectItemCaseSensitive(ex, "key");
	const cJSON *op = cJSON_GetObjectItemCaseSensitive(ex, "operator");
	const cJSON *vals = cJSON_GetObjectItemCaseSensitive(ex, "values");
	const cJSON *v;
	int set_op, n = 0;

	if (!cJSON_IsString(key) || !label_key_ok(key->valuestring))
		return fail(err, errcap, "matchExpressions", "missing or invalid key");
	if (!cJSON_IsString(op))
		return fail(err, errcap, "matchExpressions", "missing operator");
	set_op = strcmp(op->valuestring, "In") == 0 || strcmp(op->valuestring, "NotIn") == 0;
	if (set_op) {
		if (!cJSON_IsArray(vals) || cJSON_GetArraySize(vals) == 0)
			return fail(err, errcap, "matchExpressions", "In/NotIn need values");
		sep(b);
		(void)cocm_buf_printf(b, "%s %s (", key->valuestring,
			op->valuestring[0] == 'I' ? "in" : "notin");
		cJSON_ArrayForEach(v, vals) {
			if (!cJSON_IsString(v) || !label_value_ok(v->valuestring))
				return fail(err, errcap, "matchExpressions", "invalid value");
			(void)cocm_buf_printf(b, "%s%s", n++ > 0 ? "," : "", v->valuestring);
		}
		(void)cocm_buf_puts(b, ")");
		return COCM_OK;
	}
	if (cJSON_IsArray(vals) && cJSON_GetArraySize(vals) > 0)
		return fail(err, errcap, "matchExpressions", "Exists/DoesNotExist take no values");
	if (strcmp(op->valuestring, "Exists") == 0) {
		sep(b);
		(void)cocm_buf_puts(b, key->valuestring);
	} else if (strcmp(op->valuestring, "DoesNotExist") == 0) {
		sep(b);
		(void)cocm_buf_printf(b, "!%s", key->valuestring);
	} else {
		return fail(err, errcap, "matchExpressions", "unknown operator");
	}
	return COCM_OK;
}

enum cocm_err cocm_query_label_selector(char **out, const cJSON *selector, char *err, size_t errcap)
{
	struct cocm_buf b;
	const cJSON *ex, *it;
	enum cocm_err e = COCM_OK;

	*out = NULL;
	cocm_buf_init(&b, COCM_BUF_UNLIMITED);
	if (selector != NULL && !cJSON_IsNull(selector)) {
		if (!cJSON_IsObject(selector)) {
			e = fail(err, errcap, "selector", "not an object");
			goto out;
		}
		e = add_match_labels(&b, cJSON_GetObjectItemCaseSensitive(selector, "matchLabels"),
			err, errcap);
		if (e != COCM_OK)
			goto out;
		ex = cJSON_GetObjectItemCaseSensitive(selector, "matchExpressions");
		if (ex != NULL && !cJSON_IsNull(ex) && !cJSON_IsArray(ex)) {
			e = fail(err, errcap, "matchExpressions", "not a list");
			goto out;
		}
		cJSON_ArrayForEach(it, ex) {
			e = add_expression(&b, it, err, errcap);
			if (e != COCM_OK)
				goto out;
		}
	}
	*out = cocm_buf_steal(&b);
out:
	cocm_buf_finish(&b);
	return e;
}
