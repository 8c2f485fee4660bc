/* Minimal HTTP/1.1 server on libuv (see httpd.h). Each connection owns two handles (tcp, timer)
 * and is freed when both close callbacks ran; the server is freed when its listener and every
 * connection are closed. */
#include "hub-addon/httpd.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub-addon/flags.h"
#include "kube/core/log.h"
#include "kube/core/xalloc.h"

struct conn {
	struct cocm_httpd *srv;
	struct conn *prev, *next;
	uv_tcp_t tcp;
	uv_timer_t timer;
	uv_write_t wreq;
	uv_shutdown_t sreq;
	char head[COCM_HTTPD_MAX_HEAD + 1];
	size_t head_len;
	char *resp;
	int responded;
	int closing;
	int handles_open;
};

struct cocm_httpd {
	uv_loop_t *loop;
	uv_tcp_t listener;
	cocm_httpd_handler handler;
	void *arg;
	struct conn *conns;
	int nconns;
	int port;
	int closing;
	int pending; /* handles still to close (listener + conns) */
	void (*done)(void *arg);
	void *done_arg;
};

static void maybe_free_server(struct cocm_httpd *s)
{
	if (s->closing && s->pending == 0 && s->conns == NULL) {
		void (*done)(void *) = s->done;
		void *arg = s->done_arg;

		free(s);
		if (done != NULL)
			done(arg);
	}
}

static void on_conn_handle_closed(uv_handle_t *h)
{
	struct conn *c = h->data;
	struct cocm_httpd *s = c->srv;

	if (--c->handles_open > 0)
		return;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	s->nconns--;
	free(c->resp);
	free(c);
	maybe_free_server(s);
}

static void conn_close(struct conn *c)
{
	if (c->closing)
		return;
	c->closing = 1;
	uv_timer_stop(&c->timer);
	uv_close((uv_handle_t *)&c->timer, on_conn_handle_closed);
	if (!uv_is_closing((uv_handle_t *)&c->tcp))
		uv_close((uv_handle_t *)&c->tcp, on_conn_handle_closed);
}

static void on_timeout(uv_timer_t *t)
{
	conn_close(t->data);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
	(void)status;
	conn_close(req->data);
}

static void on_written(uv_write_t *req, int status)
{
	struct conn *c = req->data;

	if (status < 0 || c->closing) {
		conn_close(c);
		return;
	}
	c->sreq.data = c;
	if (uv_shutdown(&c->sreq, (uv_stream_t *)&c->tcp, on_shutdown) != 0)
		conn_close(c);
}

static const char *reason_of(int code)
{
	switch (code) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Status";
	}
}

static void respond(struct conn *c, int code, const char *ctype, const char *body, size_t blen,
	int head_only)
{
	struct cocm_buf out;
	uv_buf_t b;

	c->responded = 1;
	uv_read_stop((uv_stream_t *)&c->tcp);
	cocm_buf_init(&out, COCM_HTTPD_MAX_BODY + 1024);
	if (cocm_buf_printf(&out, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		"Connection: close\r\n\r\n", code, reason_of(code), ctype, blen) != COCM_OK ||
		(!head_only && cocm_buf_append(&out, body, blen) != COCM_OK)) {
		cocm_buf_finish(&out);
		conn_close(c);
		return;
	}
	b.len = out.len;
	c->resp = cocm_buf_steal(&out);
	b.base = c->resp;
	c->wreq.data = c;
	if (uv_write(&c->wreq, (uv_stream_t *)&c->tcp, &b, 1, on_written) != 0)
		conn_close(c);
}

static void handle_request(struct conn *c)
{
	char method[8], path[512];
	const char *sp1, *sp2, *q;
	size_t ml, pl;
	struct cocm_buf body;
	const char *ctype = "text/plain; charset=utf-8";
	int code, head_only;

	sp1 = memchr(c->head, ' ', c->head_len);
	if (sp1 == NULL)
		goto bad;
	ml = (size_t)(sp1 - c->head);
	sp2 = memchr(sp1 + 1, ' ', c->head_len - ml - 1);
	if (sp2 == NULL || ml >= sizeof(method))
		goto bad;
	memcpy(method, c->head, ml);
	method[ml] = '\0';
	q = memchr(sp1 + 1, '?', (size_t)(sp2 - sp1 - 1));
	pl = (size_t)((q != NULL ? q : sp2) - sp1 - 1);
	if (pl == 0 || pl >= sizeof(path))
		goto bad;
	memcpy(path, sp1 + 1, pl);
	path[pl] = '\0';
	head_only = strcmp(method, "HEAD") == 0;
	if (strcmp(method, "GET") != 0 && !head_only) {
		respond(c, 405, ctype, "method not allowed\n", 19, 0);
		return;
	}
	cocm_buf_init(&body, COCM_HTTPD_MAX_BODY);
	code = c->srv->handler(path, &body, &ctype, c->srv->arg);
	respond(c, code, ctype, cocm_buf_cstr(&body), body.len, head_only);
	cocm_buf_finish(&body);
	return;
bad:
	respond(c, 400, ctype, "bad request\n", 12, 0);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct conn *c = h->data;

	(void)suggested;
	buf->base = c->head + c->head_len;
	buf->len = COCM_HTTPD_MAX_HEAD - c->head_len;
}

