/* Hostile YAML for cocm_yaml_load (what `render`/`fold` and the kubeconfig loader read):
 * nesting 10,000 deep (flow and block), invalid UTF-8, NUL bytes, binary, unterminated
 * quotes, tabs, duplicate keys, self-referencing and undefined aliases, merge keys that are not
 * maps, numbers out of range and non-JSON floats. Each is refused with "line L column C: ..."
 * or yields a defined value; none crashes or over-reads (ASan build). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "kube/yaml/yamljson.h"

static cJSON *load_exact(const char *s, size_t n, char *err, size_t cap)
{
	char *p = malloc(n ? n : 1);

	memcpy(p, s, n);
	err[0] = '\0';
	cJSON *r = cocm_yaml_load(p, n, err, cap);
	free(p);
	return r;
}

static void refused(const char *what, const char *s, size_t n, const char *want)
{
	char err[256];
	cJSON *r = load_exact(s, n, err, sizeof(err));

	cr_assert_null(r, "%s: accepted", what);
	cr_assert(strncmp(err, "line ", 5) == 0, "%s: message has no position: %s", what, err);
	if (want)
		cr_assert(strstr(err, want) != NULL, "%s: message lacks \"%s\": %s", what, want, err);
}

#define REFUSED(what, lit, want) refused(what, lit, sizeof(lit) - 1, want)

Test(yaml_badinput, nesting_ten_thousand_deep_flow_and_block)
{
	size_t depth = 10000;
	char *flow = malloc(2 * depth);
	memset(flow, '[', depth);
	memset(flow + depth, ']', depth);
	refused("flow", flow, 2 * depth, "nest");
	free(flow);

	/* Block: "- " repeated on one line makes one more level each. */
	char *block = malloc(2 * depth + 2);
	for (size_t i = 0; i < depth; i++)
		memcpy(block + 2 * i, "- ", 2);
	memcpy(block + 2 * depth, "x\n", 2);
	refused("block", block, 2 * depth + 2, "nest");
	free(block);

	/* Exactly at the cap is fine. */
	char ok[2 * COCM_YAML_MAX_DEPTH];
	memset(ok, '[', COCM_YAML_MAX_DEPTH);
	memset(ok + COCM_YAML_MAX_DEPTH, ']', COCM_YAML_MAX_DEPTH);
	char err[256];
	cJSON *r = load_exact(ok, sizeof(ok), err, sizeof(err));
	cr_assert_not_null(r, "depth %d refused: %s", COCM_YAML_MAX_DEPTH, err);
	cJSON_Delete(r);
}

Test(yaml_badinput, bytes_that_are_not_text)
{
	REFUSED("invalid utf-8", "name: caf\xc3\x28\n", NULL);
	REFUSED("lone continuation", "a: \x80\x80\n", NULL);
	REFUSED("nul", "a: b\0c: d\n", NULL);
	char bin[300];
	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (char)(i * 151 + 5);
	refused("binary", bin, sizeof(bin), NULL);
}

Test(yaml_badinput, broken_syntax_names_the_position)
{
	REFUSED("unterminated quote", "a: \"open\nb: c\n", NULL);
	REFUSED("tab indent", "a:\n\tb: c\n", NULL);
	REFUSED("bad indent", "a:\n  b: c\n d: e\n", NULL);
	REFUSED("duplicate key", "a: 1\nb: 2\na: 3\n", "duplicate key");
	REFUSED("undefined alias", "a: *nope\n", NULL);
	REFUSED("unclosed flow", "a: [1, 2\n", NULL);
}

Test(yaml_badinput, odd_values_are_defined)
{
	char err[256];
	/* A self-referencing alias cannot be built: the anchor is not defined yet inside itself. */
	cJSON *r = load_exact("a: &x [*x]\n", 11, err, sizeof(err));
	cr_assert_null(r, "recursive alias accepted");

	/* .nan / .inf are not JSON numbers: refused with the position, or kept as the string;
	 * never a NaN or infinite number (cJSON would print it as null and change the object). */
	static const char *const nonjson[] = { "a: .nan\n", "a: -.inf\n", "a: .Inf\n" };
	for (size_t i = 0; i < sizeof(nonjson) / sizeof(nonjson[0]); i++) {
		r = load_exact(nonjson[i], strlen(nonjson[i]), err, sizeof(err));
		if (!r) {
			cr_assert(strncmp(err, "line ", 5) == 0, "%s", err);
			continue;
		}
		const cJSON *a = cJSON_GetObjectItem(cJSON_GetArrayItem(r, 0), "a");
		cr_assert(cJSON_IsString(a), "%s loaded as a non-string", nonjson[i]);
		cJSON_Delete(r);
	}

	/* An integer past int64 still loads (as a float, as Kubernetes' decoder does) or is
	 * refused with a position; it never wraps around. */
	r = load_exact("a: 99999999999999999999999\n", 27, err, sizeof(err));
	if (r) {
		const cJSON *a = cJSON_GetObjectItem(cJSON_GetArrayItem(r, 0), "a");
		cr_assert(cJSON_IsNumber(a));
		cr_assert_gt(a->valuedouble, 9.9e22);
		cJSON_Delete(r);
	} else {
		cr_assert(strncmp(err, "line ", 5) == 0, "%s", err);
	}

	/* A merge key whose value is not a map. */
	r = load_exact("a: {<<: 5, b: 1}\n", 17, err, sizeof(err));
	if (r)
		cJSON_Delete(r);
	else
		cr_assert(strncmp(err, "line ", 5) == 0, "%s", err);

	/* A BOM is allowed at the start. */
	r = load_exact("\xef\xbb\xbf" "a: 1\n", 8, err, sizeof(err));
	cr_assert_not_null(r, "%s", err);
	cJSON_Delete(r);
}

Test(yaml_badinput, wide_alias_fan_out_is_bounded)
{
	/* Not deep but wide: 9 levels of 10 aliases = 10^9 nodes if expanded. */
	const char *bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
		"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
		"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
		"g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
		"i: [*h,*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
	refused("bomb", bomb, strlen(bomb), NULL);
}
