/* The Kubernetes API client: request building, rate limiting, retries, auth and completion.
 *
 * Design in one paragraph: every call builds a struct req (URL, body, labels) and puts it on the
 * `waiting` list; a single zero-delay "pump" timer takes tokens from the bucket and starts
 * requests through kube/http.c, so a callback never runs inside the call that started it.
 * A finished attempt either completes the request (callback, then free) or parks it on the
 * `delayed` list until its retry time (Retry-After, capped, or capped exponential backoff, both
 * jittered); the pump moves due requests back to `waiting`. Closing marks every request
 * cancelled, lets them complete with COCM_ECANCELED, then closes the transport and the pump.
 * Watches share this machinery (client_watch.c handles their bytes and completion). */
#include "kube/client.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kube/client_internal.h"
#include "kube/config_internal.h"
#include "kube/core/json.h"
#include "kube/core/log.h"
#include "kube/core/xalloc.h"
#include "kube/query.h"
#include "kube/status.h"

#define URL_MAX ((size_t)64 << 10)
#define BACKOFF_BASE_MS 200.0
#define BACKOFF_CAP_MS 8000.0

struct cocm_kube {
	uv_loop_t *loop;
	struct cocm_kube_config cfg;
	struct cocm_http *http;
	struct cocm_ratelimit rl;
	uv_timer_t pump;
	struct link waiting, delayed, active;
	size_t nreqs;
	char *base_url;                /* https://host:port[/prefix], host = tls-server-name if set */
	struct curl_slist *connect_to; /* tls-server-name: connect to the real host */
	char *user_agent;
	long connect_ms, request_ms, idle_s;
	size_t max_body, max_frame;
	int max_retries;
	char *token;                   /* current bearer token, never logged */
	int tok_valid;                 /* tok_* describe the file token was read from */
	dev_t tok_dev;
	ino_t tok_ino;
	off_t tok_size;
	struct timespec tok_mtime;
	int tok_warned;
	uint64_t rng;
	cocm_kube_observe_cb obs;
	void *obs_arg;
	int closing;
	int http_closing;
	void (*close_done)(void *arg);
	void *close_arg;
};

/* ---- small helpers ---- */

static void list_init(struct link *head)
{
	head->prev = head->next = head;
}

static int list_empty(const struct link *head)
{
	return head->next == head;
}

static void list_add_tail(struct link *head, struct link *l)
{
	l->prev = head->prev;
	l->next = head;
	head->prev->next = l;
	head->prev = l;
}

static void list_del(struct link *l)
{
	if (l->next == NULL)
		return;
	l->prev->next = l->next;
	l->next->prev = l->prev;
	l->prev = l->next = NULL;
}

#define REQ_OF(l) cocm_container_of((l), struct req, link)

