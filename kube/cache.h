/* In-memory object store for informers: cJSON objects keyed "namespace/name" (or "name" for
 * cluster-scoped objects), with optional label indexes.
 *
 * Ownership: the cache owns every stored object. cocm_cache_get() and the iteration callbacks
 * borrow: the pointer is valid until that key is next replaced or removed (or the cache is
 * destroyed). Callers must not modify borrowed objects.
 *
 * Transform hook: when set, every object passes through transform(obj, arg) before it is
 * stored (the hook owns obj and returns the object to store, typically obj itself with fields
 * removed: e.g. keep only metadata+status of ManifestWorks). It must not return NULL and must
 * keep metadata.name/namespace/labels it relies on (the key is computed before the transform).
 *
 * Label indexes: cocm_cache_index_label(c, "app") makes lookups by label app=<value> cost
 * O(matches); a lookup on a label key that is not indexed scans every object (still correct).
 * Indexes may be added at any time (existing objects are indexed then).
 *
 * No modification (put/take/clear) from inside an iteration callback. Loop-thread only. */
#ifndef COCM_KUBE_CACHE_H
#define COCM_KUBE_CACHE_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "kube/core/err.h"

/* namespace (63) + '/' + name (253) + NUL, rounded up */
#define COCM_CACHE_KEY_MAX 320

struct cocm_cache;

typedef cJSON *(*cocm_cache_transform_fn)(cJSON *obj, void *arg);
/* Return non-zero to stop the iteration. */
typedef int (*cocm_cache_each_cb)(const char *key, const cJSON *obj, void *arg);

struct cocm_cache *cocm_cache_create(void);
void cocm_cache_destroy(struct cocm_cache *c); /* frees every object; NULL is fine */

void cocm_cache_set_transform(struct cocm_cache *c, cocm_cache_transform_fn fn, void *arg);
void cocm_cache_index_label(struct cocm_cache *c, const char *label_key);

/* Writes obj's key into buf: "ns/name", or "name" when there is no metadata.namespace (or it is
 * empty). COCM_EINVAL when metadata.name is missing/empty or the key would not fit in cap. */
enum cocm_err cocm_cache_key_of(const cJSON *obj, char *buf, size_t cap);

/* Stores obj (ownership passes to the cache on COCM_OK; on error the caller keeps it).
 * The previous object under the same key is handed to *old when old is non-NULL (caller frees it,
 * NULL when there was none), else freed. Errors: COCM_EINVAL as cocm_cache_key_of. */
enum cocm_err cocm_cache_put(struct cocm_cache *c, cJSON *obj, cJSON **old);
/* Borrowed object for key, or NULL. */
const cJSON *cocm_cache_get(const struct cocm_cache *c, const char *key);
/* Removes key and hands its object to the caller (NULL when absent). */
cJSON *cocm_cache_take(struct cocm_cache *c, const char *key);
size_t cocm_cache_len(const struct cocm_cache *c);
/* Removes and frees everything (indexes declarations are kept). */
void cocm_cache_clear(struct cocm_cache *c);

/* Every object, in unspecified order. */
void cocm_cache_each(const struct cocm_cache *c, cocm_cache_each_cb cb, void *arg);
/* Objects whose metadata.labels[label_key] == value. */
void cocm_cache_each_label(const struct cocm_cache *c, const char *label_key, const char *value,
	cocm_cache_each_cb cb, void *arg);
/* Sorted copy of every key (heap array of heap strings; free with cocm_cache_keys_free). */
char **cocm_cache_keys(const struct cocm_cache *c, size_t *n);
void cocm_cache_keys_free(char **keys, size_t n);

#endif
