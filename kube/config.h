/* Client configuration: where the API server is and how to authenticate to it.
 *
 * Sources, in the daemon's order:
 *   1. explicit_path (--kubeconfig): that one file only;
 *   2. $KUBECONFIG: a colon-separated list of files merged as kubectl does: files that do not exist
 *      are skipped; for each named map entry (cluster, user, context) and for current-context the
 *      FIRST file that sets it wins; later files only add entries that are not there yet;
 *   3. in-cluster service account, when $KUBERNETES_SERVICE_HOST is set: server from
 *      KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT, CA, token file and namespace from
 *      $COCM_SA_DIR (default /var/run/secrets/kubernetes.io/serviceaccount) {ca.crt,token,namespace};
 *   4. ~/.kube/config ($HOME).
 * context NULL means current-context (kubeconfig only; ignored in-cluster).
 *
 * Honoured kubeconfig fields: cluster server, certificate-authority(-data), tls-server-name,
 * insecure-skip-tls-verify; user client-certificate(-data), client-key(-data), token, tokenFile;
 * context cluster, user, namespace. Relative file paths are resolved against the directory of the
 * kubeconfig file that defined them. Unsupported auth (exec, auth-provider, username/password)
 * is an error naming the field, never a silent anonymous client.
 *
 * Every file read has a maximum size (COCM_KUBE_CONFIG_MAX_FILE). Nothing here logs secrets. */
#ifndef COCM_KUBE_CONFIG_H
#define COCM_KUBE_CONFIG_H

#include <stddef.h>

#include "kube/core/err.h"

#define COCM_KUBE_CONFIG_MAX_FILE (4u << 20) /* kubeconfig, CA, cert, key, token files */
#define COCM_KUBE_SA_DIR_DEFAULT "/var/run/secrets/kubernetes.io/serviceaccount"

struct cocm_kube_config {        /* all heap strings owned by the struct; NULL when unset */
	char *server;                 /* https://host:port (no trailing slash) */
	char *ca_pem;                 /* CA bundle bytes (from -data or file), NULL = system CAs */
	size_t ca_len;
	char *cert_pem;               /* client certificate (PEM), with key_pem */
	size_t cert_len;
	char *key_pem;                /* client key (PEM); never logged */
	size_t key_len;
	char *token;                  /* bearer token (never logged) */
	char *token_file;             /* re-read when its mtime/size changes (bound SA tokens rotate) */
	char *tls_server_name;        /* SNI + name checked in the server cert (NULL = host of server) */
	int insecure_skip_tls_verify; /* honoured, loudly warned at client creation */
	char *namespace;              /* context namespace / in-cluster SA namespace */
	char *source;                 /* "kubeconfig /path (context x)" or "in-cluster", for logs */
};

/* Loads cfg (which is overwritten; call finish on it afterwards in every case).
 * explicit_path: --kubeconfig (NULL = $KUBECONFIG list merged as kubectl does, then in-cluster when
 * KUBERNETES_SERVICE_HOST is set, then ~/.kube/config); context NULL = current-context.
 * On error: COCM_EINVAL (bad or missing config) or COCM_EIO (unreadable file) with ONE clear
 * message naming the file and field in err (errcap >= 1; truncated to fit). */
enum cocm_err cocm_kube_config_load(struct cocm_kube_config *cfg, const char *explicit_path,
	const char *context, char *err, size_t errcap);

/* Parses one kubeconfig document held in memory (for tests and callers that already read it).
 * name is used in error messages and dir resolves relative paths (NULL = current directory). */
enum cocm_err cocm_kube_config_from_yaml(struct cocm_kube_config *cfg, const char *data,
	size_t len, const char *name, const char *dir, const char *context, char *err, size_t errcap);

/* In-cluster config only (see 3. above). COCM_EINVAL when KUBERNETES_SERVICE_HOST is unset. */
enum cocm_err cocm_kube_config_incluster(struct cocm_kube_config *cfg, char *err, size_t errcap);

/* Frees everything and zeroes cfg. Safe on a zeroed or finished struct. */
void cocm_kube_config_finish(struct cocm_kube_config *cfg);

/* Deep copy (dst is overwritten). */
void cocm_kube_config_copy(struct cocm_kube_config *dst, const struct cocm_kube_config *src);

#endif
