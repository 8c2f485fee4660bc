#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "kube/linebuf.h"
#include "kube/watchevent.h"
#include "kube/core/xalloc.h"

struct seen {
	int n;
	char lines[16][256];
	int stop_after; /* 0 = never */
};

static enum cocm_err record(const char *line, size_t len, void *arg)
{
	struct seen *s = arg;

	cr_assert_lt(s->n, 16);
	cr_assert_lt(len, sizeof(s->lines[0]));
	memcpy(s->lines[s->n], line, len);
	s->lines[s->n][len] = '\0';
	s->n++;
	if (s->stop_after && s->n >= s->stop_after)
		return COCM_EINVAL;
	return COCM_OK;
}

static const char stream[] =
	"{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"1\"}}}\n"
	"{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{\"resourceVersion\":\"7\"}}}\r\n"
	"\n"
	"{\"type\":\"DELETED\",\"object\":{\"metadata\":{\"name\":\"b\",\"resourceVersion\":\"9\"}}}\n";

static void check_stream(const struct seen *s)
{
	cr_assert_eq(s->n, 3);
	cr_assert(strstr(s->lines[0], "\"ADDED\"") != NULL);
	cr_assert(strstr(s->lines[1], "\"BOOKMARK\"") != NULL);
	cr_assert_neq(s->lines[1][strlen(s->lines[1]) - 1], '\r', "CR is stripped");
	cr_assert(strstr(s->lines[2], "\"DELETED\"") != NULL);
}

Test(linebuf, split_at_every_byte_pair)
{
	size_t len = strlen(stream);

	/* Every pair of cut points: three chunks of all possible sizes. */
	for (size_t i = 0; i <= len; i++) {
		for (size_t j = i; j <= len; j += 7) {
			struct cocm_linebuf lb;
			struct seen s = { 0 };

			cocm_linebuf_init(&lb, 1024);
			cr_assert_eq(cocm_linebuf_feed(&lb, stream, i, record, &s), COCM_OK);
			cr_assert_eq(cocm_linebuf_feed(&lb, stream + i, j - i, record, &s), COCM_OK);
			cr_assert_eq(cocm_linebuf_feed(&lb, stream + j, len - j, record, &s), COCM_OK);
			check_stream(&s);
			cr_assert_eq(cocm_linebuf_pending(&lb), 0);
			cocm_linebuf_finish(&lb);
		}
	}
}

Test(linebuf, one_byte_at_a_time)
{
	struct cocm_linebuf lb;
	struct seen s = { 0 };

	cocm_linebuf_init(&lb, 1024);
	for (size_t i = 0; stream[i] != '\0'; i++)
		cr_assert_eq(cocm_linebuf_feed(&lb, stream + i, 1, record, &s), COCM_OK);
	check_stream(&s);
	cocm_linebuf_finish(&lb);
	cocm_linebuf_finish(&lb); /* twice is fine */
}

Test(linebuf, oversized_frame_fails_without_growth)
{
	struct cocm_linebuf lb;
	struct seen s = { 0 };
	char chunk[100];

	memset(chunk, 'x', sizeof(chunk));
	cocm_linebuf_init(&lb, 256);
	cr_assert_eq(cocm_linebuf_feed(&lb, "ok\n", 3, record, &s), COCM_OK);
	cr_assert_eq(cocm_linebuf_feed(&lb, chunk, sizeof(chunk), record, &s), COCM_OK);
	cr_assert_eq(cocm_linebuf_feed(&lb, chunk, sizeof(chunk), record, &s), COCM_OK);
	cr_assert_eq(cocm_linebuf_feed(&lb, chunk, sizeof(chunk), record, &s), COCM_ETOOBIG);
	cr_assert_leq(lb.cap, 256, "memory never grows past max");
	cr_assert_leq(cocm_linebuf_pending(&lb), 256);
	/* Poisoned: even a valid frame is refused until reset. */
	cr_assert_eq(cocm_linebuf_feed(&lb, "\nz\n", 3, record, &s), COCM_ETOOBIG);
	cr_assert_eq(s.n, 1);
	cocm_linebuf_reset(&lb);
	cr_assert_eq(cocm_linebuf_feed(&lb, "z\n", 2, record, &s), COCM_OK);
	cr_assert_eq(s.n, 2);
	cr_assert_str_eq(s.lines[1], "z");
	cocm_linebuf_finish(&lb);
}

