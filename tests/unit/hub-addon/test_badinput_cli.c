/* Bad input through the real `choreo-ocm render` / `fold` binary and the input reader:
 * malformed Releases (non-object resources, missing kind, unknown kinds, duplicate ids, names
 * too long, a 2 MiB Release, invalid UTF-8, JSON nested 10,000 deep, an alias bomb, a file
 * over the size cap). Each must end with ONE clear message naming the file and the problem,
 * a non-zero exit, nothing on stdout, and no crash (exit by signal fails the test). */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hub-addon/input.h"
#include "kube/core/buf.h"
#include "support/golden.h"

#define BIN COCM_BINARY_DIR "/hub-addon/choreo-ocm"

static char dir[256];

static void mktmp(void)
{
	snprintf(dir, sizeof(dir), "/tmp/cocm-badinput-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void rmtmp(void)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(badinput_cli, .init = mktmp, .fini = rmtmp, .timeout = 120);

static void put(const char *name, const char *data, size_t len)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

struct run {
	int rc;
	char *out, *err;
};

/* Runs `choreo-ocm <args>` in dir; fails the test if it died from a signal. */
static struct run cli(const char *args)
{
	char cmd[2048], o[512], e[512];
	struct run r;
	int st;

	snprintf(o, sizeof(o), "%s/stdout", dir);
	snprintf(e, sizeof(e), "%s/stderr", dir);
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' %s >'%s' 2>'%s'", dir, BIN, args, o, e);
	st = system(cmd);
	cr_assert(WIFEXITED(st), "`%s` did not exit normally (signal?)", args);
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

/* A Release with the given resources JSON (a list). */
static char *release(const char *name, const char *resources)
{
	struct cocm_buf b;

	cocm_buf_init(&b, 64u << 20);
	cr_assert_eq(cocm_buf_printf(&b, "{\"apiVersion\":\"openchoreo.dev/v1alpha1\",\"kind\":\"Release\","
		"\"metadata\":{\"name\":\"%s\",\"namespace\":\"team\",\"uid\":\"u-1\"},"
		"\"spec\":{\"environmentName\":\"dev\",\"resources\":%s}}\n", name, resources), COCM_OK);
	return cocm_buf_steal(&b);
}

static void expect_refused(const char *file, const char *data, size_t len, const char *want)
{
	char args[600];

	put(file, data, len);
	snprintf(args, sizeof(args), "render -f %s --cluster dp-east", file);
	struct run r = cli(args);
	cr_assert_eq(r.rc, 1, "%s: exit %d, want 1 (%s)", file, r.rc, r.err);
	cr_assert_str_eq(r.out, "", "%s: something printed on stdout", file);
	cr_assert(strstr(r.err, file) != NULL, "%s: message does not name the file: %s", file, r.err);
	cr_assert(strstr(r.err, want) != NULL, "%s: message lacks \"%s\": %s", file, want, r.err);
	/* One clear error: a single line that is not a note. */
	size_t lines = 0;
	for (const char *p = r.err; (p = strstr(p, "choreo-ocm render: ")) != NULL; p++)
		if (strncmp(p + 19, "note:", 5) != 0)
			lines++;
	cr_assert_eq(lines, 1, "%s: want one error line: %s", file, r.err);
	done(&r);
}

#define CM(n) "{\"id\":\"" n "\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\"," \
	"\"metadata\":{\"name\":\"" n "\",\"namespace\":\"x\"}}}"

Test(badinput_cli, malformed_releases_get_one_clear_error)
{
	struct {
		const char *file, *resources, *want;
	} cases[] = {
		{ "nonobject.json", "[" CM("a") ",7]", "spec.resources[1]: not an object" },
		{ "objstring.json", "[{\"id\":\"a\",\"object\":\"x\"}]", "object is a string" },
		{ "nokind.json", "[{\"id\":\"a\",\"object\":{\"apiVersion\":\"v1\",\"metadata\":{\"name\":"
			"\"a\"}}}]", "object.kind is missing" },
		{ "kindtype.json", "[{\"id\":\"a\",\"object\":{\"apiVersion\":\"v1\",\"kind\":[1],"
			"\"metadata\":{\"name\":\"a\"}}}]", "spec.resources[0]" },
		{ "dupid.json", "[" CM("a") "," CM("a") "]", "duplicate id" },
		{ "notlist.json", "{\"a\":1}", "spec.resources is an object, not a list" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *r = release("web", cases[i].resources);
		expect_refused(cases[i].file, r, strlen(r), cases[i].want);
		free(r);
	}
}

Test(badinput_cli, unknown_kinds_render_with_a_guessed_plural)
{
	char *r = release("web", "[{\"id\":\"w\",\"object\":{\"apiVersion\":\"widgets.example.com/v1\","
		"\"kind\":\"Gizmo\",\"metadata\":{\"name\":\"g\",\"namespace\":\"x\"}}}]");
	put("unknown.json", r, strlen(r));
	free(r);
	struct run out = cli("render -f unknown.json --cluster dp-east -o json");
	cr_assert_eq(out.rc, 0, "%s", out.err);
	cr_assert(strstr(out.out, "\"resource\":\"gizmos\"") || strstr(out.out, "\"resource\": \"gizmos\""),
		"unknown kind keeps its guessed plural: %s", out.out);
	done(&out);
}

Test(badinput_cli, long_names_are_hashed_or_refused_never_truncated_silently)
{
	char name[400];

	/* A Release name at the API's 253 limit: the work name stays a valid DNS subdomain. */
	memset(name, 'a', 253);
	name[253] = '\0';
	char *r = release(name, "[" CM("a") "]");
	put("longrel.json", r, strlen(r));
	free(r);
	struct run out = cli("render -f longrel.json --cluster dp-east -o json");
	cr_assert_eq(out.rc, 0, "%s", out.err);
	cJSON *list = cJSON_Parse(out.out);
	cr_assert_not_null(list);
	const cJSON *w;
	int works = 0;
	cJSON_ArrayForEach(w, cJSON_GetObjectItem(list, "items")) {
		const char *n = cJSON_GetObjectItem(w, "metadata") ?
			cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(w, "metadata"), "name")) :
			NULL;
		cr_assert_not_null(n);
		cr_assert_leq(strlen(n), 253, "work name too long: %zu", strlen(n));
		works++;
	}
	cr_assert_gt(works, 0);
	cJSON_Delete(list);
	done(&out);

	/* A cluster name longer than a DNS label: usage error naming the flag value. */
	memset(name, 'c', 70);
	name[70] = '\0';
	char args[600];
	snprintf(args, sizeof(args), "render -f longrel.json --cluster %s", name);
	out = cli(args);
	cr_assert_eq(out.rc, 2, "%s", out.err);
	cr_assert(strstr(out.err, "not a valid cluster name") != NULL, "%s", out.err);
	done(&out);
}

Test(badinput_cli, two_mib_release_is_split_and_one_huge_resource_refused)
{
	struct cocm_buf res;
	char pad[40001];

	memset(pad, 'p', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	cocm_buf_init(&res, 8u << 20);
	cocm_buf_puts(&res, "[");
	for (int i = 0; i < 54; i++) /* 54 x 40 KB > 2 MiB */
		cocm_buf_printf(&res, "%s{\"id\":\"cm%d\",\"object\":{\"apiVersion\":\"v1\",\"kind\":"
			"\"ConfigMap\",\"metadata\":{\"name\":\"cm%d\",\"namespace\":\"x\"},\"data\":{\"k\":"
			"\"%s\"}}}", i ? "," : "", i, i, pad);
	cocm_buf_puts(&res, "]");
	char *r = release("big", cocm_buf_cstr(&res));
	cr_assert_gt(strlen(r), 2u << 20);
	put("big.json", r, strlen(r));
	free(r);
	struct run out = cli("render -f big.json --cluster dp-east -o json");
	cr_assert_eq(out.rc, 0, "%s", out.err);
	cJSON *list = cJSON_Parse(out.out);
	cr_assert_not_null(list);
	int n = cJSON_GetArraySize(cJSON_GetObjectItem(list, "items"));
	cr_assert_geq(n, 5, "2 MiB must be split into at least 5 works of <= 480 KiB, got %d", n);
	/* Nothing lost: every ConfigMap is in exactly one work. */
	int seen[54] = { 0 };
	const cJSON *w, *m;
	cJSON_ArrayForEach(w, cJSON_GetObjectItem(list, "items")) {
		const cJSON *ms = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(w, "spec"),
			"workload"), "manifests");
		cJSON_ArrayForEach(m, ms) {
			const char *nm = cJSON_GetStringValue(cJSON_GetObjectItem(
				cJSON_GetObjectItem(m, "metadata"), "name"));
			int i;
			if (nm && sscanf(nm, "cm%d", &i) == 1 && i >= 0 && i < 54)
				seen[i]++;
		}
	}
	for (int i = 0; i < 54; i++)
		cr_assert_eq(seen[i], 1, "cm%d is in %d works, want 1", i, seen[i]);
	cJSON_Delete(list);
	done(&out);
	cocm_buf_finish(&res);

	/* One 2 MiB resource cannot fit any work: refused, naming the resource. */
	char *huge = malloc((2u << 20) + 1);
	memset(huge, 'h', 2u << 20);
	huge[2u << 20] = '\0';
	cocm_buf_init(&res, 8u << 20);
	cocm_buf_printf(&res, "[{\"id\":\"huge\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\","
		"\"metadata\":{\"name\":\"h\",\"namespace\":\"x\"},\"data\":{\"k\":\"%s\"}}}]", huge);
	free(huge);
	r = release("huge", cocm_buf_cstr(&res));
	expect_refused("huge.json", r, strlen(r), "resource \"huge\" (spec.resources[0])");
	free(r);
	cocm_buf_finish(&res);
}

Test(badinput_cli, invalid_utf8_deep_nesting_and_alias_bombs_are_parse_errors)
{
	char *r = release("web", "[" CM("a") "]");
	char *bad = strstr(r, "\"a\",\"object\"");
	cr_assert_not_null(bad);
	bad[1] = (char)0xC3; /* a lead byte followed by '"': invalid UTF-8 */
	expect_refused("utf8.json", r, strlen(r), "line ");
	free(r);

	size_t depth = 10000;
	char *deep = malloc(2 * depth + 1);
	memset(deep, '[', depth);
	memset(deep + depth, ']', depth);
	deep[2 * depth] = '\0';
	r = release("web", deep);
	expect_refused("deep.json", r, strlen(r), "nest");
	free(r);
	free(deep);

	const char *bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
		"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
		"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
		"g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n";
	expect_refused("bomb.yaml", bomb, strlen(bomb), "line ");

	const char nul[] = "apiVersion: v1\x00kind: x\n";
	expect_refused("nul.yaml", nul, sizeof(nul) - 1, "nul.yaml");
}

Test(badinput_cli, file_over_the_cap_is_refused_without_reading_it_all)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/sparse.yaml", dir);
	int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	cr_assert_geq(fd, 0);
	cr_assert_eq(ftruncate(fd, (off_t)COCM_INPUT_MAX_FILE + 1), 0);
	close(fd);
	struct run r = cli("render -f sparse.yaml --cluster dp-east");
	cr_assert_eq(r.rc, 1, "%s", r.err);
	cr_assert(strstr(r.err, "sparse.yaml") != NULL, "%s", r.err);
	cr_assert_str_eq(r.out, "");
	done(&r);

	struct cocm_input in;
	char err[512];
	cocm_input_init(&in);
	cr_assert_eq(cocm_input_add_file(&in, p, err, sizeof(err)), COCM_ETOOBIG, "%s", err);
	cr_assert_eq(in.n, 0);
	cocm_input_finish(&in);
}