static double rand01(struct cocm_kube *k)
{
	/* xorshift64*: jitter only, not security */
	k->rng ^= k->rng >> 12;
	k->rng ^= k->rng << 25;
	k->rng ^= k->rng >> 27;
	return (double)((k->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static void kick(struct cocm_kube *k);

/* ---- auth ---- */

static void set_token(struct cocm_kube *k, char *tok)
{
	if (k->token != NULL) {
		memset(k->token, 0, strlen(k->token));
		free(k->token);
	}
	k->token = tok;
}

/* The bearer token for the next attempt: token_file when set (re-read when its identity, size or
 * mtime changes: kubelet swaps a symlink on rotation), else the static token. */
static const char *bearer(struct cocm_kube *k)
{
	struct stat st;
	char *data, why[256];
	size_t len;

	if (k->cfg.token_file == NULL)
		return k->token;
	if (stat(k->cfg.token_file, &st) != 0) {
		if (!k->tok_warned)
			cocm_log(COCM_LOG_WARN, "kube", "token_file_unreadable file=%s err=\"%s\"",
				k->cfg.token_file, strerror(errno));
		k->tok_warned = 1;
		return k->token;
	}
	if (k->tok_valid && st.st_dev == k->tok_dev && st.st_ino == k->tok_ino &&
		st.st_size == k->tok_size && st.st_mtim.tv_sec == k->tok_mtime.tv_sec &&
		st.st_mtim.tv_nsec == k->tok_mtime.tv_nsec)
		return k->token;
	k->tok_valid = 1;
	k->tok_dev = st.st_dev;
	k->tok_ino = st.st_ino;
	k->tok_size = st.st_size;
	k->tok_mtime = st.st_mtim;
	if (cocm_kube_config_read(k->cfg.token_file, COCM_KUBE_CONFIG_MAX_FILE, &data, &len, why,
		sizeof(why)) != COCM_OK) {
		cocm_log(COCM_LOG_WARN, "kube", "token_file_unreadable file=%s err=\"%s\"",
			k->cfg.token_file, why);
		return k->token;
	}
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r' || data[len - 1] == ' '))
		data[--len] = '\0';
	if (len == 0) {
		cocm_log(COCM_LOG_WARN, "kube", "token_file_empty file=%s", k->cfg.token_file);
		free(data);
		return k->token;
	}
	if (k->token == NULL || strcmp(k->token, data) != 0)
		cocm_log(COCM_LOG_INFO, "kube", "token_loaded file=%s", k->cfg.token_file);
	set_token(k, data);
	k->tok_warned = 0;
	return k->token;
}

/* ---- easy handle setup ---- */

static CURL *make_easy(struct req *r)
{
	struct cocm_kube *k = r->k;
	CURL *e = curl_easy_init();

	if (e == NULL)
		return NULL;
	curl_easy_setopt(e, CURLOPT_URL, r->url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	/* HTTP/1.1 on purpose: one connection per watch, so one dead connection cannot stall every
	 * watch at once (client-go needed HTTP/2 pings for that); keep-alive reuses the rest. */
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, k->connect_ms);
	if (r->is_watch) {
		/* No total timeout: a watch lives long. A silent connection fails after idle_s. */
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, k->idle_s);
	} else {
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, k->request_ms);
		curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)k->max_body);
	}
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPIDLE, 30L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPINTVL, 10L);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""); /* the cap applies to decoded bytes */
	curl_easy_setopt(e, CURLOPT_USERAGENT, k->user_agent);
	if (k->connect_to != NULL)
		curl_easy_setopt(e, CURLOPT_CONNECT_TO, k->connect_to);
	if (k->cfg.insecure_skip_tls_verify) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	} else {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	}
	if (k->cfg.ca_pem != NULL) {
		/* Trust exactly the configured CA, as kubectl does: no system bundle or directory. */
		struct curl_blob b = { k->cfg.ca_pem, k->cfg.ca_len, CURL_BLOB_NOCOPY };
		curl_easy_setopt(e, CURLOPT_CAINFO, NULL);
		curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
		curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &b);
	}
	if (k->cfg.cert_pem != NULL && k->cfg.key_pem != NULL) {
		struct curl_blob c = { k->cfg.cert_pem, k->cfg.cert_len, CURL_BLOB_NOCOPY };
		struct curl_blob kb = { k->cfg.key_pem, k->cfg.key_len, CURL_BLOB_NOCOPY };
		curl_easy_setopt(e, CURLOPT_SSLCERT_BLOB, &c);
		curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
		curl_easy_setopt(e, CURLOPT_SSLKEY_BLOB, &kb);
		curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
	}
	if (strcmp(r->method, "GET") != 0)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method);
	if (r->body != NULL) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
	}
	return e;
}

static struct curl_slist *make_headers(struct req *r)
{
	struct curl_slist *h = NULL;
	const char *tok = bearer(r->k);
	char line[128];

	h = curl_slist_append(h, "Accept: application/json");
	h = curl_slist_append(h, "Expect:");
	if (r->body != NULL && r->content_type != NULL) {
		snprintf(line, sizeof(line), "Content-Type: %s", r->content_type);
		h = curl_slist_append(h, line);
	}
	if (tok != NULL && tok[0] != '\0') {
		size_t n = strlen(tok) + 32;
		char *auth = cocm_xmalloc(n);

		snprintf(auth, n, "Authorization: Bearer %s", tok);
		h = curl_slist_append(h, auth);
		memset(auth, 0, n);
		free(auth);
	}
	if (h == NULL)
		cocm_log(COCM_LOG_ERROR, "kube", "out_of_memory what=headers");
	return h;
}

/* ---- request lifecycle ---- */

struct req *cocm_kube_req_new(struct cocm_kube *k, const char *verb, const char *method,
	const char *resource, char *url)
{
	struct cocm_watch *w = COCM_NEW(struct cocm_watch);
	struct req *r = &w->r;

	r->k = k;
	r->state = REQ_NEW;
	r->verb = verb;
	r->method = method;
	r->resource = cocm_xstrdup(resource != NULL ? resource : "");
	r->url = url;
	cocm_buf_init(&r->resp, k->max_body);
	return r;
}

static void req_free(struct req *r)
{
	curl_slist_free_all(r->headers);
	if (r->easy != NULL)
		curl_easy_cleanup(r->easy);
	cocm_buf_finish(&r->resp);
	cocm_linebuf_finish(&r->lb);
	free(r->resource);
	free(r->url);
	free(r->body);
	free(cocm_container_of(r, struct cocm_watch, r));
}

/* Unlinks, frees, and lets a pending close go on. The callback has already run. */
static void req_release(struct req *r)
{
	struct cocm_kube *k = r->k;

	list_del(&r->link);
	k->nreqs--;
	req_free(r);
	if (k->closing)
		kick(k);
}

