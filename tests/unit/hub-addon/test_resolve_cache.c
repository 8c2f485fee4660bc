/* Reverse index: set/replace/remove members, visit members of a target. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "hub-addon/resolve_cache.h"

static struct cocm_rindex x;

static void setup(void)
{
	cocm_rindex_init(&x);
}

static void teardown(void)
{
	cocm_rindex_finish(&x);
}

TestSuite(rindex, .init = setup, .fini = teardown);

struct seen {
	int n;
	char names[8][64];
};

static void collect(const char *member, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8)
		snprintf(s->names[s->n], sizeof(s->names[0]), "%s", member);
	s->n++;
}

static int saw(const struct seen *s, const char *name)
{
	int i;

	for (i = 0; i < s->n && i < 8; i++)
		if (strcmp(s->names[i], name) == 0)
			return 1;
	return 0;
}

Test(rindex, members_of_a_target)
{
	const char *e1[] = { "team/dev" };
	const char *e2[] = { "team/prod" };
	struct seen s = { 0 };

	cocm_rindex_set(&x, "Release/team/a", e1, 1);
	cocm_rindex_set(&x, "Release/team/b", e1, 1);
	cocm_rindex_set(&x, "Release/team/c", e2, 1);
	cocm_rindex_each(&x, "team/dev", collect, &s);
	cr_assert_eq(s.n, 2);
	cr_assert(saw(&s, "Release/team/a") && saw(&s, "Release/team/b"));
	cr_assert_eq(cocm_rindex_count(&x, "team/prod"), 1);
	cr_assert_eq(cocm_rindex_count(&x, "nope"), 0);
}

Test(rindex, set_replaces_old_targets)
{
	const char *e1[] = { "team/dev" };
	const char *e2[] = { "team/prod" };

	cocm_rindex_set(&x, "r", e1, 1);
	cocm_rindex_set(&x, "r", e2, 1);
	cr_assert_eq(cocm_rindex_count(&x, "team/dev"), 0);
	cr_assert(cocm_rindex_has(&x, "r", "team/prod"));
	cr_assert_not(cocm_rindex_has(&x, "r", "team/dev"));
}

Test(rindex, several_targets_with_duplicates_and_nulls)
{
	const char *t[] = { "DataPlane/ns/default", NULL, "ClusterDataPlane/default",
		"DataPlane/ns/default" };

	cocm_rindex_set(&x, "ns/env", t, 4);
	cr_assert_eq(cocm_rindex_count(&x, "DataPlane/ns/default"), 1);
	cr_assert_eq(cocm_rindex_count(&x, "ClusterDataPlane/default"), 1);
	cocm_rindex_set(&x, "ns/env", t, 4); /* same set: no change */
	cr_assert_eq(cocm_rindex_count(&x, "DataPlane/ns/default"), 1);
	cocm_rindex_remove(&x, "ns/env");
	cr_assert_eq(cocm_rindex_count(&x, "DataPlane/ns/default"), 0);
	cr_assert_eq(cocm_rindex_count(&x, "ClusterDataPlane/default"), 0);
	cocm_rindex_remove(&x, "ns/env"); /* absent: fine */
}

Test(rindex, many_members_scale)
{
	char m[64];
	const char *t[] = { "team/dev" };
	int i;

	for (i = 0; i < 10000; i++) {
		snprintf(m, sizeof(m), "Release/team/r%d", i);
		cocm_rindex_set(&x, m, t, 1);
	}
	cr_assert_eq(cocm_rindex_count(&x, "team/dev"), 10000);
	for (i = 0; i < 10000; i += 2) {
		snprintf(m, sizeof(m), "Release/team/r%d", i);
		cocm_rindex_remove(&x, m);
	}
	cr_assert_eq(cocm_rindex_count(&x, "team/dev"), 5000);
}
