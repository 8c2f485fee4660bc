/* Informer state machine: LIST (paged) -> WATCH -> (resume | relist) -> WATCH ...
 *
 * Only one API request is in flight at a time (a list page or the watch), and the retry timer
 * is the only way a delayed step starts, so the state is simply "which of the three is active".
 * A list is applied page by page (objects stream into the cache as they come, so a huge list never
 * sits in memory twice); the keys seen are collected, and when the last page arrives every cached
 * key not seen is a deletion we missed. */
#include "kube/informer.h"

#include <stdlib.h>
#include <string.h>

#include "kube/backoff.h"
#include "kube/core/json.h"
#include "kube/core/log.h"
#include "kube/core/xalloc.h"
#include "kube/strmap.h"
#include "kube/watchevent.h"

enum next_step { STEP_LIST, STEP_WATCH };

struct cocm_informer {
	struct cocm_kube *k;
	uv_loop_t *loop;
	struct cocm_gvr gvr; /* strings below */
	char *group, *version, *resource;
	char *name, *ns, *lsel, *fsel;
	long page_size, watch_timeout_s;
	uint64_t resync_ms;
	struct cocm_informer_handlers h;
	struct cocm_cache *cache;
	struct cocm_backoff_step backoff;
	char *rv; /* last seen resourceVersion, "" before the first list */

	/* list */
	int list_inflight;
	char *cont;               /* continue token of the next page, NULL on the first */
	struct cocm_strmap seen;  /* keys in the list so far */

	/* watch */
	struct cocm_watch *watch; /* non-NULL until its done callback */
	int watch_canceled;
	enum cocm_err watch_err;  /* from an ERROR event */
	uint64_t watch_started_ms;
	unsigned watch_events;

	uv_timer_t retry, resync;
	enum next_step next;
	int started, closing, synced, handles_open;
	void (*done)(void *arg);
	void *done_arg;
	struct cocm_informer_stats stats;
};

static void start_list(struct cocm_informer *inf);
static void start_watch(struct cocm_informer *inf);

static char *dup_or_null(const char *s)
{
	return s != NULL && s[0] != '\0' ? cocm_xstrdup(s) : NULL;
}

static void set_rv(struct cocm_informer *inf, const char *rv)
{
	if (rv == NULL || rv[0] == '\0' || strcmp(rv, inf->rv) == 0)
		return;
	free(inf->rv);
	inf->rv = cocm_xstrdup(rv);
}

/* ---- lifecycle ---- */

struct cocm_informer *cocm_informer_create(struct cocm_kube *k, uv_loop_t *loop,
	const struct cocm_gvr *r, const struct cocm_informer_opts *o,
	const struct cocm_informer_handlers *h)
{
	struct cocm_informer_opts def = { 0 };
	struct cocm_informer *inf = COCM_NEW(struct cocm_informer);

	if (o == NULL)
		o = &def;
	inf->k = k;
	inf->loop = loop;
	inf->group = cocm_xstrdup(r->group ? r->group : "");
	inf->version = cocm_xstrdup(r->version);
	inf->resource = cocm_xstrdup(r->resource);
	inf->gvr.group = inf->group;
	inf->gvr.version = inf->version;
	inf->gvr.resource = inf->resource;
	inf->gvr.namespaced = r->namespaced;
	inf->name = cocm_xstrdup(o->name ? o->name : r->resource);
	inf->ns = dup_or_null(o->ns);
	inf->lsel = dup_or_null(o->label_selector);
	inf->fsel = dup_or_null(o->field_selector);
	inf->page_size = o->page_size > 0 ? o->page_size : COCM_INFORMER_PAGE;
	inf->watch_timeout_s = o->watch_timeout_s;
	inf->resync_ms = o->resync_ms;
	if (h != NULL)
		inf->h = *h;
	inf->cache = cocm_cache_create();
	if (o->transform != NULL)
		cocm_cache_set_transform(inf->cache, o->transform, o->transform_arg);
	for (const char *const *l = o->index_labels; l != NULL && *l != NULL; l++)
		cocm_cache_index_label(inf->cache, *l);
	cocm_backoff_step_init(&inf->backoff,
		o->backoff_base_ms ? o->backoff_base_ms : COCM_INFORMER_BACKOFF_BASE_MS,
		o->backoff_cap_ms ? o->backoff_cap_ms : COCM_INFORMER_BACKOFF_CAP_MS, o->seed);
	inf->rv = cocm_xstrdup("");
	cocm_strmap_init(&inf->seen);
	uv_timer_init(loop, &inf->retry);
	uv_timer_init(loop, &inf->resync);
	inf->retry.data = inf;
	inf->resync.data = inf;
	inf->handles_open = 2;
	return inf;
}