Test(linebuf, oversized_frame_inside_one_chunk)
{
	struct cocm_linebuf lb;
	struct seen s = { 0 };
	char big[600];

	memset(big, 'y', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	cocm_linebuf_init(&lb, 256);
	cr_assert_eq(cocm_linebuf_feed(&lb, big, sizeof(big), record, &s), COCM_ETOOBIG);
	cr_assert_eq(s.n, 0);
	cr_assert_eq(lb.cap, 0, "nothing was copied");
	cocm_linebuf_finish(&lb);
}

Test(linebuf, frame_of_exactly_max_is_fine)
{
	struct cocm_linebuf lb;
	struct seen s = { 0 };
	char f[65];

	memset(f, 'q', 64);
	f[64] = '\n';
	cocm_linebuf_init(&lb, 64);
	cr_assert_eq(cocm_linebuf_feed(&lb, f, 30, record, &s), COCM_OK);
	cr_assert_eq(cocm_linebuf_feed(&lb, f + 30, 35, record, &s), COCM_OK);
	cr_assert_eq(cocm_linebuf_feed(&lb, f, 65, record, &s), COCM_OK);
	cr_assert_eq(s.n, 0 + 2);
	cr_assert_eq(strlen(s.lines[0]), 64);
	cocm_linebuf_finish(&lb);
}

Test(linebuf, callback_error_stops_and_sticks)
{
	struct cocm_linebuf lb;
	struct seen s = { .stop_after = 1 };

	cocm_linebuf_init(&lb, 64);
	cr_assert_eq(cocm_linebuf_feed(&lb, "a\nb\n", 4, record, &s), COCM_EINVAL);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(cocm_linebuf_feed(&lb, "c\n", 2, record, &s), COCM_EINVAL);
	cr_assert_eq(s.n, 1);
	cocm_linebuf_finish(&lb);
}

/* ---- watch event decoding ---- */

Test(watchevent, added_and_rv)
{
	struct cocm_watch_event ev;
	const char *f = "{\"type\":\"ADDED\",\"object\":{\"kind\":\"X\",\"metadata\":{\"name\":\"a\","
			"\"namespace\":\"n\",\"resourceVersion\":\"42\"}}}";

	cr_assert_eq(cocm_watchevent_decode(&ev, f, strlen(f), NULL, 0), COCM_OK);
	cr_assert_eq(ev.type, COCM_WATCH_ADDED);
	cr_assert_str_eq(ev.rv, "42");
	cr_assert_str_eq(cJSON_GetObjectItem(ev.object, "kind")->valuestring, "X");
	cocm_watchevent_finish(&ev);
	cr_assert_null(ev.root);
}

Test(watchevent, bookmark)
{
	struct cocm_watch_event ev;
	const char *f = "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"ConfigMap\",\"metadata\":"
			"{\"resourceVersion\":\"12345\",\"annotations\":{\"k8s.io/initial-events-end\":\"true\"}}}}";

	cr_assert_eq(cocm_watchevent_decode(&ev, f, strlen(f), NULL, 0), COCM_OK);
	cr_assert_eq(ev.type, COCM_WATCH_BOOKMARK);
	cr_assert_str_eq(ev.rv, "12345");
	cr_assert_str_eq(cocm_watchevent_type_name(ev.type), "BOOKMARK");
	cocm_watchevent_finish(&ev);
}

Test(watchevent, error_410_expired)
{
	struct cocm_watch_event ev;
	const char *f = "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
			"\"status\":\"Failure\",\"message\":\"too old resource version: 1 (5)\","
			"\"reason\":\"Expired\",\"code\":410}}";

	cr_assert_eq(cocm_watchevent_decode(&ev, f, strlen(f), NULL, 0), COCM_OK);
	cr_assert_eq(ev.type, COCM_WATCH_ERROR);
	cr_assert_eq(ev.code, 410);
	cr_assert_str_eq(ev.reason, "Expired");
	cr_assert(strstr(ev.message, "too old") != NULL);
	cr_assert_eq(cocm_watchevent_err(ev.code, ev.reason), COCM_EGONE);
	cocm_watchevent_finish(&ev);
	cr_assert_eq(cocm_watchevent_err(0, "Gone"), COCM_EGONE);
	cr_assert_eq(cocm_watchevent_err(500, "InternalError"), COCM_ERETRY);
	cr_assert_eq(cocm_watchevent_err(403, "Forbidden"), COCM_EAUTH);
	cr_assert_eq(cocm_watchevent_err(400, "BadRequest"), COCM_EHTTP);
}

Test(watchevent, bad_frames)
{
	static const char *const bad[] = {
		"{\"type\":\"ADDED\"", /* truncated JSON */
		"[1,2]",
		"{\"object\":{}}",
		"{\"type\":\"RENAMED\",\"object\":{}}",
		"{\"type\":\"ADDED\",\"object\":\"x\"}",
		"{\"type\":7,\"object\":{}}",
	};
	char err[128];

	for (size_t i = 0; i < COCM_ARRAY_LEN(bad); i++) {
		struct cocm_watch_event ev;

		err[0] = '\0';
		cr_assert_eq(cocm_watchevent_decode(&ev, bad[i], strlen(bad[i]), err, sizeof(err)),
			COCM_EPARSE, "frame %zu", i);
		cr_assert_null(ev.root);
		cr_assert_neq(err[0], '\0', "frame %zu gives a reason", i);
	}
}

/* Framing + decoding together: the stream gives ADDED, BOOKMARK, DELETED in order. */
static enum cocm_err decode_cb(const char *line, size_t len, void *arg)
{
	int *types = arg;
	struct cocm_watch_event ev;
	enum cocm_err rc = cocm_watchevent_decode(&ev, line, len, NULL, 0);

	if (rc != COCM_OK)
		return rc;
	types[++types[0]] = (int)ev.type;
	cocm_watchevent_finish(&ev);
	return COCM_OK;
}

Test(watchevent, framed_stream)
{
	struct cocm_linebuf lb;
	int types[8] = { 0 };

	cocm_linebuf_init(&lb, 4096);
	cr_assert_eq(cocm_linebuf_feed(&lb, stream, strlen(stream), decode_cb, types), COCM_OK);
	cr_assert_eq(types[0], 3);
	cr_assert_eq(types[1], COCM_WATCH_ADDED);
	cr_assert_eq(types[2], COCM_WATCH_BOOKMARK);
	cr_assert_eq(types[3], COCM_WATCH_DELETED);
	cr_assert_eq(cocm_linebuf_feed(&lb, "{nope}\n", 7, decode_cb, types), COCM_EPARSE);
	cocm_linebuf_finish(&lb);
}
