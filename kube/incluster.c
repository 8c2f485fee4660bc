/* In-cluster service-account config: server from KUBERNETES_SERVICE_HOST/PORT, CA, token and
 * namespace from the projected service-account volume ($COCM_SA_DIR overrides the directory for
 * tests). The token is read once to fail early; the client re-reads token_file when it changes
 * (bound tokens rotate about hourly). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/config.h"
#include "kube/config_internal.h"
#include "kube/core/xalloc.h"

static void trim(char *s, size_t *len)
{
	size_t n = *len;

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	*len = n;
}

static int port_ok(const char *p)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(p, &end, 10);
	return errno == 0 && end != p && *end == '\0' && v > 0 && v < 65536;
}

enum cocm_err cocm_kube_config_incluster(struct cocm_kube_config *cfg, char *err, size_t errcap)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	const char *dir = getenv("COCM_SA_DIR");
	char *path = NULL, *data = NULL, why[256], buf[512];
	size_t len;
	enum cocm_err e;

	memset(cfg, 0, sizeof(*cfg));
	if (dir == NULL || dir[0] == '\0')
		dir = COCM_KUBE_SA_DIR_DEFAULT;
	if (host == NULL || host[0] == '\0') {
		cocm_kube_config_errf(err, errcap, "in-cluster: KUBERNETES_SERVICE_HOST: not set");
		return COCM_EINVAL;
	}
	if (port == NULL || !port_ok(port)) {
		cocm_kube_config_errf(err, errcap, "in-cluster: KUBERNETES_SERVICE_PORT: %s",
			port == NULL ? "not set" : "not a port number");
		return COCM_EINVAL;
	}
	if (strchr(host, ':') != NULL && host[0] != '[')
		snprintf(buf, sizeof(buf), "https://[%s]:%s", host, port);
	else
		snprintf(buf, sizeof(buf), "https://%s:%s", host, port);
	cfg->server = cocm_xstrdup(buf);

	path = cocm_kube_config_resolve(dir, "ca.crt");
	e = cocm_kube_config_read(path, COCM_KUBE_CONFIG_MAX_FILE, &cfg->ca_pem, &cfg->ca_len, why,
		sizeof(why));
	if (e != COCM_OK) {
		cocm_kube_config_errf(err, errcap, "in-cluster: %s: cannot read: %s", path, why);
		goto fail;
	}
	if (!cocm_kube_config_pem_ok(cfg->ca_pem, cfg->ca_len, 0)) {
		cocm_kube_config_errf(err, errcap, "in-cluster: %s: not a PEM certificate", path);
		e = COCM_EINVAL;
		goto fail;
	}
	free(path);

	path = cocm_kube_config_resolve(dir, "token");
	e = cocm_kube_config_read(path, COCM_KUBE_CONFIG_MAX_FILE, &data, &len, why, sizeof(why));
	if (e != COCM_OK) {
		cocm_kube_config_errf(err, errcap, "in-cluster: %s: cannot read: %s", path, why);
		goto fail;
	}
	trim(data, &len);
	if (len == 0) {
		cocm_kube_config_errf(err, errcap, "in-cluster: %s: empty token", path);
		e = COCM_EINVAL;
		goto fail;
	}
	cfg->token = data;
	data = NULL;
	cfg->token_file = path;
	path = NULL;

	path = cocm_kube_config_resolve(dir, "namespace");
	if (cocm_kube_config_read(path, 4096, &data, &len, why, sizeof(why)) == COCM_OK) {
		trim(data, &len);
		if (len > 0) {
			cfg->namespace = data;
			data = NULL;
		}
	}
	free(data);
	free(path);
	cfg->source = cocm_xstrdup("in-cluster");
	return COCM_OK;
fail:
	if (e == COCM_OK)
		e = COCM_EINVAL;
	free(data);
	free(path);
	cocm_kube_config_finish(cfg);
	return e;
}
