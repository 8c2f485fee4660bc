/* Reading YAML/JSON object files for the CLI (see input.h). */
#include "hub-addon/input.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/core/buf.h"
#include "kube/core/json.h"
#include "kube/core/xalloc.h"
#include "kube/yaml/yamljson.h"

void cocm_input_init(struct cocm_input *in)
{
	memset(in, 0, sizeof(*in));
}

void cocm_input_finish(struct cocm_input *in)
{
	size_t i;

	for (i = 0; i < in->nroots; i++)
		cJSON_Delete(in->roots[i]);
	for (i = 0; i < in->nfiles; i++)
		free(in->files[i]);
	free(in->roots);
	free(in->files);
	free(in->docs);
	memset(in, 0, sizeof(*in));
}

static int is_list(const cJSON *o)
{
	const char *kind = cocm_json_str(o, "kind", NULL);
	size_t n;

	if (kind == NULL)
		return 0;
	n = strlen(kind);
	return n >= 4 && strcmp(kind + n - 4, "List") == 0 &&
		cJSON_GetObjectItemCaseSensitive(o, "items") != NULL;
}

static void push_doc(struct cocm_input *in, cJSON *obj, const char *file, unsigned doc, int item)
{
	if (in->n == in->cap) {
		in->cap = in->cap ? in->cap * 2 : 16;
		in->docs = cocm_xrealloc(in->docs, in->cap * sizeof(*in->docs));
	}
	in->docs[in->n].obj = obj;
	in->docs[in->n].file = file;
	in->docs[in->n].doc = doc;
	in->docs[in->n].item = item;
	in->n++;
}

/* Checks the whole stream before adding anything, so a failing file adds nothing. */
static enum cocm_err check_stream(const cJSON *stream, const char *name, char *err,
	size_t errcap)
{
	const cJSON *d, *items, *it;
	unsigned doc = 0;
	int i;

	cJSON_ArrayForEach(d, stream)
	{
		doc++;
		if (!cJSON_IsObject(d)) {
			snprintf(err, errcap, "%s: document %u: not an object", name, doc);
			return COCM_EINVAL;
		}
		if (!is_list(d))
			continue;
		items = cJSON_GetObjectItemCaseSensitive(d, "items");
		if (!cJSON_IsArray(items) && !cJSON_IsNull(items)) {
			snprintf(err, errcap, "%s: document %u: %s.items is not a list", name, doc,
				cocm_json_str(d, "kind", NULL));
			return COCM_EINVAL;
		}
		i = 0;
		cJSON_ArrayForEach(it, items)
		{
			if (!cJSON_IsObject(it)) {
				snprintf(err, errcap, "%s: document %u: items[%d] is not an object", name,
					doc, i);
				return COCM_EINVAL;
			}
			i++;
		}
	}
	return COCM_OK;
}

enum cocm_err cocm_input_add_mem(struct cocm_input *in, const char *name, const char *data,
	size_t len, char *err, size_t errcap)
{
	char perr[256];
	cJSON *stream, *d, *it;
	const char *file;
	unsigned doc = 0;
	enum cocm_err rc;
	int i;

	if (len > COCM_INPUT_MAX_FILE) {
		snprintf(err, errcap, "%s: larger than %zu bytes", name, COCM_INPUT_MAX_FILE);
		return COCM_ETOOBIG;
	}
	perr[0] = '\0';
	stream = cocm_yaml_load(data, len, perr, sizeof(perr));
	if (stream == NULL) {
		snprintf(err, errcap, "%s: %s", name, perr);
		return COCM_EPARSE;
	}
	rc = check_stream(stream, name, err, errcap);
	if (rc != COCM_OK) {
		cJSON_Delete(stream);
		return rc;
	}
	in->files = cocm_xrealloc(in->files, (in->nfiles + 1) * sizeof(*in->files));
	file = in->files[in->nfiles++] = cocm_xstrdup(name);
	in->roots = cocm_xrealloc(in->roots, (in->nroots + 1) * sizeof(*in->roots));
	in->roots[in->nroots++] = stream;
	cJSON_ArrayForEach(d, stream)
	{
		doc++;
		if (!is_list(d)) {
			push_doc(in, d, file, doc, -1);
			continue;
		}
		i = 0;
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(d, "items"))
			push_doc(in, it, file, doc, i++);
	}
	return COCM_OK;
}

enum cocm_err cocm_input_add_file(struct cocm_input *in, const char *path, char *err,
	size_t errcap)
{
	struct cocm_buf b;
	char chunk[65536];
	FILE *f;
	size_t n;
	enum cocm_err rc = COCM_OK;
	int is_stdin = strcmp(path, "-") == 0;

	f = is_stdin ? stdin : fopen(path, "rb");
	if (f == NULL) {
		snprintf(err, errcap, "%s: %s", path, strerror(errno));
		return COCM_EIO;
	}
	cocm_buf_init(&b, COCM_INPUT_MAX_FILE);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (cocm_buf_append(&b, chunk, n) != COCM_OK) {
			snprintf(err, errcap, "%s: larger than %zu bytes", path,
				COCM_INPUT_MAX_FILE);
			rc = COCM_ETOOBIG;
			break;
		}
	}
	if (rc == COCM_OK && ferror(f)) {
		snprintf(err, errcap, "%s: read error", path);
		rc = COCM_EIO;
	}
	if (!is_stdin)
		fclose(f);
	if (rc == COCM_OK)
		rc = cocm_input_add_mem(in, is_stdin ? "<stdin>" : path, cocm_buf_cstr(&b), b.len,
			err, errcap);
	cocm_buf_finish(&b);
	return rc;
}

const char *cocm_input_where(const struct cocm_input_doc *d, char *buf, size_t cap)
{
	const char *kind = cocm_json_str(d->obj, "kind", NULL);
	const char *ns = cocm_json_str(d->obj, "metadata", "namespace", NULL);
	const char *name = cocm_json_str(d->obj, "metadata", "name", NULL);
	char item[32] = "";

	if (d->item >= 0)
		snprintf(item, sizeof(item), " item %d", d->item);
	snprintf(buf, cap, "%s document %u%s (%s %s%s%s)", d->file, d->doc, item,
		kind ? kind : "<no kind>", ns ? ns : "", ns ? "/" : "", name ? name : "<no name>");
	return buf;
}
