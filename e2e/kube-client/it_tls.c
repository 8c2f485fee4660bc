/* TLS and authentication against the canned HTTPS server: verification failures (wrong CA,
 * expired certificate, wrong tls-server-name), client-certificate and bearer auth, token-file
 * rotation, and a kubeconfig loaded from disk end to end. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "kube/core/json.h"

static struct kt_server srv;
static uv_loop_t loop;
static const struct cocm_gvr pods = { "", "v1", "pods", 1 };
static const struct cocm_kube_opts no_retry = { .max_retries = -1 };

static void setup(void)
{
	uv_loop_init(&loop);
}

static void teardown(void)
{
	kt_server_stop(&srv);
}

TestSuite(tls, .init = setup, .fini = teardown, .timeout = 60);

#define POD_ROUTE "{\"method\":\"GET\",\"path\":\"/api/v1/namespaces/default/pods/p\"," \
	"\"responses\":[{\"json\":{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}}}]}"

static int attempts;
static void count_attempts(const char *verb, const char *resource, int status, double secs, void *arg)
{
	(void)verb; (void)resource; (void)status; (void)secs; (void)arg;
	attempts++;
}

static struct kt_resp get_pod(const struct cocm_kube_config *cfg, const struct cocm_kube_opts *o)
{
	struct cocm_kube *k = cocm_kube_create(&loop, cfg, o);
	struct kt_resp r = { 0 };

	cr_assert_not_null(k);
	attempts = 0;
	cocm_kube_set_observer(k, count_attempts, NULL);
	cr_assert_eq(cocm_kube_get(k, &pods, "default", "p", kt_resp_cb, &r), COCM_OK);
	kt_run_until(&loop, &r.done, 30);
	kt_finish(&loop, k);
	return r;
}

Test(tls, wrong_ca_fails_verification)
{
	struct cocm_kube_config cfg;
	struct kt_resp r;

	kt_server_start(&srv, "{\"routes\":[" POD_ROUTE "]}", 0);
	kt_config(&cfg, &srv, "other-ca.crt");
	r = get_pod(&cfg, NULL); /* default retries: a verification failure is not retried */
	cr_assert_eq(r.err, COCM_EHTTP, "got %s", cocm_err_name(r.err));
	cr_assert_eq(attempts, 1, "verification failures are not retried (%d attempts)", attempts);
	cr_assert_eq(r.http_status, 0);
	cr_assert_neq(r.status.message[0], '\0');
	cr_assert_eq(kt_server_count(&srv, NULL, NULL), 0, "no request may pass an unverified TLS");
	cocm_kube_config_finish(&cfg);
}

Test(tls, no_ca_means_system_roots_which_do_not_trust_the_test_ca)
{
	struct cocm_kube_config cfg;
	struct kt_resp r;

	kt_server_start(&srv, "{\"routes\":[" POD_ROUTE "]}", 0);
	kt_config(&cfg, &srv, NULL);
	r = get_pod(&cfg, &no_retry);
	cr_assert_eq(r.err, COCM_EHTTP);
	cocm_kube_config_finish(&cfg);
}

Test(tls, expired_server_certificate_fails)
{
	struct cocm_kube_config cfg;
	struct kt_resp r;

	kt_server_start(&srv, "{\"routes\":[" POD_ROUTE "]}", KT_EXPIRED);
	kt_config(&cfg, &srv, "ca.crt");
	r = get_pod(&cfg, &no_retry);
	cr_assert_eq(r.err, COCM_EHTTP, "got %s", cocm_err_name(r.err));
	cr_assert(strstr(r.status.message, "expired") != NULL, "message: %s", r.status.message);
	cr_assert_eq(kt_server_count(&srv, NULL, NULL), 0);
	cocm_kube_config_finish(&cfg);
}

Test(tls, right_ca_succeeds_and_tls_server_name_is_checked)
{
	struct cocm_kube_config cfg;
	struct kt_resp r;

	kt_server_start(&srv, "{\"routes\":[" POD_ROUTE "]}", 0);
	kt_config(&cfg, &srv, "ca.crt");
	r = get_pod(&cfg, &no_retry);
	cr_assert_eq(r.err, COCM_OK, "got %s: %s", cocm_err_name(r.err), r.status.message);
	cr_assert_eq(r.http_status, 200);
	cr_assert_str_eq(cocm_json_str(r.body, "metadata", "name", NULL), "p");
	kt_resp_finish(&r);

	/* the certificate names api.kube.test: reaching 127.0.0.1 under that name works... */
	cr_assert_eq(uv_loop_init(&loop), 0);
	cfg.tls_server_name = strdup("api.kube.test");
	r = get_pod(&cfg, &no_retry);
	cr_assert_eq(r.err, COCM_OK, "got %s: %s", cocm_err_name(r.err), r.status.message);
	kt_resp_finish(&r);

	/* ...and a name the certificate does not hold fails */
	cr_assert_eq(uv_loop_init(&loop), 0);
	free(cfg.tls_server_name);
	cfg.tls_server_name = strdup("other.kube.test");
	r = get_pod(&cfg, &no_retry);
	cr_assert_eq(r.err, COCM_EHTTP);
	cr_assert_eq(kt_server_count(&srv, NULL, NULL), 2);
	cocm_kube_config_finish(&cfg);
}

