/* Fuzz target: a watch response body -> the '\n' framer (cocm_linebuf) -> the event decoder
 * (cocm_watchevent_decode), as the client's watch path runs them.
 * Input: byte 0 picks the chunk size the body is fed in (1..256 bytes), the rest is the body.
 * Checks: never crashes; frames, the final error and the pending count do not depend on how
 * the body was chunked; no frame is longer than the framer's maximum or holds '\n'; a decoded
 * event has a root and an object, and an ERROR event non-NULL reason and message. */
#include <string.h>

#include "fuzz/fuzz.h"
#include "kube/core/log.h"
#include "kube/core/xalloc.h"
#include "kube/linebuf.h"
#include "kube/watchevent.h"

#define MAX_FRAME 4096

struct frames {
	char *data; /* each frame as <len:8 bytes><bytes> */
	size_t len, cap;
	size_t count;
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	cocm_xalloc_init();
	cocm_log_max = -1;
	return 0;
}

static void frames_add(struct frames *f, const char *line, size_t len)
{
	if (f->len + len + 8 > f->cap) {
		f->cap = (f->len + len + 8) * 2;
		f->data = cocm_xrealloc(f->data, f->cap);
	}
	uint64_t n = len;
	memcpy(f->data + f->len, &n, 8);
	if (len)
		memcpy(f->data + f->len + 8, line, len);
	f->len += len + 8;
	f->count++;
}

static enum cocm_err on_line(const char *line, size_t len, void *arg)
{
	struct frames *f = arg;

	cocm_fuzz_check(len > 0 && len <= MAX_FRAME);
	cocm_fuzz_check(memchr(line, '\n', len) == NULL);
	frames_add(f, line, len);

	struct cocm_watch_event ev;
	char err[128];
	enum cocm_err e = cocm_watchevent_decode(&ev, line, len, err, sizeof(err));
	if (e == COCM_OK) {
		cocm_fuzz_check(ev.root != NULL && cJSON_IsObject(ev.object));
		cocm_fuzz_check(cocm_watchevent_type_name(ev.type) != NULL);
		if (ev.type == COCM_WATCH_ERROR) {
			cocm_fuzz_check(ev.reason != NULL && ev.message != NULL);
			(void)cocm_watchevent_err(ev.code, ev.reason);
		}
		cocm_watchevent_finish(&ev);
	} else {
		cocm_fuzz_check(e == COCM_EPARSE);
		cocm_fuzz_check(ev.root == NULL);
	}
	cocm_watchevent_finish(&ev);
	/* A frame of a single 'X' stops the feed, like a callback that hits an error. */
	return len == 1 && line[0] == 'X' ? COCM_ECANCELED : COCM_OK;
}

static enum cocm_err run(const char *body, size_t len, size_t chunk, struct frames *f,
	size_t *pending)
{
	struct cocm_linebuf lb;
	enum cocm_err e = COCM_OK;

	cocm_linebuf_init(&lb, MAX_FRAME);
	for (size_t off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;
		e = cocm_linebuf_feed(&lb, body + off, n, on_line, f);
		if (e != COCM_OK) {
			/* Poisoned: the next feed returns the same error and delivers nothing. */
			size_t before = f->count;
			cocm_fuzz_check(cocm_linebuf_feed(&lb, "a\n", 2, on_line, f) == e);
			cocm_fuzz_check(f->count == before);
			break;
		}
	}
	*pending = e == COCM_OK ? cocm_linebuf_pending(&lb) : 0;
	cocm_linebuf_finish(&lb);
	cocm_linebuf_finish(&lb);
	return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > (1u << 20))
		return 0;
	size_t chunk = (size_t)data[0] + 1;
	const char *body = (const char *)data + 1;
	size_t len = size - 1;

	struct frames whole = {0}, split = {0};
	size_t pw, ps;
	enum cocm_err ew = run(body, len, len ? len : 1, &whole, &pw);
	enum cocm_err es = run(body, len, chunk, &split, &ps);
	cocm_fuzz_check(ew == es);
	cocm_fuzz_check(pw == ps);
	cocm_fuzz_check(whole.count == split.count);
	cocm_fuzz_check(whole.len == split.len);
	cocm_fuzz_check(whole.len == 0 || memcmp(whole.data, split.data, whole.len) == 0);
	free(whole.data);
	free(split.data);
	return 0;
}
