/* Render and fold micro benchmarks, each side by side with its cJSON floor in the same process.
 *
 *   cocm-bench-micro --data DIR [--rounds N] [--sample-ms MS]
 *   cocm-bench-micro --data DIR --profile CASE --iters N   (for perf / callgrind: runs one case;
 *       CASE: render_typical, render_large, render_floor, render_only, fold, fold_floor)
 *
 * DIR holds release_typical.json, release_large.json and works_typical.json (bench/gen_data.py).
 * Each figure is the median over N rounds; a round times the floor and the subject back to back
 * (alternating which goes first) with CPU time (CLOCK_PROCESS_CPUTIME_ID), so a ratio compares
 * two runs under the same machine load. Printed: one `key=value` line per figure.
 *
 * render path  bytes in -> bytes out, what the daemon does per (Release, cluster): parse the
 *              Release JSON, cocm_render_works_raw (manifests kept as the text the
 *              render printed once), print every work compact, free.
 * render floor parse the Release JSON and print the (pre-rendered) resulting works with cJSON
 *              alone, free: the cost of touching the input and output bytes once.
 * fold         cocm_fold of the typical Release (carrying its previous status: the steady
 *              state) over its 3 clusters' works, parsed; the status is freed.
 * fold floor   parsing those 3 ManifestWorks' JSON (as the watch delivers them).
 * Exit status 1 when an input is missing or render/fold fail. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/core/json.h"
#include "kube/core/xalloc.h"
#include "manifestwork/render.h"
#include "status-sync/fold.h"
#include "timing.h"

#define MAX_INPUT ((size_t)16 * 1024 * 1024)
#define MAX_ROUNDS 1001
#define NCLUSTERS 3

static const char *const clusters[NCLUSTERS] = { "dp-east", "dp-west", "dp-north" };
static const char now_time[] = "2026-11-21T09:00:00Z";

static char *read_file(const char *dir, const char *name, size_t *len)
{
	char path[4096];
	FILE *f;
	char *buf;
	size_t cap = 65536, n = 0;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
		fprintf(stderr, "bench: path too long\n");
		return NULL;
	}
	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "bench: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	buf = cocm_xmalloc(cap);
	for (;;) {
		size_t got = fread(buf + n, 1, cap - n - 1, f);

		n += got;
		if (got == 0)
			break;
		if (cap - n - 1 == 0) {
			if (cap >= MAX_INPUT) {
				fprintf(stderr, "bench: %s: larger than %zu bytes\n", path, MAX_INPUT);
				fclose(f);
				free(buf);
				return NULL;
			}
			cap *= 2;
			buf = cocm_xrealloc(buf, cap);
		}
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* ---- render ---------------------------------------------------------------------------- */

struct render_case {
	const char *text;
	size_t len;
	cJSON *parsed;   /* for render-only */
	cJSON *rendered; /* works, for the floor's print */
	size_t out_bytes;
};

static void sink(const void *p)
{
	/* keep the optimiser from dropping work whose result is unused */
	__asm__ volatile("" : : "r"(p) : "memory");
}

static void render_floor(void *arg)
{
	struct render_case *c = arg;
	cJSON *rel = cocm_json_parse(c->text, c->len, NULL, 0);
	const cJSON *w;

	sink(rel);
	cJSON_ArrayForEach(w, c->rendered)
	{
		char *s = cocm_json_print(w);

		sink(s);
		free(s);
	}
	cJSON_Delete(rel);
}

static void render_path(void *arg)
{
	struct render_case *c = arg;
	cJSON *rel = cocm_json_parse(c->text, c->len, NULL, 0);
	cJSON *works = NULL;
	const cJSON *w;
	char err[256];

	if (cocm_render_works_raw(rel, clusters[0], NULL, &works, err, sizeof(err)) != COCM_OK)
		abort();
	cJSON_ArrayForEach(w, works)
	{
		char *s = cocm_json_print(w);

		sink(s);
		free(s);
	}
	cJSON_Delete(works);
	cJSON_Delete(rel);
}

static void render_only(void *arg)
{
	struct render_case *c = arg;
	cJSON *works = NULL;
	char err[256];

	if (cocm_render_works_raw(c->parsed, clusters[0], NULL, &works, err, sizeof(err)) !=
		COCM_OK)
		abort();
	sink(works);
	cJSON_Delete(works);
}