static void complete(struct req *r, struct cocm_resp *resp)
{
	list_del(&r->link);
	if (r->is_watch) {
		r->done(resp->err, r->arg);
	} else {
		r->cb(resp, r->arg);
		cJSON_Delete(resp->body);
		resp->body = NULL;
	}
	req_release(r);
}

static void complete_err(struct req *r, enum cocm_err err, const char *msg)
{
	struct cocm_resp resp;

	memset(&resp, 0, sizeof(resp));
	resp.err = err;
	if (msg != NULL)
		snprintf(resp.status.message, sizeof(resp.status.message), "%s", msg);
	complete(r, &resp);
}

static void on_pump(uv_timer_t *t);

static void kick(struct cocm_kube *k)
{
	if (!k->http_closing)
		uv_timer_start(&k->pump, on_pump, 0, 0);
}

void cocm_kube_req_submit(struct req *r)
{
	struct cocm_kube *k = r->k;

	k->nreqs++;
	r->state = REQ_WAITING;
	list_add_tail(&k->waiting, &r->link);
	kick(k);
}

void cocm_kube_req_cancel(struct req *r)
{
	if (r->cancel)
		return;
	r->cancel = 1;
	if (r->state == REQ_ACTIVE && r->xfer != NULL)
		cocm_http_cancel(r->xfer);
	else
		kick(r->k);
}

static void observe(struct req *r, int status)
{
	struct cocm_kube *k = r->k;

	if (k->obs != NULL)
		k->obs(r->verb, r->resource, status, (double)(uv_hrtime() - r->t0) / 1e9, k->obs_arg);
}

static void on_header(const char *line, size_t len, void *arg)
{
	struct req *r = arg;
	static const char name[] = "retry-after:";
	char val[32];
	char *end;
	long long v;
	size_t i, n = sizeof(name) - 1;

	if (len <= n)
		return;
	for (i = 0; i < n; i++)
		if ((line[i] | 0x20) != name[i] && line[i] != name[i])
			return;
	while (n < len && (line[n] == ' ' || line[n] == '\t'))
		n++;
	for (i = 0; n < len && i + 1 < sizeof(val) && line[n] >= '0' && line[n] <= '9'; n++)
		val[i++] = line[n];
	val[i] = '\0';
	if (i == 0)
		return; /* HTTP-date form: not used by the API server; fall back to backoff */
	errno = 0;
	v = strtoll(val, &end, 10);
	if (errno == 0 && *end == '\0' && v >= 0)
		r->retry_after = (double)v;
}

static int on_data(struct cocm_http_xfer *x, const char *data, size_t len, void *arg)
{
	struct req *r = arg;

	if (r->is_watch)
		return cocm_kube_watch_data(r, x, data, len);
	if (cocm_buf_append(&r->resp, data, len) != COCM_OK) {
		r->abort_err = COCM_ETOOBIG;
		return 1;
	}
	return 0;
}

static void on_done(const struct cocm_http_result *res, void *arg);

static const struct cocm_http_ops req_ops = { on_data, on_header, on_done };

static void start_attempt(struct req *r)
{
	struct cocm_kube *k = r->k;

	list_del(&r->link);
	r->attempts++;
	if (r->easy == NULL)
		r->easy = make_easy(r);
	if (r->easy == NULL) {
		complete_err(r, COCM_EHTTP, "curl_easy_init failed");
		return;
	}
	curl_slist_free_all(r->headers);
	r->headers = make_headers(r);
	curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, r->headers);
	cocm_buf_reset(&r->resp);
	r->retry_after = 0;
	r->abort_err = COCM_OK;
	r->stream = 0;
	if (r->is_watch)
		cocm_linebuf_reset(&r->lb);
	r->t0 = uv_hrtime();
	if (cocm_http_start(k->http, r->easy, &req_ops, r, &r->xfer) != COCM_OK) {
		complete_err(r, COCM_EHTTP, "transfer could not be started");
		return;
	}
	r->state = REQ_ACTIVE;
	list_add_tail(&k->active, &r->link);
	cocm_log(COCM_LOG_TRACE, "kube", "request verb=%s resource=%s attempt=%d", r->verb,
		r->resource, r->attempts);
}

/* Transport errors that will not heal by resending: TLS verification and local setup. */
static int permanent(CURLcode rc)
{
	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_NOT_BUILT_IN:
	case CURLE_BAD_FUNCTION_ARGUMENT:
		return 1;
	default:
		return 0;
	}
}

static int can_retry(const struct req *r)
{
	return !r->cancel && !r->k->closing && r->attempts <= r->k->max_retries;
}

