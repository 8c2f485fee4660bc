/* `choreo-ocm render`: the pure render (manifestwork/) and placement (placement/) cores on
 * files, for reviewing what the add-on would apply and for GitOps. See docs/render.md.
 *
 * Inputs (-f, repeatable): Releases/RenderedReleases, optionally their Environment,
 * (Cluster)DataPlane, (Cluster)ObservabilityPlane and PlacementDecisions. Target clusters:
 * every --cluster, plus the clusters of given PlacementDecisions that belong to the
 * Release's Placement. With a plane but no cluster, only the Placement and binding are
 * printed (and a note says so); with neither, it is a usage error. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub-addon/cli.h"
#include "hub-addon/input.h"
#include "hub-addon/output.h"
#include "kube/core/buf.h"
#include "kube/core/json.h"
#include "kube/core/xalloc.h"
#include "manifestwork/names.h"
#include "manifestwork/render.h"
#include "placement/placement.h"

#define MAX_FLAG_VALUES 1024

struct render_cli {
	const char *files[MAX_FLAG_VALUES];
	size_t nfiles;
	cJSON *clusters; /* --cluster values (strings) */
	enum cocm_output_format fmt;
	const char *outdir;
	struct cocm_placement_opts popts;
	struct cocm_input in;
	cJSON *placements; /* Placements and bindings, deduplicated */
	cJSON *works;      /* {cluster: [works]} in cluster order */
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: choreo-ocm render -f FILE [-f FILE]... [--cluster NAME]... [-o yaml|json]\n"
		"                         [--output-dir DIR] [--addon-namespace NS]\n"
		"                         [--toleration-seconds N]\n\n"
		"Prints the ManifestWorks that deliver each Release/RenderedRelease to each cluster,\n"
		"and the Placement and ManagedClusterSetBinding of its data plane when the\n"
		"Environment/DataPlane are given, as a kubectl List (-o json) or a --- stream (-o yaml).\n\n"
		"  -f, --filename FILE     YAML or JSON: objects, --- streams or Lists ('-' = stdin);\n"
		"                          Releases, Environments, (Cluster)DataPlanes,\n"
		"                          (Cluster)ObservabilityPlanes and PlacementDecisions\n"
		"  --cluster NAME          target cluster (repeatable); PlacementDecisions of the\n"
		"                          Release's Placement given with -f add their clusters\n"
		"  -o, --output FORMAT     yaml (default) or json\n"
		"  --output-dir DIR        write DIR/<cluster>/<work>.yaml and\n"
		"                          DIR/placement/<namespace>/<kind>-<name>.yaml instead\n"
		"  --addon-namespace NS    namespace of Placements for cluster-scoped planes\n"
		"                          (default " COCM_PLACEMENT_ADDON_NAMESPACE ")\n"
		"  --toleration-seconds N  how long a Placement keeps an unreachable cluster\n"
		"                          (default %d; -1 = forever)\n\n"
		"Exit status: 0 ok, 1 invalid input, 2 usage, 3 output failed.\n",
		COCM_PLACEMENT_TOLERATION_SECONDS);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "choreo-ocm render: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nRun 'choreo-ocm render --help' for usage.\n");
	return COCM_EXIT_USAGE;
}

/* --flag VALUE, --flag=VALUE, or -fVALUE for one-letter flags. */
static const char *flag_value(int argc, char **argv, int *i, const char *lng, const char *shrt)
{
	const char *a = argv[*i];
	size_t ln = strlen(lng);

	if (strcmp(a, lng) == 0 || (shrt && strcmp(a, shrt) == 0)) {
		if (*i + 1 >= argc)
			return NULL;
		return argv[++*i];
	}
	if (strncmp(a, lng, ln) == 0 && a[ln] == '=')
		return a + ln + 1;
	if (shrt && strncmp(a, shrt, 2) == 0 && a[2] != '\0')
		return a + 2 + (a[2] == '=');
	return NULL;
}

static int matches(const char *a, const char *lng, const char *shrt)
{
	size_t ln = strlen(lng);

	return strcmp(a, lng) == 0 || (shrt && strcmp(a, shrt) == 0) ||
		(strncmp(a, lng, ln) == 0 && a[ln] == '=') ||
		(shrt && strncmp(a, shrt, 2) == 0 && a[2] != '\0');
}

