/* Test support (kube-transport tests): in-process PEM material and temp files. */
#ifndef KT_PEM_H
#define KT_PEM_H

#include <stddef.h>

/* A fresh self-signed EC P-256 certificate and its key, PEM, heap (free()). */
void kt_pem_pair(char **cert_pem, char **key_pem);
/* Standard base64 of n bytes, heap. */
char *kt_b64(const char *data, size_t n);
/* Writes data to dir/name; returns the full path (heap). Aborts the test on failure. */
char *kt_write_file(const char *dir, const char *name, const char *data);
/* mkdtemp under $TMPDIR or /tmp; heap. */
char *kt_tmpdir(void);
/* Removes the files in dir (flat), dir itself, and frees the string. */
void kt_rmdir(char *dir);

#endif