static void retry_later(struct req *r, double delay_ms, const char *why, int status)
{
	struct cocm_kube *k = r->k;

	cocm_log(COCM_LOG_INFO, "kube", "retry verb=%s resource=%s attempt=%d status=%d reason=%s "
		"delay_ms=%.0f", r->verb, r->resource, r->attempts, status, why, delay_ms);
	r->state = REQ_DELAYED;
	r->due = uv_now(k->loop) + (uint64_t)delay_ms;
	list_add_tail(&k->delayed, &r->link);
	kick(k);
}

static double backoff_ms(struct req *r)
{
	double d = BACKOFF_BASE_MS * pow(2.0, (double)(r->attempts - 1));

	if (d > BACKOFF_CAP_MS)
		d = BACKOFF_CAP_MS;
	return d * (0.5 + 0.5 * rand01(r->k)); /* "equal" jitter: never 0, never above the cap */
}

static double retry_after_ms(struct req *r)
{
	double ra = r->retry_after;

	if (ra <= 0)
		return backoff_ms(r);
	if (ra > COCM_KUBE_MAX_RETRY_AFTER_S)
		ra = COCM_KUBE_MAX_RETRY_AFTER_S;
	/* up to +10% (at most 1 s) so a crowd told "retry in 1s" does not return in lockstep */
	return ra * 1000.0 + rand01(r->k) * fmin(1000.0, ra * 100.0);
}

static void on_done(const struct cocm_http_result *res, void *arg)
{
	struct req *r = arg;
	struct cocm_resp resp;
	char perr[128];

	r->xfer = NULL;
	list_del(&r->link);
	r->state = REQ_NEW;
	observe(r, res->canceled ? 0 : (int)res->status);
	if (r->is_watch) {
		cocm_kube_watch_finish(r, res);
		return;
	}
	memset(&resp, 0, sizeof(resp));
	if (res->canceled || r->cancel) {
		complete_err(r, COCM_ECANCELED, "canceled");
		return;
	}
	if (res->rc != CURLE_OK) {
		if (r->abort_err != COCM_OK || res->rc == CURLE_FILESIZE_EXCEEDED) {
			cocm_log(COCM_LOG_WARN, "kube", "response_too_big verb=%s resource=%s max=%zu",
				r->verb, r->resource, r->k->max_body);
			resp.err = COCM_ETOOBIG;
			resp.http_status = (int)res->status;
			snprintf(resp.status.message, sizeof(resp.status.message),
				"response body larger than %zu bytes", r->k->max_body);
			complete(r, &resp);
			return;
		}
		if (r->retry_transport && !permanent(res->rc) && can_retry(r)) {
			retry_later(r, backoff_ms(r), "transport", 0);
			return;
		}
		cocm_log(COCM_LOG_WARN, "kube", "request_failed verb=%s resource=%s err=\"%s\"",
			r->verb, r->resource, res->errmsg);
		complete_err(r, COCM_EHTTP, res->errmsg);
		return;
	}
	resp.http_status = (int)res->status;
	resp.retry_after_s = r->retry_after;
	if (res->status >= 200 && res->status < 300) {
		if (r->resp.len > 0) {
			resp.body = cocm_json_parse(r->resp.data, r->resp.len, perr, sizeof(perr));
			if (resp.body == NULL) {
				resp.err = COCM_EPARSE;
				snprintf(resp.status.message, sizeof(resp.status.message),
					"response is not JSON: %s", perr);
			}
		}
		complete(r, &resp);
		return;
	}
	resp.err = cocm_status_decode(&resp.status, (int)res->status, r->resp.data, r->resp.len);
	if ((res->status == 429 || (res->status == 503 && r->retry_503)) && can_retry(r)) {
		retry_later(r, retry_after_ms(r), resp.status.reason, (int)res->status);
		return;
	}
	cocm_log(COCM_LOG_DEBUG, "kube", "api_error verb=%s resource=%s status=%ld reason=%s",
		r->verb, r->resource, res->status, resp.status.reason);
	complete(r, &resp);
}

/* ---- pump: rate limiting, delayed retries, cancels, close ---- */

static void on_http_closed(void *arg);

static void maybe_finish_close(struct cocm_kube *k)
{
	if (!k->closing || k->http_closing || k->nreqs > 0)
		return;
	k->http_closing = 1;
	uv_timer_stop(&k->pump);
	cocm_http_close(k->http, on_http_closed, k);
}

