/* Golden-file helpers (see golden.h). */
#include "support/golden.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *tg_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (cap - n < 65536) {
			cap = cap ? cap * 2 : 131072;
			buf = realloc(buf, cap + 1);
			cr_assert_not_null(buf);
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

cJSON *tg_load_json(const char *path)
{
	size_t n;
	char *s = tg_read(path, &n);
	cJSON *j;

	cr_assert_not_null(s, "cannot read %s", path);
	j = cJSON_ParseWithLength(s, n);
	cr_assert_not_null(j, "%s is not valid JSON", path);
	free(s);
	return j;
}

void tg_golden(const char *path, const char *text)
{
	const char *up = getenv("UPDATE_GOLDEN");
	char *want;
	size_t line = 1, i;

	if (up != NULL && strcmp(up, "1") == 0) {
		FILE *f = fopen(path, "wb");
		cr_assert_not_null(f, "cannot write %s", path);
		cr_assert_eq(fwrite(text, 1, strlen(text), f), strlen(text));
		cr_assert_eq(fclose(f), 0);
		return;
	}
	want = tg_read(path, NULL);
	cr_assert_not_null(want, "golden %s is missing (run with UPDATE_GOLDEN=1 to create it)",
		path);
	for (i = 0; want[i] && text[i] && want[i] == text[i]; i++)
		if (want[i] == '\n')
			line++;
	if (want[i] != text[i]) {
		size_t s = i;
		while (s > 0 && text[s - 1] != '\n')
			s--;
		cr_assert_fail("%s differs at line %zu:\n got: %.120s\n(UPDATE_GOLDEN=1 rewrites)",
			path, line, text + s);
	}
	free(want);
}

const char *tg_path(char *buf, size_t cap, const char *dir, const char *name)
{
	snprintf(buf, cap, "%s/%s/%s", COCM_TEST_DATA, dir, name);
	return buf;
}
