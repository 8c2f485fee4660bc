/* Bounded growable buffer (curl's dynbuf idea: the maximum is fixed at init). */
#include "kube/core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/core/xalloc.h"

void cocm_buf_init(struct cocm_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void cocm_buf_finish(struct cocm_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void cocm_buf_reset(struct cocm_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static enum cocm_err reserve(struct cocm_buf *b, size_t extra)
{
	size_t want, cap;

	if (extra > b->max || b->len > b->max - extra)
		return COCM_ETOOBIG;
	want = b->len + extra + 1;
	if (want <= b->cap)
		return COCM_OK;
	cap = b->cap ? b->cap : 64;
	while (cap < want)
		cap = cap > ((size_t)-1) / 4 ? want : cap * 2;
	b->data = cocm_xrealloc(b->data, cap);
	b->cap = cap;
	return COCM_OK;
}

enum cocm_err cocm_buf_append(struct cocm_buf *b, const void *data, size_t len)
{
	enum cocm_err err = reserve(b, len);

	if (err != COCM_OK)
		return err;
	cocm_memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return COCM_OK;
}

enum cocm_err cocm_buf_puts(struct cocm_buf *b, const char *s)
{
	return cocm_buf_append(b, s, strlen(s));
}

enum cocm_err cocm_buf_vprintf(struct cocm_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	enum cocm_err err;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return COCM_EINVAL;
	err = reserve(b, (size_t)n);
	if (err != COCM_OK)
		return err;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return COCM_OK;
}

enum cocm_err cocm_buf_printf(struct cocm_buf *b, const char *fmt, ...)
{
	va_list ap;
	enum cocm_err err;

	va_start(ap, fmt);
	err = cocm_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return err;
}

void cocm_buf_consume(struct cocm_buf *b, size_t n)
{
	if (n >= b->len) {
		cocm_buf_reset(b);
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}

const char *cocm_buf_cstr(const struct cocm_buf *b)
{
	return b->data ? b->data : "";
}

char *cocm_buf_steal(struct cocm_buf *b)
{
	char *p = b->data ? b->data : cocm_xstrdup("");

	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}
