/* A tiny HTTP/1.1 server on libuv for /metrics, /healthz and /readyz.
 *
 * GET and HEAD only; one request per connection (answers carry `Connection: close`). A request
 * head is capped at COCM_HTTPD_MAX_HEAD bytes (431 beyond), a connection at
 * COCM_HTTPD_MAX_CONNS (further ones are closed at once) and COCM_HTTPD_TIMEOUT_MS of life.
 * The handler runs on the loop thread, fills `body` (capped by the caller's buffer max) and
 * returns the status code; content_type is a static string. */
#ifndef COCM_HUBADDON_HTTPD_H
#define COCM_HUBADDON_HTTPD_H

#include <uv.h>

#include "kube/core/buf.h"
#include "kube/core/err.h"

#define COCM_HTTPD_MAX_HEAD 8192
#define COCM_HTTPD_MAX_CONNS 64
#define COCM_HTTPD_TIMEOUT_MS 10000
#define COCM_HTTPD_MAX_BODY ((size_t)8 << 20)

/* path excludes the query string. Returns the HTTP status; *content_type defaults to text/plain. */
typedef int (*cocm_httpd_handler)(const char *path, struct cocm_buf *body,
	const char **content_type, void *arg);

struct cocm_httpd;

/* Binds and listens on addr ("host:port" or ":port"). NULL with a message in err when the
 * address is bad or bind/listen fails (e.g. the port is in use). */
struct cocm_httpd *cocm_httpd_start(uv_loop_t *loop, const char *addr, cocm_httpd_handler h,
	void *arg, char *err, size_t errcap);

/* The port actually bound (useful with port 0). */
int cocm_httpd_port(const struct cocm_httpd *s);

/* Stops listening, closes every open connection, then calls done(arg) (may be NULL) from the
 * loop and frees s. NULL s: nothing happens (done does not run). */
void cocm_httpd_close(struct cocm_httpd *s, void (*done)(void *arg), void *arg);

#endif
