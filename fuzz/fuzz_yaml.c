/* Fuzz target: a YAML/JSON stream -> cocm_yaml_load, then every document through
 * cocm_yaml_dump and back. Checks: never crashes; an error has a "line L column C" message;
 * what the loader accepted, the dumper writes and the loader reads back to the same JSON. */
#include <string.h>

#include "fuzz/fuzz.h"
#include "kube/core/log.h"
#include "kube/core/xalloc.h"
#include "kube/yaml/yamljson.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	cocm_xalloc_init();
	cocm_log_max = -1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];

	if (size > (1u << 20))
		return 0;
	err[0] = '\0';
	cJSON *docs = cocm_yaml_load((const char *)data, size, err, sizeof(err));
	cocm_fuzz_debug("yaml: %s\n", docs ? "ok" : err);
	if (!docs) {
		cocm_fuzz_check(err[0] != '\0');
		return 0;
	}
	cocm_fuzz_check(cJSON_IsArray(docs));
	const cJSON *d;
	cJSON_ArrayForEach(d, docs) {
		char *text = cocm_yaml_dump(d);
		cocm_fuzz_check(text != NULL);
		char err2[256] = "";
		cJSON *again = cocm_yaml_load(text, strlen(text), err2, sizeof(err2));
		if (!again || cJSON_GetArraySize(again) != 1 ||
			!cJSON_Compare(d, cJSON_GetArrayItem(again, 0), 1)) {
			fprintf(stderr, "round trip differs (%s)\n--- dumped:\n%s\n", err2, text);
			cocm_fuzz_check(!"yaml dump/load round trip");
		}
		cJSON_Delete(again);
		free(text);
	}
	cJSON_Delete(docs);
	return 0;
}
