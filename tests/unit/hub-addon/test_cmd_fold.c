/* `choreo-ocm fold` on files: output, flags, exit codes. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub-addon/cli.h"
#include "kube/core/json.h"
#include "kube/core/xalloc.h"

#define DIR COCM_TEST_DATA "/status-sync/cli/"
#define NOW "2026-08-01T10:00:00Z"

static int run(int argc, const char **argv)
{
	return cocm_cmd_fold(argc, (char **)argv);
}

static char *slurp_stdout(void)
{
	FILE *f = cr_get_redirected_stdout();
	size_t cap = 1 << 20, n;
	char *buf = cocm_xmalloc(cap);

	fflush(stdout);
	n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
	return buf;
}

TestSuite(cmd_fold, .init = cr_redirect_stdout);

Test(cmd_fold, json_output_has_folded_status)
{
	const char *argv[] = { "fold", "-f", DIR "release.yaml", "-w", DIR "works.yaml",
		"--expect-cluster", "dp-east", "--expect-cluster=dp-west", "-o", "json", "--now", NOW };
	char *out;
	cJSON *o;
	const cJSON *c, *applied = NULL;

	cr_assert_eq(run(12, argv), COCM_EXIT_OK);
	out = slurp_stdout();
	o = cocm_json_parse(out, strlen(out), NULL, 0);
	cr_assert_not_null(o, "not JSON: %s", out);
	cr_assert_str_eq(cocm_json_str(o, "kind", NULL), "RenderedRelease");
	cr_assert_str_eq(cocm_json_str(cJSON_GetArrayItem(cocm_json_get(o, "status", "resources",
						      NULL), 0), "healthStatus", NULL), "Degraded");
	cJSON_ArrayForEach(c, cocm_json_get(o, "status", "conditions", NULL))
		if (strcmp(cocm_json_str(c, "type", NULL), "ResourcesApplied") == 0)
			applied = c;
	cr_assert_not_null(applied);
	cr_assert_str_eq(cocm_json_str(applied, "reason", NULL), "ApplyFailed");
	cr_assert_str_eq(cocm_json_str(applied, "lastTransitionTime", NULL), NOW);
	cr_assert(strstr(cocm_json_str(applied, "message", NULL), "cluster dp-west resource "
							       "deployment-web") != NULL);
	cJSON_Delete(o);
	free(out);
}

Test(cmd_fold, yaml_is_the_default)
{
	const char *argv[] = { "fold", "-f", DIR "release.yaml", "-w", DIR "works.yaml", "--now",
		NOW };
	char *out;

	cr_assert_eq(run(7, argv), COCM_EXIT_OK);
	out = slurp_stdout();
	cr_assert(strstr(out, "healthStatus: Degraded") != NULL, "%s", out);
	cr_assert(strstr(out, "reason: ApplyFailed") != NULL);
	free(out);
}

Test(cmd_fold, usage_errors_exit_2)
{
	const char *nof[] = { "fold", "-w", DIR "works.yaml" };
	const char *badfmt[] = { "fold", "-f", DIR "release.yaml", "-o", "xml" };
	const char *badnow[] = { "fold", "-f", DIR "release.yaml", "--now", "yesterday" };
	const char *unknown[] = { "fold", "-f", DIR "release.yaml", "--frobnicate" };
	const char *noval[] = { "fold", "-f" };

	cr_assert_eq(run(3, nof), COCM_EXIT_USAGE);
	cr_assert_eq(run(5, badfmt), COCM_EXIT_USAGE);
	cr_assert_eq(run(5, badnow), COCM_EXIT_USAGE);
	cr_assert_eq(run(4, unknown), COCM_EXIT_USAGE);
	cr_assert_eq(run(2, noval), COCM_EXIT_USAGE);
}

Test(cmd_fold, bad_input_exits_1)
{
	const char *missing[] = { "fold", "-f", DIR "no-such-file.yaml" };
	const char *notrel[] = { "fold", "-f", DIR "works.yaml" };
	const char *notwork[] = { "fold", "-f", DIR "release.yaml", "-w", DIR "release.yaml" };

	cr_assert_eq(run(3, missing), COCM_EXIT_INPUT);
	cr_assert_eq(run(3, notrel), COCM_EXIT_INPUT);
	cr_assert_eq(run(5, notwork), COCM_EXIT_INPUT);
}
