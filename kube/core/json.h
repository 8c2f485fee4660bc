/* Small helpers over cJSON shared by every module. All lookups borrow: returned pointers
 * live as long as the object they came from. Path lookups take a NULL-terminated list of
 * object keys: cocm_json_str(obj, "metadata", "name", NULL). */
#ifndef COCM_CORE_JSON_H
#define COCM_CORE_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "kube/core/err.h"

/* Parse at most len bytes (no NUL needed). NULL on error, with a message naming the byte
 * offset in err (which may be NULL). The result is freed with cJSON_Delete. Nesting deeper
 * than cJSON's limit (1000) is refused. */
cJSON *cocm_json_parse(const char *data, size_t len, char *err, size_t errcap);

/* Follows object keys; NULL if any step is missing or not an object. */
const cJSON *cocm_json_get(const cJSON *obj, ...) __attribute__((sentinel));
/* Same, returning the string value, or NULL if missing or not a string. */
const char *cocm_json_str(const cJSON *obj, ...) __attribute__((sentinel));
/* Integer value at the path into *out; COCM_ENOTFOUND when missing, COCM_EINVAL when not a
 * whole number. */
enum cocm_err cocm_json_int(int64_t *out, const cJSON *obj, ...) __attribute__((sentinel));

/* Compact JSON text (heap, free()). cJSON prints keys in insertion order, so the output is
 * deterministic for a deterministically built object. */
char *cocm_json_print(const cJSON *item);

/* Object member helpers that replace an existing key instead of adding a duplicate. */
void cocm_json_set(cJSON *obj, const char *key, cJSON *value);
void cocm_json_set_str(cJSON *obj, const char *key, const char *value);
/* Returns the object at key, creating an empty object there if missing or not an object. */
cJSON *cocm_json_obj(cJSON *obj, const char *key);

#endif
