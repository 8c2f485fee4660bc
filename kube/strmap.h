/* String-keyed hash map (open addressing, linear probing, backward-shift deletion) used by the
 * cache, the work queue and the per-key backoff. Keys are copied into the map (owned by it);
 * values are opaque pointers the map never frees. Not thread-safe (loop thread only).
 * Iteration order is unspecified; the map must not be modified while iterating (collect the
 * keys first, then remove). */
#ifndef COCM_KUBE_STRMAP_H
#define COCM_KUBE_STRMAP_H

#include <stddef.h>

struct cocm_strmap_slot {
	char *key;  /* NULL = empty slot */
	size_t hash;
	void *value;
};

struct cocm_strmap {
	struct cocm_strmap_slot *slots; /* private */
	size_t cap;                     /* private: power of two or 0 */
	size_t len;                     /* number of entries (read-only for callers) */
};

void cocm_strmap_init(struct cocm_strmap *m);
/* Frees keys and the table; values are left alone (free them first via iteration). */
void cocm_strmap_finish(struct cocm_strmap *m);

/* Value for key, or NULL when absent (so don't store NULL values if you need to tell). */
void *cocm_strmap_get(const struct cocm_strmap *m, const char *key);
/* 1 when key is present (NULL values count). */
int cocm_strmap_has(const struct cocm_strmap *m, const char *key);
/* Inserts or replaces; returns the previous value (NULL if none). */
void *cocm_strmap_put(struct cocm_strmap *m, const char *key, void *value);
/* Removes key; returns its value (NULL if absent). *found (may be NULL) says whether it was there. */
void *cocm_strmap_del(struct cocm_strmap *m, const char *key, int *found);
/* The map's own copy of key (valid until the entry is removed), or NULL. */
const char *cocm_strmap_key(const struct cocm_strmap *m, const char *key);

/* Iteration: for (cocm_strmap_iter_init(&it, m); cocm_strmap_next(&it); ) use it.key / it.value */
struct cocm_strmap_iter {
	struct cocm_strmap *m;
	size_t pos;
	const char *key;
	void *value;
};
void cocm_strmap_iter_init(struct cocm_strmap_iter *it, struct cocm_strmap *m);
int cocm_strmap_next(struct cocm_strmap_iter *it);

#endif