static int render_setup(struct render_case *c, const char *text, size_t len)
{
	char err[256];
	const cJSON *w;

	memset(c, 0, sizeof(*c));
	c->text = text;
	c->len = len;
	c->parsed = cocm_json_parse(text, len, err, sizeof(err));
	if (!c->parsed) {
		fprintf(stderr, "bench: release: %s\n", err);
		return -1;
	}
	if (cocm_render_works(c->parsed, clusters[0], NULL, &c->rendered, err, sizeof(err)) != COCM_OK) {
		fprintf(stderr, "bench: render: %s\n", err);
		return -1;
	}
	cJSON_ArrayForEach(w, c->rendered)
	{
		char *s = cocm_json_print(w);

		c->out_bytes += strlen(s);
		free(s);
	}
	return 0;
}

/* ---- fold ------------------------------------------------------------------------------ */

struct fold_case {
	char *work_text[NCLUSTERS];
	size_t work_len[NCLUSTERS];
	char *meta_text[NCLUSTERS]; /* the same works without spec: what the daemon's cache keeps */
	size_t meta_len[NCLUSTERS];
	cJSON *release;
	cJSON *works[NCLUSTERS];
	struct cocm_fold_in in;
};

static void fold_floor(void *arg)
{
	struct fold_case *c = arg;
	size_t i;

	for (i = 0; i < NCLUSTERS; i++) {
		cJSON *w = cocm_json_parse(c->work_text[i], c->work_len[i], NULL, 0);

		sink(w);
		cJSON_Delete(w);
	}
}

static void fold_floor_meta(void *arg)
{
	struct fold_case *c = arg;
	size_t i;

	for (i = 0; i < NCLUSTERS; i++) {
		cJSON *w = cocm_json_parse(c->meta_text[i], c->meta_len[i], NULL, 0);

		sink(w);
		cJSON_Delete(w);
	}
}

static void fold_run(void *arg)
{
	struct fold_case *c = arg;
	cJSON *st = NULL;
	struct cocm_fold_summary sum;
	char err[256];

	if (cocm_fold(&c->in, &st, &sum, err, sizeof(err)) != COCM_OK)
		abort();
	sink(st);
	cJSON_Delete(st);
}

static int fold_setup(struct fold_case *c, const char *rel_text, size_t rel_len, const char *works_text,
	size_t works_len)
{
	char err[256];
	cJSON *arr, *st = NULL;
	struct cocm_fold_summary sum;
	size_t i;

	memset(c, 0, sizeof(*c));
	c->release = cocm_json_parse(rel_text, rel_len, err, sizeof(err));
	arr = cocm_json_parse(works_text, works_len, err, sizeof(err));
	if (!c->release || !cJSON_IsArray(arr) || cJSON_GetArraySize(arr) != NCLUSTERS) {
		fprintf(stderr, "bench: fold inputs: want a Release and %d works\n", NCLUSTERS);
		cJSON_Delete(arr);
		return -1;
	}
	for (i = 0; i < NCLUSTERS; i++) {
		cJSON *w = cJSON_DetachItemFromArray(arr, 0);
		cJSON *m;

		c->work_text[i] = cocm_json_print(w);
		c->work_len[i] = strlen(c->work_text[i]);
		m = cJSON_Duplicate(w, 1);
		cJSON_DeleteItemFromObjectCaseSensitive(m, "spec");
		c->meta_text[i] = cocm_json_print(m);
		c->meta_len[i] = strlen(c->meta_text[i]);
		cJSON_Delete(m);
		c->works[i] = w;
	}
	cJSON_Delete(arr);
	c->in.release = c->release;
	c->in.works = (const cJSON *const *)c->works;
	c->in.nworks = NCLUSTERS;
	c->in.clusters = clusters;
	c->in.nclusters = NCLUSTERS;
	c->in.now = now_time;
	c->in.sched = COCM_SCHED_TRUE;
	/* steady state: the Release already carries the status of the previous fold */
	if (cocm_fold(&c->in, &st, &sum, err, sizeof(err)) != COCM_OK) {
		fprintf(stderr, "bench: fold: %s\n", err);
		return -1;
	}
	cocm_json_set(c->release, "status", st);
	if (sum.clusters != NCLUSTERS) {
		fprintf(stderr, "bench: fold looked at %zu clusters, want %d\n", sum.clusters, NCLUSTERS);
		return -1;
	}
	return 0;
}

