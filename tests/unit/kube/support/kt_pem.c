/* Test support: PEM pairs made with OpenSSL's API (no openssl CLI, no fixtures on disk). */
#include "support/kt_pem.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

static char *bio_str(BIO *b)
{
	char *p, *r;
	long n = BIO_get_mem_data(b, &p);

	r = malloc((size_t)n + 1);
	if (r == NULL)
		abort();
	memcpy(r, p, (size_t)n);
	r[n] = '\0';
	return r;
}

void kt_pem_pair(char **cert_pem, char **key_pem)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *name;
	BIO *b;

	if (key == NULL || x == NULL)
		abort();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"kt", -1, -1, 0);
	X509_set_issuer_name(x, name);
	if (X509_sign(x, key, EVP_sha256()) == 0)
		abort();
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_X509(b, x);
	*cert_pem = bio_str(b);
	BIO_free(b);
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL);
	*key_pem = bio_str(b);
	BIO_free(b);
	X509_free(x);
	EVP_PKEY_free(key);
}

char *kt_b64(const char *data, size_t n)
{
	char *out = malloc(n / 3 * 4 + 8);

	if (out == NULL)
		abort();
	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)data, (int)n);
	return out;
}

char *kt_write_file(const char *dir, const char *name, const char *data)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *path = malloc(n);
	FILE *f;

	if (path == NULL)
		abort();
	snprintf(path, n, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL || fputs(data, f) < 0 || fclose(f) != 0)
		abort();
	return path;
}

char *kt_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char buf[512];
	char *r;

	snprintf(buf, sizeof(buf), "%s/cocm-kt-XXXXXX", base != NULL && base[0] ? base : "/tmp");
	if (mkdtemp(buf) == NULL)
		abort();
	r = malloc(strlen(buf) + 1);
	if (r == NULL)
		abort();
	memcpy(r, buf, strlen(buf) + 1);
	return r;
}

void kt_rmdir(char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[1024];

	if (d != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
	free(dir);
}
