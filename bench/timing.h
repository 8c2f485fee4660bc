/* Timing helpers for the micro benchmarks (bench/ only; never linked into the product).
 *
 * cocm_bench_now_ns   CLOCK_MONOTONIC in nanoseconds.
 * cocm_bench_cpu_ns   CLOCK_PROCESS_CPUTIME_ID in nanoseconds (CPU actually spent by this
 *                     process: on a shared 2-core machine it is steadier than wall time).
 * cocm_bench_median   median of n doubles (sorts v in place; n > 0).
 * cocm_bench_calibrate  how many iterations of fn make one sample last about target_ns
 *                     (at least 1, at most max_iters); fn is called with arg. */
#ifndef COCM_BENCH_TIMING_H
#define COCM_BENCH_TIMING_H

#include <stddef.h>
#include <stdint.h>

uint64_t cocm_bench_now_ns(void);
uint64_t cocm_bench_cpu_ns(void);
double cocm_bench_median(double *v, size_t n);
size_t cocm_bench_calibrate(void (*fn)(void *), void *arg, uint64_t target_ns, size_t max_iters);

/* CPU nanoseconds per call of fn over iters calls. */
double cocm_bench_per_call_ns(void (*fn)(void *), void *arg, size_t iters);

#endif