/* ---- driver ---------------------------------------------------------------------------- */

struct pair_result {
	double subject_ns; /* median CPU ns per call */
	double floor_ns;
	double ratio; /* median of per-round ratios */
};

static void measure_pair(void (*subject)(void *), void (*floor_fn)(void *), void *arg, size_t rounds,
	uint64_t sample_ns, struct pair_result *out)
{
	double s[MAX_ROUNDS], f[MAX_ROUNDS], r[MAX_ROUNDS];
	size_t it_s, it_f, i;

	/* warm caches and the allocator, then size each sample */
	(void)cocm_bench_per_call_ns(subject, arg, 3);
	(void)cocm_bench_per_call_ns(floor_fn, arg, 3);
	it_s = cocm_bench_calibrate(subject, arg, sample_ns, 1000000);
	it_f = cocm_bench_calibrate(floor_fn, arg, sample_ns, 1000000);
	for (i = 0; i < rounds; i++) {
		if (i % 2) {
			s[i] = cocm_bench_per_call_ns(subject, arg, it_s);
			f[i] = cocm_bench_per_call_ns(floor_fn, arg, it_f);
		} else {
			f[i] = cocm_bench_per_call_ns(floor_fn, arg, it_f);
			s[i] = cocm_bench_per_call_ns(subject, arg, it_s);
		}
		r[i] = s[i] / f[i];
	}
	out->subject_ns = cocm_bench_median(s, rounds);
	out->floor_ns = cocm_bench_median(f, rounds);
	out->ratio = cocm_bench_median(r, rounds);
}

static double measure_one(void (*fn)(void *), void *arg, size_t rounds, uint64_t sample_ns)
{
	double s[MAX_ROUNDS];
	size_t it, i;

	(void)cocm_bench_per_call_ns(fn, arg, 3);
	it = cocm_bench_calibrate(fn, arg, sample_ns, 1000000);
	for (i = 0; i < rounds; i++)
		s[i] = cocm_bench_per_call_ns(fn, arg, it);
	return cocm_bench_median(s, rounds);
}

static int run_profile(const char *name, size_t iters, struct render_case *rt,
	struct render_case *rl, struct fold_case *fc)
{
	static const struct {
		const char *name;
		void (*fn)(void *);
		int which; /* 0 typical render, 1 large render, 2 fold */
	} cases[] = {
		{ "render_typical", render_path, 0 },
		{ "render_large", render_path, 1 },
		{ "render_floor", render_floor, 0 },
		{ "render_only", render_only, 0 },
		{ "fold", fold_run, 2 },
		{ "fold_floor", fold_floor, 2 },
	};
	size_t i, k;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		void *arg;

		if (strcmp(cases[i].name, name) != 0)
			continue;
		arg = cases[i].which == 0 ? (void *)rt : cases[i].which == 1 ? (void *)rl : (void *)fc;
		for (k = 0; k < iters; k++)
			cases[i].fn(arg);
		return 0;
	}
	fprintf(stderr, "bench: unknown --profile case %s\n", name);
	return 2;
}