Test(tls, insecure_skip_verify_is_honoured)
{
	struct cocm_kube_config cfg;
	struct kt_resp r;

	kt_server_start(&srv, "{\"routes\":[" POD_ROUTE "]}", 0);
	kt_config(&cfg, &srv, NULL);
	cfg.insecure_skip_tls_verify = 1;
	r = get_pod(&cfg, &no_retry);
	cr_assert_eq(r.err, COCM_OK);
	kt_resp_finish(&r);
	cocm_kube_config_finish(&cfg);
}

#define AUTH_SCENARIO(extra) "{\"auth\":{" extra "},\"routes\":[" POD_ROUTE "]}"

Test(tls, client_certificate_auth)
{
	struct cocm_kube_config cfg;
	struct kt_resp r;
	char path[700];
	cJSON *log;

	kt_server_start(&srv, AUTH_SCENARIO("\"client_certs\":true"), KT_CLIENT_CA);
	kt_config(&cfg, &srv, "ca.crt");
	r = get_pod(&cfg, &no_retry);
	cr_assert_eq(r.err, COCM_EAUTH, "anonymous must be refused, got %s", cocm_err_name(r.err));
	cr_assert_eq(r.http_status, 401);
	cr_assert_str_eq(r.status.reason, "Unauthorized");

	snprintf(path, sizeof(path), "%s/client.crt", kt_pki());
	cfg.cert_pem = kt_slurp(path, &cfg.cert_len);
	snprintf(path, sizeof(path), "%s/client.key", kt_pki());
	cfg.key_pem = kt_slurp(path, &cfg.key_len);
	cr_assert_eq(uv_loop_init(&loop), 0);
	r = get_pod(&cfg, &no_retry);
	cr_assert_eq(r.err, COCM_OK, "got %s: %s", cocm_err_name(r.err), r.status.message);
	kt_resp_finish(&r);
	log = kt_server_log(&srv);
	cr_assert_str_eq(cocm_json_str(cJSON_GetArrayItem(log, 1), "auth", NULL), "cert:kt-client");
	cJSON_Delete(log);
	cocm_kube_config_finish(&cfg);
}

Test(tls, bearer_token_auth)
{
	struct cocm_kube_config cfg;
	struct kt_resp r;
	cJSON *log;

	kt_server_start(&srv, AUTH_SCENARIO("\"tokens\":[\"s3cret\"]"), 0);
	kt_config(&cfg, &srv, "ca.crt");
	cfg.token = strdup("wrong");
	r = get_pod(&cfg, &no_retry);
	cr_assert_eq(r.err, COCM_EAUTH);
	free(cfg.token);
	cfg.token = strdup("s3cret");
	cr_assert_eq(uv_loop_init(&loop), 0);
	r = get_pod(&cfg, &no_retry);
	cr_assert_eq(r.err, COCM_OK, "got %s", cocm_err_name(r.err));
	kt_resp_finish(&r);
	log = kt_server_log(&srv);
	cr_assert_str_eq(cocm_json_str(cJSON_GetArrayItem(log, 1), "auth", NULL), "bearer:s3cret");
	cr_assert_str_eq(cocm_json_str(cJSON_GetArrayItem(log, 1), "accept", NULL), "application/json");
	cJSON_Delete(log);
	cocm_kube_config_finish(&cfg);
}

static void write_token(const char *dir, const char *tok)
{
	char tmp[700], path[700];
	FILE *f;

	/* like kubelet: write a new file and swap it in atomically */
	snprintf(tmp, sizeof(tmp), "%s/token.new", dir);
	snprintf(path, sizeof(path), "%s/token", dir);
	f = fopen(tmp, "w");
	cr_assert_not_null(f);
	fprintf(f, "%s\n", tok);
	fclose(f);
	cr_assert_eq(rename(tmp, path), 0);
}

/* A kubeconfig on disk (CA by relative path, tokenFile) through cocm_kube_config_load, and the
 * token file re-read after rotation without restarting the client. */
