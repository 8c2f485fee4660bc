#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "kube/backoff.h"
#include "kube/strmap.h"

Test(backoff, ceiling_doubles_and_caps)
{
	cr_assert_eq(cocm_backoff_ceiling(5, 1000000, 0), 5);
	cr_assert_eq(cocm_backoff_ceiling(5, 1000000, 1), 10);
	cr_assert_eq(cocm_backoff_ceiling(5, 1000000, 10), 5120);
	cr_assert_eq(cocm_backoff_ceiling(5, 1000000, 17), 655360);
	cr_assert_eq(cocm_backoff_ceiling(5, 1000000, 18), 1000000);
	cr_assert_eq(cocm_backoff_ceiling(5, 1000000, 200), 1000000, "no overflow");
	cr_assert_eq(cocm_backoff_ceiling(5000, 1000, 0), 1000, "base above cap");
}

Test(backoff, jitter_bounds_and_spread)
{
	uint64_t rng = cocm_backoff_seed(12345);

	for (unsigned a = 0; a < 30; a++) {
		uint64_t hi = cocm_backoff_ceiling(5, 1000000, a);
		uint64_t mn = UINT64_MAX, mx = 0;

		for (int i = 0; i < 2000; i++) {
			uint64_t d = cocm_backoff_delay(5, 1000000, a, &rng);

			cr_assert_geq(d, 5, "attempt %u below base", a);
			cr_assert_leq(d, hi, "attempt %u above ceiling", a);
			mn = d < mn ? d : mn;
			mx = d > mx ? d : mx;
		}
		if (a >= 4) /* real jitter: both ends of the range are reached approximately */
			cr_assert(mx - mn > (hi - 5) / 2, "attempt %u spread %llu..%llu", a,
				(unsigned long long)mn, (unsigned long long)mx);
	}
	cr_assert_eq(cocm_backoff_delay(5, 1000000, 0, &rng), 5, "first retry is exactly base");
}

Test(backoff, per_key_counts_and_forget)
{
	struct cocm_backoff b;
	uint64_t d;

	cocm_backoff_init(&b, 5, 1000000, 7);
	for (unsigned i = 0; i < 25; i++) {
		d = cocm_backoff_next(&b, "ns/a");
		cr_assert_leq(d, cocm_backoff_ceiling(5, 1000000, i));
		cr_assert_geq(d, 5);
	}
	cr_assert_eq(cocm_backoff_failures(&b, "ns/a"), 25);
	cr_assert_eq(cocm_backoff_failures(&b, "ns/b"), 0, "keys are independent");
	cr_assert_eq(cocm_backoff_next(&b, "ns/b"), 5);
	cocm_backoff_forget(&b, "ns/a");
	cr_assert_eq(cocm_backoff_failures(&b, "ns/a"), 0);
	cr_assert_eq(cocm_backoff_next(&b, "ns/a"), 5, "reset after forget");
	cocm_backoff_finish(&b);
}

Test(backoff, step_sequence_resets)
{
	struct cocm_backoff_step s;

	cocm_backoff_step_init(&s, 100, 30000, 1);
	cr_assert_eq(cocm_backoff_step_next(&s), 100);
	for (int i = 0; i < 100; i++)
		cr_assert_leq(cocm_backoff_step_next(&s), 30000);
	cr_assert_gt(s.attempt, 10);
	cocm_backoff_step_reset(&s);
	cr_assert_eq(s.attempt, 0);
	cr_assert_eq(cocm_backoff_step_next(&s), 100);
}

Test(tokenbucket, burst_then_rate)
{
	struct cocm_tokenbucket tb;

	cocm_tokenbucket_init(&tb, 10.0, 100, 1000);
	for (int i = 0; i < 100; i++)
		cr_assert_eq(cocm_tokenbucket_reserve(&tb, 1000), 0, "burst %d", i);
	/* Reservations queue at 1/rate = 100 ms apart. */
	cr_assert_eq(cocm_tokenbucket_reserve(&tb, 1000), 100);
	cr_assert_eq(cocm_tokenbucket_reserve(&tb, 1000), 200);
	cr_assert_eq(cocm_tokenbucket_reserve(&tb, 1000), 300);
	/* Time passes: 1 s refills 10 tokens, 3 were already owed. */
	cr_assert_eq(cocm_tokenbucket_reserve(&tb, 2000), 0);
	for (int i = 0; i < 6; i++)
		cr_assert_eq(cocm_tokenbucket_reserve(&tb, 2000), 0);
	cr_assert_eq(cocm_tokenbucket_reserve(&tb, 2000), 100);
	/* Long idle refills only up to burst. */
	for (int i = 0; i < 100; i++)
		cr_assert_eq(cocm_tokenbucket_reserve(&tb, 1000000), 0);
	cr_assert_gt(cocm_tokenbucket_reserve(&tb, 1000000), 0);
}

Test(tokenbucket, disabled)
{
	struct cocm_tokenbucket tb;

	cocm_tokenbucket_init(&tb, -1, 1, 0);
	for (int i = 0; i < 1000; i++)
		cr_assert_eq(cocm_tokenbucket_reserve(&tb, 0), 0);
}

/* strmap lives here too: it backs the per-key backoff. */
Test(strmap, put_get_delete_churn)
{
	struct cocm_strmap m;
	char k[32];
	int found;

	cocm_strmap_init(&m);
	for (int i = 0; i < 5000; i++) {
		snprintf(k, sizeof(k), "ns/obj-%d", i);
		cr_assert_null(cocm_strmap_put(&m, k, (void *)(intptr_t)(i + 1)));
	}
	cr_assert_eq(m.len, 5000);
	for (int i = 0; i < 5000; i += 2) {
		snprintf(k, sizeof(k), "ns/obj-%d", i);
		cr_assert_eq((intptr_t)cocm_strmap_del(&m, k, &found), i + 1);
		cr_assert(found);
	}
	cr_assert_eq(m.len, 2500);
	for (int i = 0; i < 5000; i++) {
		snprintf(k, sizeof(k), "ns/obj-%d", i);
		if (i % 2)
			cr_assert_eq((intptr_t)cocm_strmap_get(&m, k), i + 1, "key %s lost", k);
		else
			cr_assert(!cocm_strmap_has(&m, k));
	}
	cocm_strmap_del(&m, "absent", &found);
	cr_assert(!found);
	struct cocm_strmap_iter it;
	int n = 0;

	cocm_strmap_iter_init(&it, &m);
	while (cocm_strmap_next(&it)) {
		cr_assert_eq(strncmp(it.key, "ns/obj-", 7), 0);
		n++;
	}
	cr_assert_eq(n, 2500);
	cocm_strmap_finish(&m);
}
