/* Printing Kubernetes objects for the CLI subcommands (`render`, `fold`), like kubectl -o.
 *
 *   -o json: one `{"apiVersion": "v1", "kind": "List", "metadata": {}, "items": [...]}`,
 *            indented with 4 spaces, keys in object order, ending with a newline;
 *   -o yaml: a stream, every object preceded by a `---` line (no output for no objects).
 * Output is a pure function of the objects: the same objects give byte-identical text.
 *
 * Strings returned by the format functions are heap strings the caller free()s. Objects are
 * borrowed. */
#ifndef COCM_HUBADDON_OUTPUT_H
#define COCM_HUBADDON_OUTPUT_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>

#include "kube/core/err.h"

enum cocm_output_format {
	COCM_OUTPUT_YAML,
	COCM_OUTPUT_JSON,
};

/* "yaml" or "json" -> *out; COCM_EINVAL otherwise. */
enum cocm_err cocm_output_parse_format(const char *s, enum cocm_output_format *out);

/* items: a JSON array of objects -> the List / `---` stream text. */
char *cocm_output_format_list(const cJSON *items, enum cocm_output_format f);
/* One object as a file's content: indented JSON + newline, or one YAML document without
 * the leading `---`. */
char *cocm_output_format_one(const cJSON *obj, enum cocm_output_format f);
/* Indented JSON of any value (4 spaces, no trailing newline). */
char *cocm_output_json_pretty(const cJSON *v);

/* Writes s to f and flushes; COCM_EIO on a write error. */
enum cocm_err cocm_output_write(FILE *f, const char *s);
/* Writes s to path through a temporary file in the same directory and rename(), so readers
 * never see half a file. COCM_EIO with a message naming the path on failure. */
enum cocm_err cocm_output_write_file(const char *path, const char *s, char *err, size_t errcap);
/* mkdir -p (mode 0755). COCM_EIO with a message on failure. */
enum cocm_err cocm_output_mkdirs(const char *path, char *err, size_t errcap);

#endif
