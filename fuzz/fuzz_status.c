/* Fuzz target: an API error response (HTTP status + body) -> cocm_status_decode.
 * Input: bytes 0-1 are the HTTP status (big-endian, taken modulo 1000), the rest the body.
 * Checks: never crashes; reason and message are NUL-terminated inside their arrays and hold no
 * control bytes; the result equals cocm_status_map for the
 * decoded reason, and a 2xx maps to OK. */
#include <string.h>

#include "fuzz/fuzz.h"
#include "kube/core/log.h"
#include "kube/core/xalloc.h"
#include "kube/status.h"

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
	if (size < 2 || size > (1u << 20))
		return 0;
	int http = ((int)data[0] << 8 | data[1]) % 1000;
	const char *body = size > 2 ? (const char *)data + 2 : NULL;
	size_t len = size - 2;

	struct cocm_api_status st;
	memset(&st, 0x5a, sizeof(st));
	enum cocm_err e = cocm_status_decode(&st, http, body, len);
	cocm_fuzz_check(memchr(st.reason, '\0', sizeof(st.reason)) != NULL);
	cocm_fuzz_check(memchr(st.message, '\0', sizeof(st.message)) != NULL);
	cocm_fuzz_check(e == cocm_status_map(http, st.reason));
	if (http >= 200 && http < 300)
		cocm_fuzz_check(e == COCM_OK);
	cocm_fuzz_check(cocm_status_reason_for(http) != NULL);
	for (const char *p = st.message; *p; p++)
		cocm_fuzz_check((unsigned char)*p >= 0x20 && *p != 0x7f);
	return 0;
}
