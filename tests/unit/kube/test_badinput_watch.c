/* Hostile API bytes at the decoder level: watch frames and error bodies with wrong types,
 * nesting 10,000 deep, NUL bytes, invalid UTF-8, binary garbage, truncation at every byte.
 * Every case must give a defined result (decoded with safe defaults, or COCM_EPARSE with a
 * reason) and never read past the bytes given (ASan checks that in the sanitizer build).
 * test_linebuf.c and test_status.c cover the ordinary malformed frames and bodies. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "kube/linebuf.h"
#include "kube/status.h"
#include "kube/watchevent.h"

/* A heap copy of exactly n bytes (no NUL after it), so an over-read is caught by ASan. */
static char *exact(const char *s, size_t n)
{
	char *p = malloc(n ? n : 1);
	memcpy(p, s, n);
	return p;
}

static enum cocm_err decode(struct cocm_watch_event *ev, const char *s, size_t n, char *err,
	size_t cap)
{
	char *p = exact(s, n);
	enum cocm_err e = cocm_watchevent_decode(ev, p, n, err, cap);
	free(p);
	return e;
}

Test(badinput_watch, error_event_with_wrong_types_gets_safe_defaults)
{
	static const char f[] = "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":\"410\","
		"\"reason\":5,\"message\":[\"x\"]}}";
	struct cocm_watch_event ev;
	char err[128] = "";

	cr_assert_eq(decode(&ev, f, sizeof(f) - 1, err, sizeof(err)), COCM_OK, "%s", err);
	cr_assert_eq(ev.type, COCM_WATCH_ERROR);
	cr_assert_eq(ev.code, 0, "a string code is not a code");
	cr_assert_str_eq(ev.reason, "");
	cr_assert_str_eq(ev.message, "");
	cr_assert_eq(cocm_watchevent_err(ev.code, ev.reason), COCM_EHTTP);
	cocm_watchevent_finish(&ev);

	static const char g[] = "{\"type\":\"MODIFIED\",\"object\":{\"metadata\":{\"resourceVersion\":17}}}";
	cr_assert_eq(decode(&ev, g, sizeof(g) - 1, err, sizeof(err)), COCM_OK, "%s", err);
	cr_assert_null(ev.rv, "a numeric resourceVersion is not taken");
	cocm_watchevent_finish(&ev);
}

Test(badinput_watch, deep_nesting_nul_and_garbage)
{
	struct cocm_watch_event ev;
	char err[128];
	size_t depth = 10000;
	char *deep = malloc(64 + 2 * depth);
	size_t n = (size_t)snprintf(deep, 64, "{\"type\":\"ADDED\",\"object\":{\"a\":");

	memset(deep + n, '[', depth);
	memset(deep + n + depth, ']', depth);
	n += 2 * depth;
	memcpy(deep + n, "}}", 2);
	n += 2;
	err[0] = '\0';
	cr_assert_eq(decode(&ev, deep, n, err, sizeof(err)), COCM_EPARSE);
	cr_assert_neq(err[0], '\0');
	cr_assert_null(ev.root);
	free(deep);

	/* cJSON skips every byte <= ' ' between tokens, NUL included, so a stray NUL there is
	 * tolerated (the API server never sends one); inside a string it cuts the C string short.
	 * Either way the result is a well-formed event or EPARSE, and nothing is over-read. */
	static const char nul[] = "{\"type\":\"ADDED\",\0\"object\":{\"metadata\":{\"name\":\"a\0b\"}}}";
	err[0] = '\0';
	enum cocm_err e = decode(&ev, nul, sizeof(nul) - 1, err, sizeof(err));
	if (e == COCM_OK) {
		cr_assert_eq(ev.type, COCM_WATCH_ADDED);
		cr_assert(cJSON_IsObject(ev.object));
		cocm_watchevent_finish(&ev);
	} else {
		cr_assert_eq(e, COCM_EPARSE);
		cr_assert_neq(err[0], '\0');
	}

	char bin[512];
	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (char)(i * 131 + 7);
	cr_assert_eq(decode(&ev, bin, sizeof(bin), err, sizeof(err)), COCM_EPARSE);
	cr_assert_eq(decode(&ev, "", 0, err, sizeof(err)), COCM_EPARSE);
}

Test(badinput_watch, invalid_utf8_is_carried_not_fatal)
{
	static const char f[] = "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"\xc3\x28\xff\"}}}";
	struct cocm_watch_event ev;

	cr_assert_eq(decode(&ev, f, sizeof(f) - 1, NULL, 0), COCM_OK);
	cocm_watchevent_finish(&ev);
}