static int parse_args(struct render_cli *c, int argc, char **argv)
{
	int i;
	const char *v;
	char *end;
	long long n;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return -1;
		}
		if (matches(a, "--filename", "-f")) {
			if ((v = flag_value(argc, argv, &i, "--filename", "-f")) == NULL)
				return usage_error("%s needs a file name", a);
			if (c->nfiles == MAX_FLAG_VALUES)
				return usage_error("too many %s flags", "-f");
			c->files[c->nfiles++] = v;
		} else if (matches(a, "--cluster", NULL)) {
			if ((v = flag_value(argc, argv, &i, "--cluster", NULL)) == NULL)
				return usage_error("%s needs a cluster name", a);
			if (!cocm_names_is_dns_label(v))
				return usage_error("--cluster \"%s\" is not a valid cluster name "
					"(a DNS-1123 label)", v);
			if (cJSON_GetArraySize(c->clusters) >= MAX_FLAG_VALUES)
				return usage_error("too many %s flags", "--cluster");
			cJSON_AddItemToArray(c->clusters, cJSON_CreateString(v));
		} else if (matches(a, "--output-dir", NULL)) {
			if ((v = flag_value(argc, argv, &i, "--output-dir", NULL)) == NULL || !v[0])
				return usage_error("%s needs a directory", a);
			c->outdir = v;
		} else if (matches(a, "--output", "-o")) {
			if ((v = flag_value(argc, argv, &i, "--output", "-o")) == NULL)
				return usage_error("%s needs yaml or json", a);
			if (cocm_output_parse_format(v, &c->fmt) != COCM_OK)
				return usage_error("unknown output format \"%s\" (want yaml or json)", v);
		} else if (matches(a, "--addon-namespace", NULL)) {
			if ((v = flag_value(argc, argv, &i, "--addon-namespace", NULL)) == NULL ||
				!cocm_names_is_dns_label(v))
				return usage_error("%s needs a namespace name", a);
			c->popts.addon_namespace = v;
		} else if (matches(a, "--toleration-seconds", NULL)) {
			if ((v = flag_value(argc, argv, &i, "--toleration-seconds", NULL)) == NULL)
				return usage_error("%s needs a number", a);
			n = strtoll(v, &end, 10);
			if (end == v || *end != '\0' || n == 0 || n < -1 || n > 86400LL * 365)
				return usage_error("--toleration-seconds \"%s\": want -1 (forever) or "
					"1..31536000", v);
			c->popts.toleration_seconds = n;
		} else {
			return usage_error("unknown flag \"%s\"", a);
		}
	}
	if (c->nfiles == 0)
		return usage_error("%s", "no input: pass -f FILE");
	return 0;
}

/* ---- lookups over the input files ---- */

static int is_openchoreo(const cJSON *o, const char *kind)
{
	const char *av = cocm_json_str(o, "apiVersion", NULL);
	const char *k = cocm_json_str(o, "kind", NULL);

	return av && k && strncmp(av, "openchoreo.dev/", 15) == 0 && strcmp(k, kind) == 0;
}

static const cJSON *lookup(void *ctx, const char *kind, const char *ns, const char *name)
{
	const struct cocm_input *in = ctx;
	size_t i;

	for (i = 0; i < in->n; i++) {
		const cJSON *o = in->docs[i].obj;
		const char *ons = cocm_json_str(o, "metadata", "namespace", NULL);
		const char *oname = cocm_json_str(o, "metadata", "name", NULL);
		if (!is_openchoreo(o, kind) || oname == NULL || strcmp(oname, name) != 0)
			continue;
		if (strcmp(ns, ons ? ons : "") == 0 || ns[0] == '\0')
			return o;
	}
	return NULL;
}

static int is_decision(const cJSON *o)
{
	const char *av = cocm_json_str(o, "apiVersion", NULL);
	const char *k = cocm_json_str(o, "kind", NULL);

	return av && k && strncmp(av, "cluster.open-cluster-management.io/", 35) == 0 &&
		strcmp(k, "PlacementDecision") == 0;
}

/* ---- output collection ---- */

static int has_object(const cJSON *list, const cJSON *o)
{
	const cJSON *it;
	const char *k = cocm_json_str(o, "kind", NULL);
	const char *ns = cocm_json_str(o, "metadata", "namespace", NULL);
	const char *n = cocm_json_str(o, "metadata", "name", NULL);

	cJSON_ArrayForEach(it, list)
	{
		if (strcmp(cocm_json_str(it, "kind", NULL), k) == 0 &&
			strcmp(cocm_json_str(it, "metadata", "namespace", NULL), ns) == 0 &&
			strcmp(cocm_json_str(it, "metadata", "name", NULL), n) == 0)
			return 1;
	}
	return 0;
}

static void add_unique(cJSON *list, cJSON *o)
{
	if (has_object(list, o))
		cJSON_Delete(o);
	else
		cJSON_AddItemToArray(list, o);
}

