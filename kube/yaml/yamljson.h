/* YAML (1.1 core types, as Kubernetes reads them) <-> cJSON.
 *
 * cocm_yaml_load parses a whole stream. Each document becomes one cJSON item in the returned
 * array, in order; empty documents are skipped. Plain scalars resolve to null/bool/int/float as
 * Kubernetes' YAML decoder does (null ~ true false, decimal/0x/0o ints, floats, .inf/.nan refused
 * as non-JSON); quoted or !!str-tagged scalars stay strings. Aliases are expanded, with a budget
 * on the total node count (no billion laughs). Nesting is capped at COCM_YAML_MAX_DEPTH.
 * Input is also accepted when it is JSON (JSON is YAML). On error returns NULL and writes
 * "line L column C: <problem>" into err. The caller frees the result with cJSON_Delete.
 *
 * cocm_yaml_dump writes one document as block YAML (keys in object order; strings quoted when
 * they would otherwise re-read as another type) and returns a heap string (free()). */
#ifndef COCM_YAML_YAMLJSON_H
#define COCM_YAML_YAMLJSON_H

#include <cjson/cJSON.h>
#include <stddef.h>

#define COCM_YAML_MAX_DEPTH 256
#define COCM_YAML_MAX_NODES 2000000

cJSON *cocm_yaml_load(const char *data, size_t len, char *err, size_t errcap);
char *cocm_yaml_dump(const cJSON *doc);

#endif
