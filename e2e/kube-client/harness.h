/* Integration-test harness for the kube/ client: drives tests/kube-server/server.py (a canned
 * HTTPS API server) and the libuv loop. Reusable by any e2e test that links
 * cocm_kube_it_harness (the informer's watch-resume / 410 tests, for example).
 *
 * PKI: $KT_PKI names a directory made by tests/kube-server/gen-certs.sh (the ctest fixture
 * e2e.kube-client.pki makes one); when unset, kt_pki() generates one per process in a temp dir.
 * A failed assertion anywhere ends the test; the server then exits with its parent (watchdog). */
#ifndef KT_HARNESS_H
#define KT_HARNESS_H

#include <stddef.h>
#include <sys/types.h>
#include <cjson/cJSON.h>
#include <uv.h>

#include "kube/client.h"
#include "kube/config.h"

enum {
	KT_CLIENT_CA = 1, /* ask for client certificates signed by ca.crt */
	KT_EXPIRED = 2,   /* serve the expired certificate */
};

struct kt_server {
	pid_t pid;
	int port;
	char dir[512];   /* scenario, port file and request log */
};

const char *kt_pki(void);
/* Reads a whole file (NUL-terminated, heap); aborts the test when it cannot. */
char *kt_slurp(const char *path, size_t *len);

/* Starts the server on a scenario (JSON text, see server.py). Fails the test if it does not come
 * up within 20 s. */
void kt_server_start(struct kt_server *s, const char *scenario, int flags);
void kt_server_stop(struct kt_server *s); /* idempotent */
/* The request log: an array of {"method","path","query","auth","conn",...} (caller deletes). */
cJSON *kt_server_log(const struct kt_server *s);
/* How many logged requests match method and path (NULL = any). */
int kt_server_count(const struct kt_server *s, const char *method, const char *path);
/* Number of TLS connections the server accepted. */
int kt_server_connections(const struct kt_server *s);

/* A config for the server: https://127.0.0.1:<port>, CA from pki/<ca_file> (NULL = none). */
void kt_config(struct cocm_kube_config *cfg, const struct kt_server *s, const char *ca_file);

/* Runs the loop until *flag != 0; fails the test after timeout_s. */
void kt_run_until(uv_loop_t *loop, const int *flag, double timeout_s);
/* Closes the client, runs the loop dry and asserts uv_loop_close() == 0. */
void kt_finish(uv_loop_t *loop, struct cocm_kube *k);

/* A response captured by kt_resp_cb (arg = struct kt_resp *). */
struct kt_resp {
	int done;
	enum cocm_err err;
	int http_status;
	struct cocm_api_status status;
	cJSON *body;      /* owned (detached from the response) */
	double retry_after_s;
	double at;        /* uv_hrtime() seconds when the callback ran */
};
void kt_resp_cb(struct cocm_resp *resp, void *arg);
void kt_resp_finish(struct kt_resp *r);
double kt_now(void);

#endif
