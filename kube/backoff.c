/* Capped exponential backoff with jitter, per-key failure counting and a token bucket. */
#include "kube/backoff.h"

#include <limits.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

uint64_t cocm_backoff_seed(uint64_t seed)
{
	if (seed == 0) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^
			((uint64_t)getpid() << 16) ^ (uint64_t)(uintptr_t)&ts;
		if (seed == 0)
			seed = 0x9e3779b97f4a7c15ULL;
	}
	return seed;
}

uint64_t cocm_backoff_rand(uint64_t *state)
{
	/* splitmix64 */
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t cocm_backoff_ceiling(uint64_t base_ms, uint64_t cap_ms, unsigned attempt)
{
	uint64_t d = base_ms ? base_ms : 1;

	if (d >= cap_ms)
		return cap_ms;
	for (unsigned i = 0; i < attempt; i++) {
		if (d > cap_ms / 2)
			return cap_ms;
		d *= 2;
	}
	return d < cap_ms ? d : cap_ms;
}

uint64_t cocm_backoff_delay(uint64_t base_ms, uint64_t cap_ms, unsigned attempt, uint64_t *rng)
{
	uint64_t hi = cocm_backoff_ceiling(base_ms, cap_ms, attempt);
	uint64_t lo = base_ms < cap_ms ? base_ms : cap_ms;

	if (hi <= lo)
		return hi;
	return lo + cocm_backoff_rand(rng) % (hi - lo + 1);
}

void cocm_backoff_step_init(struct cocm_backoff_step *s, uint64_t base_ms, uint64_t cap_ms,
	uint64_t seed)
{
	s->base_ms = base_ms;
	s->cap_ms = cap_ms;
	s->attempt = 0;
	s->rng = cocm_backoff_seed(seed);
}

uint64_t cocm_backoff_step_next(struct cocm_backoff_step *s)
{
	uint64_t d = cocm_backoff_delay(s->base_ms, s->cap_ms, s->attempt, &s->rng);

	if (s->attempt < 64)
		s->attempt++;
	return d;
}

void cocm_backoff_step_reset(struct cocm_backoff_step *s)
{
	s->attempt = 0;
}

void cocm_backoff_init(struct cocm_backoff *b, uint64_t base_ms, uint64_t cap_ms, uint64_t seed)
{
	cocm_strmap_init(&b->fails);
	b->base_ms = base_ms;
	b->cap_ms = cap_ms;
	b->rng = cocm_backoff_seed(seed);
}

void cocm_backoff_finish(struct cocm_backoff *b)
{
	cocm_strmap_finish(&b->fails);
}

uint64_t cocm_backoff_next(struct cocm_backoff *b, const char *key)
{
	uintptr_t n = (uintptr_t)cocm_strmap_get(&b->fails, key);

	cocm_strmap_put(&b->fails, key, (void *)(n < 64 ? n + 1 : n));
	return cocm_backoff_delay(b->base_ms, b->cap_ms, (unsigned)n, &b->rng);
}

void cocm_backoff_forget(struct cocm_backoff *b, const char *key)
{
	cocm_strmap_del(&b->fails, key, NULL);
}

unsigned cocm_backoff_failures(const struct cocm_backoff *b, const char *key)
{
	return (unsigned)(uintptr_t)cocm_strmap_get(&b->fails, key);
}

void cocm_tokenbucket_init(struct cocm_tokenbucket *tb, double rate, double burst, uint64_t now_ms)
{
	cocm_ratelimit_init(&tb->rl, rate, burst >= (double)INT_MAX ? INT_MAX : (int)burst, now_ms);
}

uint64_t cocm_tokenbucket_reserve(struct cocm_tokenbucket *tb, uint64_t now_ms)
{
	return cocm_ratelimit_reserve(&tb->rl, now_ms);
}
