/* kubeconfig parsing, $KUBECONFIG merging, in-cluster config, and errors naming file + field. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kube/config.h"
#include "support/kt_pem.h"

static char *cert, *key, *dir;
static char *cert64, *key64;

static void setup(void)
{
	kt_pem_pair(&cert, &key);
	cert64 = kt_b64(cert, strlen(cert));
	key64 = kt_b64(key, strlen(key));
	dir = kt_tmpdir();
	unsetenv("KUBECONFIG");
	unsetenv("KUBERNETES_SERVICE_HOST");
	unsetenv("KUBERNETES_SERVICE_PORT");
	unsetenv("COCM_SA_DIR");
}

static void teardown(void)
{
	kt_rmdir(dir);
	free(cert);
	free(key);
	free(cert64);
	free(key64);
}

TestSuite(kubeconfig, .init = setup, .fini = teardown);

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s = malloc(1 << 16);

	va_start(ap, f);
	vsnprintf(s, 1 << 16, f, ap);
	va_end(ap);
	return s;
}

Test(kubeconfig, inline_data_and_current_context)
{
	char *y = fmt("apiVersion: v1\nkind: Config\ncurrent-context: dev\n"
		"clusters:\n- name: c1\n  cluster:\n    server: https://10.0.0.1:6443/\n"
		"    certificate-authority-data: %s\n    tls-server-name: api.internal\n"
		"users:\n- name: u1\n  user:\n    client-certificate-data: %s\n    client-key-data: %s\n"
		"contexts:\n- name: dev\n  context: {cluster: c1, user: u1, namespace: team-a}\n",
		cert64, cert64, key64);
	struct cocm_kube_config c;
	char err[512] = "";

	cr_assert_eq(cocm_kube_config_from_yaml(&c, y, strlen(y), "mem", NULL, NULL, err, sizeof(err)),
		COCM_OK, "%s", err);
	cr_assert_str_eq(c.server, "https://10.0.0.1:6443");
	cr_assert_eq(c.ca_len, strlen(cert));
	cr_assert(memcmp(c.ca_pem, cert, c.ca_len) == 0);
	cr_assert_eq(c.cert_len, strlen(cert));
	cr_assert_eq(c.key_len, strlen(key));
	cr_assert(memcmp(c.key_pem, key, c.key_len) == 0);
	cr_assert_str_eq(c.tls_server_name, "api.internal");
	cr_assert_str_eq(c.namespace, "team-a");
	cr_assert_null(c.token);
	cr_assert_eq(c.insecure_skip_tls_verify, 0);
	cr_assert(strstr(c.source, "context dev") != NULL);
	cocm_kube_config_finish(&c);
	cr_assert_null(c.server);
	free(y);
}

Test(kubeconfig, files_relative_to_kubeconfig_and_context_override)
{
	char *cap = kt_write_file(dir, "ca.crt", cert);
	char *crt = kt_write_file(dir, "client.crt", cert);
	char *k = kt_write_file(dir, "client.key", key);
	char *tok = kt_write_file(dir, "tok", "file-token\n");
	char *y = fmt("current-context: a\n"
		"clusters:\n- name: ca\n  cluster: {server: 'https://a.example'}\n"
		"- name: cb\n  cluster:\n    server: https://b.example:8443\n    certificate-authority: ca.crt\n"
		"users:\n- name: ub\n  user:\n    client-certificate: client.crt\n    client-key: %s\n"
		"    tokenFile: tok\n    token: static\n"
		"contexts:\n- name: a\n  context: {cluster: ca}\n- name: b\n  context: {cluster: cb, user: ub}\n", k);
	char *path = kt_write_file(dir, "config", y);
	struct cocm_kube_config c;
	char err[512] = "";

	cr_assert_eq(cocm_kube_config_load(&c, path, "b", err, sizeof(err)), COCM_OK, "%s", err);
	cr_assert_str_eq(c.server, "https://b.example:8443");
	cr_assert_eq(c.ca_len, strlen(cert));
	cr_assert_eq(c.key_len, strlen(key));
	cr_assert_str_eq(c.token, "static");
	cr_assert_str_eq(c.token_file, tok);
	cr_assert_null(c.namespace);
	cocm_kube_config_finish(&c);

	cr_assert_eq(cocm_kube_config_load(&c, path, NULL, err, sizeof(err)), COCM_OK, "%s", err);
	cr_assert_str_eq(c.server, "https://a.example");
	cr_assert_null(c.ca_pem);
	cr_assert_null(c.cert_pem);
	cocm_kube_config_finish(&c);
	free(cap); free(crt); free(k); free(tok); free(y); free(path);
}

Test(kubeconfig, kubeconfig_env_list_merges_first_wins)
{
	char *f1 = kt_write_file(dir, "one", "current-context: x\n"
		"clusters:\n- name: shared\n  cluster: {server: 'https://first:1'}\n"
		"contexts:\n- name: x\n  context: {cluster: shared, user: later, namespace: n1}\n");
	char *f2 = kt_write_file(dir, "two", "current-context: y\n"
		"clusters:\n- name: shared\n  cluster: {server: 'https://second:2'}\n"
		"- name: other\n  cluster: {server: 'https://other:3'}\n"
		"users:\n- name: later\n  user: {token: tok-from-two}\n"
		"contexts:\n- name: x\n  context: {cluster: other}\n- name: y\n  context: {cluster: other}\n");
	char *list = fmt("%s/missing:%s::%s", dir, f1, f2);
	struct cocm_kube_config c;
	char err[512] = "";

	setenv("KUBECONFIG", list, 1);
	setenv("KUBERNETES_SERVICE_HOST", "10.9.9.9", 1); /* $KUBECONFIG comes first */
	cr_assert_eq(cocm_kube_config_load(&c, NULL, NULL, err, sizeof(err)), COCM_OK, "%s", err);
	/* current-context and cluster "shared" and context "x" from the first file; user from the second */
	cr_assert_str_eq(c.server, "https://first:1");
	cr_assert_str_eq(c.token, "tok-from-two");
	cr_assert_str_eq(c.namespace, "n1");
	cr_assert(strstr(c.source, f1) != NULL);
	cocm_kube_config_finish(&c);

	cr_assert_eq(cocm_kube_config_load(&c, NULL, "y", err, sizeof(err)), COCM_OK, "%s", err);
	cr_assert_str_eq(c.server, "https://other:3");
	cocm_kube_config_finish(&c);
	free(f1); free(f2); free(list);
}

