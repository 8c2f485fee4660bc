/* Growable byte buffer with a hard maximum (every buffer fed from outside has one).
 * data is always NUL-terminated (the NUL is not counted in len and not in max).
 * Appending past max fails with COCM_ETOOBIG and leaves the buffer unchanged.
 * init/finish work on caller-owned memory; finish on a zeroed or finished buffer is fine. */
#ifndef COCM_CORE_BUF_H
#define COCM_CORE_BUF_H

#include <stddef.h>
#include <stdarg.h>

#include "kube/core/err.h"

struct cocm_buf {
	char *data; /* NULL until the first append; use cocm_buf_cstr() for a safe view */
	size_t len;
	size_t cap; /* private */
	size_t max; /* private */
};

#define COCM_BUF_UNLIMITED ((size_t)-1 / 2)

void cocm_buf_init(struct cocm_buf *b, size_t max);
void cocm_buf_finish(struct cocm_buf *b);
void cocm_buf_reset(struct cocm_buf *b); /* len = 0, memory kept */
enum cocm_err cocm_buf_append(struct cocm_buf *b, const void *data, size_t len);
enum cocm_err cocm_buf_puts(struct cocm_buf *b, const char *s);
enum cocm_err cocm_buf_printf(struct cocm_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
enum cocm_err cocm_buf_vprintf(struct cocm_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Removes the first n bytes (n > len removes all). */
void cocm_buf_consume(struct cocm_buf *b, size_t n);
/* Never NULL: "" for an empty buffer. Borrowed; valid until the next change. */
const char *cocm_buf_cstr(const struct cocm_buf *b);
/* Hands the heap string to the caller (free() it) and leaves the buffer empty. Never NULL. */
char *cocm_buf_steal(struct cocm_buf *b);

#endif
