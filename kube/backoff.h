/* Backoff and rate shapes shared by the work queue, the informer and the lease.
 *
 * Delays: capped exponential with full jitter. For attempt n (0-based) the ceiling is
 * min(cap, base * 2^n) and the delay is uniform in [base, ceiling] (jitter never goes below base,
 * so a retry storm can't collapse to zero). client-go's per-item shape is base 5 ms, cap 1000 s
 * (COCM_BACKOFF_ITEM_BASE_MS / _CAP_MS); client-go has no jitter there, we add it so keys that fail
 * together don't retry in lockstep. All times are milliseconds (uv_now() units).
 *
 * Randomness: a small splitmix64 generator per user; seed 0 picks a seed from time and pid.
 * Not cryptographic (it only spreads retries). Everything here is loop-thread only. */
#ifndef COCM_KUBE_BACKOFF_H
#define COCM_KUBE_BACKOFF_H

#include <stdint.h>

#include "kube/ratelimit.h"

#include "kube/strmap.h"

#define COCM_BACKOFF_ITEM_BASE_MS 5u
#define COCM_BACKOFF_ITEM_CAP_MS 1000000u /* 1000 s */
#define COCM_BACKOFF_BUCKET_QPS 10.0      /* client-go's overall controller rate ... */
#define COCM_BACKOFF_BUCKET_BURST 100.0   /* ... and burst */

/* A random number generator state. */
uint64_t cocm_backoff_seed(uint64_t seed); /* returns a usable state (seed 0 = from time+pid) */
uint64_t cocm_backoff_rand(uint64_t *state);

/* min(cap, base * 2^attempt), overflow-safe; base 0 is treated as 1. */
uint64_t cocm_backoff_ceiling(uint64_t base_ms, uint64_t cap_ms, unsigned attempt);
/* Uniform in [min(base, cap), ceiling(base, cap, attempt)]. */
uint64_t cocm_backoff_delay(uint64_t base_ms, uint64_t cap_ms, unsigned attempt, uint64_t *rng);

/* A single retry sequence (reconnects, lease retries): next() returns the delay for the current
 * attempt and advances; reset() after a success. */
struct cocm_backoff_step {
	uint64_t base_ms, cap_ms; /* set by init */
	unsigned attempt;         /* attempts since the last reset */
	uint64_t rng;             /* private */
};
void cocm_backoff_step_init(struct cocm_backoff_step *s, uint64_t base_ms, uint64_t cap_ms,
	uint64_t seed);
uint64_t cocm_backoff_step_next(struct cocm_backoff_step *s);
void cocm_backoff_step_reset(struct cocm_backoff_step *s);

/* Per-key failure counts (client-go's ItemExponentialFailureRateLimiter, with jitter).
 * next() counts a failure of key and returns its delay; forget() clears the key (call it when
 * the key succeeded). Memory: one entry per currently failing key. */
struct cocm_backoff {
	struct cocm_strmap fails; /* private: key -> (uintptr_t) failure count */
	uint64_t base_ms, cap_ms;
	uint64_t rng;             /* private */
};
void cocm_backoff_init(struct cocm_backoff *b, uint64_t base_ms, uint64_t cap_ms, uint64_t seed);
void cocm_backoff_finish(struct cocm_backoff *b);
uint64_t cocm_backoff_next(struct cocm_backoff *b, const char *key);
void cocm_backoff_forget(struct cocm_backoff *b, const char *key);
unsigned cocm_backoff_failures(const struct cocm_backoff *b, const char *key);

/* Token bucket (overall rate). reserve() takes one token and returns how long the caller must
 * wait before using it (0 = now). Tokens may go negative: reservations queue up behind each other,
 * as golang.org/x/time/rate's Reserve does, so waiters are spread at 1/rate intervals.
 * rate <= 0 disables the bucket (reserve always returns 0). */
struct cocm_tokenbucket {
	struct cocm_ratelimit rl; /* private: the same bucket as the client's (ratelimit.h) */
};
void cocm_tokenbucket_init(struct cocm_tokenbucket *tb, double rate, double burst, uint64_t now_ms);
uint64_t cocm_tokenbucket_reserve(struct cocm_tokenbucket *tb, uint64_t now_ms);

#endif