static cJSON *works_of(struct render_cli *c, const char *cluster)
{
	cJSON *a = cJSON_GetObjectItemCaseSensitive(c->works, cluster);

	if (a == NULL) {
		a = cJSON_CreateArray();
		cJSON_AddItemToObject(c->works, cluster, a);
	}
	return a;
}

static int cmp_json_str(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *)a)->valuestring,
		(*(const cJSON *const *)b)->valuestring);
}

/* Sorted, de-duplicated union of two string arrays (new array). */
static cJSON *union_sorted(const cJSON *a, const cJSON *b)
{
	const cJSON *v;
	const cJSON **all;
	size_t n = 0, i;
	cJSON *out = cJSON_CreateArray();

	all = COCM_NEWN(const cJSON *, (size_t)cJSON_GetArraySize(a) + cJSON_GetArraySize(b) + 1);
	cJSON_ArrayForEach(v, a) all[n++] = v;
	cJSON_ArrayForEach(v, b) all[n++] = v;
	if (n > 0)
		qsort(all, n, sizeof(*all), cmp_json_str);
	for (i = 0; i < n; i++)
		if (i == 0 || strcmp(all[i]->valuestring, all[i - 1]->valuestring) != 0)
			cJSON_AddItemToArray(out, cJSON_CreateString(all[i]->valuestring));
	free(all);
	return out;
}

/* Finds the plane for a Release: full resolution when its Environment was given, else the
 * only plane of the right family in the input. *plane = NULL when no plane was given. */
static int pick_plane(struct render_cli *c, const struct cocm_input_doc *d, const cJSON **plane)
{
	struct cocm_placement_target t;
	char err[512], where[512];
	const char *target = cocm_json_str(d->obj, "spec", "targetPlane", NULL);
	int obs = target != NULL && strcmp(target, "observabilityplane") == 0;
	const cJSON *only = NULL;
	size_t i, nplanes = 0;
	int any_env = 0;
	enum cocm_err rc;

	*plane = NULL;
	for (i = 0; i < c->in.n; i++) {
		enum cocm_plane_kind k = cocm_placement_plane_kind(c->in.docs[i].obj);
		if (is_openchoreo(c->in.docs[i].obj, "Environment"))
			any_env = 1;
		if (k == COCM_PLANE_UNKNOWN)
			continue;
		if (obs != (k == COCM_PLANE_OBSERVABILITY || k == COCM_PLANE_CLUSTER_OBSERVABILITY))
			continue;
		nplanes++;
		only = c->in.docs[i].obj;
	}
	if (!any_env && nplanes == 0)
		return 0;
	rc = cocm_placement_resolve(d->obj, lookup, &c->in, &t, err, sizeof(err));
	if (rc == COCM_OK) {
		*plane = t.plane;
	} else if (rc == COCM_ENOTFOUND && nplanes == 1 &&
		lookup(&c->in, "Environment", cocm_json_str(d->obj, "metadata", "namespace", NULL) ?
			cocm_json_str(d->obj, "metadata", "namespace", NULL) : "",
			cocm_json_str(d->obj, "spec", "environmentName", NULL) ?
			cocm_json_str(d->obj, "spec", "environmentName", NULL) : "") == NULL) {
		*plane = only; /* no Environment given: the one plane in the input */
	} else {
		fprintf(stderr, "choreo-ocm render: %s: %s\n",
			cocm_input_where(d, where, sizeof(where)), err);
		return COCM_EXIT_INPUT;
	}
	if (!cocm_placement_opted_in(*plane))
		fprintf(stderr, "choreo-ocm render: note: %s %s has no label %s: \"true\": the "
			"add-on leaves its Releases to OpenChoreo (rendered anyway)\n",
			cocm_json_str(*plane, "kind", NULL),
			cocm_json_str(*plane, "metadata", "name", NULL), COCM_LABEL_ENABLED);
	return 0;
}

static int add_placement(struct render_cli *c, const cJSON *plane, const char *file,
	cJSON **clusters_out)
{
	cJSON *p, *b, *decisions, *dc;
	char err[512], pname[64];
	size_t i;

	if (cocm_placement_build(plane, &c->popts, &p, &b, err, sizeof(err)) != COCM_OK) {
		fprintf(stderr, "choreo-ocm render: %s: %s\n", file, err);
		return COCM_EXIT_INPUT;
	}
	add_unique(c->placements, p);
	add_unique(c->placements, b);
	decisions = cJSON_CreateArray();
	for (i = 0; i < c->in.n; i++)
		if (is_decision(c->in.docs[i].obj))
			cJSON_AddItemReferenceToArray(decisions, c->in.docs[i].obj);
	dc = cocm_placement_clusters(decisions, cocm_placement_namespace(plane, &c->popts),
		cocm_placement_name(pname, plane));
	cJSON_Delete(decisions);
	*clusters_out = dc;
	return 0;
}

