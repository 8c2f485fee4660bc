/* Fuzz target: one kubeconfig document (YAML or JSON) -> cocm_kube_config_from_yaml.
 * Checks: never crashes; an error always comes with a message that names the file; a success
 * always yields a server URL. Relative paths resolve in a directory that does not exist, so
 * file references fail fast instead of reading the machine's files. */
#include <string.h>

#include "fuzz/fuzz.h"
#include "kube/config.h"
#include "kube/core/log.h"
#include "kube/core/xalloc.h"

#define NAME "fuzz-kubeconfig"

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
	struct cocm_kube_config cfg;
	char err[512];

	if (size > (1u << 20))
		return 0;
	/* The context: a name taken from the input's first line when it starts with "#ctx=". */
	char ctx[64];
	const char *context = NULL;
	if (size > 5 && memcmp(data, "#ctx=", 5) == 0) {
		size_t i = 5, n = 0;
		while (i < size && data[i] != '\n' && n < sizeof(ctx) - 1)
			ctx[n++] = (char)data[i++];
		ctx[n] = '\0';
		context = ctx;
	}
	memset(&cfg, 0xa5, sizeof(cfg)); /* the loader must overwrite whatever is there */
	err[0] = '\0';
	enum cocm_err e = cocm_kube_config_from_yaml(&cfg, (const char *)data, size, NAME,
		"/nonexistent-cocm-fuzz", context, err, sizeof(err));
	cocm_fuzz_debug("kubeconfig: %s %s\n", cocm_err_name(e), e == COCM_OK ? cfg.server : err);
	if (e == COCM_OK) {
		cocm_fuzz_check(cfg.server != NULL);
		cocm_fuzz_check(cfg.source != NULL);
		struct cocm_kube_config copy;
		cocm_kube_config_copy(&copy, &cfg);
		cocm_fuzz_check(strcmp(copy.server, cfg.server) == 0);
		cocm_kube_config_finish(&copy);
	} else {
		cocm_fuzz_check(e == COCM_EINVAL || e == COCM_EIO || e == COCM_ETOOBIG ||
			e == COCM_EPARSE);
		cocm_fuzz_check(memchr(err, '\0', sizeof(err)) != NULL);
		cocm_fuzz_check(strstr(err, NAME) != NULL);
	}
	cocm_kube_config_finish(&cfg);
	cocm_kube_config_finish(&cfg); /* documented: safe on a finished struct */
	return 0;
}
