/* hub-addon/input.c and output.c: reading object files, printing Lists and streams. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "hub-addon/input.h"
#include "hub-addon/output.h"
#include "kube/core/json.h"
#include "kube/core/xalloc.h"

static void setup(void)
{
	cocm_xalloc_init();
}

TestSuite(io, .init = setup);

Test(io, streams_lists_and_json)
{
	struct cocm_input in;
	char err[256], where[256];
	const char *y = "---\nkind: A\nmetadata: {name: a, namespace: n}\n---\n---\n"
			"apiVersion: v1\nkind: List\nitems:\n- kind: B\n  metadata: {name: b}\n"
			"- kind: C\n";

	cocm_input_init(&in);
	cr_assert_eq(cocm_input_add_mem(&in, "x.yaml", y, strlen(y), err, sizeof(err)), COCM_OK,
		"%s", err);
	cr_assert_eq(cocm_input_add_mem(&in, "y.json", "{\"kind\":\"D\"}", 12, err, sizeof(err)),
		COCM_OK);
	cr_assert_eq(in.n, 4);
	cr_assert_str_eq(cocm_json_str(in.docs[1].obj, "kind", NULL), "B");
	cr_assert_str_eq(cocm_input_where(&in.docs[0], where, sizeof(where)),
		"x.yaml document 1 (A n/a)");
	cr_assert_str_eq(cocm_input_where(&in.docs[2], where, sizeof(where)),
		"x.yaml document 2 item 1 (C <no name>)");
	cr_assert_str_eq(cocm_input_where(&in.docs[3], where, sizeof(where)),
		"y.json document 1 (D <no name>)");
	cocm_input_finish(&in);
	cocm_input_finish(&in);
}

Test(io, errors_name_the_file_and_add_nothing)
{
	struct cocm_input in;
	char err[256];
	const char *scalar = "kind: A\n---\n42\n";
	const char *badlist = "kind: List\nitems: [1]\n";

	cocm_input_init(&in);
	cr_assert_eq(cocm_input_add_mem(&in, "s.yaml", scalar, strlen(scalar), err, sizeof(err)),
		COCM_EINVAL);
	cr_assert_str_eq(err, "s.yaml: document 2: not an object");
	cr_assert_eq(in.n, 0);
	cr_assert_eq(cocm_input_add_mem(&in, "l.yaml", badlist, strlen(badlist), err, sizeof(err)),
		COCM_EINVAL);
	cr_assert(strstr(err, "items[0] is not an object") != NULL, "%s", err);
	cr_assert_eq(cocm_input_add_mem(&in, "p.yaml", "a: [", 4, err, sizeof(err)), COCM_EPARSE);
	cr_assert_eq(strncmp(err, "p.yaml: line", 12), 0, "%s", err);
	cr_assert_eq(cocm_input_add_file(&in, "/nonexistent/f.yaml", err, sizeof(err)), COCM_EIO);
	cr_assert(strstr(err, "/nonexistent/f.yaml") != NULL);
	cr_assert_eq(in.n, 0);
	cocm_input_finish(&in);
}

Test(io, list_and_stream_formats)
{
	cJSON *items = cJSON_Parse("[{\"kind\":\"A\",\"num\":1,\"e\":{},\"l\":[]},{\"kind\":\"B\"}]");
	cJSON *empty = cJSON_CreateArray();
	enum cocm_output_format f;
	char *s;

	s = cocm_output_format_list(items, COCM_OUTPUT_JSON);
	cr_assert_str_eq(s, "{\n    \"apiVersion\": \"v1\",\n    \"kind\": \"List\",\n"
			    "    \"metadata\": {},\n    \"items\": [\n        {\n"
			    "            \"kind\": \"A\",\n            \"num\": 1,\n"
			    "            \"e\": {},\n            \"l\": []\n        },\n"
			    "        {\n            \"kind\": \"B\"\n        }\n    ]\n}\n");
	free(s);
	s = cocm_output_format_list(items, COCM_OUTPUT_YAML);
	cr_assert_str_eq(s, "---\nkind: A\nnum: 1\ne: {}\nl: []\n---\nkind: B\n");
	free(s);
	s = cocm_output_format_list(empty, COCM_OUTPUT_YAML);
	cr_assert_str_eq(s, "");
	free(s);
	/* the caller's array is untouched */
	cr_assert_eq(cJSON_GetArraySize(items), 2);
	cr_assert_eq(cocm_output_parse_format("json", &f), COCM_OK);
	cr_assert_eq(f, COCM_OUTPUT_JSON);
	cr_assert_eq(cocm_output_parse_format("YAML", &f), COCM_EINVAL);
	cJSON_Delete(items);
	cJSON_Delete(empty);
}

Test(io, files_and_directories)
{
	char dir[] = "/tmp/cocm-io-XXXXXX";
	char path[256], err[256], cmd[300];
	FILE *f;
	char buf[64] = "";

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	cr_assert_eq(cocm_output_mkdirs(path, err, sizeof(err)), COCM_OK, "%s", err);
	cr_assert_eq(cocm_output_mkdirs(path, err, sizeof(err)), COCM_OK);
	snprintf(path, sizeof(path), "%s/a/b/c/x.yaml", dir);
	cr_assert_eq(cocm_output_write_file(path, "hello\n", err, sizeof(err)), COCM_OK);
	f = fopen(path, "r");
	cr_assert_not_null(f);
	cr_assert_not_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	cr_assert_str_eq(buf, "hello\n");
	/* a file in the way of a directory */
	snprintf(path, sizeof(path), "%s/a/b/c/x.yaml/d", dir);
	cr_assert_eq(cocm_output_mkdirs(path, err, sizeof(err)), COCM_EIO);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}