static int render_release(struct render_cli *c, const struct cocm_input_doc *d)
{
	struct cocm_render_opts ro = { .allow_missing_uid = 1 };
	char err[1024], where[512];
	const cJSON *plane = NULL;
	cJSON *dclusters = NULL, *clusters, *works, *w;
	const cJSON *cl;
	enum cocm_err rc;
	int status;
	const char *uid = cocm_json_str(d->obj, "metadata", "uid", NULL);

	status = pick_plane(c, d, &plane);
	if (status != 0)
		return status;
	if (plane != NULL)
		ro.executor = cocm_placement_executor(plane); /* opt-in spec.executor */
	if (plane != NULL) {
		status = add_placement(c, plane, d->file, &dclusters);
		if (status != 0)
			return status;
	}
	clusters = union_sorted(c->clusters, dclusters);
	cJSON_Delete(dclusters);
	cocm_input_where(d, where, sizeof(where));
	if (cJSON_GetArraySize(clusters) == 0) {
		cJSON_Delete(clusters);
		if (plane == NULL) {
			fprintf(stderr, "choreo-ocm render: %s: no target cluster: pass --cluster NAME, "
				"or -f the Release's Environment/DataPlane (and its PlacementDecisions)\n",
				where);
			return COCM_EXIT_USAGE;
		}
		fprintf(stderr, "choreo-ocm render: note: %s: no cluster given (--cluster or "
			"PlacementDecisions): printing the Placement only, no ManifestWorks\n", where);
		/* still validate the Release */
		rc = cocm_render_works(d->obj, "validate-only", &ro, &works, err, sizeof(err));
		if (rc != COCM_OK) {
			fprintf(stderr, "choreo-ocm render: %s: %s\n", where, err);
			return COCM_EXIT_INPUT;
		}
		cJSON_Delete(works);
		return 0;
	}
	if (uid == NULL || uid[0] == '\0')
		fprintf(stderr, "choreo-ocm render: note: %s has no metadata.uid: the uid labels "
			"are left out (the add-on always sets them)\n", where);
	cJSON_ArrayForEach(cl, clusters)
	{
		rc = cocm_render_works(d->obj, cl->valuestring, &ro, &works, err, sizeof(err));
		if (rc != COCM_OK) {
			fprintf(stderr, "choreo-ocm render: %s: %s\n", where, err);
			cJSON_Delete(clusters);
			return COCM_EXIT_INPUT;
		}
		if (cJSON_GetArraySize(works) == 0 && cl == clusters->child)
			fprintf(stderr, "choreo-ocm render: note: %s has no resources: it renders no "
				"ManifestWork (the add-on deletes its existing works)\n", where);
		while ((w = cJSON_DetachItemFromArray(works, 0)) != NULL)
			cJSON_AddItemToArray(works_of(c, cl->valuestring), w);
		cJSON_Delete(works);
	}
	cJSON_Delete(clusters);
	return 0;
}

/* ---- output ---- */

static int write_one(struct render_cli *c, const char *dir, const char *base, const cJSON *o)
{
	char err[600];
	struct cocm_buf path;
	char *text;
	enum cocm_err rc;

	if (cocm_output_mkdirs(dir, err, sizeof(err)) != COCM_OK) {
		fprintf(stderr, "choreo-ocm render: %s\n", err);
		return COCM_EXIT_RUNTIME;
	}
	cocm_buf_init(&path, COCM_BUF_UNLIMITED);
	(void)cocm_buf_printf(&path, "%s/%s.%s", dir, base,
		c->fmt == COCM_OUTPUT_JSON ? "json" : "yaml");
	text = cocm_output_format_one(o, c->fmt);
	rc = cocm_output_write_file(cocm_buf_cstr(&path), text, err, sizeof(err));
	free(text);
	cocm_buf_finish(&path);
	if (rc != COCM_OK) {
		fprintf(stderr, "choreo-ocm render: %s\n", err);
		return COCM_EXIT_RUNTIME;
	}
	return 0;
}

