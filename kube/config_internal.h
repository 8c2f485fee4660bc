/* Helpers shared by config.c, kubeconfig.c and incluster.c (not for other modules). */
#ifndef COCM_KUBE_CONFIG_INTERNAL_H
#define COCM_KUBE_CONFIG_INTERNAL_H

#include <stddef.h>

#include "kube/config.h"

/* snprintf into err (when err != NULL && errcap > 0). */
void cocm_kube_config_errf(char *err, size_t errcap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Reads a whole regular file of at most max bytes into a NUL-terminated heap buffer.
 * COCM_EIO (cannot open/read: errno text in why) or COCM_ETOOBIG. why: a short reason. */
enum cocm_err cocm_kube_config_read(const char *path, size_t max, char **out, size_t *len,
	char *why, size_t whycap);

/* Standard base64 (padding optional, ASCII whitespace ignored). COCM_EPARSE on a bad byte.
 * *out is a NUL-terminated heap buffer. */
enum cocm_err cocm_kube_config_b64(const char *in, char **out, size_t *len);

/* Checks PEM content: kind 0 = one or more certificates, 1 = a private key. 0 when ok. */
int cocm_kube_config_pem_ok(const char *pem, size_t len, int kind);

/* dir + "/" + path unless path is absolute (or dir NULL). Heap. */
char *cocm_kube_config_resolve(const char *dir, const char *path);

#endif
