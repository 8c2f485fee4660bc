/* Reading Kubernetes objects from files for the CLI subcommands (`render`, `fold`).
 *
 * A file holds YAML or JSON (JSON is YAML): one object, a `---` stream of objects, or a list
 * object (`kind: List`, or any kind ending in "List", with an `items` array), in any mix. Lists
 * are expanded one level, so every entry of `docs` is a single object. Empty documents are
 * skipped. Every entry remembers where it came from, so error messages can name the file, the
 * document and the object (cocm_input_where).
 *
 * Ownership: the set owns every object it read; docs[i].obj and docs[i].file are borrowed and
 * live until cocm_input_finish. Callers may modify an object in place but must not free it.
 *
 * Errors (err receives a message that starts with the file name):
 *   COCM_EIO     the file cannot be opened or read ("-" reads standard input)
 *   COCM_ETOOBIG the file is larger than COCM_INPUT_MAX_FILE
 *   COCM_EPARSE  the YAML/JSON does not parse (message has line and column)
 *   COCM_EINVAL  a document or list item is not an object, or a List has no `items` array
 * On error the set keeps what was read before the failing file; nothing of that file is added. */
#ifndef COCM_HUBADDON_INPUT_H
#define COCM_HUBADDON_INPUT_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "kube/core/err.h"

#define COCM_INPUT_MAX_FILE ((size_t)64 << 20) /* 64 MiB per file */

struct cocm_input_doc {
	cJSON *obj;       /* the object (borrowed from the set) */
	const char *file; /* file name as given (borrowed from the set) */
	unsigned doc;     /* 1-based document number within the file */
	int item;         /* 0-based index inside a List document, or -1 */
};

struct cocm_input {
	struct cocm_input_doc *docs; /* in reading order */
	size_t n;
	/* private */
	size_t cap;
	cJSON **roots;
	size_t nroots;
	char **files;
	size_t nfiles;
};

void cocm_input_init(struct cocm_input *in);
/* Frees everything; safe on an initialised or finished set. */
void cocm_input_finish(struct cocm_input *in);

/* Reads one file ("-" = standard input) and appends its objects. */
enum cocm_err cocm_input_add_file(struct cocm_input *in, const char *path, char *err,
	size_t errcap);
/* Same for bytes already in memory; name is used in messages only. */
enum cocm_err cocm_input_add_mem(struct cocm_input *in, const char *name, const char *data,
	size_t len, char *err, size_t errcap);

/* Describes where d came from, e.g. `release.yaml document 2 (Release team-a/web)` or
 * `all.json document 1 item 3 (DataPlane default/prod)`. Returns buf (truncated to cap). */
const char *cocm_input_where(const struct cocm_input_doc *d, char *buf, size_t cap);

#endif
