/* Token bucket (see ratelimit.h). */
#include "kube/ratelimit.h"

#include <math.h>

void cocm_ratelimit_init(struct cocm_ratelimit *rl, double qps, int burst, uint64_t now_ms)
{
	rl->qps = qps;
	rl->burst = burst < 1 ? 1.0 : (double)burst;
	rl->tokens = rl->burst;
	rl->last = now_ms;
}

static void refill(struct cocm_ratelimit *rl, uint64_t now_ms)
{
	if (now_ms > rl->last) {
		rl->tokens += (double)(now_ms - rl->last) * rl->qps / 1000.0;
		if (rl->tokens > rl->burst)
			rl->tokens = rl->burst;
		rl->last = now_ms;
	}
}

uint64_t cocm_ratelimit_reserve(struct cocm_ratelimit *rl, uint64_t now_ms)
{
	if (rl->qps <= 0)
		return 0;
	refill(rl, now_ms);
	rl->tokens -= 1.0;
	if (rl->tokens >= 0)
		return 0;
	return (uint64_t)(-rl->tokens / rl->qps * 1000.0 + 0.999); /* round up: never early */
}

uint64_t cocm_ratelimit_take(struct cocm_ratelimit *rl, uint64_t now_ms)
{
	double wait;

	if (rl->qps <= 0)
		return 0;
	refill(rl, now_ms);
	if (rl->tokens >= 1.0 - 1e-9) { /* fp slack: the wait below was rounded up */
		rl->tokens = rl->tokens > 1.0 ? rl->tokens - 1.0 : 0.0;
		return 0;
	}
	wait = ceil((1.0 - rl->tokens) * 1000.0 / rl->qps);
	return wait < 1.0 ? 1 : (uint64_t)wait;
}