static void free_informer(struct cocm_informer *inf)
{
	void (*done)(void *) = inf->done;
	void *arg = inf->done_arg;

	cocm_cache_destroy(inf->cache);
	cocm_strmap_finish(&inf->seen);
	free(inf->cont);
	free(inf->rv);
	free(inf->group);
	free(inf->version);
	free(inf->resource);
	free(inf->name);
	free(inf->ns);
	free(inf->lsel);
	free(inf->fsel);
	free(inf);
	if (done != NULL)
		done(arg);
}

static void on_handle_closed(uv_handle_t *hd)
{
	struct cocm_informer *inf = hd->data;

	if (--inf->handles_open == 0)
		free_informer(inf);
}

static void maybe_free(struct cocm_informer *inf)
{
	if (!inf->closing || inf->list_inflight || inf->watch != NULL ||
		uv_is_closing((uv_handle_t *)&inf->retry))
		return;
	uv_close((uv_handle_t *)&inf->retry, on_handle_closed);
	uv_close((uv_handle_t *)&inf->resync, on_handle_closed);
}

void cocm_informer_close(struct cocm_informer *inf, void (*done)(void *arg), void *arg)
{
	if (inf == NULL || inf->closing)
		return;
	inf->closing = 1;
	inf->done = done;
	inf->done_arg = arg;
	uv_timer_stop(&inf->retry);
	uv_timer_stop(&inf->resync);
	if (inf->watch != NULL && !inf->watch_canceled) {
		inf->watch_canceled = 1;
		cocm_watch_cancel(inf->watch);
	}
	maybe_free(inf);
}

/* Stops for good (the client is closing): behaves like a close without a done callback, except
 * that the owner still calls cocm_informer_close() later, which then only sets the callback. */
static void halt(struct cocm_informer *inf, enum cocm_err err)
{
	cocm_log(COCM_LOG_INFO, "informer", "halt name=%s err=%s", inf->name, cocm_err_name(err));
	uv_timer_stop(&inf->retry);
	uv_timer_stop(&inf->resync);
}

static void on_retry(uv_timer_t *t)
{
	struct cocm_informer *inf = t->data;

	if (inf->closing)
		return;
	if (inf->next == STEP_LIST)
		start_list(inf);
	else
		start_watch(inf);
}

static void schedule(struct cocm_informer *inf, enum next_step step, uint64_t delay_ms)
{
	if (inf->closing)
		return;
	inf->next = step;
	uv_timer_start(&inf->retry, on_retry, delay_ms, 0);
}

/* ---- handlers ---- */

static int on_resync_obj(const char *key, const cJSON *obj, void *arg)
{
	struct cocm_informer *inf = arg;

	(void)key;
	if (inf->closing)
		return 1;
	if (inf->h.on_resync != NULL)
		inf->h.on_resync(obj, inf->h.arg);
	else if (inf->h.on_update != NULL)
		inf->h.on_update(obj, obj, inf->h.arg);
	return 0;
}

static void on_resync_timer(uv_timer_t *t)
{
	struct cocm_informer *inf = t->data;

	if (!inf->closing && inf->synced)
		cocm_cache_each(inf->cache, on_resync_obj, inf);
}

/* Stores obj (owned) and calls on_add / on_update. from_list: skip unchanged objects. */
static void apply_upsert(struct cocm_informer *inf, cJSON *obj, int from_list)
{
	char key[COCM_CACHE_KEY_MAX];
	cJSON *old = NULL;
	const cJSON *cur;

	if (cocm_cache_key_of(obj, key, sizeof(key)) != COCM_OK) {
		cocm_log(COCM_LOG_WARN, "informer", "skip-object name=%s reason=no-name", inf->name);
		cJSON_Delete(obj);
		return;
	}
	if (from_list)
		cocm_strmap_put(&inf->seen, key, NULL);
	if (cocm_cache_put(inf->cache, obj, &old) != COCM_OK) {
		cJSON_Delete(obj);
		return;
	}
	cur = cocm_cache_get(inf->cache, key);
	if (old == NULL) {
		if (inf->h.on_add != NULL)
			inf->h.on_add(cur, from_list, inf->h.arg);
	} else {
		const char *orv = cocm_json_str(old, "metadata", "resourceVersion", NULL);
		const char *nrv = cocm_json_str(cur, "metadata", "resourceVersion", NULL);
		int same = orv != NULL && nrv != NULL && strcmp(orv, nrv) == 0;

		if (!(from_list && same) && inf->h.on_update != NULL)
			inf->h.on_update(old, cur, inf->h.arg);
		cJSON_Delete(old);
	}
}

