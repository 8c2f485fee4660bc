/* Structured logging: one logfmt line per event on stderr (or a sink set for tests).
 *   cocm_log(COCM_LOG_WARN, "watch", "relist kind=%s reason=410 rv=%s", kind, rv);
 * prints  ts=2026-11-21T05:40:00.123Z level=warn comp=watch msg=relist kind=... reason=410 rv=...
 * Convention: the format starts with a short event name (no spaces) followed by key=value
 * pairs; quote free text with cocm_logq(). The level is tested before anything is formatted.
 * Never pass a token, key, password or Secret value to a log call. Not thread-safe beyond the
 * atomicity of one fputs (all project code runs on the loop thread). */
#ifndef COCM_CORE_LOG_H
#define COCM_CORE_LOG_H

#include <stdio.h>
#include <stddef.h>

enum cocm_log_level {
	COCM_LOG_ERROR = 0,
	COCM_LOG_WARN = 1,
	COCM_LOG_INFO = 2,
	COCM_LOG_DEBUG = 3,
	COCM_LOG_TRACE = 4,
};

extern int cocm_log_max; /* default COCM_LOG_INFO; -v raises it */

#define cocm_log(lvl, comp, ...) \
	do { \
		if ((int)(lvl) <= cocm_log_max) \
			cocm_log_emit((lvl), (comp), __VA_ARGS__); \
	} while (0)

void cocm_log_emit(enum cocm_log_level lvl, const char *comp, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Where lines go (NULL = stderr). The stream is borrowed, not closed. */
void cocm_log_set_sink(FILE *sink);

/* Formats `s` as a logfmt value into buf (quoted and escaped when it holds spaces, quotes,
 * '=' or control bytes; truncated with "..." to fit). Returns buf, so it can be a %s argument.
 * cap must be >= 8. */
const char *cocm_logq(char *buf, size_t cap, const char *s);

#endif
