/* SHA-256, straightforward implementation of FIPS 180-4 (checked against the standard's
 * test vectors in tests/unit/core/test_sha256.c). On x86-64 CPUs with the SHA extensions
 * (cpuid leaf 7 EBX bit 29) the block function uses them: about 10x faster, which matters
 * because render hashes every ManifestWork it builds (bench/ measures it). */
#include "kube/core/sha256.h"

#include <stdatomic.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define COCM_SHA_NI 1
#include <cpuid.h>
#include <immintrin.h>
#endif

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void compress(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, hh;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
			(uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
	for (i = 0; i < 64; i++) {
		uint32_t t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
		uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		hh = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

static void compress_blocks_c(uint32_t h[8], const unsigned char *p, size_t nblocks)
{
	for (; nblocks > 0; nblocks--, p += 64)
		compress(h, p);
}

#ifdef COCM_SHA_NI
/* The state lives in two vectors as the instructions want it: ABEF and CDGH (lane 3 first). */
__attribute__((target("sha,sse4.1,ssse3"))) static void compress_blocks_ni(uint32_t h[8],
	const unsigned char *p, size_t nblocks)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i abef, cdgh, t, abef0, cdgh0, m[4], k;
	int i;

	/* lanes listed from lane 0 */
	t = _mm_loadu_si128((const __m128i *)(const void *)&h[0]);    /* a b c d */
	cdgh = _mm_loadu_si128((const __m128i *)(const void *)&h[4]); /* e f g h */
	t = _mm_shuffle_epi32(t, 0xB1);                               /* b a d c */
	cdgh = _mm_shuffle_epi32(cdgh, 0x1B);                         /* h g f e */
	abef = _mm_alignr_epi8(t, cdgh, 8);                           /* f e b a */
	cdgh = _mm_blend_epi16(cdgh, t, 0xF0);                        /* h g d c */
	for (; nblocks > 0; nblocks--, p += 64) {
		abef0 = abef;
		cdgh0 = cdgh;
		for (i = 0; i < 16; i++) {
			__m128i w;

			if (i < 4) {
				w = _mm_shuffle_epi8(
					_mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i)), bswap);
			} else {
				/* W[4i..4i+3] from the four previous groups */
				w = _mm_sha256msg1_epu32(m[i & 3], m[(i + 1) & 3]);
				w = _mm_add_epi32(w, _mm_alignr_epi8(m[(i + 3) & 3], m[(i + 2) & 3], 4));
				w = _mm_sha256msg2_epu32(w, m[(i + 3) & 3]);
			}
			m[i & 3] = w;
			k = _mm_set_epi32((int)K[4 * i + 3], (int)K[4 * i + 2], (int)K[4 * i + 1],
				(int)K[4 * i]);
			t = _mm_add_epi32(w, k);
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, t);
			t = _mm_shuffle_epi32(t, 0x0E);
			abef = _mm_sha256rnds2_epu32(abef, cdgh, t);
		}
		abef = _mm_add_epi32(abef, abef0);
		cdgh = _mm_add_epi32(cdgh, cdgh0);
	}
	t = _mm_shuffle_epi32(abef, 0x1B);     /* a b e f */
	cdgh = _mm_shuffle_epi32(cdgh, 0xB1);  /* g h c d */
	abef = _mm_blend_epi16(t, cdgh, 0xF0); /* a b c d */
	cdgh = _mm_alignr_epi8(cdgh, t, 8);    /* e f g h */
	_mm_storeu_si128((__m128i *)(void *)&h[0], abef);
	_mm_storeu_si128((__m128i *)(void *)&h[4], cdgh);
}

static int have_sha_ni(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & (1u << 29)))
		return 0;
	if (!__get_cpuid(1, &a, &b, &c, &d))
		return 0;
	return (c & (1u << 19)) && (c & (1u << 9)); /* SSE4.1, SSSE3 */
}
#endif

/* Picked on first use (threads racing there compute and store the same answer). */
static void compress_blocks(uint32_t h[8], const unsigned char *p, size_t nblocks)
{
#ifdef COCM_SHA_NI
	static atomic_int ni = -1;
	int v = atomic_load_explicit(&ni, memory_order_relaxed);

	if (v < 0) {
		v = have_sha_ni();
		atomic_store_explicit(&ni, v, memory_order_relaxed);
	}
	if (v) {
		compress_blocks_ni(h, p, nblocks);
		return;
	}
#endif
	compress_blocks_c(h, p, nblocks);
}

void cocm_sha256_init(struct cocm_sha256 *s)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };

	memcpy(s->h, iv, sizeof(iv));
	s->bytes = 0;
	s->fill = 0;
}

void cocm_sha256_update(struct cocm_sha256 *s, const void *data, size_t len)
{
	const unsigned char *p = data;

	s->bytes += len;
	if (s->fill > 0) {
		size_t take = 64 - s->fill;
		if (take > len)
			take = len;
		memcpy(s->block + s->fill, p, take);
		s->fill += take;
		p += take;
		len -= take;
		if (s->fill < 64)
			return;
		compress_blocks(s->h, s->block, 1);
		s->fill = 0;
	}
	if (len >= 64) {
		compress_blocks(s->h, p, len / 64);
		p += len - len % 64;
		len %= 64;
	}
	if (len > 0) {
		memcpy(s->block, p, len);
		s->fill = len;
	}
}

void cocm_sha256_final(struct cocm_sha256 *s, unsigned char out[32])
{
	uint64_t bits = s->bytes * 8;
	unsigned char pad = 0x80, zero = 0, len[8];
	int i;

	cocm_sha256_update(s, &pad, 1);
	while (s->fill != 56)
		cocm_sha256_update(s, &zero, 1);
	for (i = 0; i < 8; i++)
		len[i] = (unsigned char)(bits >> (56 - 8 * i));
	cocm_sha256_update(s, len, 8);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(s->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(s->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(s->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)s->h[i];
	}
}

void cocm_sha256_hex(const void *data, size_t len, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	struct cocm_sha256 s;
	unsigned char out[32];
	int i;

	cocm_sha256_init(&s);
	cocm_sha256_update(&s, data, len);
	cocm_sha256_final(&s, out);
	for (i = 0; i < 32; i++) {
		hex[2 * i] = digits[out[i] >> 4];
		hex[2 * i + 1] = digits[out[i] & 15];
	}
	hex[64] = '\0';
}
