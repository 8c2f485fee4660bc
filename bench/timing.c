#include "timing.h"

#include <stdlib.h>
#include <time.h>

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) != 0)
		abort();
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t cocm_bench_now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

uint64_t cocm_bench_cpu_ns(void)
{
	return clock_ns(CLOCK_PROCESS_CPUTIME_ID);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double cocm_bench_median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	if (n % 2)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

double cocm_bench_per_call_ns(void (*fn)(void *), void *arg, size_t iters)
{
	uint64_t t0 = cocm_bench_cpu_ns();
	size_t i;

	for (i = 0; i < iters; i++)
		fn(arg);
	return (double)(cocm_bench_cpu_ns() - t0) / (double)iters;
}

size_t cocm_bench_calibrate(void (*fn)(void *), void *arg, uint64_t target_ns, size_t max_iters)
{
	size_t iters = 1;

	for (;;) {
		double per = cocm_bench_per_call_ns(fn, arg, iters);
		double want;

		if (per * (double)iters >= (double)target_ns / 4 || iters >= max_iters) {
			want = per > 0 ? (double)target_ns / per : (double)max_iters;
			if (want < 1)
				want = 1;
			if (want > (double)max_iters)
				want = (double)max_iters;
			return (size_t)want;
		}
		iters *= 4;
	}
}
