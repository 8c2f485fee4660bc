/* JSON helpers shared by the fuzz targets (header-only: each target is one binary). */
#ifndef COCM_FUZZ_FUZZ_JSON_H
#define COCM_FUZZ_FUZZ_JSON_H

#include <cjson/cJSON.h>
#include <string.h>

/* 1 when an object anywhere in v repeats a key (or v nests deeper than 200). The API server
 * never sends such JSON (Go keeps one member) and the CLI's YAML reader refuses duplicate keys,
 * so targets skip these inputs rather than hold the code to cJSON's keep-both behaviour. */
static inline int cocm_fuzz_dup_keys(const cJSON *v, int depth)
{
	const cJSON *a, *b;

	if (depth > 200)
		return 1;
	for (a = v ? v->child : NULL; a; a = a->next) {
		if (cJSON_IsObject(v))
			for (b = a->next; b; b = b->next)
				if (strcmp(a->string, b->string) == 0)
					return 1;
		if (cocm_fuzz_dup_keys(a, depth + 1))
			return 1;
	}
	return 0;
}

#endif
