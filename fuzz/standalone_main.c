/* main() for fuzz targets built without libFuzzer: runs LLVMFuzzerTestOneInput once per file.
 *
 *   fuzz_<target> PATH...     each PATH is a file or a directory (its regular files, not
 *                             recursive, in name order so runs are reproducible)
 *
 * Exit status: 0 when every input ran (a bug aborts the process inside the target), 2 when a
 * path cannot be read or no input was found (an empty corpus must not pass silently). Inputs
 * are capped at MAX_INPUT bytes, the largest a corpus file may be. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz/fuzz.h"
#include "kube/core/xalloc.h"

#define MAX_INPUT ((size_t)8 << 20)

/* LLVMFuzzerInitialize is optional in libFuzzer; targets without one get this weak default. */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "fuzz: %s: %s\n", path, strerror(errno));
		return -1;
	}
	size_t cap = 4096, len = 0;
	char *buf = cocm_xmalloc(cap);
	for (;;) {
		if (len == cap) {
			if (cap >= MAX_INPUT) {
				fprintf(stderr, "fuzz: %s: larger than %zu bytes\n", path, MAX_INPUT);
				free(buf);
				fclose(f);
				return -1;
			}
			cap *= 2;
			buf = cocm_xrealloc(buf, cap);
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		fprintf(stderr, "fuzz: %s: read error\n", path);
		free(buf);
		return -1;
	}
	/* An exact-size copy, so ASan catches a target that reads one byte past the input. */
	char *exact = cocm_xmalloc(len ? len : 1);
	if (len)
		memcpy(exact, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput((const uint8_t *)exact, len);
	free(exact);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file of dir; returns the number run, or -1 on an error. */
static long run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "fuzz: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = cocm_xrealloc(names, cap * sizeof *names);
		}
		names[n++] = cocm_xstrdup(e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmp_names);
	long ran = 0;
	int failed = 0;
	for (size_t i = 0; i < n; i++) {
		size_t plen = strlen(dir) + strlen(names[i]) + 2;
		char *p = cocm_xmalloc(plen);
		snprintf(p, plen, "%s/%s", dir, names[i]);
		struct stat st;
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
			if (run_file(p) == 0)
				ran++;
			else
				failed = 1;
		}
		free(p);
		free(names[i]);
	}
	free(names);
	return failed ? -1 : ran;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	LLVMFuzzerInitialize(&argc, &argv);
	long total = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "fuzz: %s: %s\n", argv[i], strerror(errno));
			return 2;
		}
		long n = S_ISDIR(st.st_mode) ? run_dir(argv[i]) : (run_file(argv[i]) == 0 ? 1 : -1);
		if (n < 0)
			return 2;
		total += n;
	}
	if (total == 0) {
		fprintf(stderr, "fuzz: no input found\n");
		return 2;
	}
	printf("fuzz: %s ran %ld inputs\n", argv[0], total);
	return 0;
}
