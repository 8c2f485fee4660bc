/* kubectl-like printing of object lists (see output.h). */
#include "hub-addon/output.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kube/core/buf.h"
#include "kube/core/json.h"
#include "kube/core/xalloc.h"
#include "kube/yaml/yamljson.h"

enum cocm_err cocm_output_parse_format(const char *s, enum cocm_output_format *out)
{
	if (s != NULL && strcmp(s, "yaml") == 0) {
		*out = COCM_OUTPUT_YAML;
		return COCM_OK;
	}
	if (s != NULL && strcmp(s, "json") == 0) {
		*out = COCM_OUTPUT_JSON;
		return COCM_OK;
	}
	return COCM_EINVAL;
}

static void indent(struct cocm_buf *b, int depth)
{
	int i;

	for (i = 0; i < depth * 4; i++)
		(void)cocm_buf_append(b, " ", 1);
}

static void pretty(struct cocm_buf *b, const cJSON *v, int depth)
{
	const cJSON *c;
	char *s;
	int first = 1;

	if ((cJSON_IsObject(v) || cJSON_IsArray(v)) && v->child == NULL) {
		(void)cocm_buf_puts(b, cJSON_IsObject(v) ? "{}" : "[]");
		return;
	}
	if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
		(void)cocm_buf_puts(b, cJSON_IsObject(v) ? "{\n" : "[\n");
		cJSON_ArrayForEach(c, v)
		{
			if (!first)
				(void)cocm_buf_puts(b, ",\n");
			first = 0;
			indent(b, depth + 1);
			if (cJSON_IsObject(v)) {
				cJSON *key = cJSON_CreateString(c->string);
				s = cocm_json_print(key);
				(void)cocm_buf_puts(b, s);
				(void)cocm_buf_puts(b, ": ");
				free(s);
				cJSON_Delete(key);
			}
			pretty(b, c, depth + 1);
		}
		(void)cocm_buf_puts(b, "\n");
		indent(b, depth);
		(void)cocm_buf_puts(b, cJSON_IsObject(v) ? "}" : "]");
		return;
	}
	s = cocm_json_print(v);
	(void)cocm_buf_puts(b, s);
	free(s);
}

char *cocm_output_json_pretty(const cJSON *v)
{
	struct cocm_buf b;

	cocm_buf_init(&b, COCM_BUF_UNLIMITED);
	pretty(&b, v, 0);
	return cocm_buf_steal(&b);
}

char *cocm_output_format_one(const cJSON *obj, enum cocm_output_format f)
{
	struct cocm_buf b;
	char *s;

	if (f == COCM_OUTPUT_YAML)
		return cocm_yaml_dump(obj);
	cocm_buf_init(&b, COCM_BUF_UNLIMITED);
	s = cocm_output_json_pretty(obj);
	(void)cocm_buf_puts(&b, s);
	(void)cocm_buf_puts(&b, "\n");
	free(s);
	return cocm_buf_steal(&b);
}

char *cocm_output_format_list(const cJSON *items, enum cocm_output_format f)
{
	struct cocm_buf b;
	const cJSON *it;
	cJSON *list;
	char *s;

	if (f == COCM_OUTPUT_JSON) {
		list = cJSON_CreateObject();
		cJSON_AddStringToObject(list, "apiVersion", "v1");
		cJSON_AddStringToObject(list, "kind", "List");
		cJSON_AddItemToObject(list, "metadata", cJSON_CreateObject());
		/* a reference keeps the caller's array untouched */
		cJSON_AddItemToObject(list, "items", cJSON_CreateArrayReference(items ? items->child : NULL));
		s = cocm_output_format_one(list, f);
		cJSON_Delete(list);
		return s;
	}
	cocm_buf_init(&b, COCM_BUF_UNLIMITED);
	cJSON_ArrayForEach(it, items)
	{
		s = cocm_yaml_dump(it);
		(void)cocm_buf_puts(&b, "---\n");
		(void)cocm_buf_puts(&b, s);
		free(s);
	}
	return cocm_buf_steal(&b);
}

enum cocm_err cocm_output_write(FILE *f, const char *s)
{
	size_t n = strlen(s);

	if (fwrite(s, 1, n, f) != n || fflush(f) != 0)
		return COCM_EIO;
	return COCM_OK;
}

enum cocm_err cocm_output_write_file(const char *path, const char *s, char *err, size_t errcap)
{
	struct cocm_buf tmp;
	FILE *f;
	enum cocm_err rc;

	cocm_buf_init(&tmp, COCM_BUF_UNLIMITED);
	(void)cocm_buf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	f = fopen(cocm_buf_cstr(&tmp), "wb");
	if (f == NULL) {
		snprintf(err, errcap, "%s: %s", cocm_buf_cstr(&tmp), strerror(errno));
		cocm_buf_finish(&tmp);
		return COCM_EIO;
	}
	rc = cocm_output_write(f, s);
	if (fclose(f) != 0)
		rc = COCM_EIO;
	if (rc == COCM_OK && rename(cocm_buf_cstr(&tmp), path) != 0)
		rc = COCM_EIO;
	if (rc != COCM_OK) {
		snprintf(err, errcap, "%s: %s", path, strerror(errno));
		(void)unlink(cocm_buf_cstr(&tmp));
	}
	cocm_buf_finish(&tmp);
	return rc;
}

enum cocm_err cocm_output_mkdirs(const char *path, char *err, size_t errcap)
{
	char *p = cocm_xstrdup(path);
	char *s;
	struct stat st;
	enum cocm_err rc = COCM_OK;

	if (p[0] == '\0') {
		free(p);
		return COCM_OK;
	}
	for (s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		{
			char c = *s;
			*s = '\0';
			if (mkdir(p, 0755) != 0 && errno != EEXIST) {
				snprintf(err, errcap, "%s: %s", p, strerror(errno));
				rc = COCM_EIO;
			} else if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
				snprintf(err, errcap, "%s: not a directory", p);
				rc = COCM_EIO;
			}
			*s = c;
		}
		if (rc != COCM_OK || *s == '\0')
			break;
	}
	free(p);
	return rc;
}
