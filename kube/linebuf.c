/* Bounded newline framer. Whole frames inside a chunk are delivered straight from the chunk;
 * only the unfinished tail is copied, and the copy is refused before it passes `max`. */
#include "kube/linebuf.h"

#include <stdlib.h>
#include <string.h>

#include "kube/core/xalloc.h"

void cocm_linebuf_init(struct cocm_linebuf *lb, size_t max)
{
	lb->data = NULL;
	lb->len = 0;
	lb->cap = 0;
	lb->max = max;
	lb->fail = COCM_OK;
}

void cocm_linebuf_finish(struct cocm_linebuf *lb)
{
	free(lb->data);
	lb->data = NULL;
	lb->len = 0;
	lb->cap = 0;
}

void cocm_linebuf_reset(struct cocm_linebuf *lb)
{
	lb->len = 0;
	lb->fail = COCM_OK;
}

size_t cocm_linebuf_pending(const struct cocm_linebuf *lb)
{
	return lb->len;
}

static enum cocm_err deliver(const char *line, size_t len, cocm_line_cb cb, void *arg)
{
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0)
		return COCM_OK;
	return cb(line, len, arg);
}

static enum cocm_err hold(struct cocm_linebuf *lb, const char *p, size_t n)
{
	if (n > lb->max - lb->len)
		return COCM_ETOOBIG;
	if (lb->len + n > lb->cap) {
		size_t ncap = lb->cap ? lb->cap : 256;

		while (ncap < lb->len + n)
			ncap *= 2;
		if (ncap > lb->max)
			ncap = lb->max;
		lb->data = cocm_xrealloc(lb->data, ncap);
		lb->cap = ncap;
	}
	memcpy(lb->data + lb->len, p, n);
	lb->len += n;
	return COCM_OK;
}

enum cocm_err cocm_linebuf_feed(struct cocm_linebuf *lb, const char *buf, size_t len,
	cocm_line_cb cb, void *arg)
{
	enum cocm_err rc = COCM_OK;

	if (lb->fail != COCM_OK)
		return lb->fail;
	while (len > 0) {
		const char *nl = memchr(buf, '\n', len);
		size_t n;

		if (nl == NULL) {
			rc = hold(lb, buf, len);
			break;
		}
		n = (size_t)(nl - buf);
		if (lb->len > 0) {
			/* Complete the carried frame (the '\n' is not counted against max). */
			size_t total;

			rc = hold(lb, buf, n);
			if (rc != COCM_OK)
				break;
			total = lb->len;
			lb->len = 0;
			rc = deliver(lb->data, total, cb, arg);
		} else if (n > lb->max) {
			rc = COCM_ETOOBIG; /* same limit whether or not the frame was split */
		} else {
			rc = deliver(buf, n, cb, arg);
		}
		if (rc != COCM_OK)
			break;
		buf += n + 1;
		len -= n + 1;
	}
	if (rc != COCM_OK)
		lb->fail = rc;
	return rc;
}