static void apply_delete(struct cocm_informer *inf, const char *key, const cJSON *fallback,
	int missed)
{
	cJSON *old = cocm_cache_take(inf->cache, key);

	if (old == NULL && fallback == NULL)
		return;
	if (inf->h.on_delete != NULL)
		inf->h.on_delete(old != NULL ? old : fallback, missed, inf->h.arg);
	cJSON_Delete(old);
}

/* ---- list ---- */

static void on_list(struct cocm_resp *resp, void *arg);

static void start_list(struct cocm_informer *inf)
{
	struct cocm_list_opts o = { 0 };
	enum cocm_err rc;

	if (inf->closing)
		return;
	o.label_selector = inf->lsel;
	o.field_selector = inf->fsel;
	o.limit = inf->page_size;
	o.cont = inf->cont;
	if (inf->cont == NULL) {
		cocm_strmap_finish(&inf->seen);
		cocm_strmap_init(&inf->seen);
	}
	rc = cocm_kube_list(inf->k, &inf->gvr, inf->ns, &o, on_list, inf);
	if (rc == COCM_ESTATE) {
		halt(inf, rc);
		return;
	}
	if (rc != COCM_OK) {
		cocm_log(COCM_LOG_ERROR, "informer", "list-start-failed name=%s err=%s", inf->name,
			cocm_err_name(rc));
		schedule(inf, STEP_LIST, cocm_backoff_step_next(&inf->backoff));
		return;
	}
	inf->list_inflight = 1;
}

/* List items usually carry no kind/apiVersion; give them the list's so handlers can rely on it. */
static void fill_kind(cJSON *item, const char *api_version, const char *list_kind)
{
	size_t n;

	if (api_version != NULL && cocm_json_str(item, "apiVersion", NULL) == NULL)
		cocm_json_set_str(item, "apiVersion", api_version);
	if (list_kind != NULL && cocm_json_str(item, "kind", NULL) == NULL) {
		n = strlen(list_kind);
		if (n > 4 && strcmp(list_kind + n - 4, "List") == 0) {
			char *kind = cocm_xstrndup(list_kind, n - 4);

			cocm_json_set_str(item, "kind", kind);
			free(kind);
		}
	}
}

static int collect_missing(const char *key, const cJSON *obj, void *arg)
{
	void **ctx = arg;
	struct cocm_informer *inf = ctx[0];
	struct cocm_strmap *gone = ctx[1];

	(void)obj;
	if (!cocm_strmap_has(&inf->seen, key))
		cocm_strmap_put(gone, key, NULL);
	return 0;
}

static void finish_list(struct cocm_informer *inf, const char *list_rv)
{
	struct cocm_strmap gone;
	struct cocm_strmap_iter it;
	void *ctx[2] = { inf, &gone };
	size_t n = 0;

	/* Deletions we missed: cached keys the complete list did not contain. */
	cocm_strmap_init(&gone);
	cocm_cache_each(inf->cache, collect_missing, ctx);
	cocm_strmap_iter_init(&it, &gone);
	while (cocm_strmap_next(&it) && !inf->closing) {
		apply_delete(inf, it.key, NULL, 1);
		n++;
	}
	cocm_strmap_finish(&gone);
	cocm_strmap_finish(&inf->seen);
	cocm_strmap_init(&inf->seen);
	inf->stats.missed_deletes += (unsigned)n;
	inf->stats.lists++;
	free(inf->rv);
	inf->rv = cocm_xstrdup(list_rv != NULL ? list_rv : "");
	cocm_log(COCM_LOG_INFO, "informer", "listed name=%s objects=%zu missed-deletes=%zu rv=%s",
		inf->name, cocm_cache_len(inf->cache), n, inf->rv);
	if (inf->closing)
		return;
	if (!inf->synced) {
		inf->synced = 1;
		if (inf->resync_ms > 0)
			uv_timer_start(&inf->resync, on_resync_timer, inf->resync_ms, inf->resync_ms);
		if (inf->h.on_synced != NULL)
			inf->h.on_synced(inf->h.arg);
		if (inf->closing)
			return;
	}
	start_watch(inf);
}