Test(kubeconfig, home_config_used_last)
{
	char *kdir = fmt("%s/.kube", dir);
	char *path;
	struct cocm_kube_config c;
	char err[512] = "";

	cr_assert_eq(mkdir(kdir, 0700), 0);
	path = kt_write_file(kdir, "config", "current-context: h\nclusters:\n- name: h\n  cluster: "
		"{server: 'https://home:6443'}\ncontexts:\n- name: h\n  context: {cluster: h}\n");
	setenv("HOME", dir, 1);
	cr_assert_eq(cocm_kube_config_load(&c, NULL, NULL, err, sizeof(err)), COCM_OK, "%s", err);
	cr_assert_str_eq(c.server, "https://home:6443");
	cocm_kube_config_finish(&c);
	unlink(path);
	rmdir(kdir);
	cr_assert_eq(cocm_kube_config_load(&c, NULL, NULL, err, sizeof(err)), COCM_EINVAL);
	cr_assert(strstr(err, ".kube/config") != NULL, "%s", err);
	free(path); free(kdir);
}

static void sa_dir(const char *token)
{
	free(kt_write_file(dir, "ca.crt", cert));
	if (token != NULL)
		free(kt_write_file(dir, "token", token));
	free(kt_write_file(dir, "namespace", "openchoreo-system\n"));
	setenv("COCM_SA_DIR", dir, 1);
	setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
}

Test(kubeconfig, in_cluster)
{
	struct cocm_kube_config c;
	char err[512] = "";

	sa_dir("sa-token\n");
	setenv("HOME", dir, 1);
	cr_assert_eq(cocm_kube_config_load(&c, NULL, NULL, err, sizeof(err)), COCM_OK, "%s", err);
	cr_assert_str_eq(c.server, "https://10.96.0.1:443");
	cr_assert_str_eq(c.token, "sa-token");
	cr_assert(strstr(c.token_file, "/token") != NULL);
	cr_assert_str_eq(c.namespace, "openchoreo-system");
	cr_assert_eq(c.ca_len, strlen(cert));
	cr_assert_str_eq(c.source, "in-cluster");
	cocm_kube_config_finish(&c);

	setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
	cr_assert_eq(cocm_kube_config_incluster(&c, err, sizeof(err)), COCM_OK, "%s", err);
	cr_assert_str_eq(c.server, "https://[fd00::1]:443");
	cocm_kube_config_finish(&c);
}

Test(kubeconfig, in_cluster_without_token_names_the_file)
{
	struct cocm_kube_config c;
	char err[512] = "";

	sa_dir(NULL);
	cr_assert_neq(cocm_kube_config_incluster(&c, err, sizeof(err)), COCM_OK);
	cr_assert(strstr(err, "/token") != NULL, "%s", err);
	cr_assert_null(c.server);
}

struct bad_case {
	const char *yaml;
	const char *context;
	const char *want; /* substring of the error */
};

static void expect_error(const char *yaml, const char *context, const char *want)
{
	struct cocm_kube_config c;
	char err[512] = "";
	char *path = kt_write_file(dir, "bad", yaml);

	cr_assert_neq(cocm_kube_config_load(&c, path, context, err, sizeof(err)), COCM_OK,
		"accepted: %s", yaml);
	cr_assert(strstr(err, path) != NULL, "error does not name the file: %s", err);
	cr_assert(strstr(err, want) != NULL, "error \"%s\" does not mention \"%s\"", err, want);
	cr_assert_null(c.server);
	free(path);
}

