/* YAML <-> cJSON on top of libyaml's document API (load) and event API (dump).
 * Design decision: load through yaml_document_t, which already resolves anchors to node ids,
 * so alias expansion is a recursive copy bounded by a node budget. */
#include "kube/yaml/yamljson.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "kube/core/buf.h"
#include "kube/core/xalloc.h"

struct loader {
	yaml_document_t *doc;
	size_t budget;
	char *err;
	size_t errcap;
};

static void set_err(struct loader *l, const yaml_node_t *n, const char *what)
{
	if (l->err && l->errcap)
		snprintf(l->err, l->errcap, "line %lu column %lu: %s",
			n ? (unsigned long)n->start_mark.line + 1 : 0UL,
			n ? (unsigned long)n->start_mark.column + 1 : 0UL, what);
}

static int is_one_of(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

static cJSON *plain_scalar(const char *s, size_t len)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
	static const char *const trues[] = { "true", "True", "TRUE", NULL };
	static const char *const falses[] = { "false", "False", "FALSE", NULL };
	char *end;

	if (strlen(s) != len)
		return cJSON_CreateString(s); /* embedded NUL: keep as text */
	if (is_one_of(s, nulls))
		return cJSON_CreateNull();
	if (is_one_of(s, trues))
		return cJSON_CreateTrue();
	if (is_one_of(s, falses))
		return cJSON_CreateFalse();
	if (len > 0 && (s[0] == '-' || s[0] == '+' || (s[0] >= '0' && s[0] <= '9') || s[0] == '.')) {
		long long v;
		double d;
		int base = 10;
		const char *p = s;

		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
			base = 16;
		else if (p[0] == '0' && p[1] == 'o')
			base = 8, p += 2;
		errno = 0;
		v = strtoll(p, &end, base);
		if (errno == 0 && end != p && *end == '\0' && strchr(s, '_') == NULL)
			return cJSON_CreateNumber((double)v);
		errno = 0;
		d = strtod(s, &end);
		if (errno == 0 && end != s && *end == '\0' && isfinite(d) && strpbrk(s, "xXpPnN") == NULL)
			return cJSON_CreateNumber(d);
	}
	return cJSON_CreateString(s);
}

static cJSON *convert(struct loader *l, yaml_node_t *n, int depth)
{
	cJSON *out;

	if (n == NULL) {
		set_err(l, NULL, "dangling alias");
		return NULL;
	}
	if (depth > COCM_YAML_MAX_DEPTH) {
		set_err(l, n, "nesting too deep");
		return NULL;
	}
	if (l->budget == 0) {
		set_err(l, n, "too many nodes (alias expansion budget exceeded)");
		return NULL;
	}
	l->budget--;
	switch (n->type) {
	case YAML_SCALAR_NODE: {
		const char *s = (const char *)n->data.scalar.value;
		size_t len = n->data.scalar.length;
		/* libyaml gives every untagged scalar the default !!str tag, so an explicit
		 * tag cannot be told apart here: only the quoting style decides. */
		if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
			return cJSON_CreateString(s);
		return plain_scalar(s, len);
	}
	case YAML_SEQUENCE_NODE: {
		yaml_node_item_t *it;

		out = cJSON_CreateArray();
		for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
			cJSON *c = convert(l, yaml_document_get_node(l->doc, *it), depth + 1);
			if (c == NULL) {
				cJSON_Delete(out);
				return NULL;
			}
			cJSON_AddItemToArray(out, c);
		}
		return out;
	}
	case YAML_MAPPING_NODE: {
		yaml_node_pair_t *p;

		out = cJSON_CreateObject();
		for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(l->doc, p->key);
			cJSON *v;

			if (k == NULL || k->type != YAML_SCALAR_NODE) {
				set_err(l, k ? k : n, "mapping key is not a scalar");
				cJSON_Delete(out);
				return NULL;
			}
			if (cJSON_GetObjectItemCaseSensitive(out, (const char *)k->data.scalar.value)) {
				char msg[160];
				snprintf(msg, sizeof(msg), "duplicate key \"%.100s\"",
					(const char *)k->data.scalar.value);
				set_err(l, k, msg);
				cJSON_Delete(out);
				return NULL;
			}
			v = convert(l, yaml_document_get_node(l->doc, p->value), depth + 1);
			if (v == NULL) {
				cJSON_Delete(out);
				return NULL;
			}
			cJSON_AddItemToObject(out, (const char *)k->data.scalar.value, v);
		}
		return out;
	}
	case YAML_NO_NODE:
		break;
	}
	set_err(l, n, "unsupported node");
	return NULL;
}

