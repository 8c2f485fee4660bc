/* Shared between client.c (requests) and client_watch.c (watches); not for other modules. */
#ifndef COCM_KUBE_CLIENT_INTERNAL_H
#define COCM_KUBE_CLIENT_INTERNAL_H

#include <stdint.h>
#include <curl/curl.h>

#include "kube/client.h"
#include "kube/core/buf.h"
#include "kube/http.h"
#include "kube/linebuf.h"
#include "kube/ratelimit.h"

struct link {
	struct link *prev, *next;
};

enum req_state { REQ_NEW, REQ_WAITING, REQ_DELAYED, REQ_ACTIVE };

struct req {
	struct cocm_kube *k;
	struct link link;       /* in k->waiting, k->delayed or k->active */
	enum req_state state;
	const char *verb;       /* static: observer label */
	const char *method;     /* static: HTTP method */
	char *resource;         /* observer label */
	char *url;
	char *body;             /* request body or NULL */
	size_t body_len;
	const char *content_type;
	int retry_transport;    /* safe to resend after a transport error */
	int retry_503;          /* safe to resend after 503 (429 is always safe) */
	int attempts;
	uint64_t due;           /* REQ_DELAYED: loop time (ms) */
	CURL *easy;
	struct curl_slist *headers;
	struct cocm_http_xfer *xfer;
	struct cocm_buf resp;
	double retry_after;
	uint64_t t0;            /* uv_hrtime at attempt start */
	enum cocm_err abort_err;/* why on_data stopped the transfer (ETOOBIG, EPARSE, ...) */
	int cancel;             /* cancel or close requested */
	cocm_resp_cb cb;
	void *arg;
	/* watches only */
	int is_watch;
	int stream;             /* 0 unknown, 1 events (2xx), 2 error body */
	struct cocm_linebuf lb;
	cocm_watch_event_cb ev;
	cocm_watch_done_cb done;
	uint64_t events;
};

struct cocm_watch {
	struct req r;
};

/* Creates a request (state REQ_NEW), allocated inside a struct cocm_watch so a watch handle is
 * cocm_container_of(r, struct cocm_watch, r). url is taken over (heap). */
struct req *cocm_kube_req_new(struct cocm_kube *k, const char *verb, const char *method,
	const char *resource, char *url);
/* Queues it behind the rate limiter; the pump starts it on a later loop turn. */
void cocm_kube_req_submit(struct req *r);
/* Requests cancel (deferred completion with COCM_ECANCELED). */
void cocm_kube_req_cancel(struct req *r);
const char *cocm_kube_base_url(const struct cocm_kube *k);
size_t cocm_kube_max_frame(const struct cocm_kube *k);
enum cocm_err cocm_kube_check_open(const struct cocm_kube *k);

/* Completes a watch: runs its done callback with err, then frees it. */
void cocm_kube_req_finish_watch(struct req *r, enum cocm_err err);

/* client_watch.c: body bytes and completion of a watch. */
int cocm_kube_watch_data(struct req *r, struct cocm_http_xfer *x, const char *data, size_t len);
void cocm_kube_watch_finish(struct req *r, const struct cocm_http_result *res);

#endif