static void on_pump(uv_timer_t *t)
{
	struct cocm_kube *k = t->data;
	uint64_t now = uv_now(k->loop), next = UINT64_MAX, wait;
	struct link *l, *n;

	for (l = k->delayed.next; l != &k->delayed; l = n) {
		struct req *r = REQ_OF(l);

		n = l->next;
		if (r->cancel || r->due <= now) {
			list_del(l);
			r->state = REQ_WAITING;
			list_add_tail(&k->waiting, l);
		}
	}
	while (!list_empty(&k->waiting)) {
		struct req *r = REQ_OF(k->waiting.next);

		if (r->cancel || k->closing) {
			complete_err(r, COCM_ECANCELED, "canceled");
			continue;
		}
		wait = cocm_ratelimit_take(&k->rl, now);
		if (wait > 0) {
			next = now + wait;
			break;
		}
		start_attempt(r);
	}
	for (l = k->delayed.next; l != &k->delayed; l = l->next)
		if (REQ_OF(l)->due < next)
			next = REQ_OF(l)->due;
	if (k->closing) {
		maybe_finish_close(k);
		return;
	}
	if (next != UINT64_MAX)
		uv_timer_start(&k->pump, on_pump, next > now ? next - now : 0, 0);
}

/* ---- create / close ---- */

/* Splits "https://authority/prefix" and, with tls-server-name, points the URL at that name and
 * CONNECT_TO at the real host, so SNI and the certificate check use the name. */
static int setup_endpoint(struct cocm_kube *k)
{
	const char *s = k->cfg.server + 8, *slash = strchr(s, '/'), *colon;
	size_t alen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	char *authority = cocm_xstrndup(s, alen), host[300], port[16] = "443", buf[700];
	const char *prefix = slash != NULL ? slash : "";

	if (authority[0] == '[') {
		const char *rb = strchr(authority, ']');
		if (rb == NULL)
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(rb - authority + 1), authority);
		if (rb[1] == ':')
			snprintf(port, sizeof(port), "%s", rb + 2);
		else if (rb[1] != '\0')
			goto bad;
	} else {
		colon = strrchr(authority, ':');
		if (colon != NULL) {
			snprintf(host, sizeof(host), "%.*s", (int)(colon - authority), authority);
			snprintf(port, sizeof(port), "%s", colon + 1);
		} else {
			snprintf(host, sizeof(host), "%s", authority);
		}
	}
	if (host[0] == '\0' || port[0] == '\0')
		goto bad;
	if (k->cfg.tls_server_name != NULL) {
		snprintf(buf, sizeof(buf), "https://%s:%s%s", k->cfg.tls_server_name, port, prefix);
		k->base_url = cocm_xstrdup(buf);
		snprintf(buf, sizeof(buf), "%s:%s:%s:%s", k->cfg.tls_server_name, port, host, port);
		k->connect_to = curl_slist_append(NULL, buf);
	} else {
		k->base_url = cocm_xstrdup(k->cfg.server);
	}
	free(authority);
	return 0;
bad:
	cocm_log(COCM_LOG_ERROR, "kube", "bad_server server=%s", k->cfg.server);
	free(authority);
	return -1;
}

struct cocm_kube *cocm_kube_create(uv_loop_t *loop, const struct cocm_kube_config *cfg,
	const struct cocm_kube_opts *opts)
{
	static const struct cocm_kube_opts defaults = { 0 };
	struct cocm_kube *k;
	char ua[64];

	cocm_xalloc_init();
	if (opts == NULL)
		opts = &defaults;
	if (cfg == NULL || cfg->server == NULL || strncmp(cfg->server, "https://", 8) != 0) {
		cocm_log(COCM_LOG_ERROR, "kube", "bad_config reason=\"server must be https://\"");
		return NULL;
	}
	k = COCM_NEW(struct cocm_kube);
	k->loop = loop;
	cocm_kube_config_copy(&k->cfg, cfg);
	if (setup_endpoint(k) != 0)
		goto err_cfg;
	k->http = cocm_http_create(loop);
	if (k->http == NULL)
		goto err_cfg;
	snprintf(ua, sizeof(ua), "choreo-ocm/0.1.0");
	k->user_agent = cocm_xstrdup(opts->user_agent != NULL ? opts->user_agent : ua);
	k->connect_ms = opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms : COCM_KUBE_DEFAULT_CONNECT_MS;
	k->request_ms = opts->request_timeout_ms > 0 ? opts->request_timeout_ms : COCM_KUBE_DEFAULT_REQUEST_MS;
	k->idle_s = opts->watch_idle_timeout_ms > 0 ? (opts->watch_idle_timeout_ms + 999) / 1000 : 300;
	k->max_body = opts->max_body > 0 ? opts->max_body : COCM_KUBE_DEFAULT_MAX_BODY;
	k->max_frame = opts->max_watch_frame > 0 ? opts->max_watch_frame : COCM_KUBE_DEFAULT_MAX_FRAME;
	k->max_retries = opts->max_retries > 0 ? opts->max_retries :
		opts->max_retries < 0 ? 0 : COCM_KUBE_DEFAULT_RETRIES;
	cocm_ratelimit_init(&k->rl, opts->qps != 0 ? opts->qps : COCM_KUBE_DEFAULT_QPS,
		opts->burst > 0 ? opts->burst : COCM_KUBE_DEFAULT_BURST, uv_now(loop));
	k->rng = uv_hrtime() ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)k;
	if (k->rng == 0)
		k->rng = 0x9e3779b97f4a7c15ULL;
	if (cfg->token != NULL)
		k->token = cocm_xstrdup(cfg->token);
	list_init(&k->waiting);
	list_init(&k->delayed);
	list_init(&k->active);
	uv_timer_init(loop, &k->pump); /* cannot fail */
	k->pump.data = k;
	if (k->cfg.insecure_skip_tls_verify)
		cocm_log(COCM_LOG_WARN, "kube", "TLS_VERIFICATION_DISABLED server=%s source=\"%s\" "
			"msg=\"insecure-skip-tls-verify is set: the API server certificate is NOT "
			"checked; anyone on the path can impersonate it\"", k->cfg.server,
			k->cfg.source != NULL ? k->cfg.source : "");
	cocm_log(COCM_LOG_INFO, "kube", "client server=%s source=\"%s\" auth=%s", k->cfg.server,
		k->cfg.source != NULL ? k->cfg.source : "",
		k->cfg.cert_pem != NULL ? "client-certificate" :
		k->cfg.token_file != NULL ? "token-file" : k->token != NULL ? "token" : "none");
	return k;
