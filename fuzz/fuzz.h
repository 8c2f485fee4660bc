/* Shared declarations of the fuzz targets (fuzz/fuzz_<target>.c).
 *
 * Each target defines LLVMFuzzerTestOneInput, which must accept ANY bytes: it returns 0 and
 * aborts (through an assertion or a sanitizer) only on a bug. The same file builds two ways:
 *   - clang -DCOCM_FUZZ=ON: linked with libFuzzer (-fsanitize=fuzzer), which supplies main();
 *   - any other build: linked with standalone_main.c, which replays files or directories, so
 *     the corpora in fuzz/corpus/<target>/ double as regression tests (ctest fuzz.regress.*).
 *
 * cocm_fuzz_check() is an assertion that stays on in every build type (NDEBUG or not).
 * cocm_fuzz_debug() prints only when the environment has COCM_FUZZ_DEBUG set (triage: which
 * path an input takes, the error message it got). */
#ifndef COCM_FUZZ_FUZZ_H
#define COCM_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define cocm_fuzz_check(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

#define cocm_fuzz_debug(...) \
	do { \
		if (getenv("COCM_FUZZ_DEBUG") != NULL) \
			fprintf(stderr, __VA_ARGS__); \
	} while (0)

#endif
