/* The asynchronous Kubernetes API client.
 *
 * Everything runs on ONE libuv loop thread: create, every request, every callback, close.
 * Every async call returns enum cocm_err: an error return means the callback never runs; COCM_OK
 * means it runs exactly once (also on cancel/shutdown, with COCM_ECANCELED). Callbacks are never
 * called from inside the function that started the request (always from a later loop turn).
 *
 * Transport: one curl multi handle driven by libuv (see docs/internals/kube.md): keep-alive
 * connections and TLS sessions shared across requests, TLS always verified (unless the config
 * says insecure-skip-tls-verify, which is loudly warned), a cap on every response body, a
 * client-side token bucket (default 50 QPS, burst 100). Idempotent requests (GET, LIST, PUT,
 * PATCH, DELETE) are retried a bounded number of times with jitter on 429/503 (after Retry-After,
 * capped) and on transport errors; creates (POST) are retried only on 429 (the server refused
 * them before doing anything), never on transport errors.
 *
 * String arguments are copied before the call returns (the caller keeps ownership). cJSON
 * arguments are borrowed for the duration of the call (serialised immediately). */
#ifndef COCM_KUBE_CLIENT_H
#define COCM_KUBE_CLIENT_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include <uv.h>

#include "kube/core/err.h"
#include "kube/config.h"

#define COCM_KUBE_DEFAULT_QPS 50.0
#define COCM_KUBE_DEFAULT_BURST 100
#define COCM_KUBE_DEFAULT_CONNECT_MS 10000L
#define COCM_KUBE_DEFAULT_REQUEST_MS 60000L
#define COCM_KUBE_DEFAULT_MAX_BODY ((size_t)64 << 20)
#define COCM_KUBE_DEFAULT_MAX_FRAME ((size_t)16 << 20)
#define COCM_KUBE_DEFAULT_RETRIES 5
#define COCM_KUBE_MAX_RETRY_AFTER_S 60.0 /* a longer Retry-After is clamped to this */

/* Zero/NULL fields take the defaults above. */
struct cocm_kube_opts {
	double qps;                /* token bucket refill rate; < 0 disables rate limiting */
	int burst;                 /* bucket size */
	long connect_timeout_ms;   /* TCP + TLS connect */
	long request_timeout_ms;   /* whole request (not watches: they use idle limits) */
	size_t max_body;           /* default 64 MiB for lists, watch frames capped separately */
	const char *user_agent;    /* default "choreo-ocm/<version>" (copied) */
	size_t max_watch_frame;    /* one watch event line; default 16 MiB */
	int max_retries;           /* retries after the first attempt; default 5; < 0 = none */
	long watch_idle_timeout_ms;/* a watch with no bytes for this long fails (EHTTP); default 300 s */
};

struct cocm_kube;

/* Creates the client. cfg is copied (the caller may finish it right away). NULL when the config
 * is unusable (no server) or curl/libuv setup failed; the reason is logged. */
struct cocm_kube *cocm_kube_create(uv_loop_t *loop, const struct cocm_kube_config *cfg,
	const struct cocm_kube_opts *opts /* NULL = defaults: 50 qps, burst 100 */);

/* Cancels every request and watch (their callbacks run with COCM_ECANCELED), closes every handle,
 * then calls done(arg) (done may be NULL) from the loop and frees k. No new request may be
 * started once close was called (they return COCM_ESTATE). NULL k: done runs never. */
void cocm_kube_close(struct cocm_kube *k, void (*done)(void *arg), void *arg);

/* The namespace from the config (context namespace or SA namespace), or "default". Borrowed. */
const char *cocm_kube_namespace(const struct cocm_kube *k);

/* A resource. group "" or NULL = core ("/api/v1"); namespaced selects /namespaces/<ns>/ when ns
 * is given. Borrowed for the call. */
struct cocm_gvr {
	const char *group;
	const char *version;
	const char *resource;
	int namespaced;
};

struct cocm_api_status {  /* decoded from a Status body (see kube/status.h) */
	int code;
	char reason[64];
	char message[512];
};

struct cocm_resp {
	enum cocm_err err;       /* COCM_OK for 2xx; mapped: 404 ENOTFOUND, 409 ECONFLICT/EEXIST (by reason),
	                            410 EGONE, 422 EINVALID, 401/403 EAUTH, 429/5xx ERETRY, transport EHTTP,
	                            body over the cap ETOOBIG, unparsable 2xx body EPARSE, ECANCELED */
	int http_status;         /* 0 on transport error */
	struct cocm_api_status status; /* filled for non-2xx (and transport errors: message) */
	cJSON *body;             /* parsed JSON body for 2xx (borrowed: valid only during the callback;
	                            a callback may take ownership by detaching and setting resp->body = NULL).
	                            NULL for an empty 2xx body. */
	double retry_after_s;    /* from Retry-After, 0 if none */
};
typedef void (*cocm_resp_cb)(struct cocm_resp *resp, void *arg);

