/* Many-to-many reverse index (see resolve_cache.h). */
#include "hub-addon/resolve_cache.h"

#include <stdlib.h>
#include <string.h>

#include "kube/core/xalloc.h"

struct edges {
	size_t n;
	char *t[COCM_RINDEX_MAX_TARGETS];
};

void cocm_rindex_init(struct cocm_rindex *x)
{
	cocm_strmap_init(&x->by_target);
	cocm_strmap_init(&x->by_member);
}

void cocm_rindex_finish(struct cocm_rindex *x)
{
	struct cocm_strmap_iter it;
	size_t i;

	for (cocm_strmap_iter_init(&it, &x->by_target); cocm_strmap_next(&it);) {
		cocm_strmap_finish(it.value);
		free(it.value);
	}
	for (cocm_strmap_iter_init(&it, &x->by_member); cocm_strmap_next(&it);) {
		struct edges *e = it.value;

		for (i = 0; i < e->n; i++)
			free(e->t[i]);
		free(e);
	}
	cocm_strmap_finish(&x->by_target);
	cocm_strmap_finish(&x->by_member);
}

static void unlink_target(struct cocm_rindex *x, const char *member, const char *target)
{
	struct cocm_strmap *set = cocm_strmap_get(&x->by_target, target);

	if (set == NULL)
		return;
	cocm_strmap_del(set, member, NULL);
	if (set->len == 0) {
		cocm_strmap_del(&x->by_target, target, NULL);
		cocm_strmap_finish(set);
		free(set);
	}
}

void cocm_rindex_remove(struct cocm_rindex *x, const char *member)
{
	struct edges *e = cocm_strmap_del(&x->by_member, member, NULL);
	size_t i;

	if (e == NULL)
		return;
	for (i = 0; i < e->n; i++) {
		unlink_target(x, member, e->t[i]);
		free(e->t[i]);
	}
	free(e);
}

static int same_targets(const struct edges *e, const char *const *targets, size_t n)
{
	size_t i, j, m = 0;

	for (i = 0; i < n; i++) {
		int dup = 0;

		if (targets[i] == NULL)
			continue;
		for (j = 0; j < i; j++)
			if (targets[j] != NULL && strcmp(targets[j], targets[i]) == 0)
				dup = 1;
		if (dup)
			continue;
		m++;
		for (j = 0; j < e->n; j++)
			if (strcmp(e->t[j], targets[i]) == 0)
				break;
		if (j == e->n)
			return 0;
	}
	return m == e->n;
}

void cocm_rindex_set(struct cocm_rindex *x, const char *member, const char *const *targets,
	size_t n)
{
	struct edges *e;
	size_t i, j;

	if (n > COCM_RINDEX_MAX_TARGETS)
		n = COCM_RINDEX_MAX_TARGETS;
	e = cocm_strmap_get(&x->by_member, member);
	if (e != NULL && same_targets(e, targets, n))
		return; /* the common case: nothing moved */
	cocm_rindex_remove(x, member);
	e = COCM_NEW(struct edges);
	for (i = 0; i < n; i++) {
		struct cocm_strmap *set;
		int dup = 0;

		if (targets[i] == NULL)
			continue;
		for (j = 0; j < e->n; j++)
			if (strcmp(e->t[j], targets[i]) == 0)
				dup = 1;
		if (dup)
			continue;
		e->t[e->n++] = cocm_xstrdup(targets[i]);
		set = cocm_strmap_get(&x->by_target, targets[i]);
		if (set == NULL) {
			set = COCM_NEW(struct cocm_strmap);
			cocm_strmap_init(set);
			cocm_strmap_put(&x->by_target, targets[i], set);
		}
		cocm_strmap_put(set, member, NULL);
	}
	if (e->n == 0) {
		free(e);
		return;
	}
	cocm_strmap_put(&x->by_member, member, e);
}

void cocm_rindex_each(struct cocm_rindex *x, const char *target, cocm_rindex_cb cb, void *arg)
{
	struct cocm_strmap *set = cocm_strmap_get(&x->by_target, target);
	struct cocm_strmap_iter it;

	if (set == NULL)
		return;
	for (cocm_strmap_iter_init(&it, set); cocm_strmap_next(&it);)
		cb(it.key, arg);
}

size_t cocm_rindex_count(const struct cocm_rindex *x, const char *target)
{
	const struct cocm_strmap *set = cocm_strmap_get(&x->by_target, target);

	return set != NULL ? set->len : 0;
}

int cocm_rindex_has(const struct cocm_rindex *x, const char *member, const char *target)
{
	const struct cocm_strmap *set = cocm_strmap_get(&x->by_target, target);

	return set != NULL && cocm_strmap_has(set, member);
}
