/* `choreo-ocm fold`: the status fold (status-sync/fold.h) on files.
 *
 *   choreo-ocm fold -f release.yaml -w work.yaml [-w work2.yaml]... [--expect-cluster NAME]...
 *                   [-o yaml|json] [--now RFC3339]
 *
 * Prints the Release with its folded `status` (one object: YAML document or indented JSON).
 * -f takes exactly one Release/RenderedRelease; -w files hold ManifestWorks (a `---` stream or
 * a List, as `kubectl get manifestwork -A -o yaml` prints). The Scheduled condition is kept as
 * stored (the CLI does not resolve Placements). Exit codes as cli.h: 0 ok, 1 invalid input,
 * 2 usage, 3 output failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hub-addon/cli.h"
#include "hub-addon/input.h"
#include "hub-addon/output.h"
#include "kube/core/json.h"
#include "kube/core/xalloc.h"
#include "manifestwork/render.h"
#include "status-sync/fold.h"

#define MAX_ARGS 4096 /* -w / --expect-cluster occurrences */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: choreo-ocm fold -f RELEASE_FILE [-w WORKS_FILE]... [--expect-cluster NAME]...\n"
		"                       [-o yaml|json] [--now RFC3339]\n\n"
		"Folds ManifestWork status into the Release's status, as the daemon does, and prints\n"
		"the Release with the new status.\n\n"
		"  -f, --filename FILE     the Release or RenderedRelease (YAML or JSON; - = stdin)\n"
		"  -w, --works FILE        ManifestWorks delivering it (repeatable; stream or List)\n"
		"      --expect-cluster N  a cluster that should have the Release (repeatable); one\n"
		"                          without a ManifestWork counts as not yet applied\n"
		"  -o, --output FORMAT     yaml (default) or json\n"
		"      --now TIME          the time written into changed timestamps, like\n"
		"                          2026-01-02T03:04:05Z (default: the current time)\n");
}

/* Matches `-x V`, `--long V`, `--long=V`; *i advances past the value. 1 = matched. */
static int opt(int argc, char **argv, int *i, const char *s, const char *l, const char **val,
	int *bad)
{
	const char *a = argv[*i];
	size_t ll = l ? strlen(l) : 0;

	if (l != NULL && strncmp(a, l, ll) == 0 && a[ll] == '=') {
		*val = a + ll + 1;
		return 1;
	}
	if ((s != NULL && strcmp(a, s) == 0) || (l != NULL && strcmp(a, l) == 0)) {
		if (*i + 1 >= argc) {
			fprintf(stderr, "choreo-ocm fold: %s needs a value\n", a);
			*bad = 1;
			return 1;
		}
		*val = argv[++*i];
		return 1;
	}
	return 0;
}

struct args {
	const char *release;
	const char **works;
	size_t nworks;
	const char **clusters;
	size_t nclusters;
	const char *output;
	const char *now;
};

static int push(const char ***list, size_t *n, const char *v)
{
	if (*n >= MAX_ARGS) {
		fprintf(stderr, "choreo-ocm fold: too many -w/--expect-cluster flags (max %d)\n",
			MAX_ARGS);
		return -1;
	}
	*list = cocm_xrealloc(*list, (*n + 1) * sizeof(**list));
	(*list)[(*n)++] = v;
	return 0;
}

/* 0 ok, else an exit code. */
static int parse_args(struct args *a, int argc, char **argv)
{
	int i, bad = 0;

	for (i = 1; i < argc; i++) {
		const char *v = NULL;

		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return -1;
		}
		if (opt(argc, argv, &i, "-f", "--filename", &v, &bad)) {
			if (!bad && a->release != NULL) {
				fprintf(stderr, "choreo-ocm fold: -f given twice\n");
				bad = 1;
			}
			a->release = v;
		} else if (opt(argc, argv, &i, "-w", "--works", &v, &bad)) {
			if (!bad && push(&a->works, &a->nworks, v) != 0)
				bad = 1;
		} else if (opt(argc, argv, &i, NULL, "--expect-cluster", &v, &bad)) {
			if (!bad && (v == NULL || *v == '\0')) {
				fprintf(stderr, "choreo-ocm fold: --expect-cluster needs a name\n");
				bad = 1;
			}
			if (!bad && push(&a->clusters, &a->nclusters, v) != 0)
				bad = 1;
		} else if (opt(argc, argv, &i, "-o", "--output", &v, &bad)) {
			a->output = v;
		} else if (opt(argc, argv, &i, NULL, "--now", &v, &bad)) {
			a->now = v;
		} else {
			fprintf(stderr, "choreo-ocm fold: unknown argument \"%s\"\n", argv[i]);
			bad = 1;
		}
		if (bad)
			break;
	}
	if (!bad && a->release == NULL) {
		fprintf(stderr, "choreo-ocm fold: -f RELEASE_FILE is required\n");
		bad = 1;
	}
	if (bad) {
		usage(stderr);
		return COCM_EXIT_USAGE;
	}
	return 0;
}