struct cocm_list_opts {
	const char *label_selector, *field_selector, *resource_version, *cont;
	long limit; /* 0 = no limit */
	const char *resource_version_match; /* NULL, "NotOlderThan", "Exact" */
};
enum cocm_patch_type { COCM_PATCH_MERGE, COCM_PATCH_JSON, COCM_PATCH_APPLY /* SSA */ };
struct cocm_write_opts {
	const char *subresource;   /* NULL or "status" */
	const char *field_manager; /* required for COCM_PATCH_APPLY */
	int force;                 /* SSA */
	int dry_run;
};
struct cocm_delete_opts {
	const char *propagation; /* NULL, "Foreground", "Background", "Orphan" */
	const char *precondition_uid, *precondition_rv;
};

/* ns: required for namespaced resources (except list/watch, where NULL = all namespaces),
 * ignored (must be NULL) for cluster-scoped ones. name: required, non-empty, no '/'.
 * Bad arguments -> COCM_EINVAL; after close -> COCM_ESTATE. */
enum cocm_err cocm_kube_get(struct cocm_kube *k, const struct cocm_gvr *r, const char *ns, const char *name,
	cocm_resp_cb cb, void *arg);
enum cocm_err cocm_kube_list(struct cocm_kube *k, const struct cocm_gvr *r, const char *ns /* NULL = all */,
	const struct cocm_list_opts *o, cocm_resp_cb cb, void *arg);
enum cocm_err cocm_kube_create_obj(struct cocm_kube *k, const struct cocm_gvr *r, const char *ns,
	const cJSON *obj, const struct cocm_write_opts *o, cocm_resp_cb cb, void *arg);
/* PUT: optimistic concurrency through obj's metadata.resourceVersion (409 ECONFLICT when stale). */
enum cocm_err cocm_kube_update(struct cocm_kube *k, const struct cocm_gvr *r, const char *ns, const char *name,
	const cJSON *obj, const struct cocm_write_opts *o, cocm_resp_cb cb, void *arg);
enum cocm_err cocm_kube_patch(struct cocm_kube *k, const struct cocm_gvr *r, const char *ns, const char *name,
	enum cocm_patch_type t, const cJSON *patch, const struct cocm_write_opts *o, cocm_resp_cb cb, void *arg);
enum cocm_err cocm_kube_delete(struct cocm_kube *k, const struct cocm_gvr *r, const char *ns, const char *name,
	const struct cocm_delete_opts *o, cocm_resp_cb cb, void *arg);
/* Raw GET of a path (discovery): body parsed as JSON. path starts with '/', may hold a query. */
enum cocm_err cocm_kube_get_path(struct cocm_kube *k, const char *path, cocm_resp_cb cb, void *arg);

/* Watch: a streaming GET ?watch=1&allowWatchBookmarks=true&resourceVersion=...; each complete
 * newline-framed event is decoded and delivered; frames longer than the cap fail the watch
 * (done with COCM_ETOOBIG; an undecodable frame: COCM_EPARSE). A non-2xx answer ends it with the
 * mapped error (e.g. 410 EGONE). A connection dropped mid-stream or idle past the idle limit ends
 * it with COCM_EHTTP. The server ending the stream cleanly ends it with COCM_OK.
 * Watches are not rate limited beyond their start and never retried here (the informer resumes).
 * *out (may be NULL) receives a handle valid until done runs. */
struct cocm_watch_opts {
	const char *label_selector, *field_selector, *resource_version;
	long timeout_s; /* server-side timeoutSeconds; 0 = server default */
};
enum cocm_watch_ev { COCM_WATCH_ADDED, COCM_WATCH_MODIFIED, COCM_WATCH_DELETED, COCM_WATCH_BOOKMARK,
	COCM_WATCH_ERROR };
typedef void (*cocm_watch_event_cb)(enum cocm_watch_ev type, cJSON *object /* borrowed; ERROR: a Status */,
	void *arg);
typedef void (*cocm_watch_done_cb)(enum cocm_err err /* OK = server closed normally */, void *arg);
struct cocm_watch; /* handle */
enum cocm_err cocm_kube_watch(struct cocm_kube *k, const struct cocm_gvr *r, const char *ns,
	const struct cocm_watch_opts *o, cocm_watch_event_cb ev, cocm_watch_done_cb done, void *arg,
	struct cocm_watch **out);
/* Stops delivering events at once; done then runs once (from a later loop turn) with
 * COCM_ECANCELED. Safe from inside the event callback. No-op after done ran is NOT allowed
 * (the handle is freed then). */
void cocm_watch_cancel(struct cocm_watch *w);

/* Metrics hook: called once per finished HTTP attempt (verb, resource, http status: 0 on transport
 * error) for /metrics. verb is "GET", "LIST", "WATCH", "POST", "PUT", "PATCH", "DELETE"; resource
 * is the plural or "" for raw paths. Both strings are borrowed for the call. */
typedef void (*cocm_kube_observe_cb)(const char *verb, const char *resource, int http_status,
	double seconds, void *arg);
void cocm_kube_set_observer(struct cocm_kube *k, cocm_kube_observe_cb cb, void *arg);

#endif
