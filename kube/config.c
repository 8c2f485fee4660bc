/* Config loading: which source to use, shared file/base64/PEM helpers, copy and finish.
 * The kubeconfig format lives in kubeconfig.c, the service-account config in incluster.c. */
#include "kube/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "kube/config_internal.h"
#include "kube/core/base64.h"
#include "kube/core/xalloc.h"

void cocm_kube_config_errf(char *err, size_t errcap, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errcap == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errcap, fmt, ap);
	va_end(ap);
}

enum cocm_err cocm_kube_config_read(const char *path, size_t max, char **out, size_t *len,
	char *why, size_t whycap)
{
	struct stat st;
	char *data;
	size_t n = 0;
	int fd;

	*out = NULL;
	*len = 0;
	/* O_NONBLOCK: a FIFO must not block here (it is refused below); no effect on regular files. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		cocm_kube_config_errf(why, whycap, "%s", strerror(errno));
		return COCM_EIO;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		cocm_kube_config_errf(why, whycap, "not a regular file");
		close(fd);
		return COCM_EIO;
	}
	data = cocm_xmalloc(max + 1);
	for (;;) {
		ssize_t r = read(fd, data + n, max + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			cocm_kube_config_errf(why, whycap, "%s", strerror(errno));
			free(data);
			close(fd);
			return COCM_EIO;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			cocm_kube_config_errf(why, whycap, "larger than %zu bytes", max);
			free(data);
			close(fd);
			return COCM_ETOOBIG;
		}
	}
	close(fd);
	data[n] = '\0';
	*out = cocm_xrealloc(data, n + 1);
	*len = n;
	return COCM_OK;
}

enum cocm_err cocm_kube_config_b64(const char *in, char **out, size_t *len)
{
	size_t n = strlen(in), o = 0;
	char *buf = cocm_xmalloc(COCM_BASE64_DECODED_MAX(n) + 1);

	if (cocm_base64_decode(in, n, (unsigned char *)buf, &o, 1) != COCM_OK) {
		free(buf);
		*out = NULL;
		*len = 0;
		return COCM_EPARSE;
	}
	buf[o] = '\0';
	*out = buf;
	*len = o;
	return COCM_OK;
}

int cocm_kube_config_pem_ok(const char *pem, size_t len, int kind)
{
	BIO *bio;
	int ok = 0;

	if (len > (size_t)0x7fffffff)
		return 0;
	bio = BIO_new_mem_buf(pem, (int)len);
	if (bio == NULL)
		return 0;
	if (kind == 0) {
		X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		ok = x != NULL;
		X509_free(x);
	} else {
		EVP_PKEY *k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
		ok = k != NULL;
		EVP_PKEY_free(k);
	}
	BIO_free(bio);
	ERR_clear_error();
	return ok;
}

char *cocm_kube_config_resolve(const char *dir, const char *path)
{
	size_t dl, pl;
	char *r;

	if (path[0] == '/' || dir == NULL || dir[0] == '\0')
		return cocm_xstrdup(path);
	dl = strlen(dir);
	pl = strlen(path);
	r = cocm_xmalloc(dl + pl + 2);
	memcpy(r, dir, dl);
	r[dl] = '/';
	memcpy(r + dl + 1, path, pl + 1);
	return r;
}

static int file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Defined in kubeconfig.c: loads and merges a list of files (kubectl's rules). */
enum cocm_err cocm_kube_config_from_files(struct cocm_kube_config *cfg, const char *const *files,
	size_t n, const char *context, char *err, size_t errcap);

static enum cocm_err load_env_list(struct cocm_kube_config *cfg, const char *list,
	const char *context, char *err, size_t errcap)
{
	char *copy = cocm_xstrdup(list), *p = copy, *colon;
	const char **files = COCM_NEWN(const char *, strlen(list) + 1);
	size_t n = 0;
	enum cocm_err e;

	/* kubectl: empty entries and files that do not exist are skipped. */
	for (;;) {
		colon = strchr(p, ':');
		if (colon != NULL)
			*colon = '\0';
		if (p[0] != '\0' && file_exists(p))
			files[n++] = p;
		if (colon == NULL)
			break;
		p = colon + 1;
	}
	if (n == 0) {
		cocm_kube_config_errf(err, errcap,
			"KUBECONFIG=%s: none of the listed kubeconfig files exists", list);
		e = COCM_EINVAL;
	} else {
		e = cocm_kube_config_from_files(cfg, files, n, context, err, errcap);
	}
	free(files);
	free(copy);
	return e;
}

enum cocm_err cocm_kube_config_load(struct cocm_kube_config *cfg, const char *explicit_path,
	const char *context, char *err, size_t errcap)
{
	const char *env = getenv("KUBECONFIG");
	const char *home = getenv("HOME");
	const char *host = getenv("KUBERNETES_SERVICE_HOST");

	memset(cfg, 0, sizeof(*cfg));
	if (err != NULL && errcap > 0)
		err[0] = '\0';
	if (explicit_path != NULL && explicit_path[0] != '\0')
		return cocm_kube_config_from_files(cfg, &explicit_path, 1, context, err, errcap);
	if (env != NULL && env[0] != '\0')
		return load_env_list(cfg, env, context, err, errcap);
	if (host != NULL && host[0] != '\0')
		return cocm_kube_config_incluster(cfg, err, errcap);
	if (home != NULL && home[0] != '\0') {
		char *path = cocm_kube_config_resolve(home, ".kube/config");
		enum cocm_err e = COCM_EINVAL;
		const char *p = path;

		if (file_exists(path))
			e = cocm_kube_config_from_files(cfg, &p, 1, context, err, errcap);
		else
			cocm_kube_config_errf(err, errcap, "no configuration: no --kubeconfig, "
				"$KUBECONFIG is unset, not in a cluster (KUBERNETES_SERVICE_HOST unset) "
				"and %s does not exist", path);
		free(path);
		return e;
	}
	cocm_kube_config_errf(err, errcap, "no configuration: no --kubeconfig, $KUBECONFIG, "
		"KUBERNETES_SERVICE_HOST or $HOME");
	return COCM_EINVAL;
}

void cocm_kube_config_finish(struct cocm_kube_config *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->server);
	free(cfg->ca_pem);
	free(cfg->cert_pem);
	if (cfg->key_pem != NULL)
		memset(cfg->key_pem, 0, cfg->key_len);
	free(cfg->key_pem);
	if (cfg->token != NULL)
		memset(cfg->token, 0, strlen(cfg->token));
	free(cfg->token);
	free(cfg->token_file);
	free(cfg->tls_server_name);
	free(cfg->namespace);
	free(cfg->source);
	memset(cfg, 0, sizeof(*cfg));
}

static char *dup_or_null(const char *s)
{
	return s != NULL ? cocm_xstrdup(s) : NULL;
}

static char *dup_bytes(const char *s, size_t n)
{
	char *r;

	if (s == NULL)
		return NULL;
	r = cocm_xmalloc(n + 1);
	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

void cocm_kube_config_copy(struct cocm_kube_config *dst, const struct cocm_kube_config *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->server = dup_or_null(src->server);
	dst->ca_pem = dup_bytes(src->ca_pem, src->ca_len);
	dst->ca_len = src->ca_len;
	dst->cert_pem = dup_bytes(src->cert_pem, src->cert_len);
	dst->cert_len = src->cert_len;
	dst->key_pem = dup_bytes(src->key_pem, src->key_len);
	dst->key_len = src->key_len;
	dst->token = dup_or_null(src->token);
	dst->token_file = dup_or_null(src->token_file);
	dst->tls_server_name = dup_or_null(src->tls_server_name);
	dst->insecure_skip_tls_verify = src->insecure_skip_tls_verify;
	dst->namespace = dup_or_null(src->namespace);
	dst->source = dup_or_null(src->source);
}
