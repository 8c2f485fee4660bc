/* Packed JSON for the caches (see pack.h). */
#include "hub-addon/pack.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "kube/core/base64.h"
#include "kube/core/json.h"
#include "kube/core/xalloc.h"

/* One deflate and one inflate stream per thread, reset between uses: zlib's state (≈ 70 KB for
 * deflate) is set up once instead of allocated, initialised and freed on every call (the caches
 * pack on every watch event). A 8 KB window (windowBits 13, memLevel 6) compresses the packed
 * subtrees (≤ a few tens of KB) as well as the default 32 KB one and keeps the state small. */
static _Thread_local z_stream def_stream, inf_stream;
static _Thread_local int def_ready, inf_ready;

static z_stream *deflater(void)
{
	if (!def_ready) {
		memset(&def_stream, 0, sizeof(def_stream));
		/* level 1: most of the size win at a fraction of the CPU of the default */
		if (deflateInit2(&def_stream, 1, Z_DEFLATED, 13, 6, Z_DEFAULT_STRATEGY) != Z_OK)
			return NULL;
		def_ready = 1;
	} else if (deflateReset(&def_stream) != Z_OK) {
		return NULL;
	}
	return &def_stream;
}

static z_stream *inflater(void)
{
	if (!inf_ready) {
		memset(&inf_stream, 0, sizeof(inf_stream));
		if (inflateInit(&inf_stream) != Z_OK)
			return NULL;
		inf_ready = 1;
	} else if (inflateReset(&inf_stream) != Z_OK) {
		return NULL;
	}
	return &inf_stream;
}

char *cocm_pack_json(const cJSON *v)
{
	char *text = cocm_json_print(v), *out;
	size_t n = strlen(text), need, zn;
	unsigned char *z;
	z_stream *zs;
	int hdr;

	if (n < COCM_PACK_MIN || n > COCM_PACK_MAX || (zs = deflater()) == NULL)
		return text;
	zn = deflateBound(zs, (uLong)n);
	z = cocm_xmalloc(zn);
	zs->next_in = (Bytef *)text;
	zs->avail_in = (uInt)n;
	zs->next_out = z;
	zs->avail_out = (uInt)zn;
	if (deflate(zs, Z_FINISH) != Z_STREAM_END) {
		free(z);
		return text;
	}
	zn = zs->total_out;
	need = 24 + COCM_BASE64_ENCODED_LEN(zn) + 1;
	if (need >= n) {
		free(z);
		return text;
	}
	out = cocm_xmalloc(need);
	hdr = snprintf(out, need, "z:%zu:", n);
	cocm_base64_encode(z, zn, out + hdr);
	free(z);
	free(text);
	return out;
}

cJSON *cocm_pack_parse(const char *packed)
{
	const char *p;
	char *end = NULL, *text;
	unsigned char *z;
	long long n;
	size_t plen, zlen;
	z_stream *zs;
	cJSON *v = NULL;

	if (packed == NULL)
		return NULL;
	if (packed[0] != 'z' || packed[1] != ':')
		return cocm_json_parse(packed, strlen(packed), NULL, 0);
	errno = 0;
	n = strtoll(packed + 2, &end, 10);
	if (errno != 0 || end == packed + 2 || *end != ':' || n <= 0 ||
		(unsigned long long)n > COCM_PACK_MAX)
		return NULL;
	p = end + 1;
	plen = strlen(p);
	z = cocm_xmalloc(COCM_BASE64_DECODED_MAX(plen));
	if (cocm_base64_decode(p, plen, z, &zlen, 0) != COCM_OK || zlen == 0 ||
		(zs = inflater()) == NULL) {
		free(z);
		return NULL;
	}
	text = cocm_xmalloc((size_t)n + 1);
	zs->next_in = z;
	zs->avail_in = (uInt)zlen;
	zs->next_out = (Bytef *)text;
	zs->avail_out = (uInt)n;
	if (inflate(zs, Z_FINISH) == Z_STREAM_END && zs->total_out == (uLong)n && zs->avail_in == 0)
		v = cocm_json_parse(text, (size_t)n, NULL, 0);
	free(z);
	free(text);
	return v;
}
