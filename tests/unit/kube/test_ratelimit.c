/* Token bucket arithmetic on a fake clock. */
#include <criterion/criterion.h>

#include "kube/ratelimit.h"

Test(ratelimit, burst_then_paced_at_qps)
{
	struct cocm_ratelimit rl;
	int i, taken = 0;
	uint64_t now = 1000, w;

	cocm_ratelimit_init(&rl, 50.0, 100, now);
	for (i = 0; i < 100; i++)
		cr_assert_eq(cocm_ratelimit_take(&rl, now), 0, "token %d of the burst", i);
	w = cocm_ratelimit_take(&rl, now);
	cr_assert_eq(w, 20, "one token per 20 ms at 50 qps, got %llu", (unsigned long long)w);
	cr_assert_gt(cocm_ratelimit_take(&rl, now + 19), 0);
	cr_assert_eq(cocm_ratelimit_take(&rl, now + 20), 0);
	/* over 10 s of simulated time, driven by the returned waits, ~500 tokens and no more */
	now += 20;
	while (now < 11020) {
		w = cocm_ratelimit_take(&rl, now);
		if (w == 0)
			taken++;
		else
			now += w;
	}
	cr_assert(taken >= 499 && taken <= 501, "taken %d", taken);
}

Test(ratelimit, refill_capped_at_burst)
{
	struct cocm_ratelimit rl;
	int i;

	cocm_ratelimit_init(&rl, 10.0, 3, 0);
	for (i = 0; i < 3; i++)
		cr_assert_eq(cocm_ratelimit_take(&rl, 0), 0);
	cr_assert_eq(cocm_ratelimit_take(&rl, 0), 100);
	/* an hour idle gives back only `burst` tokens */
	for (i = 0; i < 3; i++)
		cr_assert_eq(cocm_ratelimit_take(&rl, 3600000), 0);
	cr_assert_gt(cocm_ratelimit_take(&rl, 3600000), 0);
}

Test(ratelimit, clock_backwards_and_disabled)
{
	struct cocm_ratelimit rl;
	int i;

	cocm_ratelimit_init(&rl, 1.0, 1, 5000);
	cr_assert_eq(cocm_ratelimit_take(&rl, 5000), 0);
	cr_assert_eq(cocm_ratelimit_take(&rl, 10), 1000); /* no refill from a clock going back */
	cocm_ratelimit_init(&rl, -1.0, 1, 0);
	for (i = 0; i < 10000; i++)
		cr_assert_eq(cocm_ratelimit_take(&rl, 0), 0);
}
