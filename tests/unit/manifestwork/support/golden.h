/* Golden-file helpers for the render/placement/CLI tests. Goldens are rewritten only when
 * the environment has UPDATE_GOLDEN=1; otherwise a difference fails the test and shows the
 * first differing line. */
#ifndef COCM_TEST_GOLDEN_H
#define COCM_TEST_GOLDEN_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* Whole file as a NUL-terminated heap string (free()), or NULL when it cannot be read. */
char *tg_read(const char *path, size_t *len);
/* A JSON file parsed (cJSON_Delete); fails the test when missing or invalid. */
cJSON *tg_load_json(const char *path);
/* Compares text with the golden file at path (or rewrites it under UPDATE_GOLDEN=1). */
void tg_golden(const char *path, const char *text);
/* "<COCM_TEST_DATA>/<dir>/<name>" into a static buffer (one per call site is enough). */
const char *tg_path(char *buf, size_t cap, const char *dir, const char *name);

#endif