static int parse_size(const char *s, long long lo, long long hi, long long *out)
{
	char *end = NULL;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir = NULL;
	long long rounds = 21, sample_ms = 20, iters = 1000;
	const char *profile = NULL;
	char *typ, *large, *works;
	size_t typ_len, large_len, works_len;
	struct render_case rt, rl;
	struct fold_case fc;
	struct pair_result prt, prl, pf, pfm;
	double only_t, only_l;
	int i, rc = 0;

	cocm_xalloc_init();
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
			dir = argv[++i];
		} else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
			if (parse_size(argv[++i], 1, MAX_ROUNDS, &rounds)) {
				fprintf(stderr, "bench: --rounds: 1..%d\n", MAX_ROUNDS);
				return 2;
			}
		} else if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc) {
			profile = argv[++i];
		} else if (strcmp(argv[i], "--iters") == 0 && i + 1 < argc) {
			if (parse_size(argv[++i], 1, 1000000000, &iters)) {
				fprintf(stderr, "bench: --iters: 1..1e9\n");
				return 2;
			}
		} else if (strcmp(argv[i], "--sample-ms") == 0 && i + 1 < argc) {
			if (parse_size(argv[++i], 1, 10000, &sample_ms)) {
				fprintf(stderr, "bench: --sample-ms: 1..10000\n");
				return 2;
			}
		} else {
			fprintf(stderr, "usage: cocm-bench-micro --data DIR [--rounds N] [--sample-ms MS]\n");
			return 2;
		}
	}
	if (!dir) {
		fprintf(stderr, "usage: cocm-bench-micro --data DIR [--rounds N] [--sample-ms MS]\n");
		return 2;
	}
	typ = read_file(dir, "release_typical.json", &typ_len);
	large = read_file(dir, "release_large.json", &large_len);
	works = read_file(dir, "works_typical.json", &works_len);
	if (!typ || !large || !works)
		return 1;
	if (render_setup(&rt, typ, typ_len) || render_setup(&rl, large, large_len) ||
		fold_setup(&fc, typ, typ_len, works, works_len))
		return 1;
	if (profile) {
		rc = run_profile(profile, (size_t)iters, &rt, &rl, &fc);
		goto out;
	}

	measure_pair(render_path, render_floor, &rt, (size_t)rounds, (uint64_t)sample_ms * 1000000u, &prt);
	measure_pair(render_path, render_floor, &rl, (size_t)rounds, (uint64_t)sample_ms * 1000000u, &prl);
	only_t = measure_one(render_only, &rt, (size_t)rounds, (uint64_t)sample_ms * 1000000u);
	only_l = measure_one(render_only, &rl, (size_t)rounds, (uint64_t)sample_ms * 1000000u);
	measure_pair(fold_run, fold_floor, &fc, (size_t)rounds, (uint64_t)sample_ms * 1000000u, &pf);
	measure_pair(fold_run, fold_floor_meta, &fc, (size_t)rounds, (uint64_t)sample_ms * 1000000u, &pfm);

	printf("render_typical_in_bytes=%zu\n", typ_len);
	printf("render_typical_out_bytes=%zu\n", rt.out_bytes);
	printf("render_typical_us=%.2f\n", prt.subject_ns / 1000.0);
	printf("render_typical_per_s=%.0f\n", 1e9 / prt.subject_ns);
	printf("render_typical_floor_us=%.2f\n", prt.floor_ns / 1000.0);
	printf("render_typical_ratio=%.2f\n", prt.ratio);
	printf("render_typical_only_us=%.2f\n", only_t / 1000.0);
	printf("render_large_in_bytes=%zu\n", large_len);
	printf("render_large_out_bytes=%zu\n", rl.out_bytes);
	printf("render_large_us=%.2f\n", prl.subject_ns / 1000.0);
	printf("render_large_floor_us=%.2f\n", prl.floor_ns / 1000.0);
	printf("render_large_ratio=%.2f\n", prl.ratio);
	printf("render_large_only_us=%.2f\n", only_l / 1000.0);
	printf("fold_works_bytes=%zu\n", fc.work_len[0] + fc.work_len[1] + fc.work_len[2]);
	printf("fold_us=%.2f\n", pf.subject_ns / 1000.0);
	printf("fold_floor_us=%.2f\n", pf.floor_ns / 1000.0);
	printf("fold_ratio=%.2f\n", pf.ratio);
	printf("fold_meta_floor_us=%.2f\n", pfm.floor_ns / 1000.0);
	printf("fold_meta_ratio=%.2f\n", pfm.ratio);
	printf("micro_rounds=%lld\n", rounds);
out:
	cJSON_Delete(rt.parsed);
	cJSON_Delete(rt.rendered);
	cJSON_Delete(rl.parsed);
	cJSON_Delete(rl.rendered);
	cJSON_Delete(fc.release);
	for (i = 0; i < NCLUSTERS; i++) {
		cJSON_Delete(fc.works[i]);
		free(fc.work_text[i]);
		free(fc.meta_text[i]);
	}
	free(typ);
	free(large);
	free(works);
	return rc;
}