static void list_failed(struct cocm_informer *inf, struct cocm_resp *resp)
{
	free(inf->cont);
	inf->cont = NULL;
	if (resp->err == COCM_ESTATE || resp->err == COCM_ECANCELED) {
		halt(inf, resp->err);
		return;
	}
	if (resp->err == COCM_EGONE) {
		/* The continue token expired mid-list: start over at once. */
		cocm_log(COCM_LOG_INFO, "informer", "relist name=%s reason=continue-expired", inf->name);
		start_list(inf);
		return;
	}
	uint64_t d = cocm_backoff_step_next(&inf->backoff);

	cocm_log(COCM_LOG_WARN, "informer", "list-failed name=%s err=%s http=%d retry-ms=%llu",
		inf->name, cocm_err_name(resp->err), resp->http_status, (unsigned long long)d);
	schedule(inf, STEP_LIST, d);
}

/* 1 when every entry of a list page (NULL = none) is an object with a cache key. */
static int items_keyed(const cJSON *items)
{
	const cJSON *it;
	char key[COCM_CACHE_KEY_MAX];

	if (!cJSON_IsArray(items))
		return 1;
	cJSON_ArrayForEach(it, items) {
		if (!cJSON_IsObject(it) || cocm_cache_key_of(it, key, sizeof(key)) != COCM_OK)
			return 0;
	}
	return 1;
}

static void on_list(struct cocm_resp *resp, void *arg)
{
	struct cocm_informer *inf = arg;
	cJSON *body, *items, *item;
	const char *api_version, *list_kind, *cont;
	char *list_rv;

	inf->list_inflight = 0;
	if (inf->closing) {
		maybe_free(inf);
		return;
	}
	if (resp->err != COCM_OK) {
		list_failed(inf, resp);
		return;
	}
	body = resp->body; /* take ownership */
	resp->body = NULL;
	items = cJSON_GetObjectItemCaseSensitive(body, "items");
	/* A page with an item that cannot be keyed is refused whole: skipping the item would make
	 * the relist diff report the cached object as deleted (a garbage answer must never delete). */
	if (body == NULL || (items != NULL && !cJSON_IsArray(items) && !cJSON_IsNull(items)) ||
		!items_keyed(items)) {
		struct cocm_resp bad = *resp;

		cJSON_Delete(body);
		bad.err = COCM_EPARSE;
		list_failed(inf, &bad);
		return;
	}
	api_version = cocm_json_str(body, "apiVersion", NULL);
	list_kind = cocm_json_str(body, "kind", NULL);
	while (cJSON_IsArray(items) && (item = cJSON_DetachItemFromArray(items, 0)) != NULL) {
		if (inf->closing) {
			cJSON_Delete(item);
			continue;
		}
		fill_kind(item, api_version, list_kind);
		apply_upsert(inf, item, 1);
	}
	cont = cocm_json_str(body, "metadata", "continue", NULL);
	list_rv = dup_or_null(cocm_json_str(body, "metadata", "resourceVersion", NULL));
	free(inf->cont);
	inf->cont = dup_or_null(cont);
	cJSON_Delete(body);
	if (inf->closing) {
		free(list_rv);
		maybe_free(inf);
		return;
	}
	if (inf->cont != NULL)
		start_list(inf); /* next page */
	else
		finish_list(inf, list_rv);
	free(list_rv);
	if (inf->closing)
		maybe_free(inf);
}

/* ---- watch ---- */

static void on_event(enum cocm_watch_ev type, cJSON *object, void *arg)
{
	struct cocm_informer *inf = arg;
	char key[COCM_CACHE_KEY_MAX];
	const char *rv;

	if (inf->closing || inf->watch_canceled)
		return;
	inf->watch_events++;
	inf->stats.events++;
	rv = cocm_json_str(object, "metadata", "resourceVersion", NULL);
	switch (type) {
	case COCM_WATCH_ADDED:
	case COCM_WATCH_MODIFIED:
		set_rv(inf, rv);
		apply_upsert(inf, cJSON_Duplicate(object, 1), 0);
		break;
	case COCM_WATCH_DELETED:
		set_rv(inf, rv);
		if (cocm_cache_key_of(object, key, sizeof(key)) == COCM_OK)
			apply_delete(inf, key, object, 0);
		break;
	case COCM_WATCH_BOOKMARK:
		set_rv(inf, rv);
		break;
	case COCM_WATCH_ERROR: {
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(object, "code");
		int c = cJSON_IsNumber(code) ? code->valueint : 0;
		const char *reason = cocm_json_str(object, "reason", NULL);

		inf->watch_err = cocm_watchevent_err(c, reason);
		cocm_log(COCM_LOG_INFO, "informer", "watch-error-event name=%s code=%d err=%s",
			inf->name, c, cocm_err_name(inf->watch_err));
		inf->watch_canceled = 1;
		cocm_watch_cancel(inf->watch);
		break;
	}
	}
}

