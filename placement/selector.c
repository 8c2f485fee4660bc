/* Kubernetes label-selector strings -> metav1.LabelSelector (see placement.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kube/core/json.h"
#include "placement/placement.h"

struct lex {
	const char *s;
	size_t i, n;
	char *err;
	size_t errcap;
};

static void fail(struct lex *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(struct lex *l, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (l->err == NULL || l->errcap == 0)
		return;
	n = snprintf(l->err, l->errcap, "selector position %zu: ", l->i + 1);
	if (n < 0 || (size_t)n >= l->errcap)
		return;
	va_start(ap, fmt);
	vsnprintf(l->err + n, l->errcap - (size_t)n, fmt, ap);
	va_end(ap);
}

static void skip_ws(struct lex *l)
{
	while (l->i < l->n && (l->s[l->i] == ' ' || l->s[l->i] == '\t'))
		l->i++;
}

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* A word: characters up to a delimiter. Returns its length (0 = none). */
static size_t word(struct lex *l, const char **start)
{
	size_t b = l->i;

	while (l->i < l->n && strchr(" \t,=!()", l->s[l->i]) == NULL)
		l->i++;
	*start = l->s + b;
	return l->i - b;
}

static int valid_name(const char *s, size_t n, size_t max)
{
	size_t i;

	if (n == 0 || n > max || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return 0;
	for (i = 0; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return 0;
	return 1;
}

static int valid_key(const char *s, size_t n)
{
	const char *slash = memchr(s, '/', n);
	size_t i, pn;

	if (slash == NULL)
		return valid_name(s, n, 63);
	pn = (size_t)(slash - s);
	if (pn == 0 || pn > 253)
		return 0;
	for (i = 0; i < pn; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
			    s[i] == '.'))
			return 0;
	return valid_name(slash + 1, n - pn - 1, 63);
}

static int valid_value(const char *s, size_t n)
{
	return n == 0 || valid_name(s, n, 63);
}

static cJSON *str_n(const char *s, size_t n)
{
	char buf[COCM_PLACEMENT_SELECTOR_MAX + 1];

	if (n > COCM_PLACEMENT_SELECTOR_MAX)
		n = COCM_PLACEMENT_SELECTOR_MAX;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return cJSON_CreateString(buf);
}

static void add_expr(cJSON *exprs, const char *key, size_t kn, const char *op, cJSON *values)
{
	cJSON *e = cJSON_CreateObject();

	cJSON_AddItemToObject(e, "key", str_n(key, kn));
	cJSON_AddStringToObject(e, "operator", op);
	if (values != NULL)
		cJSON_AddItemToObject(e, "values", values);
	cJSON_AddItemToArray(exprs, e);
}

/* "( v1, v2 )" after in/notin */
static cJSON *value_set(struct lex *l)
{
	cJSON *vals = cJSON_CreateArray();
	const char *v;
	size_t vn;

	skip_ws(l);
	if (l->i >= l->n || l->s[l->i] != '(') {
		fail(l, "expected '(' after in/notin");
		goto bad;
	}
	l->i++;
	skip_ws(l);
	if (l->i < l->n && l->s[l->i] == ')') {
		fail(l, "in/notin needs at least one value");
		goto bad;
	}
	for (;;) {
		skip_ws(l);
		vn = word(l, &v);
		if (!valid_value(v, vn)) {
			fail(l, "invalid label value \"%.*s\"", (int)vn, v);
			goto bad;
		}
		cJSON_AddItemToArray(vals, str_n(v, vn));
		skip_ws(l);
		if (l->i < l->n && l->s[l->i] == ',') {
			l->i++;
			continue;
		}
		if (l->i < l->n && l->s[l->i] == ')') {
			l->i++;
			return vals;
		}
		fail(l, "expected ',' or ')' in value set");
		goto bad;
	}
bad:
	cJSON_Delete(vals);
	return NULL;
}

static int requirement(struct lex *l, cJSON *labels, cJSON *exprs)
{
	const char *k, *v;
	size_t kn, vn;
	int negate = 0;
	cJSON *vals;
	char keybuf[COCM_PLACEMENT_SELECTOR_MAX + 1];

	skip_ws(l);
	if (l->i < l->n && l->s[l->i] == '!') {
		negate = 1;
		l->i++;
		skip_ws(l);
	}
	kn = word(l, &k);
	if (!valid_key(k, kn)) {
		fail(l, "invalid label key \"%.*s\"", (int)kn, k);
		return 0;
	}
	skip_ws(l);
	if (negate || l->i >= l->n || l->s[l->i] == ',') {
		add_expr(exprs, k, kn, negate ? "DoesNotExist" : "Exists", NULL);
		return 1;
	}
	if (l->s[l->i] == '=' || (l->s[l->i] == '!' && l->i + 1 < l->n && l->s[l->i + 1] == '=')) {
		int ne = l->s[l->i] == '!';
		l->i += (ne || (l->i + 1 < l->n && l->s[l->i + 1] == '=')) ? 2 : 1;
		skip_ws(l);
		vn = word(l, &v);
		if (!valid_value(v, vn)) {
			fail(l, "invalid label value \"%.*s\"", (int)vn, v);
			return 0;
		}
		if (ne) {
			vals = cJSON_CreateArray();
			cJSON_AddItemToArray(vals, str_n(v, vn));
			add_expr(exprs, k, kn, "NotIn", vals);
			return 1;
		}
		memcpy(keybuf, k, kn);
		keybuf[kn] = '\0';
		if (cJSON_GetObjectItemCaseSensitive(labels, keybuf) != NULL) {
			fail(l, "label key \"%s\" given twice with =", keybuf);
			return 0;
		}
		cJSON_AddItemToObject(labels, keybuf, str_n(v, vn));
		return 1;
	}
	vn = word(l, &v);
	if ((vn == 2 && strncmp(v, "in", 2) == 0) || (vn == 5 && strncmp(v, "notin", 5) == 0)) {
		int in = vn == 2;
		vals = value_set(l);
		if (vals == NULL)
			return 0;
		add_expr(exprs, k, kn, in ? "In" : "NotIn", vals);
		return 1;
	}
	fail(l, "expected =, ==, !=, in or notin after \"%.*s\"", (int)kn, k);
	return 0;
}

cJSON *cocm_placement_parse_selector(const char *s, char *err, size_t errcap)
{
	struct lex l = { s, 0, s ? strlen(s) : 0, err, errcap };
	cJSON *sel, *labels = cJSON_CreateObject(), *exprs = cJSON_CreateArray();

	if (l.n > COCM_PLACEMENT_SELECTOR_MAX) {
		fail(&l, "longer than %d bytes", COCM_PLACEMENT_SELECTOR_MAX);
		goto bad;
	}
	skip_ws(&l);
	if (l.i >= l.n) {
		fail(&l, "empty selector (it would select every cluster)");
		goto bad;
	}
	for (;;) {
		if (!requirement(&l, labels, exprs))
			goto bad;
		skip_ws(&l);
		if (l.i >= l.n)
			break;
		if (l.s[l.i] != ',') {
			fail(&l, "expected ','");
			goto bad;
		}
		l.i++;
	}
	sel = cJSON_CreateObject();
	if (labels->child != NULL)
		cJSON_AddItemToObject(sel, "matchLabels", labels);
	else
		cJSON_Delete(labels);
	if (exprs->child != NULL)
		cJSON_AddItemToObject(sel, "matchExpressions", exprs);
	else
		cJSON_Delete(exprs);
	return sel;
bad:
	cJSON_Delete(labels);
	cJSON_Delete(exprs);
	return NULL;
}