cJSON *cocm_yaml_load(const char *data, size_t len, char *err, size_t errcap)
{
	yaml_parser_t parser;
	cJSON *docs = NULL;
	struct loader l = { NULL, COCM_YAML_MAX_NODES, err, errcap };

	cocm_xalloc_init();
	if (err && errcap)
		err[0] = '\0';
	if (!yaml_parser_initialize(&parser)) {
		if (err && errcap)
			snprintf(err, errcap, "cannot initialise YAML parser");
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	docs = cJSON_CreateArray();
	for (;;) {
		yaml_document_t doc;
		yaml_node_t *root;
		cJSON *item;

		if (!yaml_parser_load(&parser, &doc)) {
			if (err && errcap)
				snprintf(err, errcap, "line %lu column %lu: %s",
					(unsigned long)parser.problem_mark.line + 1,
					(unsigned long)parser.problem_mark.column + 1,
					parser.problem ? parser.problem : "invalid YAML");
			goto fail;
		}
		root = yaml_document_get_root_node(&doc);
		if (root == NULL) { /* end of stream */
			yaml_document_delete(&doc);
			break;
		}
		l.doc = &doc;
		if (root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0 &&
			root->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
			yaml_document_delete(&doc); /* empty document between --- markers */
			continue;
		}
		item = convert(&l, root, 0);
		yaml_document_delete(&doc);
		if (item == NULL)
			goto fail;
		if (!cJSON_IsNull(item))
			cJSON_AddItemToArray(docs, item);
		else
			cJSON_Delete(item);
	}
	yaml_parser_delete(&parser);
	return docs;
fail:
	yaml_parser_delete(&parser);
	cJSON_Delete(docs);
	return NULL;
}

/* ---- dump ---- */

static int emit_write(void *data, unsigned char *buffer, size_t size)
{
	return cocm_buf_append(data, buffer, size) == COCM_OK;
}

static int needs_quotes(const char *s)
{
	cJSON *probe;
	int quote;
	size_t len = strlen(s);

	if (len == 0)
		return 1;
	probe = plain_scalar(s, len);
	quote = !cJSON_IsString(probe);
	cJSON_Delete(probe);
	/* YAML 1.1 booleans that Kubernetes' decoder (yaml.v2 heritage) would read as bool */
	if (!quote) {
		static const char *const yaml11[] = { "y", "Y", "yes", "Yes", "YES", "n", "N", "no",
			"No", "NO", "on", "On", "ON", "off", "Off", "OFF", NULL };
		quote = is_one_of(s, yaml11);
	}
	return quote;
}

static int emit_node(yaml_emitter_t *e, const cJSON *j)
{
	yaml_event_t ev;
	char num[64];
	const cJSON *c;

	if (cJSON_IsObject(j)) {
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
		if (!yaml_emitter_emit(e, &ev))
			return 0;
		cJSON_ArrayForEach(c, j)
		{
			yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)c->string, -1, 1, 1,
				needs_quotes(c->string) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE);
			if (!yaml_emitter_emit(e, &ev) || !emit_node(e, c))
				return 0;
		}
		yaml_mapping_end_event_initialize(&ev);
		return yaml_emitter_emit(e, &ev);
	}
	if (cJSON_IsArray(j)) {
		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
		if (!yaml_emitter_emit(e, &ev))
			return 0;
		cJSON_ArrayForEach(c, j)
		{
			if (!emit_node(e, c))
				return 0;
		}
		yaml_sequence_end_event_initialize(&ev);
		return yaml_emitter_emit(e, &ev);
	}
	if (cJSON_IsString(j)) {
		yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)j->valuestring, -1, 1, 1,
			needs_quotes(j->valuestring) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
						     : YAML_ANY_SCALAR_STYLE);
		return yaml_emitter_emit(e, &ev);
	}
	if (cJSON_IsNumber(j)) {
		double d = j->valuedouble;
		if (floor(d) == d && fabs(d) < 9007199254740992.0)
			snprintf(num, sizeof(num), "%lld", (long long)d);
		else
			snprintf(num, sizeof(num), "%.17g", d);
	} else if (cJSON_IsTrue(j)) {
		snprintf(num, sizeof(num), "true");
	} else if (cJSON_IsFalse(j)) {
		snprintf(num, sizeof(num), "false");
	} else {
		snprintf(num, sizeof(num), "null");
	}
	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)num, -1, 1, 1,
		YAML_PLAIN_SCALAR_STYLE);
	return yaml_emitter_emit(e, &ev);
}

char *cocm_yaml_dump(const cJSON *doc)
{
	yaml_emitter_t e;
	yaml_event_t ev;
	struct cocm_buf out;
	int ok;

	cocm_buf_init(&out, COCM_BUF_UNLIMITED);
	if (!yaml_emitter_initialize(&e))
		return cocm_buf_steal(&out);
	yaml_emitter_set_output(&e, emit_write, &out);
	yaml_emitter_set_unicode(&e, 1);
	yaml_emitter_set_width(&e, -1);
	yaml_emitter_set_indent(&e, 2);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	ok = yaml_emitter_emit(&e, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	ok = ok && yaml_emitter_emit(&e, &ev);
	ok = ok && emit_node(&e, doc);
	yaml_document_end_event_initialize(&ev, 1);
	ok = ok && yaml_emitter_emit(&e, &ev);
	yaml_stream_end_event_initialize(&ev);
	ok = ok && yaml_emitter_emit(&e, &ev);
	yaml_emitter_delete(&e);
	(void)ok;
	return cocm_buf_steal(&out);
}