static void on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
	struct conn *c = st->data;

	(void)buf;
	if (n < 0) {
		conn_close(c);
		return;
	}
	if (n == 0 || c->responded)
		return;
	c->head_len += (size_t)n;
	c->head[c->head_len] = '\0';
	if (strstr(c->head, "\r\n\r\n") != NULL || strstr(c->head, "\n\n") != NULL) {
		handle_request(c);
		return;
	}
	if (c->head_len >= COCM_HTTPD_MAX_HEAD)
		respond(c, 431, "text/plain", "request head too large\n", 23, 0);
}

static void on_connection(uv_stream_t *ls, int status)
{
	struct cocm_httpd *s = ls->data;
	struct conn *c;

	if (status < 0 || s->closing)
		return;
	c = COCM_NEW(struct conn);
	c->srv = s;
	uv_tcp_init(s->loop, &c->tcp);
	uv_timer_init(s->loop, &c->timer);
	c->tcp.data = c;
	c->timer.data = c;
	c->handles_open = 2;
	c->next = s->conns;
	if (s->conns != NULL)
		s->conns->prev = c;
	s->conns = c;
	s->nconns++;
	if (uv_accept(ls, (uv_stream_t *)&c->tcp) != 0 || s->nconns > COCM_HTTPD_MAX_CONNS) {
		conn_close(c);
		return;
	}
	uv_timer_start(&c->timer, on_timeout, COCM_HTTPD_TIMEOUT_MS, 0);
	if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0)
		conn_close(c);
}

struct cocm_httpd *cocm_httpd_start(uv_loop_t *loop, const char *addr, cocm_httpd_handler h,
	void *arg, char *err, size_t errcap)
{
	char host[64];
	int port, rc;
	struct sockaddr_storage ss;
	struct cocm_httpd *s;
	int namelen = sizeof(ss);

	if (cocm_addr_parse(addr, host, sizeof(host), &port) != COCM_OK) {
		snprintf(err, errcap, "bad listen address \"%s\"", addr);
		return NULL;
	}
	if (strchr(host, ':') != NULL)
		rc = uv_ip6_addr(host, port, (struct sockaddr_in6 *)&ss);
	else
		rc = uv_ip4_addr(host, port, (struct sockaddr_in *)&ss);
	if (rc != 0) {
		snprintf(err, errcap, "bad listen address \"%s\": %s", addr, uv_strerror(rc));
		return NULL;
	}
	s = COCM_NEW(struct cocm_httpd);
	s->loop = loop;
	s->handler = h;
	s->arg = arg;
	uv_tcp_init(loop, &s->listener);
	s->listener.data = s;
	rc = uv_tcp_bind(&s->listener, (const struct sockaddr *)&ss, 0);
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&s->listener, 64, on_connection);
	if (rc != 0) {
		snprintf(err, errcap, "listen on %s: %s", addr, uv_strerror(rc));
		cocm_httpd_close(s, NULL, NULL);
		return NULL;
	}
	if (uv_tcp_getsockname(&s->listener, (struct sockaddr *)&ss, &namelen) == 0) {
		if (ss.ss_family == AF_INET)
			s->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		else
			s->port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	return s;
}

int cocm_httpd_port(const struct cocm_httpd *s)
{
	return s->port;
}

static void on_listener_closed(uv_handle_t *h)
{
	struct cocm_httpd *s = h->data;

	s->pending--;
	maybe_free_server(s);
}

void cocm_httpd_close(struct cocm_httpd *s, void (*done)(void *arg), void *arg)
{
	struct conn *c, *next;

	if (s == NULL || s->closing)
		return;
	s->closing = 1;
	s->done = done;
	s->done_arg = arg;
	s->pending = 1;
	uv_close((uv_handle_t *)&s->listener, on_listener_closed);
	for (c = s->conns; c != NULL; c = next) {
		next = c->next;
		conn_close(c);
	}
}