Test(badinput_cli, fold_with_broken_works_names_the_file)
{
	char *r = release("web", "[" CM("a") "]");
	put("rel.json", r, strlen(r));
	free(r);
	const char *works = "{\"kind\":\"List\",\"items\":[{\"apiVersion\":\"work.open-cluster-management.io/v1\","
		"\"kind\":\"ManifestWork\",\"metadata\":{\"name\":\"team-web\",\"namespace\":\"dp-east\","
		"\"annotations\":{\"ocm.openchoreo.dev/release\":\"team/web\"}},\"status\":{\"conditions\":"
		"7,\"resourceStatus\":{\"manifests\":\"nope\"}}}]}";
	put("works.json", works, strlen(works));
	struct run out = cli("fold -f rel.json -w works.json");
	/* Wrong types inside a work's status are not fatal: the fold treats them as unknown. */
	cr_assert_eq(out.rc, 0, "%s", out.err);
	cr_assert(strstr(out.out, "Unknown") != NULL, "%s", out.out);
	done(&out);

	put("broken.json", "{\"kind\":\"List\",\"items\":[", 24);
	out = cli("fold -f rel.json -w broken.json");
	cr_assert_neq(out.rc, 0);
	cr_assert(strstr(out.err, "broken.json") != NULL, "%s", out.err);
	cr_assert_str_eq(out.out, "");
	done(&out);
}
