/* Splits a byte stream (a watch body) into '\n'-terminated frames. Chunks may split a frame
 * anywhere, including inside a multi-byte character. Complete frames are handed to the callback
 * without their '\n' (a trailing '\r' is stripped too; empty frames are skipped).
 *
 * Bounded: a frame longer than `max` bytes fails with COCM_ETOOBIG and memory never grows past
 * `max` (plus the caller's current chunk, which is never copied when it holds whole frames).
 * After an error the framer is poisoned: every later feed returns the same error until
 * cocm_linebuf_reset(). A callback returning non-OK stops the feed and that error is returned
 * (and poisons the framer likewise).
 *
 * init/finish work on caller memory; finish on a zeroed or finished framer is fine. */
#ifndef COCM_KUBE_LINEBUF_H
#define COCM_KUBE_LINEBUF_H

#include <stddef.h>

#include "kube/core/err.h"

struct cocm_linebuf {
	char *data;         /* private: partial frame carried between feeds */
	size_t len, cap;    /* private */
	size_t max;         /* private */
	enum cocm_err fail; /* private: sticky error */
};

/* cb borrows `line` for the duration of the call; line is NOT NUL-terminated. */
typedef enum cocm_err (*cocm_line_cb)(const char *line, size_t len, void *arg);

void cocm_linebuf_init(struct cocm_linebuf *lb, size_t max);
void cocm_linebuf_finish(struct cocm_linebuf *lb);
/* Drops any partial frame and clears the sticky error (for a new connection). */
void cocm_linebuf_reset(struct cocm_linebuf *lb);
enum cocm_err cocm_linebuf_feed(struct cocm_linebuf *lb, const char *buf, size_t len,
	cocm_line_cb cb, void *arg);
/* Bytes of an unfinished frame held right now (a stream that ends with pending > 0 was cut). */
size_t cocm_linebuf_pending(const struct cocm_linebuf *lb);

#endif
