/* The probe/metrics HTTP server: routes, status codes, limits, clean close. A client thread
 * uses blocking sockets while the loop runs on the test thread. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hub-addon/httpd.h"

static int handler(const char *path, struct cocm_buf *body, const char **ctype, void *arg)
{
	int *calls = arg;

	(*calls)++;
	if (strcmp(path, "/healthz") == 0) {
		cocm_buf_puts(body, "ok\n");
		return 200;
	}
	if (strcmp(path, "/metrics") == 0) {
		*ctype = "text/plain; version=0.0.4";
		cocm_buf_puts(body, "m 1\n");
		return 200;
	}
	cocm_buf_puts(body, "not found\n");
	return 404;
}

struct client {
	int port;
	const char *req;
	size_t reqlen;
	char resp[16384];
	atomic_int done;
};

static void *client_main(void *arg)
{
	struct client *c = arg;
	struct sockaddr_in sa = { 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	size_t got = 0;
	ssize_t n;

	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)c->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		size_t off = 0;

		while (off < c->reqlen) {
			n = write(fd, c->req + off, c->reqlen - off);
			if (n <= 0)
				break;
			off += (size_t)n;
		}
		while (got < sizeof(c->resp) - 1 && (n = read(fd, c->resp + got,
			sizeof(c->resp) - 1 - got)) > 0)
			got += (size_t)n;
	}
	c->resp[got] = '\0';
	close(fd);
	atomic_store(&c->done, 1);
	return NULL;
}

static void on_tick(uv_timer_t *t)
{
	struct client *c = t->data;

	if (atomic_load(&c->done))
		uv_stop(t->loop);
}

static int closed;
static void on_closed(void *arg)
{
	(void)arg;
	closed = 1;
}

static void roundtrip(struct cocm_httpd *s, uv_loop_t *loop, struct client *c)
{
	pthread_t th;
	uv_timer_t tick;

	c->port = cocm_httpd_port(s);
	atomic_store(&c->done, 0);
	uv_timer_init(loop, &tick);
	tick.data = c;
	uv_timer_start(&tick, on_tick, 5, 5);
	pthread_create(&th, NULL, client_main, c);
	uv_run(loop, UV_RUN_DEFAULT);
	pthread_join(th, NULL);
	uv_close((uv_handle_t *)&tick, NULL);
	uv_run(loop, UV_RUN_NOWAIT);
}

static struct client cl;

Test(httpd, routes_and_codes_then_clean_close)
{
	uv_loop_t loop;
	char err[128];
	int calls = 0;
	struct cocm_httpd *s;
	static char big[COCM_HTTPD_MAX_HEAD + 100];

	uv_loop_init(&loop);
	s = cocm_httpd_start(&loop, "127.0.0.1:0", handler, &calls, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	cr_assert_gt(cocm_httpd_port(s), 0);

	cl.req = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
	cl.reqlen = strlen(cl.req);
	roundtrip(s, &loop, &cl);
	cr_assert_not_null(strstr(cl.resp, "HTTP/1.1 200 OK\r\n"), "%s", cl.resp);
	cr_assert_not_null(strstr(cl.resp, "Content-Length: 3\r\n"));
	cr_assert_not_null(strstr(cl.resp, "\r\n\r\nok\n"));

	cl.req = "GET /metrics?x=1 HTTP/1.1\r\n\r\n";
	cl.reqlen = strlen(cl.req);
	roundtrip(s, &loop, &cl);
	cr_assert_not_null(strstr(cl.resp, "Content-Type: text/plain; version=0.0.4\r\n"));
	cr_assert_not_null(strstr(cl.resp, "m 1\n"));

	cl.req = "GET /nope HTTP/1.1\r\n\r\n";
	cl.reqlen = strlen(cl.req);
	roundtrip(s, &loop, &cl);
	cr_assert_not_null(strstr(cl.resp, "HTTP/1.1 404 "));

	cl.req = "POST /healthz HTTP/1.1\r\n\r\n";
	cl.reqlen = strlen(cl.req);
	roundtrip(s, &loop, &cl);
	cr_assert_not_null(strstr(cl.resp, "HTTP/1.1 405 "));

	cl.req = "HEAD /healthz HTTP/1.1\r\n\r\n";
	cl.reqlen = strlen(cl.req);
	roundtrip(s, &loop, &cl);
	cr_assert_not_null(strstr(cl.resp, "HTTP/1.1 200 "));
	cr_assert_null(strstr(cl.resp, "ok\n"), "HEAD must not carry a body");

	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /", 5);
	cl.req = big;
	cl.reqlen = sizeof(big);
	roundtrip(s, &loop, &cl);
	cr_assert_not_null(strstr(cl.resp, "HTTP/1.1 431 "), "%s", cl.resp);
	cr_assert_eq(calls, 4, "handler calls: %d", calls);

	closed = 0;
	cocm_httpd_close(s, on_closed, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	cr_assert_eq(closed, 1);
	cr_assert_eq(uv_loop_close(&loop), 0);
}

Test(httpd, port_in_use_is_an_error)
{
	uv_loop_t loop;
	char err[128];
	int calls = 0;
	struct cocm_httpd *a, *b;
	char addr[64];

	uv_loop_init(&loop);
	a = cocm_httpd_start(&loop, "127.0.0.1:0", handler, &calls, err, sizeof(err));
	cr_assert_not_null(a);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", cocm_httpd_port(a));
	b = cocm_httpd_start(&loop, addr, handler, &calls, err, sizeof(err));
	cr_assert_null(b);
	cr_assert_not_null(strstr(err, "listen on"), "%s", err);
	cocm_httpd_close(a, NULL, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	cr_assert_eq(uv_loop_close(&loop), 0);
}
