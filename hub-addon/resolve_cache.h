/* Reverse indexes of the resolve chain, so an event wakes exactly the Releases it affects
 * without scanning every Release:
 *   Environment "ns/name"                      -> Release keys   (from spec.environmentName)
 *   DataPlane "DataPlane/ns/name" or
 *   "ClusterDataPlane/name"                    -> Environment keys (from spec.dataPlaneRef,
 *                                                 or both `default` fallbacks when it has none)
 *   Placement "ns/name"                        -> Release keys   (recorded by each reconcile)
 *
 * struct cocm_rindex is one such many-to-many relation: each member (e.g. a Release key) points
 * at a small set of targets (its Environment); set() replaces a member's targets, remove()
 * drops the member, each() visits the members pointing at one target. Costs are O(edges of the
 * member) for set/remove and O(members of the target) for each. Keys are copied. Loop thread
 * only; no modification from inside each()'s callback (collect first). */
#ifndef COCM_HUBADDON_RESOLVE_CACHE_H
#define COCM_HUBADDON_RESOLVE_CACHE_H

#include <stddef.h>

#include "kube/strmap.h"

#define COCM_RINDEX_MAX_TARGETS 4 /* per member */

struct cocm_rindex {
	struct cocm_strmap by_target; /* private: target -> struct cocm_strmap* (set of members) */
	struct cocm_strmap by_member; /* private: member -> struct edges* */
};

typedef void (*cocm_rindex_cb)(const char *member, void *arg);

void cocm_rindex_init(struct cocm_rindex *x);
void cocm_rindex_finish(struct cocm_rindex *x);

/* Replaces member's targets with targets[0..n) (n <= COCM_RINDEX_MAX_TARGETS; extra ignored;
 * NULL or duplicate entries skipped). n == 0 is remove(). */
void cocm_rindex_set(struct cocm_rindex *x, const char *member, const char *const *targets,
	size_t n);
void cocm_rindex_remove(struct cocm_rindex *x, const char *member);
/* Visits every member pointing at target (unspecified order). */
void cocm_rindex_each(struct cocm_rindex *x, const char *target, cocm_rindex_cb cb, void *arg);
/* Number of members pointing at target. */
size_t cocm_rindex_count(const struct cocm_rindex *x, const char *target);
/* 1 if member currently points at target. */
int cocm_rindex_has(const struct cocm_rindex *x, const char *member, const char *target);

#endif