static int is_work(const cJSON *o)
{
	const char *av = cocm_json_str(o, "apiVersion", NULL);
	const char *kind = cocm_json_str(o, "kind", NULL);

	return av != NULL && kind != NULL && strcmp(kind, "ManifestWork") == 0 &&
		strncmp(av, "work.open-cluster-management.io/", 32) == 0;
}

int cocm_cmd_fold(int argc, char **argv)
{
	struct args a = { .output = "yaml" };
	struct cocm_input rin, win;
	struct cocm_fold_in in = { .sched = COCM_SCHED_KEEP };
	struct cocm_fold_summary sum;
	enum cocm_output_format fmt;
	const cJSON **works = NULL;
	const cJSON *release = NULL;
	char err[512], where[512], nowbuf[32];
	cJSON *status = NULL, *out = NULL;
	char *text = NULL;
	int rc;
	size_t i;

	cocm_input_init(&rin);
	cocm_input_init(&win);
	rc = parse_args(&a, argc, argv);
	if (rc != 0) {
		rc = rc < 0 ? COCM_EXIT_OK : rc;
		goto out;
	}
	rc = COCM_EXIT_USAGE;
	if (cocm_output_parse_format(a.output, &fmt) != COCM_OK) {
		fprintf(stderr, "choreo-ocm fold: -o must be yaml or json, not \"%s\"\n", a.output);
		goto out;
	}
	if (a.now != NULL && !cocm_fold_valid_time(a.now)) {
		fprintf(stderr, "choreo-ocm fold: --now must look like 2026-01-02T03:04:05Z\n");
		goto out;
	}
	if (a.now == NULL) {
		time_t t = time(NULL);
		struct tm tm;

		if (gmtime_r(&t, &tm) == NULL ||
			strftime(nowbuf, sizeof(nowbuf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
			fprintf(stderr, "choreo-ocm fold: cannot read the clock\n");
			rc = COCM_EXIT_RUNTIME;
			goto out;
		}
		a.now = nowbuf;
	}
	rc = COCM_EXIT_INPUT;
	if (cocm_input_add_file(&rin, a.release, err, sizeof(err)) != COCM_OK) {
		fprintf(stderr, "choreo-ocm fold: %s\n", err);
		goto out;
	}
	for (i = 0; i < rin.n; i++) {
		if (cocm_render_release_kind(rin.docs[i].obj) == COCM_RELEASE_UNKNOWN) {
			fprintf(stderr, "choreo-ocm fold: %s: not a Release or RenderedRelease\n",
				cocm_input_where(&rin.docs[i], where, sizeof(where)));
			goto out;
		}
	}
	if (rin.n != 1) {
		fprintf(stderr, "choreo-ocm fold: %s must hold exactly one Release (found %zu)\n",
			a.release, rin.n);
		goto out;
	}
	release = rin.docs[0].obj;
	for (i = 0; i < a.nworks; i++) {
		if (cocm_input_add_file(&win, a.works[i], err, sizeof(err)) != COCM_OK) {
			fprintf(stderr, "choreo-ocm fold: %s\n", err);
			goto out;
		}
	}
	works = COCM_NEWN(const cJSON *, win.n ? win.n : 1);
	for (i = 0; i < win.n; i++) {
		if (!is_work(win.docs[i].obj)) {
			fprintf(stderr, "choreo-ocm fold: %s: not a ManifestWork\n",
				cocm_input_where(&win.docs[i], where, sizeof(where)));
			goto out;
		}
		works[i] = win.docs[i].obj;
	}
	in.release = release;
	in.works = works;
	in.nworks = win.n;
	in.clusters = a.clusters;
	in.nclusters = a.nclusters;
	in.now = a.now;
	if (cocm_fold(&in, &status, &sum, err, sizeof(err)) != COCM_OK) {
		fprintf(stderr, "choreo-ocm fold: %s: %s\n", a.release, err);
		goto out;
	}
	out = cJSON_Duplicate(release, 1);
	cocm_json_set(out, "status", status);
	status = NULL;
	text = cocm_output_format_one(out, fmt);
	rc = cocm_output_write(stdout, text) == COCM_OK ? COCM_EXIT_OK : COCM_EXIT_RUNTIME;
	if (rc != COCM_EXIT_OK)
		fprintf(stderr, "choreo-ocm fold: cannot write the output\n");
out:
	free(text);
	cJSON_Delete(out);
	cJSON_Delete(status);
	free(works);
	free(a.works);
	free(a.clusters);
	cocm_input_finish(&win);
	cocm_input_finish(&rin);
	return rc;
}
