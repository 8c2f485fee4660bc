/* Packed JSON for the caches (see pack.h). */
#include "hub-addon/pack.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "kube/core/json.h"
#include "kube/core/xalloc.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* out: room for 4 * ((n + 2) / 3) + 1 bytes. */
static void b64_encode(const unsigned char *in, size_t n, char *out)
{
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];

		*out++ = b64[v >> 18];
		*out++ = b64[(v >> 12) & 63];
		*out++ = b64[(v >> 6) & 63];
		*out++ = b64[v & 63];
	}
	if (i < n) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0u);

		*out++ = b64[v >> 18];
		*out++ = b64[(v >> 12) & 63];
		*out++ = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		*out++ = '=';
	}
	*out = '\0';
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decodes s (padded or not) into out (room for 3 * strlen(s) / 4 + 3 bytes); -1 on a bad
 * byte, else the decoded length. */
static long long b64_decode(const char *s, unsigned char *out)
{
	unsigned v = 0;
	int bits = 0, d;
	size_t n = 0;

	for (; *s != '\0' && *s != '='; s++) {
		d = b64_value(*s);
		if (d < 0)
			return -1;
		v = (v << 6 | (unsigned)d) & 0xffffffu;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(v >> bits);
		}
	}
	while (*s == '=')
		s++;
	return *s == '\0' ? (long long)n : -1;
}

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
	need = 24 + 4 * ((zn + 2) / 3) + 1;
	if (need >= n) {
		free(z);
		return text;
	}
	out = cocm_xmalloc(need);
	hdr = snprintf(out, need, "z:%zu:", n);
	b64_encode(z, zn, out + hdr);
	free(z);
	free(text);
	return out;
}

cJSON *cocm_pack_parse(const char *packed)
{
	const char *p;
	char *end = NULL, *text;
	unsigned char *z;
	long long n, zn;
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
	z = cocm_xmalloc(3 * (strlen(p) / 4) + 3);
	zn = b64_decode(p, z);
	if (zn <= 0 || (zs = inflater()) == NULL) {
		free(z);
		return NULL;
	}
	text = cocm_xmalloc((size_t)n + 1);
	zs->next_in = z;
	zs->avail_in = (uInt)zn;
	zs->next_out = (Bytef *)text;
	zs->avail_out = (uInt)n;
	if (inflate(zs, Z_FINISH) == Z_STREAM_END && zs->total_out == (uLong)n && zs->avail_in == 0)
		v = cocm_json_parse(text, (size_t)n, NULL, 0);
	free(z);
	free(text);
	return v;
}
