/* HTTP transport: one curl multi handle driven by one libuv loop (the multi-uv pattern, with the
 * c-style §3 rules). Knows nothing about Kubernetes: kube/client.c configures each easy handle
 * (URL, TLS, headers) and hands it here to run.
 *
 * - CURLMOPT_SOCKETFUNCTION keeps one uv_poll_t per socket; a poll error (POLLERR arrives as a
 *   negative status) is forwarded as CURL_CSELECT_ERR.
 * - CURLMOPT_TIMERFUNCTION only (re)arms a uv_timer; curl is driven from that timer's callback,
 *   never from inside the curl callback.
 * - Completions are drained with curl_multi_info_read after every socket action, outside any
 *   curl callback, and handed to on_done there.
 * - Cancelling never removes a handle from inside a curl callback: it marks the transfer, makes
 *   its write callback refuse more bytes, and a zero-delay "reaper" timer removes it on the next
 *   loop turn and calls on_done with canceled = 1.
 * - TLS sessions and DNS results are shared through a curl share handle; connections are kept
 *   alive in the multi handle's pool.
 *
 * Everything runs on the loop thread. */
#ifndef COCM_KUBE_HTTP_H
#define COCM_KUBE_HTTP_H

#include <curl/curl.h>
#include <uv.h>

#include "kube/core/err.h"

struct cocm_http;
struct cocm_http_xfer;

struct cocm_http_result {
	CURLcode rc;        /* CURLE_OK when the exchange completed (any HTTP status) */
	long status;        /* HTTP status, 0 when no response arrived */
	int canceled;       /* cocm_http_cancel() was called (rc is then meaningless) */
	const char *errmsg; /* curl's error text, never NULL (borrowed for the call) */
};

struct cocm_http_ops {
	/* Response body bytes (not NUL-terminated, arbitrary chunking). Return 0 to go on, non-zero
	 * to abort the transfer (on_done then sees CURLE_WRITE_ERROR). Runs inside curl: it may call
	 * cocm_http_cancel() and nothing else of this module. */
	int (*on_data)(struct cocm_http_xfer *x, const char *data, size_t len, void *arg);
	/* One raw header line (with CRLF), optional (NULL). Same restrictions as on_data. */
	void (*on_header)(const char *line, size_t len, void *arg);
	/* Exactly once per started transfer, outside curl callbacks, after the easy handle was
	 * removed from the multi handle (the caller may reuse or clean it up). The xfer is freed
	 * when this returns. */
	void (*on_done)(const struct cocm_http_result *res, void *arg);
};

/* NULL when curl or libuv setup fails (logged). */
struct cocm_http *cocm_http_create(uv_loop_t *loop);

/* The share handle to set as CURLOPT_SHARE on easy handles run here (done by cocm_http_start). */
CURLSH *cocm_http_share(struct cocm_http *h);

/* Runs easy (owned by the caller, who must keep it alive until on_done). Sets WRITEFUNCTION,
 * HEADERFUNCTION, PRIVATE, ERRORBUFFER and SHARE on it. ops must outlive the transfer.
 * COCM_ESTATE after close, COCM_EHTTP when curl refuses the handle (on_done never runs then). */
enum cocm_err cocm_http_start(struct cocm_http *h, CURL *easy, const struct cocm_http_ops *ops,
	void *arg, struct cocm_http_xfer **out);

/* HTTP status of the response being received (0 before the status line). Usable from on_data. */
long cocm_http_status(struct cocm_http_xfer *x);

/* Deferred cancel (safe from on_data/on_header); on_done follows on a later loop turn with
 * canceled = 1. Idempotent. Not allowed after on_done ran. */
void cocm_http_cancel(struct cocm_http_xfer *x);

/* Number of transfers in flight (for tests and shutdown checks). */
size_t cocm_http_active(const struct cocm_http *h);

/* Cancels every transfer (their on_done run with canceled = 1), then closes all handles and
 * frees h; done(arg) runs last, from the loop. h must not be used after this call. */
void cocm_http_close(struct cocm_http *h, void (*done)(void *arg), void *arg);

#endif