Test(tls, kubeconfig_token_file_rotation)
{
	struct cocm_kube_config cfg;
	struct cocm_kube *k;
	struct kt_resp r1 = { 0 }, r2 = { 0 }, r3 = { 0 };
	char kc[700], text[2000], err[512] = "", ca[700], cmd[1600];
	cJSON *log;
	FILE *f;

	kt_server_start(&srv, AUTH_SCENARIO("\"tokens\":[\"tok-1\",\"tok-2\"]"), 0);
	snprintf(ca, sizeof(ca), "%s/ca.crt", srv.dir);
	snprintf(cmd, sizeof(cmd), "cp '%s/ca.crt' '%s'", kt_pki(), ca);
	cr_assert_eq(system(cmd), 0);
	write_token(srv.dir, "tok-1");
	snprintf(text, sizeof(text), "apiVersion: v1\nkind: Config\ncurrent-context: t\n"
		"clusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:%d\n"
		"    certificate-authority: ca.crt\n"
		"users:\n- name: u\n  user:\n    tokenFile: token\n"
		"contexts:\n- name: t\n  context: {cluster: c, user: u, namespace: default}\n", srv.port);
	snprintf(kc, sizeof(kc), "%s/kubeconfig", srv.dir);
	f = fopen(kc, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	cr_assert_eq(cocm_kube_config_load(&cfg, kc, NULL, err, sizeof(err)), COCM_OK, "%s", err);
	k = cocm_kube_create(&loop, &cfg, &no_retry);
	cocm_kube_config_finish(&cfg);
	cr_assert_not_null(k);
	cr_assert_str_eq(cocm_kube_namespace(k), "default");

	cr_assert_eq(cocm_kube_get(k, &pods, "default", "p", kt_resp_cb, &r1), COCM_OK);
	kt_run_until(&loop, &r1.done, 30);
	cr_assert_eq(r1.err, COCM_OK, "%s", cocm_err_name(r1.err));
	write_token(srv.dir, "tok-2");
	cr_assert_eq(cocm_kube_get(k, &pods, "default", "p", kt_resp_cb, &r2), COCM_OK);
	kt_run_until(&loop, &r2.done, 30);
	cr_assert_eq(r2.err, COCM_OK);
	write_token(srv.dir, "revoked");
	cr_assert_eq(cocm_kube_get(k, &pods, "default", "p", kt_resp_cb, &r3), COCM_OK);
	kt_run_until(&loop, &r3.done, 30);
	cr_assert_eq(r3.err, COCM_EAUTH, "the rotated-in token must be the one sent");
	kt_finish(&loop, k);

	log = kt_server_log(&srv);
	cr_assert_eq(cJSON_GetArraySize(log), 3);
	cr_assert_str_eq(cocm_json_str(cJSON_GetArrayItem(log, 0), "auth", NULL), "bearer:tok-1");
	cr_assert_str_eq(cocm_json_str(cJSON_GetArrayItem(log, 1), "auth", NULL), "bearer:tok-2");
	cr_assert_str_eq(cocm_json_str(cJSON_GetArrayItem(log, 2), "auth", NULL), "bearer:revoked");
	cJSON_Delete(log);
	kt_resp_finish(&r1);
	kt_resp_finish(&r2);
}

/* In-cluster: service host/port from the environment, CA/token/namespace from the SA directory
 * ($COCM_SA_DIR); a rotated token file is picked up by the running client. */
Test(tls, in_cluster_service_account_with_rotation)
{
	struct cocm_kube_config cfg;
	struct cocm_kube *k;
	struct kt_resp r1 = { 0 }, r2 = { 0 };
	char err[512] = "", port[16], cmd[1600], ns[700];
	cJSON *log;
	FILE *f;

	kt_server_start(&srv, AUTH_SCENARIO("\"tokens\":[\"sa-1\",\"sa-2\"]"), 0);
	snprintf(cmd, sizeof(cmd), "cp '%s/ca.crt' '%s/ca.crt'", kt_pki(), srv.dir);
	cr_assert_eq(system(cmd), 0);
	write_token(srv.dir, "sa-1");
	snprintf(ns, sizeof(ns), "%s/namespace", srv.dir);
	f = fopen(ns, "w");
	cr_assert_not_null(f);
	fputs("default", f);
	fclose(f);
	snprintf(port, sizeof(port), "%d", srv.port);
	unsetenv("KUBECONFIG");
	setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", port, 1);
	setenv("COCM_SA_DIR", srv.dir, 1);
	cr_assert_eq(cocm_kube_config_load(&cfg, NULL, NULL, err, sizeof(err)), COCM_OK, "%s", err);
	cr_assert_str_eq(cfg.source, "in-cluster");
	k = cocm_kube_create(&loop, &cfg, &no_retry);
	cocm_kube_config_finish(&cfg);
	cr_assert_not_null(k);
	cr_assert_eq(cocm_kube_get(k, &pods, cocm_kube_namespace(k), "p", kt_resp_cb, &r1), COCM_OK);
	kt_run_until(&loop, &r1.done, 30);
	cr_assert_eq(r1.err, COCM_OK, "%s: %s", cocm_err_name(r1.err), r1.status.message);
	write_token(srv.dir, "sa-2");
	cr_assert_eq(cocm_kube_get(k, &pods, "default", "p", kt_resp_cb, &r2), COCM_OK);
	kt_run_until(&loop, &r2.done, 30);
	cr_assert_eq(r2.err, COCM_OK);
	kt_finish(&loop, k);
	log = kt_server_log(&srv);
	cr_assert_str_eq(cocm_json_str(cJSON_GetArrayItem(log, 0), "auth", NULL), "bearer:sa-1");
	cr_assert_str_eq(cocm_json_str(cJSON_GetArrayItem(log, 1), "auth", NULL), "bearer:sa-2");
	cJSON_Delete(log);
	kt_resp_finish(&r1);
	kt_resp_finish(&r2);
}
