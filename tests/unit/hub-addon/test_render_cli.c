/* `choreo-ocm render` end to end through the real binary: goldens for YAML and JSON output,
 * Placement + decisions, the GitOps tree, exit codes and messages for bad input and usage. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kube/core/json.h"
#include "kube/yaml/yamljson.h"
#include "support/golden.h"

#define BIN COCM_BINARY_DIR "/hub-addon/choreo-ocm"
#define DATA COCM_TEST_DATA "/hub-addon/render"

struct run {
	int rc;
	char *out;
	char *err;
};

static char tmpdir[256];

static void mktmp(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/cocm-render-cli-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
}

static void rmtmp(void)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	cr_assert_eq(system(cmd), 0);
}

/* Runs `choreo-ocm render <args>` in the data directory. */
static struct run render(const char *args)
{
	char cmd[4096], o[512], e[512];
	struct run r;
	int st;

	snprintf(o, sizeof(o), "%s/stdout", tmpdir);
	snprintf(e, sizeof(e), "%s/stderr", tmpdir);
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' render %s >'%s' 2>'%s'", DATA, BIN, args, o, e);
	st = system(cmd);
	cr_assert(WIFEXITED(st), "render did not exit normally");
	r.rc = WEXITSTATUS(st);
	r.out = tg_read(o, NULL);
	r.err = tg_read(e, NULL);
	cr_assert_not_null(r.out);
	cr_assert_not_null(r.err);
	return r;
}

static void done(struct run *r)
{
	free(r->out);
	free(r->err);
}

static void golden(const char *name, const char *text)
{
	char p[512];

	tg_golden(tg_path(p, sizeof(p), "hub-addon/render", name), text);
}

TestSuite(render_cli, .init = mktmp, .fini = rmtmp);

Test(render_cli, yaml_for_clusters_sorted)
{
	struct run r = render("-f release.yaml --cluster c1 --cluster c0 --cluster c1");

	cr_assert_eq(r.rc, 0, "stderr: %s", r.err);
	cr_assert_str_eq(r.err, "");
	cr_assert_eq(strncmp(r.out, "---\n", 4), 0);
	/* c0's work comes first, each cluster once */
	cr_assert(strstr(r.out, "namespace: c0") < strstr(r.out, "namespace: c1"));
	golden("clusters.golden.yaml", r.out);
	done(&r);
}

Test(render_cli, json_list_with_placement_and_decisions)
{
	struct run r = render("-f release.yaml -f environment.yaml -f dataplane.yaml "
			      "-f decisions.yaml -o json");
	cJSON *list, *kinds = cJSON_CreateArray();
	const cJSON *it;
	char *k;

	cr_assert_eq(r.rc, 0, "stderr: %s", r.err);
	list = cJSON_Parse(r.out);
	cr_assert_not_null(list);
	cr_assert_str_eq(cocm_json_str(list, "kind", NULL), "List");
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(list, "items"))
	{
		char s[300];
		snprintf(s, sizeof(s), "%s %s/%s", cocm_json_str(it, "kind", NULL),
			cocm_json_str(it, "metadata", "namespace", NULL),
			cocm_json_str(it, "metadata", "name", NULL));
		cJSON_AddItemToArray(kinds, cJSON_CreateString(s));
	}
	k = cocm_json_print(kinds);
	/* the clusters of the Placement's decisions, sorted and de-duplicated */
	cr_assert_str_eq(k, "[\"Placement default/choreo-dp-prod\","
			    "\"ManagedClusterSetBinding default/production\","
			    "\"ManifestWork prod-eu-1/default-checkout-development\","
			    "\"ManifestWork prod-eu-2/default-checkout-development\","
			    "\"ManifestWork prod-eu-3/default-checkout-development\"]");
	golden("placement.golden.json", r.out);
	free(k);
	cJSON_Delete(kinds);
	cJSON_Delete(list);
	done(&r);
}

Test(render_cli, yaml_and_json_carry_the_same_objects)
{
	struct run y = render("-f release.yaml -f list.json --cluster c1");
	struct run j = render("-f release.yaml -f list.json --cluster c1 -o json");
	char err[256];
	cJSON *docs = cocm_yaml_load(y.out, strlen(y.out), err, sizeof(err));
	cJSON *list = cJSON_Parse(j.out);

	cr_assert_eq(y.rc, 0);
	cr_assert_eq(j.rc, 0);
	cr_assert_not_null(docs, "%s", err);
	cr_assert_eq(cJSON_GetArraySize(docs), 2);
	cr_assert(cJSON_Compare(docs, cJSON_GetObjectItem(list, "items"), 1));
	cJSON_Delete(docs);
	cJSON_Delete(list);
	done(&y);
	done(&j);
}