static void on_watch_done(enum cocm_err err, void *arg)
{
	struct cocm_informer *inf = arg;
	uint64_t lasted = uv_now(inf->loop) - inf->watch_started_ms;
	int healthy = inf->watch_events > 0 || lasted >= 1000;

	inf->watch = NULL;
	if (inf->closing) {
		maybe_free(inf);
		return;
	}
	if (inf->watch_err != COCM_OK)
		err = inf->watch_err;
	if (healthy)
		cocm_backoff_step_reset(&inf->backoff);
	switch (err) {
	case COCM_OK: /* the server's timeout: carry on from where we are */
		cocm_log(COCM_LOG_DEBUG, "informer", "watch-ended name=%s rv=%s", inf->name, inf->rv);
		schedule(inf, STEP_WATCH, healthy ? 0 : cocm_backoff_step_next(&inf->backoff));
		break;
	case COCM_EGONE:
		inf->stats.relists_gone++;
		cocm_log(COCM_LOG_INFO, "informer", "relist name=%s reason=gone rv=%s", inf->name,
			inf->rv);
		free(inf->cont);
		inf->cont = NULL;
		schedule(inf, STEP_LIST, healthy ? 0 : cocm_backoff_step_next(&inf->backoff));
		break;
	case COCM_ESTATE:
	case COCM_ECANCELED:
		halt(inf, err);
		break;
	case COCM_ETOOBIG:
	case COCM_EPARSE: { /* the stream is unusable from here: start again from a list */
		uint64_t d = cocm_backoff_step_next(&inf->backoff);

		cocm_log(COCM_LOG_WARN, "informer", "watch-failed name=%s err=%s relist-ms=%llu",
			inf->name, cocm_err_name(err), (unsigned long long)d);
		schedule(inf, STEP_LIST, d);
		break;
	}
	default: {
		uint64_t d = cocm_backoff_step_next(&inf->backoff);

		inf->stats.watch_resumes++;
		cocm_log(COCM_LOG_WARN, "informer", "watch-dropped name=%s err=%s rv=%s resume-ms=%llu",
			inf->name, cocm_err_name(err), inf->rv, (unsigned long long)d);
		schedule(inf, STEP_WATCH, d);
		break;
	}
	}
}

static void start_watch(struct cocm_informer *inf)
{
	struct cocm_watch_opts o = { 0 };
	enum cocm_err rc;

	if (inf->closing)
		return;
	o.label_selector = inf->lsel;
	o.field_selector = inf->fsel;
	o.resource_version = inf->rv[0] != '\0' ? inf->rv : NULL;
	o.timeout_s = inf->watch_timeout_s;
	if (o.timeout_s <= 0) /* spread reconnects as client-go does: 5..10 minutes */
		o.timeout_s = 300 + (long)(cocm_backoff_rand(&inf->backoff.rng) % 300);
	inf->watch_canceled = 0;
	inf->watch_err = COCM_OK;
	inf->watch_events = 0;
	inf->watch_started_ms = uv_now(inf->loop);
	rc = cocm_kube_watch(inf->k, &inf->gvr, inf->ns, &o, on_event, on_watch_done, inf,
		&inf->watch);
	if (rc == COCM_ESTATE) {
		inf->watch = NULL;
		halt(inf, rc);
		return;
	}
	if (rc != COCM_OK) {
		inf->watch = NULL;
		cocm_log(COCM_LOG_ERROR, "informer", "watch-start-failed name=%s err=%s", inf->name,
			cocm_err_name(rc));
		schedule(inf, STEP_WATCH, cocm_backoff_step_next(&inf->backoff));
		return;
	}
	inf->stats.watches++;
}

/* ---- API ---- */

enum cocm_err cocm_informer_start(struct cocm_informer *inf)
{
	if (inf->started || inf->closing)
		return COCM_ESTATE;
	inf->started = 1;
	schedule(inf, STEP_LIST, 0); /* first request from the loop, not from inside start */
	return COCM_OK;
}

struct cocm_cache *cocm_informer_cache(struct cocm_informer *inf)
{
	return inf->cache;
}

int cocm_informer_synced(const struct cocm_informer *inf)
{
	return inf->synced;
}

const char *cocm_informer_rv(const struct cocm_informer *inf)
{
	return inf->rv;
}

void cocm_informer_stats(const struct cocm_informer *inf, struct cocm_informer_stats *out)
{
	*out = inf->stats;
}
