/* SHA-256 (FIPS 180-4) over memory, for stable names, label hashes and content hashes.
 * Pure C so the pure cores (manifestwork/, placement/, status-sync/) need no OpenSSL. */
#ifndef COCM_CORE_SHA256_H
#define COCM_CORE_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct cocm_sha256 {
	uint32_t h[8];  /* private */
	uint64_t bytes; /* private */
	unsigned char block[64];
	size_t fill;
};

void cocm_sha256_init(struct cocm_sha256 *s);
void cocm_sha256_update(struct cocm_sha256 *s, const void *data, size_t len);
void cocm_sha256_final(struct cocm_sha256 *s, unsigned char out[32]);
/* One-shot: writes 64 lowercase hex digits and a NUL into hex. */
void cocm_sha256_hex(const void *data, size_t len, char hex[65]);

#endif