Test(render_cli, plane_without_cluster_prints_placement_only)
{
	struct run r = render("-f release.yaml -f dataplane.yaml");

	cr_assert_eq(r.rc, 0, "stderr: %s", r.err);
	cr_assert(strstr(r.err, "no cluster given") != NULL, "%s", r.err);
	cr_assert(strstr(r.out, "kind: Placement") != NULL);
	cr_assert(strstr(r.out, "kind: ManifestWork") == NULL);
	golden("placement-only.golden.yaml", r.out);
	done(&r);
}

Test(render_cli, output_dir_writes_a_gitops_tree)
{
	char dir[400], args[600], path[600];
	struct run r, one;
	struct stat st;
	char *file;

	snprintf(dir, sizeof(dir), "%s/tree", tmpdir);
	snprintf(args, sizeof(args), "-f release.yaml -f dataplane.yaml --cluster c1 "
				     "--cluster c2 --output-dir '%s'", dir);
	r = render(args);
	cr_assert_eq(r.rc, 0, "stderr: %s", r.err);
	cr_assert_str_eq(r.out, "");
	cr_assert(strstr(r.err, "wrote 4 files") != NULL, "%s", r.err);
	snprintf(path, sizeof(path), "%s/placement/default/placement-choreo-dp-prod.yaml", dir);
	cr_assert_eq(stat(path, &st), 0, "%s missing", path);
	snprintf(path, sizeof(path), "%s/placement/default/managedclustersetbinding-production.yaml",
		dir);
	cr_assert_eq(stat(path, &st), 0, "%s missing", path);
	snprintf(path, sizeof(path), "%s/c2/default-checkout-development.yaml", dir);
	file = tg_read(path, NULL);
	cr_assert_not_null(file, "%s missing", path);
	/* the file is the same document the stream prints, without the --- line */
	one = render("-f release.yaml --cluster c2");
	cr_assert_str_eq(file, one.out + 4);
	free(file);
	done(&one);
	done(&r);
}

Test(render_cli, stdin_and_lists)
{
	struct run r = render("-f - --cluster c1 < list.json");

	cr_assert_eq(r.rc, 0, "stderr: %s", r.err);
	cr_assert(strstr(r.out, "ocm.openchoreo.dev/release-kind: RenderedRelease") != NULL);
	cr_assert(strstr(r.out, "openchoreo.dev/rendered-release-uid") != NULL);
	done(&r);
}

struct bad {
	const char *args;
	int rc;
	const char *msg;
};

static const struct bad bads[] = {
	{ "", 2, "no input: pass -f FILE" },
	{ "-f release.yaml --cluster c1 --bogus", 2, "unknown flag \"--bogus\"" },
	{ "-f release.yaml --cluster c1 -o xml", 2, "unknown output format \"xml\"" },
	{ "-f release.yaml --cluster Bad_Name", 2, "not a valid cluster name" },
	{ "-f release.yaml --cluster c1 --toleration-seconds x", 2, "--toleration-seconds" },
	{ "-f release.yaml", 2, "no target cluster: pass --cluster NAME" },
	{ "-f missing.yaml --cluster c1", 1, "missing.yaml: No such file or directory" },
	{ "-f broken.yaml --cluster c1", 1, "broken.yaml: line " },
	{ "-f duplicate-id.yaml --cluster c1", 1,
		"duplicate-id.yaml document 1 (Release default/checkout-development): resource "
		"\"httproute-checkout-development-5d2c8b1a-external\" (spec.resources[3]): "
		"duplicate id (also spec.resources[2])" },
	{ "-f release.yaml -f stray.yaml --cluster c1", 1,
		"stray.yaml document 1 (ConfigMap default/stray): not a Release" },
	{ "-f environment.yaml --cluster c1", 1, "no Release or RenderedRelease" },
	{ "-f release.yaml -f environment.yaml --cluster c1", 1,
		"DataPlane default/prod not found" },
};

Test(render_cli, bad_input_and_usage_exit_codes)
{
	size_t i;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		struct run r = render(bads[i].args);
		cr_assert_eq(r.rc, bads[i].rc, "`%s`: exit %d, want %d (%s)", bads[i].args, r.rc,
			bads[i].rc, r.err);
		cr_assert(strstr(r.err, bads[i].msg) != NULL, "`%s`: stderr \"%s\" lacks \"%s\"",
			bads[i].args, r.err, bads[i].msg);
		cr_assert_str_eq(r.out, "", "`%s` printed to stdout", bads[i].args);
		done(&r);
	}
}

Test(render_cli, help_and_dispatch)
{
	struct run r = render("--help");

	cr_assert_eq(r.rc, 0);
	cr_assert(strstr(r.out, "usage: choreo-ocm render") != NULL);
	done(&r);
}
