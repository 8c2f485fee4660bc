/* Informer: keeps an in-memory cache of one resource in step with the API server and tells
 * handlers what changed (client-go's reflector + store + shared informer, on one libuv loop).
 *
 * Cycle: LIST with paging (limit 500 + continue) -> apply to the cache -> WATCH from the list's
 * resourceVersion with allowWatchBookmarks. A dropped or failed watch resumes from the last seen
 * resourceVersion (events or bookmarks) after a capped, jittered backoff; a watch that the server
 * ends cleanly (its timeout) resumes at once. 410 Gone / Expired (on the watch request, as an
 * ERROR event, or on an expired continue token) -> relist from scratch. After every complete list
 * the cache is diffed against it: new objects -> on_add, changed resourceVersion -> on_update,
 * objects missing from the list (deleted while we were disconnected) -> on_delete with missed=1.
 * The first complete list sets `synced` and calls on_synced once.
 *
 * Handlers run on the loop, after the cache was updated (a handler looking up the cache sees the
 * new state). Object pointers are borrowed for the call only: copy what you need, and carry keys
 * (cocm_cache_key_of) across async boundaries, never pointers. Handlers must not modify the
 * cache; they may call anything else, including cocm_informer_close() (delivery stops at once).
 *
 * Resync: with resync_ms > 0, every object is passed to on_resync (or, when NULL, to
 * on_update(obj, obj)) every resync_ms, so level-based controllers re-check everything.
 *
 * Errors: create never fails (OOM is fatal); start returns COCM_ESTATE when already started.
 * Failures of the API (auth, 5xx, transport) are logged and retried with backoff forever, except
 * COCM_ESTATE from the client (it is closing): the informer then stops quietly. */
#ifndef COCM_KUBE_INFORMER_H
#define COCM_KUBE_INFORMER_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include <uv.h>

#include "kube/cache.h"
#include "kube/client.h"
#include "kube/core/err.h"

#define COCM_INFORMER_PAGE 500
#define COCM_INFORMER_BACKOFF_BASE_MS 800u  /* client-go reflector: 800 ms ... 30 s */
#define COCM_INFORMER_BACKOFF_CAP_MS 30000u

struct cocm_informer;

struct cocm_informer_handlers {
	/* initial = 1 for objects from a list (first sync or relist), 0 from a watch event. */
	void (*on_add)(const cJSON *obj, int initial, void *arg);
	void (*on_update)(const cJSON *old, const cJSON *cur, void *arg);
	/* obj = the last known state; missed = 1 when the deletion was found by a relist. */
	void (*on_delete)(const cJSON *obj, int missed, void *arg);
	void (*on_synced)(void *arg);
	void (*on_resync)(const cJSON *obj, void *arg);
	void *arg;
};

/* Zero fields take defaults. Strings are copied. */
struct cocm_informer_opts {
	const char *name;            /* for logs; default the resource name */
	const char *ns;              /* NULL = all namespaces (or cluster-scoped) */
	const char *label_selector;
	const char *field_selector;
	long page_size;              /* default 500 */
	uint64_t resync_ms;          /* 0 = no periodic resync */
	uint64_t backoff_base_ms;    /* default 800 ms */
	uint64_t backoff_cap_ms;     /* default 30 s */
	long watch_timeout_s;        /* server-side timeoutSeconds; default random in 300..600 s */
	cocm_cache_transform_fn transform; /* see cache.h */
	void *transform_arg;
	const char *const *index_labels; /* NULL-terminated label keys to index, or NULL */
	uint64_t seed;               /* jitter seed; 0 = random */
};

struct cocm_informer_stats {
	unsigned lists;         /* complete lists (first + relists) */
	unsigned relists_gone;  /* relists caused by 410 */
	unsigned watches;       /* watch requests started */
	unsigned watch_resumes; /* watches restarted from a kept resourceVersion after a failure */
	unsigned missed_deletes;/* deletions found by diffing a relist */
	unsigned events;        /* watch events applied */
};

/* k and loop are borrowed and must outlive the informer; r and opts are copied. */
struct cocm_informer *cocm_informer_create(struct cocm_kube *k, uv_loop_t *loop,
	const struct cocm_gvr *r, const struct cocm_informer_opts *o,
	const struct cocm_informer_handlers *h);
enum cocm_err cocm_informer_start(struct cocm_informer *inf);
/* Stops delivering at once, cancels the watch, waits for an in-flight list to come back (the
 * client has no cancel for plain requests: close the client too, or let it finish), closes the
 * timers, frees the cache and the informer, then calls done(arg) (may be NULL). NULL inf: no-op. */
void cocm_informer_close(struct cocm_informer *inf, void (*done)(void *arg), void *arg);

/* Borrowed; valid until close. Read-only for callers. */
struct cocm_cache *cocm_informer_cache(struct cocm_informer *inf);
int cocm_informer_synced(const struct cocm_informer *inf);
/* Last resourceVersion seen (list, event or bookmark); "" before the first list. Borrowed. */
const char *cocm_informer_rv(const struct cocm_informer *inf);
void cocm_informer_stats(const struct cocm_informer *inf, struct cocm_informer_stats *out);

#endif
