#include <criterion/criterion.h>
#include <string.h>

#include "kube/core/json.h"
#include "kube/yaml/yamljson.h"

static cJSON *load(const char *s)
{
	char err[200];
	cJSON *d = cocm_yaml_load(s, strlen(s), err, sizeof(err));

	cr_assert_not_null(d, "load failed: %s", err);
	return d;
}

Test(yaml, scalars_resolve_like_kubernetes)
{
	cJSON *d = load("a: 1\nb: true\nc: ~\nd: \"1\"\ne: 1.5\nf: hello\ng: '0x10'\nh: 0x10\n");
	const cJSON *o = cJSON_GetArrayItem(d, 0);

	cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(o, "a")));
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(o, "b")));
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "c")));
	cr_assert_str_eq(cocm_json_str(o, "d", NULL), "1");
	cr_assert_float_eq(cJSON_GetObjectItem(o, "e")->valuedouble, 1.5, 1e-9);
	cr_assert_str_eq(cocm_json_str(o, "f", NULL), "hello");
	cr_assert_str_eq(cocm_json_str(o, "g", NULL), "0x10");
	cr_assert_eq(cJSON_GetObjectItem(o, "h")->valueint, 16);
	cJSON_Delete(d);
}

Test(yaml, multi_document_stream_skips_empty)
{
	cJSON *d = load("---\nkind: A\n---\n---\nkind: B\n");

	cr_assert_eq(cJSON_GetArraySize(d), 2);
	cr_assert_str_eq(cocm_json_str(cJSON_GetArrayItem(d, 1), "kind", NULL), "B");
	cJSON_Delete(d);
}

Test(yaml, json_input_is_accepted)
{
	cJSON *d = load("{\"a\": [1, \"x\", {\"b\": null}]}");

	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetArrayItem(d, 0), "a")), 3);
	cJSON_Delete(d);
}

Test(yaml, errors_name_line_and_column)
{
	char err[200];

	cr_assert_null(cocm_yaml_load("a: [1, 2\nb: 3\n", 14, err, sizeof(err)));
	cr_assert(strstr(err, "line ") != NULL, "got: %s", err);
	cr_assert_null(cocm_yaml_load("a: 1\na: 2\n", 10, err, sizeof(err)));
	cr_assert(strstr(err, "duplicate key") != NULL, "got: %s", err);
}

Test(yaml, alias_bomb_is_refused)
{
	const char *bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\n"
			   "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
			   "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
			   "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
			   "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
			   "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
			   "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n";
	char err[200];

	cr_assert_null(cocm_yaml_load(bomb, strlen(bomb), err, sizeof(err)));
	cr_assert(strstr(err, "budget") != NULL, "got: %s", err);
}

Test(yaml, dump_round_trips_types)
{
	const char *src = "{\"s\":\"true\",\"n\":\"123\",\"e\":\"\",\"i\":7,\"b\":false,\"z\":null,"
			  "\"l\":[\"a\",{\"k\":\"v: w\"}],\"y\":\"yes\",\"m\":\"line1\\nline2\"}";
	cJSON *in = cJSON_Parse(src);
	char *y = cocm_yaml_dump(in);
	char err[200];
	cJSON *back = cocm_yaml_load(y, strlen(y), err, sizeof(err));

	cr_assert_not_null(back, "reload failed: %s\n%s", err, y);
	cr_assert(cJSON_Compare(in, cJSON_GetArrayItem(back, 0), 1), "round trip differs:\n%s", y);
	free(y);
	cJSON_Delete(in);
	cJSON_Delete(back);
}
