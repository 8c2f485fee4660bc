/* Fuzz target: bytes of a `render`/`fold` input file -> cocm_input_add_mem (YAML/JSON, `---`
 * streams, List objects). Checks: never crashes; errors start with the file name and add
 * nothing; every entry is an object with a usable location (cocm_input_where). */
#include <string.h>

#include "fuzz/fuzz.h"
#include "hub-addon/input.h"
#include "kube/core/log.h"
#include "kube/core/xalloc.h"

#define NAME "fuzz-input.yaml"

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
	struct cocm_input in;
	char err[512];

	if (size > (1u << 20))
		return 0;
	cocm_input_init(&in);
	/* A first file that always parses, so "nothing of a failing file is added" is checked. */
	static const char first[] = "{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\"}}";
	cocm_fuzz_check(cocm_input_add_mem(&in, "first.json", first, sizeof(first) - 1, err,
		sizeof(err)) == COCM_OK);
	cocm_fuzz_check(in.n == 1);
	err[0] = '\0';
	enum cocm_err e = cocm_input_add_mem(&in, NAME, (const char *)data, size, err, sizeof(err));
	cocm_fuzz_debug("input: %s %zu objects %s\n", cocm_err_name(e), in.n - 1, err);
	if (e != COCM_OK) {
		cocm_fuzz_check(strncmp(err, NAME, strlen(NAME)) == 0);
		cocm_fuzz_check(in.n == 1);
	}
	for (size_t i = 0; i < in.n; i++) {
		char where[256];
		cocm_fuzz_check(cJSON_IsObject(in.docs[i].obj));
		cocm_fuzz_check(in.docs[i].doc >= 1);
		const char *w = cocm_input_where(&in.docs[i], where, sizeof(where));
		cocm_fuzz_check(w == where && strlen(where) < sizeof(where));
	}
	cocm_input_finish(&in);
	cocm_input_finish(&in);
	return 0;
}