/* Every prefix of a good frame: a truncated frame never decodes as something else. */
Test(badinput_watch, truncation_at_every_byte)
{
	static const char f[] = "{\"type\":\"DELETED\",\"object\":{\"kind\":\"ConfigMap\",\"metadata\":"
		"{\"name\":\"a\",\"resourceVersion\":\"9\"}}}";
	struct cocm_watch_event ev;

	for (size_t n = 0; n < sizeof(f) - 1; n++) {
		cr_assert_eq(decode(&ev, f, n, NULL, 0), COCM_EPARSE, "prefix of %zu bytes", n);
		cr_assert_null(ev.root);
	}
	cr_assert_eq(decode(&ev, f, sizeof(f) - 1, NULL, 0), COCM_OK);
	cr_assert_str_eq(ev.rv, "9");
	cocm_watchevent_finish(&ev);
}

static enum cocm_err count_cb(const char *line, size_t len, void *arg)
{
	(void)line;
	(void)len;
	(*(int *)arg)++;
	return COCM_OK;
}

/* A stream of 1 MiB with no newline: refused at the cap, memory bounded, sticky until reset. */
Test(badinput_watch, endless_frame_is_refused_at_the_cap)
{
	struct cocm_linebuf lb;
	char chunk[4096];
	int frames = 0;
	enum cocm_err e = COCM_OK;

	memset(chunk, 'x', sizeof(chunk));
	cocm_linebuf_init(&lb, 64 * 1024);
	for (int i = 0; i < 256 && e == COCM_OK; i++)
		e = cocm_linebuf_feed(&lb, chunk, sizeof(chunk), count_cb, &frames);
	cr_assert_eq(e, COCM_ETOOBIG);
	cr_assert_eq(frames, 0);
	cr_assert_leq(lb.cap, 64 * 1024 + sizeof(chunk), "memory stays bounded: %zu", lb.cap);
	cr_assert_eq(cocm_linebuf_feed(&lb, "{}\n", 3, count_cb, &frames), COCM_ETOOBIG);
	cocm_linebuf_reset(&lb);
	cr_assert_eq(cocm_linebuf_feed(&lb, "{}\n", 3, count_cb, &frames), COCM_OK);
	cr_assert_eq(frames, 1);
	cocm_linebuf_finish(&lb);
}

Test(badinput_watch, error_bodies_binary_nul_deep_and_wrong_types)
{
	struct cocm_api_status st;
	char bin[2048];

	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (char)(i * 97 + 3);
	char *p = exact(bin, sizeof(bin));
	cr_assert_eq(cocm_status_decode(&st, 503, p, sizeof(bin)), COCM_ERETRY);
	free(p);
	cr_assert_eq(strlen(st.message), sizeof(st.message) - 1);
	for (const char *c = st.message; *c; c++)
		cr_assert((unsigned char)*c >= 0x20 && *c != 0x7f, "control byte kept");

	static const char nul[] = "upstream\0secret-after-nul";
	p = exact(nul, sizeof(nul) - 1);
	cr_assert_eq(cocm_status_decode(&st, 500, p, sizeof(nul) - 1), COCM_ERETRY);
	free(p);
	cr_assert_str_eq(st.reason, "InternalError");

	size_t depth = 10000;
	char *deep = malloc(2 * depth);
	memset(deep, '[', depth);
	memset(deep + depth, ']', depth);
	cr_assert_eq(cocm_status_decode(&st, 409, deep, 2 * depth), COCM_ECONFLICT);
	cr_assert_eq(st.code, 409);
	free(deep);

	static const char wrong[] = "{\"kind\":\"Status\",\"reason\":{\"a\":1},\"message\":7,\"code\":\"x\"}";
	p = exact(wrong, sizeof(wrong) - 1);
	cr_assert_eq(cocm_status_decode(&st, 404, p, sizeof(wrong) - 1), COCM_ENOTFOUND);
	free(p);
	cr_assert_str_eq(st.reason, "NotFound");
	cr_assert_str_eq(st.message, "");
	cr_assert_eq(st.code, 404);

	/* A 200 with an "Expired" Status body is still success: the HTTP status decides. */
	static const char ok[] = "{\"kind\":\"Status\",\"reason\":\"Expired\",\"code\":410}";
	p = exact(ok, sizeof(ok) - 1);
	enum cocm_err e = cocm_status_decode(&st, 200, p, sizeof(ok) - 1);
	free(p);
	cr_assert(e == COCM_OK || e == COCM_EGONE, "%s", cocm_err_name(e));
}