err_cfg:
	free(k->base_url);
	curl_slist_free_all(k->connect_to);
	cocm_kube_config_finish(&k->cfg);
	free(k);
	return NULL;
}

static void on_pump_closed(uv_handle_t *h)
{
	struct cocm_kube *k = h->data;
	void (*done)(void *) = k->close_done;
	void *arg = k->close_arg;

	set_token(k, NULL);
	free(k->base_url);
	free(k->user_agent);
	curl_slist_free_all(k->connect_to);
	cocm_kube_config_finish(&k->cfg);
	free(k);
	if (done != NULL)
		done(arg);
}

static void on_http_closed(void *arg)
{
	struct cocm_kube *k = arg;

	uv_close((uv_handle_t *)&k->pump, on_pump_closed);
}

void cocm_kube_close(struct cocm_kube *k, void (*done)(void *arg), void *arg)
{
	struct link *l;

	if (k == NULL || k->closing)
		return;
	k->closing = 1;
	k->close_done = done;
	k->close_arg = arg;
	for (l = k->active.next; l != &k->active; l = l->next)
		cocm_kube_req_cancel(REQ_OF(l));
	for (l = k->waiting.next; l != &k->waiting; l = l->next)
		REQ_OF(l)->cancel = 1;
	for (l = k->delayed.next; l != &k->delayed; l = l->next)
		REQ_OF(l)->cancel = 1;
	kick(k);
}

const char *cocm_kube_namespace(const struct cocm_kube *k)
{
	return k->cfg.namespace != NULL ? k->cfg.namespace : "default";
}

void cocm_kube_set_observer(struct cocm_kube *k, cocm_kube_observe_cb cb, void *arg)
{
	k->obs = cb;
	k->obs_arg = arg;
}

const char *cocm_kube_base_url(const struct cocm_kube *k)
{
	return k->base_url;
}

size_t cocm_kube_max_frame(const struct cocm_kube *k)
{
	return k->max_frame;
}

enum cocm_err cocm_kube_check_open(const struct cocm_kube *k)
{
	if (k == NULL)
		return COCM_EINVAL;
	return k->closing ? COCM_ESTATE : COCM_OK;
}

/* ---- public request builders ---- */

/* base URL + path for r (ns, name, sub) + nothing else; the caller adds the query. */
static enum cocm_err start_url(struct cocm_kube *k, struct cocm_buf *b, const struct cocm_gvr *r,
	const char *ns, const char *name, const char *sub)
{
	cocm_buf_init(b, URL_MAX);
	if (cocm_buf_puts(b, k->base_url) != COCM_OK ||
		cocm_query_path(b, r, ns, name, sub) != COCM_OK) {
		cocm_buf_finish(b);
		return COCM_EINVAL;
	}
	return COCM_OK;
}

static enum cocm_err write_query(struct cocm_query *q, const struct cocm_write_opts *o)
{
	enum cocm_err e = COCM_OK;

	if (o == NULL)
		return COCM_OK;
	if (o->field_manager != NULL)
		e = cocm_query_add(q, "fieldManager", o->field_manager);
	if (e == COCM_OK && o->dry_run)
		e = cocm_query_add(q, "dryRun", "All");
	if (e == COCM_OK && o->force)
		e = cocm_query_add(q, "force", "true");
	return e;
}

