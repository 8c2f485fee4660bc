/* logfmt logger. A line is built in a stack buffer and written with one fputs, so lines from
 * one process never interleave mid-line. Overlong lines are cut and marked with "...". */
#include "kube/core/log.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>

int cocm_log_max = COCM_LOG_INFO;
static FILE *log_sink;

static const char *level_name(enum cocm_log_level lvl)
{
	switch (lvl) {
	case COCM_LOG_ERROR: return "error";
	case COCM_LOG_WARN: return "warn";
	case COCM_LOG_INFO: return "info";
	case COCM_LOG_DEBUG: return "debug";
	case COCM_LOG_TRACE: return "trace";
	}
	return "info";
}

void cocm_log_set_sink(FILE *sink)
{
	log_sink = sink;
}

void cocm_log_emit(enum cocm_log_level lvl, const char *comp, const char *fmt, ...)
{
	char line[4096];
	struct timespec ts;
	struct tm tm;
	size_t n;
	int w;
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	w = snprintf(line, sizeof(line), "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ level=%s comp=%s msg=",
		tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		ts.tv_nsec / 1000000L, level_name(lvl), comp ? comp : "-");
	n = w > 0 ? (size_t)w : 0;
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	va_start(ap, fmt);
	w = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	if (w > 0 && (size_t)w >= sizeof(line) - n) {
		n = sizeof(line) - 5;
		memcpy(line + n, "...", 3);
		n += 3;
	} else if (w > 0) {
		n += (size_t)w;
	}
	line[n++] = '\n';
	line[n] = '\0';
	fputs(line, log_sink ? log_sink : stderr);
}

const char *cocm_logq(char *buf, size_t cap, const char *s)
{
	size_t o = 0, i;
	int quote = 0;

	if (s == NULL)
		s = "";
	if (s[0] == '\0')
		quote = 1;
	for (i = 0; s[i] && !quote; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f)
			quote = 1;
	}
	if (quote)
		buf[o++] = '"';
	for (i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t need = (c == '"' || c == '\\' || c == '\n' || c == '\t' || c < ' ') ? 2 : 1;
		if (o + need + 5 > cap) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c == '\n') {
			buf[o++] = '\\';
			buf[o++] = 'n';
		} else if (c == '\t') {
			buf[o++] = '\\';
			buf[o++] = 't';
		} else if (c < ' ' || c == 0x7f) {
			buf[o++] = '\\';
			buf[o++] = '?';
		} else {
			buf[o++] = (char)c;
		}
	}
	if (quote)
		buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}