#define CTX "current-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n"
#define CL "clusters:\n- name: c\n  cluster: {server: 'https://s'}\n"

Test(kubeconfig, bad_input_names_file_and_field)
{
	expect_error("clusters: [\n", NULL, "not valid YAML");
	expect_error("- a\n", NULL, "top level");
	expect_error(CTX "clusters:\n- name: c\n  cluster: {certificate-authority-data: x}\n"
		"users:\n- name: u\n  user: {}\n", NULL, "clusters[0].cluster.server: missing");
	expect_error(CTX "clusters:\n- name: c\n  cluster: {server: 'http://plain:80'}\n"
		"users:\n- name: u\n  user: {}\n", NULL, "clusters[0].cluster.server");
	expect_error(CTX "clusters:\n- name: c\n  cluster: {server: 'https://s', "
		"certificate-authority-data: '!!notbase64'}\nusers:\n- name: u\n  user: {}\n", NULL,
		"clusters[0].cluster.certificate-authority-data: not valid base64");
	expect_error(CTX "clusters:\n- name: c\n  cluster: {server: 'https://s', "
		"certificate-authority-data: aGVsbG8=}\nusers:\n- name: u\n  user: {}\n", NULL,
		"certificate-authority-data: decoded data is not a PEM certificate");
	expect_error(CTX "clusters:\n- name: c\n  cluster: {server: 'https://s', "
		"certificate-authority: nope.crt}\nusers:\n- name: u\n  user: {}\n", NULL,
		"clusters[0].cluster.certificate-authority: cannot read");
	expect_error(CTX CL "users:\n- name: u\n  user: {exec: {command: aws}}\n", NULL,
		"users[0].user.exec: not supported");
	expect_error(CTX CL "users:\n- name: u\n  user: {tokenFile: /nonexistent/tok}\n", NULL,
		"users[0].user.tokenFile: cannot read /nonexistent/tok");
	expect_error(CTX CL "users:\n- name: u\n  user: {token: 5}\n", NULL,
		"users[0].user.token: not a string");
	expect_error(CTX CL "users:\n- name: v\n  user: {}\n", NULL,
		"contexts[0].context.user: user \"u\" not found");
	expect_error(CTX "clusters:\n- name: d\n  cluster: {server: 'https://s'}\n", NULL,
		"contexts[0].context.cluster: cluster \"c\" not found");
	expect_error(CTX CL, "nope", "--context: context \"nope\" not found");
	expect_error(CL "contexts:\n- name: x\n  context: {cluster: c}\n", NULL, "current-context: not set");
	expect_error("clusters:\n- cluster: {server: 'https://s'}\n", NULL, "clusters[0].name");
	expect_error("users: {a: b}\n", NULL, "users: not a list");
	expect_error(CTX "clusters:\n- name: c\n  cluster: {server: 'https://s', "
		"insecure-skip-tls-verify: 'yes please'}\nusers:\n- name: u\n  user: {}\n", NULL,
		"clusters[0].cluster.insecure-skip-tls-verify: not a boolean");
}

Test(kubeconfig, cert_and_key_must_pair_and_parse)
{
	char *y = fmt(CTX CL "users:\n- name: u\n  user: {client-certificate-data: %s}\n", cert64);
	char *y2 = fmt(CTX CL "users:\n- name: u\n  user: {client-certificate-data: %s, "
		"client-key-data: %s}\n", cert64, cert64);

	expect_error(y, NULL, "users[0].user.client-key: missing");
	expect_error(y2, NULL, "users[0].user.client-key-data: decoded data is not a PEM private key");
	free(y);
	free(y2);
}

Test(kubeconfig, insecure_flag_parsed)
{
	const char *y = CTX "clusters:\n- name: c\n  cluster: {server: 'https://s:1', "
		"insecure-skip-tls-verify: true}\nusers:\n- name: u\n  user: {token: t}\n";
	struct cocm_kube_config c, d;
	char err[512] = "";

	cr_assert_eq(cocm_kube_config_from_yaml(&c, y, strlen(y), "m", NULL, NULL, err, sizeof(err)),
		COCM_OK, "%s", err);
	cr_assert_eq(c.insecure_skip_tls_verify, 1);
	cocm_kube_config_copy(&d, &c);
	cocm_kube_config_finish(&c);
	cr_assert_str_eq(d.server, "https://s:1");
	cr_assert_str_eq(d.token, "t");
	cr_assert_eq(d.insecure_skip_tls_verify, 1);
	cocm_kube_config_finish(&d);
}

Test(kubeconfig, explicit_missing_file)
{
	struct cocm_kube_config c;
	char err[512] = "";

	cr_assert_neq(cocm_kube_config_load(&c, "/nonexistent/kubeconfig", NULL, err, sizeof(err)),
		COCM_OK);
	cr_assert(strstr(err, "/nonexistent/kubeconfig") != NULL, "%s", err);
}