static int write_tree(struct render_cli *c)
{
	struct cocm_buf dir, base;
	const cJSON *o, *cl;
	int status = 0;
	size_t files = 0;

	cocm_buf_init(&dir, COCM_BUF_UNLIMITED);
	cocm_buf_init(&base, COCM_BUF_UNLIMITED);
	cJSON_ArrayForEach(o, c->placements)
	{
		const char *kind = cocm_json_str(o, "kind", NULL);
		cocm_buf_reset(&dir);
		cocm_buf_reset(&base);
		(void)cocm_buf_printf(&dir, "%s/placement/%s", c->outdir,
			cocm_json_str(o, "metadata", "namespace", NULL));
		(void)cocm_buf_printf(&base, "%s-%s",
			strcmp(kind, "Placement") == 0 ? "placement" : "managedclustersetbinding",
			cocm_json_str(o, "metadata", "name", NULL));
		status = write_one(c, cocm_buf_cstr(&dir), cocm_buf_cstr(&base), o);
		if (status != 0)
			goto out;
		files++;
	}
	cJSON_ArrayForEach(cl, c->works)
	{
		cJSON_ArrayForEach(o, cl)
		{
			cocm_buf_reset(&dir);
			(void)cocm_buf_printf(&dir, "%s/%s", c->outdir, cl->string);
			status = write_one(c, cocm_buf_cstr(&dir),
				cocm_json_str(o, "metadata", "name", NULL), o);
			if (status != 0)
				goto out;
			files++;
		}
	}
	fprintf(stderr, "choreo-ocm render: wrote %zu files under %s\n", files, c->outdir);
out:
	cocm_buf_finish(&dir);
	cocm_buf_finish(&base);
	return status;
}

static int print_all(struct render_cli *c)
{
	cJSON *items = cJSON_CreateArray();
	const cJSON *o, *cl;
	char *text;
	int status = 0;

	cJSON_ArrayForEach(o, c->placements) cJSON_AddItemReferenceToArray(items, (cJSON *)o);
	cJSON_ArrayForEach(cl, c->works)
	{
		cJSON_ArrayForEach(o, cl) cJSON_AddItemReferenceToArray(items, (cJSON *)o);
	}
	text = cocm_output_format_list(items, c->fmt);
	if (cocm_output_write(stdout, text) != COCM_OK) {
		fprintf(stderr, "choreo-ocm render: writing standard output failed\n");
		status = COCM_EXIT_RUNTIME;
	}
	free(text);
	cJSON_Delete(items);
	return status;
}

int cocm_cmd_render(int argc, char **argv)
{
	struct render_cli c;
	char err[1024], where[512];
	size_t i, nrel = 0;
	int status;

	memset(&c, 0, sizeof(c));
	c.fmt = COCM_OUTPUT_YAML;
	c.clusters = cJSON_CreateArray();
	c.placements = cJSON_CreateArray();
	c.works = cJSON_CreateObject();
	cocm_input_init(&c.in);
	status = parse_args(&c, argc, argv);
	if (status != 0) {
		status = status < 0 ? COCM_EXIT_OK : status;
		goto out;
	}
	for (i = 0; i < c.nfiles; i++) {
		if (cocm_input_add_file(&c.in, c.files[i], err, sizeof(err)) != COCM_OK) {
			fprintf(stderr, "choreo-ocm render: %s\n", err);
			status = COCM_EXIT_INPUT;
			goto out;
		}
	}
	for (i = 0; i < c.in.n; i++) {
		const cJSON *o = c.in.docs[i].obj;
		if (cocm_render_release_kind(o) != COCM_RELEASE_UNKNOWN) {
			nrel++;
			continue;
		}
		if (is_openchoreo(o, "Environment") || is_decision(o) ||
			cocm_placement_plane_kind(o) != COCM_PLANE_UNKNOWN)
			continue;
		fprintf(stderr, "choreo-ocm render: %s: not a Release, RenderedRelease, "
			"Environment, (Cluster)DataPlane, (Cluster)ObservabilityPlane or "
			"PlacementDecision\n", cocm_input_where(&c.in.docs[i], where, sizeof(where)));
		status = COCM_EXIT_INPUT;
		goto out;
	}
	if (nrel == 0) {
		fprintf(stderr, "choreo-ocm render: no Release or RenderedRelease in the input\n");
		status = COCM_EXIT_INPUT;
		goto out;
	}
	for (i = 0; i < c.in.n; i++) {
		if (cocm_render_release_kind(c.in.docs[i].obj) == COCM_RELEASE_UNKNOWN)
			continue;
		status = render_release(&c, &c.in.docs[i]);
		if (status != 0)
			goto out;
	}
	status = c.outdir ? write_tree(&c) : print_all(&c);
out:
	cocm_input_finish(&c.in);
	cJSON_Delete(c.clusters);
	cJSON_Delete(c.placements);
	cJSON_Delete(c.works);
	return status;
}
