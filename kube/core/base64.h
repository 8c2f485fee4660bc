/* Base64 (RFC 4648, standard alphabet, '=' padding) over memory.
 * Used for kubeconfig *-data fields and for the daemon's packed caches. */
#ifndef COCM_CORE_BASE64_H
#define COCM_CORE_BASE64_H

#include <stddef.h>

#include "kube/core/err.h"

/* Bytes needed to encode n bytes, without the terminating NUL. */
#define COCM_BASE64_ENCODED_LEN(n) (4 * (((n) + 2) / 3))
/* Bytes always enough to decode len characters. */
#define COCM_BASE64_DECODED_MAX(len) ((len) / 4 * 3 + 3)

/* Writes COCM_BASE64_ENCODED_LEN(n) characters and a NUL into out; returns the characters written. */
size_t cocm_base64_encode(const void *in, size_t n, char *out);

/* Decodes len characters of in into out (room for COCM_BASE64_DECODED_MAX(len) bytes) and sets
 * *outlen. Padding is optional. With skip_space, blanks and line breaks are ignored (as in
 * kubeconfig data); otherwise they are errors. COCM_EPARSE on a byte outside the alphabet, data
 * after padding, more than two '=' or a dangling 6-bit group; out's content is then unspecified. */
enum cocm_err cocm_base64_decode(const char *in, size_t len, unsigned char *out, size_t *outlen,
	int skip_space);

#endif