static enum cocm_err submit(struct cocm_kube *k, const char *verb, const char *method,
	const struct cocm_gvr *gvr, struct cocm_buf *url, char *body, const char *ctype,
	int retry_transport, int retry_503, cocm_resp_cb cb, void *arg)
{
	struct req *r = cocm_kube_req_new(k, verb, method, gvr != NULL ? gvr->resource : "",
		cocm_buf_steal(url));

	cocm_buf_finish(url);
	r->body = body;
	r->body_len = body != NULL ? strlen(body) : 0;
	r->content_type = ctype;
	r->retry_transport = retry_transport;
	r->retry_503 = retry_503;
	r->cb = cb;
	r->arg = arg;
	cocm_kube_req_submit(r);
	return COCM_OK;
}

static enum cocm_err check(struct cocm_kube *k, const struct cocm_gvr *r, cocm_resp_cb cb)
{
	enum cocm_err e = cocm_kube_check_open(k);

	if (e != COCM_OK)
		return e;
	return r == NULL || cb == NULL ? COCM_EINVAL : COCM_OK;
}

enum cocm_err cocm_kube_get(struct cocm_kube *k, const struct cocm_gvr *r, const char *ns,
	const char *name, cocm_resp_cb cb, void *arg)
{
	struct cocm_buf url;
	enum cocm_err e = check(k, r, cb);

	if (e != COCM_OK)
		return e;
	if (name == NULL || start_url(k, &url, r, ns, name, NULL) != COCM_OK)
		return COCM_EINVAL;
	return submit(k, "GET", "GET", r, &url, NULL, NULL, 1, 1, cb, arg);
}

enum cocm_err cocm_kube_list(struct cocm_kube *k, const struct cocm_gvr *r, const char *ns,
	const struct cocm_list_opts *o, cocm_resp_cb cb, void *arg)
{
	struct cocm_buf url;
	struct cocm_query q;
	enum cocm_err e = check(k, r, cb);

	if (e != COCM_OK)
		return e;
	if (start_url(k, &url, r, r->namespaced ? ns : NULL, NULL, NULL) != COCM_OK)
		return COCM_EINVAL;
	cocm_query_init(&q, &url);
	if (o != NULL) {
		e = cocm_query_add(&q, "labelSelector", o->label_selector);
		if (e == COCM_OK)
			e = cocm_query_add(&q, "fieldSelector", o->field_selector);
		if (e == COCM_OK)
			e = cocm_query_add(&q, "resourceVersion", o->resource_version);
		if (e == COCM_OK)
			e = cocm_query_add(&q, "resourceVersionMatch", o->resource_version_match);
		if (e == COCM_OK && o->limit > 0)
			e = cocm_query_add_long(&q, "limit", o->limit);
		if (e == COCM_OK)
			e = cocm_query_add(&q, "continue", o->cont);
		if (e != COCM_OK) {
			cocm_buf_finish(&url);
			return COCM_EINVAL;
		}
	}
	return submit(k, "LIST", "GET", r, &url, NULL, NULL, 1, 1, cb, arg);
}

enum cocm_err cocm_kube_create_obj(struct cocm_kube *k, const struct cocm_gvr *r, const char *ns,
	const cJSON *obj, const struct cocm_write_opts *o, cocm_resp_cb cb, void *arg)
{
	struct cocm_buf url;
	struct cocm_query q;
	const char *name = NULL;
	enum cocm_err e = check(k, r, cb);

	if (e != COCM_OK)
		return e;
	if (obj == NULL || !cJSON_IsObject(obj))
		return COCM_EINVAL;
	if (o != NULL && o->subresource != NULL) {
		name = cocm_json_str(obj, "metadata", "name", NULL);
		if (name == NULL)
			return COCM_EINVAL;
	}
	if ((r->namespaced && (ns == NULL || ns[0] == '\0')) ||
		start_url(k, &url, r, ns, name, o != NULL ? o->subresource : NULL) != COCM_OK)
		return COCM_EINVAL;
	cocm_query_init(&q, &url);
	if (write_query(&q, o) != COCM_OK) {
		cocm_buf_finish(&url);
		return COCM_EINVAL;
	}
	/* POST: retried on 429 only (refused before any work); never on transport errors or 503. */
	return submit(k, "POST", "POST", r, &url, cocm_json_print(obj), "application/json", 0, 0,
		cb, arg);
}

