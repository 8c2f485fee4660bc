/* Broken and hostile kubeconfigs through cocm_kube_config_load on real files: missing fields,
 * bad base64, wrong types at every level, a file over the size cap, an alias bomb, nesting
 * 10,000 deep, binary garbage, an empty file, a directory, a device and a FIFO as the file. Each must
 * fail with ONE message that names the file (and the field when there is one), and no error
 * message may echo a token or key. (test_kubeconfig.c covers the ordinary field errors.) */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kube/config.h"
#include "support/kt_pem.h"

static char *dir;

static void setup(void)
{
	dir = kt_tmpdir();
	unsetenv("KUBECONFIG");
	unsetenv("KUBERNETES_SERVICE_HOST");
}

static void teardown(void)
{
	kt_rmdir(dir);
}

TestSuite(badinput_kubeconfig, .init = setup, .fini = teardown, .timeout = 60);

static void refused(const char *path, const char *want_field, const char *secret)
{
	struct cocm_kube_config c;
	char err[1024] = "";
	enum cocm_err e = cocm_kube_config_load(&c, path, NULL, err, sizeof(err));

	cr_assert_neq(e, COCM_OK, "%s: accepted", path);
	cr_assert(e == COCM_EINVAL || e == COCM_EIO || e == COCM_ETOOBIG, "%s: %s", path,
		cocm_err_name(e));
	cr_assert(strstr(err, path) != NULL, "message does not name the file: %s", err);
	if (want_field)
		cr_assert(strstr(err, want_field) != NULL, "message lacks \"%s\": %s", want_field, err);
	cr_assert(strchr(err, '\n') == NULL, "one line: %s", err);
	if (secret)
		cr_assert(strstr(err, secret) == NULL, "the message leaks a secret: %s", err);
	cocm_kube_config_finish(&c);
}

static void refused_text(const char *name, const char *yaml, const char *want, const char *secret)
{
	char *p = kt_write_file(dir, name, yaml);
	refused(p, want, secret);
	free(p);
}

#define CTX "current-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n"
#define CL "clusters:\n- name: c\n  cluster: {server: 'https://s'}\n"

Test(badinput_kubeconfig, wrong_types_at_every_level_name_the_field)
{
	refused_text("t1", "clusters: 5\n", "clusters: not a list", NULL);
	refused_text("t2", CTX "clusters:\n- name: c\n  cluster: [1]\nusers:\n- name: u\n  user: {}\n",
		"clusters[0].cluster", NULL);
	refused_text("t3", CTX "clusters:\n- 7\n", "clusters[0]", NULL);
	refused_text("t4", CTX "clusters:\n- name: {a: b}\n  cluster: {server: 'https://s'}\n",
		"clusters[0].name", NULL);
	refused_text("t5", CTX CL "users:\n- name: u\n  user: 'string'\n", "users[0].user", NULL);
	refused_text("t6", "current-context: [x]\n" CL, "current-context", NULL);
	refused_text("t7", CTX CL "users:\n- name: u\n  user: {tokenFile: [a]}\n", "users[0].user.tokenFile",
		NULL);
	refused_text("t8", "current-context: x\ncontexts:\n- name: x\n  context: 3\n" CL
		"users:\n- name: u\n  user: {}\n", "contexts[0].context", NULL);
	refused_text("t9", CTX "clusters:\n- name: c\n  cluster: {server: 443}\n"
		"users:\n- name: u\n  user: {}\n", "clusters[0].cluster.server", NULL);
	refused_text("t10", "[1, 2]\n", "top level", NULL);
}

Test(badinput_kubeconfig, secrets_are_never_echoed_in_errors)
{
	/* A token of the wrong type, a key in bad base64, and a bad token file path. */
	refused_text("s1", CTX CL "users:\n- name: u\n  user: {token: [s3cr3t-token-AAAA]}\n",
		"users[0].user.token", "s3cr3t-token-AAAA");
	refused_text("s2", CTX CL "users:\n- name: u\n  user: {client-certificate-data: 'x',"
		" client-key-data: 'S3CR3T*KEY*BBBB'}\n", "users[0].user.client-", "S3CR3T*KEY*BBBB");
	char *cert, *key;
	kt_pem_pair(&cert, &key);
	char *cert64 = kt_b64(cert, strlen(cert));
	/* A "key" that is valid base64 of a non-key: the message must not print the decoded bytes. */
	const char *fake = "-----BEGIN PRIVATE KEY-----\nS3CR3TKEYCCCC\n-----END PRIVATE KEY-----\n";
	char *fake64 = kt_b64(fake, strlen(fake));
	char yaml[8192];
	snprintf(yaml, sizeof(yaml), CTX CL "users:\n- name: u\n  user: {client-certificate-data: %s,"
		" client-key-data: %s}\n", cert64, fake64);
	refused_text("s3", yaml, "users[0].user.client-key-data", "S3CR3TKEYCCCC");
	free(cert);
	free(key);
	free(cert64);
	free(fake64);
}

Test(badinput_kubeconfig, huge_file_bomb_nesting_and_garbage)
{
	/* Over the 4 MiB cap: refused before parsing (a sparse file costs no disk). */
	char p[512];
	snprintf(p, sizeof(p), "%s/huge", dir);
	int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	cr_assert_geq(fd, 0);
	cr_assert_eq(ftruncate(fd, (off_t)COCM_KUBE_CONFIG_MAX_FILE + 1), 0);
	close(fd);
	refused(p, "larger than", NULL);

	refused_text("bomb", "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
		"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
		"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
		"g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\nclusters: *g\n", NULL, NULL);

	char *deep = malloc(20001);
	memset(deep, '[', 10000);
	memset(deep + 10000, ']', 10000);
	deep[20000] = '\0';
	refused_text("deep", deep, NULL, NULL);
	free(deep);

	char bin[256];
	for (int i = 0; i < 256; i++)
		bin[i] = (char)(i * 37 + 11);
	bin[255] = '\0';
	bin[0] = 'Z';
	refused_text("garbage", bin, NULL, NULL);
	refused_text("empty", "", NULL, NULL);
	refused(dir, NULL, NULL);         /* a directory */
	refused("/dev/null", NULL, NULL); /* not a regular file */
	/* A FIFO without a writer: refused at once, not a hang (the test's timeout catches one). */
	snprintf(p, sizeof(p), "%s/fifo", dir);
	cr_assert_eq(mkfifo(p, 0600), 0);
	refused(p, "not a regular file", NULL);
}