enum cocm_err cocm_kube_update(struct cocm_kube *k, const struct cocm_gvr *r, const char *ns,
	const char *name, const cJSON *obj, const struct cocm_write_opts *o, cocm_resp_cb cb, void *arg)
{
	struct cocm_buf url;
	struct cocm_query q;
	enum cocm_err e = check(k, r, cb);

	if (e != COCM_OK)
		return e;
	if (obj == NULL || !cJSON_IsObject(obj) || name == NULL ||
		start_url(k, &url, r, ns, name, o != NULL ? o->subresource : NULL) != COCM_OK)
		return COCM_EINVAL;
	cocm_query_init(&q, &url);
	if (write_query(&q, o) != COCM_OK) {
		cocm_buf_finish(&url);
		return COCM_EINVAL;
	}
	return submit(k, "PUT", "PUT", r, &url, cocm_json_print(obj), "application/json", 1, 1,
		cb, arg);
}

enum cocm_err cocm_kube_patch(struct cocm_kube *k, const struct cocm_gvr *r, const char *ns,
	const char *name, enum cocm_patch_type t, const cJSON *patch, const struct cocm_write_opts *o,
	cocm_resp_cb cb, void *arg)
{
	struct cocm_buf url;
	struct cocm_query q;
	const char *ctype;
	int replay_safe = 1;
	enum cocm_err e = check(k, r, cb);

	if (e != COCM_OK)
		return e;
	switch (t) {
	case COCM_PATCH_MERGE: ctype = "application/merge-patch+json"; break;
	case COCM_PATCH_JSON:
		ctype = "application/json-patch+json";
		replay_safe = 0; /* "add" to a list is not idempotent */
		if (!cJSON_IsArray(patch))
			return COCM_EINVAL;
		break;
	case COCM_PATCH_APPLY:
		ctype = "application/apply-patch+yaml"; /* JSON is YAML */
		if (o == NULL || o->field_manager == NULL || o->field_manager[0] == '\0')
			return COCM_EINVAL;
		break;
	default: return COCM_EINVAL;
	}
	if (patch == NULL || (t != COCM_PATCH_JSON && !cJSON_IsObject(patch)) || name == NULL ||
		start_url(k, &url, r, ns, name, o != NULL ? o->subresource : NULL) != COCM_OK)
		return COCM_EINVAL;
	cocm_query_init(&q, &url);
	if (write_query(&q, o) != COCM_OK) {
		cocm_buf_finish(&url);
		return COCM_EINVAL;
	}
	return submit(k, "PATCH", "PATCH", r, &url, cocm_json_print(patch), ctype, replay_safe,
		replay_safe, cb, arg);
}

enum cocm_err cocm_kube_delete(struct cocm_kube *k, const struct cocm_gvr *r, const char *ns,
	const char *name, const struct cocm_delete_opts *o, cocm_resp_cb cb, void *arg)
{
	struct cocm_buf url;
	cJSON *body;
	enum cocm_err e = check(k, r, cb);

	if (e != COCM_OK)
		return e;
	if (name == NULL || start_url(k, &url, r, ns, name, NULL) != COCM_OK)
		return COCM_EINVAL;
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "kind", "DeleteOptions");
	cJSON_AddStringToObject(body, "apiVersion", "v1");
	if (o != NULL && o->propagation != NULL)
		cJSON_AddStringToObject(body, "propagationPolicy", o->propagation);
	if (o != NULL && (o->precondition_uid != NULL || o->precondition_rv != NULL)) {
		cJSON *pre = cJSON_AddObjectToObject(body, "preconditions");
		if (o->precondition_uid != NULL)
			cJSON_AddStringToObject(pre, "uid", o->precondition_uid);
		if (o->precondition_rv != NULL)
			cJSON_AddStringToObject(pre, "resourceVersion", o->precondition_rv);
	}
	e = submit(k, "DELETE", "DELETE", r, &url, cocm_json_print(body), "application/json", 1, 1,
		cb, arg);
	cJSON_Delete(body);
	return e;
}

enum cocm_err cocm_kube_get_path(struct cocm_kube *k, const char *path, cocm_resp_cb cb, void *arg)
{
	struct cocm_buf url;
	enum cocm_err e = cocm_kube_check_open(k);
	const char *p;

	if (e != COCM_OK)
		return e;
	if (cb == NULL || path == NULL || path[0] != '/' || strstr(path, "/../") != NULL)
		return COCM_EINVAL;
	for (p = path; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '#')
			return COCM_EINVAL;
	cocm_buf_init(&url, URL_MAX);
	if (cocm_buf_puts(&url, k->base_url) != COCM_OK || cocm_buf_puts(&url, path) != COCM_OK) {
		cocm_buf_finish(&url);
		return COCM_EINVAL;
	}
	return submit(k, "GET", "GET", NULL, &url, NULL, NULL, 1, 1, cb, arg);
}

void cocm_kube_req_finish_watch(struct req *r, enum cocm_err err)
{
	struct cocm_resp resp;

	memset(&resp, 0, sizeof(resp));
	resp.err = err;
	complete(r, &resp);
}
