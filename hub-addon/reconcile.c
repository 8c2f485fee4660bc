/* Release reconcile (see reconcile.h). One struct rec per in-flight key; every API call holds
 * one count of rec->pending and its callback moves the reconcile on when the count drops to 0.
 * Across the async boundary only keys are kept: phase 2 looks the Release up again. */
#include "hub-addon/reconcile.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hub-addon/events.h"
#include "hub-addon/pack.h"
#include "hub-addon/works.h"
#include "kube/core/json.h"
#include "kube/core/log.h"
#include "kube/core/sha256.h"
#include "kube/core/xalloc.h"
#include "kube/backoff.h"
#include "manifestwork/names.h"
#include "manifestwork/render.h"
#include "status-sync/fold.h"

#define ERRCAP 1024

enum mode {
	M_NONE,     /* leave it alone */
	M_MANAGED,  /* opted in */
	M_BROKEN,   /* ours (finalizer) but cannot be resolved: keep works, report */
	M_OPTOUT,   /* ours but opted out: remove works, then the finalizer */
	M_DELETING, /* deletionTimestamp + our finalizer */
	M_GONE,     /* not in the cache: delete its works */
};

struct rec {
	struct cocm_ctl *c;
	char *key;
	char kind[32], ns[64], name[256];
	enum cocm_inf inf;
	enum mode mode;
	uint64_t t0;
	int pending;
	int phase;
	enum cocm_err err;          /* first retryable error */
	char *apply_error;          /* hub-side refusal or render error (for ResourcesApplied) */
	enum cocm_sched_view sched;
	const char *sched_reason;
	char *sched_msg;
	cJSON *clusters;            /* array of cluster names (decisions) */
	int works_left;             /* M_DELETING / M_OPTOUT: works still in the cache */
	double requeue_s;
	int drop_finalizer;
};

struct op {
	struct rec *r;
	int what; /* OP_* */
	char wkey[COCM_CACHE_KEY_MAX];
	char *hash;      /* OP_APPLY_WORK: content hash; OP_STATUS: packed status (pack.h) */
	char *before_rv; /* resourceVersion of the cached object when the write started */
	cJSON *cands;    /* OP_CONFIRM_DECISIONS: keys ("ns/name") of the works to delete */
	char pl_ns[64], pl_name[64]; /* OP_CONFIRM_DECISIONS: the Placement */
};

/* OP_CONFIRM_*: a live read (no resourceVersion: a consistent read) before deleting works on
 * the word of a cache. A cache can lag (its watch is down, or its events arrive after those of
 * the works cache): a Release missing from it, a cluster missing from its decisions, or a plane
 * whose cached labels no longer opt in is only acted on once the API server agrees, like
 * Kubernetes' garbage collector confirms an absent owner before deleting dependents. */
enum { OP_APPLY_WORK, OP_DELETE_WORK, OP_FINALIZER, OP_STATUS, OP_PLACEMENT, OP_BINDING,
	OP_CONFIRM_GONE, OP_CONFIRM_DECISIONS, OP_CONFIRM_OPTOUT };

static void phase2(struct rec *r);
static void finish(struct rec *r);
static void delete_work(struct rec *r, const cJSON *w);
static void delete_all_works(struct rec *r);
static void confirmed_gone(struct rec *r, struct cocm_resp *resp);
static void confirmed_decisions(struct rec *r, struct op *o, struct cocm_resp *resp);
static void confirmed_optout(struct rec *r, struct cocm_resp *resp);

int cocm_reconcile_parse_key(const char *key, char *kind, size_t kcap, char *ns, size_t nscap,
	char *name, size_t namecap)
{
	const char *s1 = strchr(key, '/'), *s2;

	if (s1 == NULL)
		return -1;
	s2 = strchr(s1 + 1, '/');
	if (s2 == NULL || strchr(s2 + 1, '/') != NULL || s2[1] == '\0' || s2 == s1 + 1)
		return -1;
	if ((size_t)(s1 - key) >= kcap || (size_t)(s2 - s1 - 1) >= nscap ||
		strlen(s2 + 1) >= namecap)
		return -1;
	memcpy(kind, key, (size_t)(s1 - key));
	kind[s1 - key] = '\0';
	memcpy(ns, s1 + 1, (size_t)(s2 - s1 - 1));
	ns[s2 - s1 - 1] = '\0';
	memcpy(name, s2 + 1, strlen(s2 + 1) + 1);
	return 0;
}

static int retryable(enum cocm_err e)
{
	return e == COCM_ERETRY || e == COCM_EHTTP || e == COCM_ECONFLICT || e == COCM_EAUTH ||
		e == COCM_ETOOBIG || e == COCM_EPARSE;
}

static void note_err(struct rec *r, enum cocm_err e)
{
	if (r->err == COCM_OK && retryable(e))
		r->err = e;
}

static void hash_hex(const cJSON *obj, char hex[65])
{
	char *s = cocm_json_print(obj);

	cocm_sha256_hex(s, strlen(s), hex);
	free(s);
}

static const cJSON *release_obj(struct rec *r)
{
	char k[COCM_CACHE_KEY_MAX];
	struct cocm_cache *cache = cocm_ctl_cache(r->c, r->inf);

	if (cache == NULL)
		return NULL;
	snprintf(k, sizeof(k), "%s/%s", r->ns, r->name);
	return cocm_cache_get(cache, k);
}

static int has_finalizer(const cJSON *obj)
{
	const cJSON *f = cocm_json_get(obj, "metadata", NULL);
	const cJSON *it;

	f = f != NULL ? cJSON_GetObjectItemCaseSensitive(f, "finalizers") : NULL;
	cJSON_ArrayForEach(it, f)
		if (cJSON_IsString(it) && strcmp(it->valuestring, COCM_FINALIZER) == 0)
			return 1;
	return 0;
}

/* ---- writes the cache has not seen yet ------------------------------------------------- */

static const char *rv_of(const cJSON *obj)
{
	const char *rv = obj != NULL ? cocm_json_str(obj, "metadata", "resourceVersion", NULL) : NULL;

	return rv != NULL ? rv : "";
}

static void written_drop(struct cocm_ctl *c, const char *key)
{
	struct cocm_written *w = cocm_strmap_del(&c->written, key, NULL);

	if (w != NULL) {
		free(w->before_rv);
		free(w->what);
		free(w);
	}
}

/* Our last write under key while `cached` is still the object it replaced, else NULL. */
static const char *written_get(struct cocm_ctl *c, const char *key, const cJSON *cached)
{
	struct cocm_written *w = cocm_strmap_get(&c->written, key);

	if (w == NULL)
		return NULL;
	if (strcmp(w->before_rv, rv_of(cached)) == 0)
		return w->what;
	written_drop(c, key); /* the cache caught up */
	return NULL;
}

static void written_put(struct cocm_ctl *c, const char *key, const char *before_rv,
	const char *what)
{
	struct cocm_written *w = COCM_NEW(struct cocm_written);

	written_drop(c, key);
	w->before_rv = cocm_xstrdup(before_rv != NULL ? before_rv : "");
	w->what = cocm_xstrdup(what);
	cocm_strmap_put(&c->written, key, w);
}

static void wkey_of(char *out, size_t cap, const char *prefix, const char *key)
{
	snprintf(out, cap, "%s:%s", prefix, key);
}

/* ---- API calls -------------------------------------------------------------------------- */

static void on_op(struct cocm_resp *resp, void *arg)
{
	struct op *o = arg;
	struct rec *r = o->r;
	struct cocm_ctl *c = r->c;
	struct cocm_apply_failure *f;

	switch (o->what) {
	case OP_APPLY_WORK:
		if (resp->err == COCM_OK) {
			char k[COCM_CACHE_KEY_MAX + 8];

			wkey_of(k, sizeof(k), "W", o->wkey);
			if (o->hash != NULL)
				written_put(c, k, o->before_rv, o->hash);
			cocm_metric_inc(c->m.works_applied, NULL, NULL, 1);
			f = cocm_strmap_del(&c->apply_failed, o->wkey, NULL);
			if (f != NULL) {
				free(f->hash);
				free(f->message);
				free(f);
			}
		} else if (resp->err == COCM_EINVALID || resp->err == COCM_EINVAL) {
			char msg[1200];

			snprintf(msg, sizeof(msg), "the hub refused ManifestWork %s: %s", o->wkey,
				resp->status.message);
			cocm_log(COCM_LOG_WARN, "reconcile", "apply-refused release=%s work=%s code=%d",
				r->key, o->wkey, resp->http_status);
			f = cocm_strmap_get(&c->apply_failed, o->wkey);
			if (f == NULL) {
				f = COCM_NEW(struct cocm_apply_failure);
				cocm_strmap_put(&c->apply_failed, o->wkey, f);
			}
			free(f->hash);
			free(f->message);
			f->hash = cocm_xstrdup(o->hash != NULL ? o->hash : "");
			f->message = cocm_xstrdup(msg);
			f->at_ms = uv_now(c->loop);
			if (r->apply_error == NULL)
				r->apply_error = cocm_xstrdup(msg);
		} else {
			cocm_log(COCM_LOG_INFO, "reconcile", "apply-failed release=%s work=%s err=%s",
				r->key, o->wkey, cocm_err_name(resp->err));
			note_err(r, resp->err);
		}
		break;
	case OP_DELETE_WORK:
		if (resp->err == COCM_OK)
			cocm_metric_inc(c->m.works_deleted, NULL, NULL, 1);
		else if (resp->err != COCM_ENOTFOUND)
			note_err(r, resp->err);
		break;
	case OP_CONFIRM_GONE:
		confirmed_gone(r, resp);
		break;
	case OP_CONFIRM_DECISIONS:
		confirmed_decisions(r, o, resp);
		break;
	case OP_CONFIRM_OPTOUT:
		confirmed_optout(r, resp);
		break;
	case OP_STATUS:
		if (resp->err == COCM_OK) {
			char k[COCM_CACHE_KEY_MAX + 48];

			wkey_of(k, sizeof(k), "S", r->key);
			if (o->hash != NULL)
				written_put(c, k, o->before_rv, o->hash);
			cocm_metric_inc(c->m.status_writes, r->kind, NULL, 1);
		}
		else if (resp->err != COCM_ENOTFOUND)
			note_err(r, resp->err);
		break;
	default:
		if (resp->err != COCM_OK && resp->err != COCM_ENOTFOUND) {
			cocm_log(COCM_LOG_INFO, "reconcile", "write-failed release=%s op=%d err=%s "
				"code=%d", r->key, o->what, cocm_err_name(resp->err), resp->http_status);
			note_err(r, resp->err == COCM_EINVALID ? COCM_ERETRY : resp->err);
		}
		break;
	}
	free(o->hash);
	free(o->before_rv);
	cJSON_Delete(o->cands);
	free(o);
	if (--r->pending == 0) {
		if (r->phase == 1)
			phase2(r);
		else
			finish(r);
	}
}

static struct op *new_op(struct rec *r, int what, const char *wkey)
{
	struct op *o = COCM_NEW(struct op);

	o->r = r;
	o->what = what;
	if (wkey != NULL)
		snprintf(o->wkey, sizeof(o->wkey), "%s", wkey);
	return o;
}

static void started(struct rec *r, struct op *o, enum cocm_err rc)
{
	if (rc == COCM_OK) {
		r->pending++;
		return;
	}
	note_err(r, rc == COCM_ESTATE ? COCM_ERETRY : rc);
	free(o->hash);
	free(o->before_rv);
	cJSON_Delete(o->cands);
	free(o);
}

static void apply_obj(struct rec *r, const struct cocm_gvr *g, const cJSON *obj, int what,
	const char *wkey, const char *hash, const char *before_rv)
{
	struct cocm_write_opts wo = { .field_manager = COCM_SSA_MANAGER, .force = 1 };
	struct op *o = new_op(r, what, wkey);
	const char *ns = cocm_json_str(obj, "metadata", "namespace", NULL);
	const char *name = cocm_json_str(obj, "metadata", "name", NULL);

	o->hash = hash != NULL ? cocm_xstrdup(hash) : NULL;
	o->before_rv = cocm_xstrdup(before_rv != NULL ? before_rv : "");
	started(r, o, cocm_kube_patch(r->c->kube, g, g->namespaced ? ns : NULL, name,
		COCM_PATCH_APPLY, obj, &wo, on_op, o));
}

static void delete_work(struct rec *r, const cJSON *w)
{
	const char *ns = cocm_json_str(w, "metadata", "namespace", NULL);
	const char *name = cocm_json_str(w, "metadata", "name", NULL);
	struct op *o;
	char wk[COCM_CACHE_KEY_MAX];

	if (ns == NULL || name == NULL || cocm_works_deleting(w))
		return;
	snprintf(wk, sizeof(wk), "%s/%s", ns, name);
	cocm_log(COCM_LOG_INFO, "reconcile", "delete-work release=%s work=%s", r->key, wk);
	o = new_op(r, OP_DELETE_WORK, wk);
	started(r, o, cocm_kube_delete(r->c->kube, &cocm_gvr_of[COCM_INF_WORK], ns, name, NULL,
		on_op, o));
}

/* JSON patch guarded by a test of the current list, so a concurrent change fails with 422
 * (retried) instead of being overwritten. */
static void patch_finalizers(struct rec *r, const cJSON *obj, int add)
{
	const cJSON *cur = cocm_json_get(obj, "metadata", NULL);
	cJSON *patch = cJSON_CreateArray(), *op, *list;
	const cJSON *it;
	struct op *o;

	cur = cur != NULL ? cJSON_GetObjectItemCaseSensitive(cur, "finalizers") : NULL;
	if (cJSON_IsArray(cur)) {
		op = cJSON_CreateObject();
		cJSON_AddStringToObject(op, "op", "test");
		cJSON_AddStringToObject(op, "path", "/metadata/finalizers");
		cJSON_AddItemToObject(op, "value", cJSON_Duplicate(cur, 1));
		cJSON_AddItemToArray(patch, op);
	}
	list = cJSON_CreateArray();
	cJSON_ArrayForEach(it, cur)
		if (!(cJSON_IsString(it) && strcmp(it->valuestring, COCM_FINALIZER) == 0))
			cJSON_AddItemToArray(list, cJSON_Duplicate(it, 1));
	if (add)
		cJSON_AddItemToArray(list, cJSON_CreateString(COCM_FINALIZER));
	op = cJSON_CreateObject();
	cJSON_AddStringToObject(op, "op", cJSON_IsArray(cur) ? "replace" : "add");
	cJSON_AddStringToObject(op, "path", "/metadata/finalizers");
	cJSON_AddItemToObject(op, "value", list);
	cJSON_AddItemToArray(patch, op);
	cocm_log(COCM_LOG_INFO, "reconcile", "%s-finalizer release=%s", add ? "add" : "remove",
		r->key);
	o = new_op(r, OP_FINALIZER, NULL);
	started(r, o, cocm_kube_patch(r->c->kube, &cocm_gvr_of[r->inf], r->ns, r->name,
		COCM_PATCH_JSON, patch, NULL, on_op, o));
	cJSON_Delete(patch);
}

/* ---- resolve ------------------------------------------------------------------------------ */

static const cJSON *lookup(void *ctx, const char *kind, const char *ns, const char *name)
{
	struct cocm_ctl *c = ctx;
	enum cocm_inf w;
	char key[COCM_CACHE_KEY_MAX];
	struct cocm_cache *cache;

	if (strcmp(kind, "Environment") == 0)
		w = COCM_INF_ENV;
	else if (strcmp(kind, "DataPlane") == 0)
		w = COCM_INF_DP;
	else if (strcmp(kind, "ClusterDataPlane") == 0)
		w = COCM_INF_CDP;
	else if (strcmp(kind, "ObservabilityPlane") == 0)
		w = COCM_INF_OP;
	else if (strcmp(kind, "ClusterObservabilityPlane") == 0)
		w = COCM_INF_COP;
	else
		return NULL;
	cache = cocm_ctl_cache(c, w);
	if (cache == NULL)
		return NULL;
	if (ns != NULL && *ns != '\0')
		snprintf(key, sizeof(key), "%s/%s", ns, name);
	else
		snprintf(key, sizeof(key), "%s", name);
	return cocm_cache_get(cache, key);
}

/* Ensures the Placement and its ManagedClusterSetBinding; fills r->clusters from the
 * decisions. */
static void ensure_placement(struct rec *r, const cJSON *plane)
{
	struct cocm_ctl *c = r->c;
	struct cocm_placement_opts po = { .addon_namespace = c->flags->namespace };
	cJSON *pl = NULL, *bd = NULL;
	char err[ERRCAP], pname[64], pkey[COCM_CACHE_KEY_MAX], hex[65];
	const char *pns, *target;

	po.toleration_seconds = c->flags->unreachable_toleration_s > 0 ?
		(int64_t)c->flags->unreachable_toleration_s : -1;
	if (cocm_placement_name(pname, plane) == NULL)
		return;
	pns = cocm_placement_namespace(plane, &po);
	snprintf(pkey, sizeof(pkey), "%s/%s", pns, pname);
	target = pkey;
	cocm_rindex_set(&c->placement_releases, r->key, &target, 1);
	if (cocm_placement_build(plane, &po, &pl, &bd, err, sizeof(err)) != COCM_OK) {
		r->sched = COCM_SCHED_FALSE;
		r->sched_reason = COCM_REASON_MISCONFIGURED;
		free(r->sched_msg);
		r->sched_msg = cocm_xstrdup(err);
		return;
	}
	if (c->leader) {
		const cJSON *cur;
		const char *cur_hash;
		cJSON *ann;
		char bkey[COCM_CACHE_KEY_MAX];

		hash_hex(pl, hex);
		ann = cocm_json_obj(cocm_json_obj(pl, "metadata"), "annotations");
		cocm_json_set_str(ann, COCM_ANN_CONTENT_HASH, hex);
		cur = cocm_cache_get(cocm_ctl_cache(c, COCM_INF_PLACEMENT), pkey);
		cur_hash = cur != NULL ? cocm_works_hash(cur) : NULL;
		if (cur_hash == NULL || strcmp(cur_hash, hex) != 0) {
			cocm_log(COCM_LOG_INFO, "reconcile", "apply-placement placement=%s", pkey);
			apply_obj(r, &cocm_gvr_of[COCM_INF_PLACEMENT], pl, OP_PLACEMENT, pkey, NULL,
				NULL);
		}
		hash_hex(bd, hex);
		ann = cocm_json_obj(cocm_json_obj(bd, "metadata"), "annotations");
		cocm_json_set_str(ann, COCM_ANN_CONTENT_HASH, hex);
		snprintf(bkey, sizeof(bkey), "%s/%s", pns,
			cocm_json_str(bd, "metadata", "name", NULL));
		cur = cocm_cache_get(cocm_ctl_cache(c, COCM_INF_BINDING), bkey);
		/* a binding someone else made (no hash of ours) binds the same set: leave it */
		if (cur == NULL || (cocm_works_hash(cur) != NULL &&
			strcmp(cocm_works_hash(cur), hex) != 0)) {
			cocm_log(COCM_LOG_INFO, "reconcile", "apply-binding binding=%s", bkey);
			apply_obj(r, &cocm_gvr_of[COCM_INF_BINDING], bd, OP_BINDING, bkey, NULL, NULL);
		}
	}
	cJSON_Delete(pl);
	cJSON_Delete(bd);

}

static int add_ref(const char *key, const cJSON *obj, void *arg)
{
	(void)key;
	/* an object reference points at the first member (cJSON semantics) */
	cJSON_AddItemToArray(arg, cJSON_CreateObjectReference(obj->child));
	return 0;
}

static cJSON *decided_clusters(struct rec *r, const cJSON *plane)
{
	struct cocm_placement_opts po = { .addon_namespace = r->c->flags->namespace };
	struct cocm_cache *dcache = cocm_ctl_cache(r->c, COCM_INF_DECISION);
	cJSON *decs = cJSON_CreateArray(), *out;
	char pname[64];
	const char *pns;

	if (cocm_placement_name(pname, plane) == NULL || dcache == NULL) {
		cJSON_Delete(decs);
		return cJSON_CreateArray();
	}
	pns = cocm_placement_namespace(plane, &po);
	cocm_cache_each_label(dcache, COCM_LABEL_DECISION_PLACEMENT, pname, add_ref, decs);
	out = cocm_placement_clusters(decs, pns, pname);
	cJSON_Delete(decs);
	return out;
}

/* ---- phase 1 ------------------------------------------------------------------------------ */

static int wanted_has(const cJSON *wanted, const char *wk)
{
	return cJSON_GetObjectItemCaseSensitive(wanted, wk) != NULL;
}

static int has_string(const cJSON *arr, const char *s)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, arr)
		if (cJSON_IsString(it) && strcmp(it->valuestring, s) == 0)
			return 1;
	return 0;
}

/* Lists the plane's PlacementDecisions live; confirmed_decisions deletes the candidates. */
static void confirm_decisions(struct rec *r, const cJSON *plane, cJSON *cands)
{
	struct cocm_placement_opts po = { .addon_namespace = r->c->flags->namespace };
	struct cocm_list_opts lo = { 0 };
	struct op *o = new_op(r, OP_CONFIRM_DECISIONS, NULL);
	char lsel[160], fsel[128];

	o->cands = cands;
	if (cocm_placement_name(o->pl_name, plane) == NULL) {
		started(r, o, COCM_EINVAL);
		return;
	}
	snprintf(o->pl_ns, sizeof(o->pl_ns), "%s", cocm_placement_namespace(plane, &po));
	snprintf(lsel, sizeof(lsel), "%s=%s", COCM_LABEL_DECISION_PLACEMENT, o->pl_name);
	snprintf(fsel, sizeof(fsel), "metadata.namespace=%s", o->pl_ns);
	lo.label_selector = lsel;
	lo.field_selector = fsel;
	started(r, o, cocm_kube_list(r->c->kube, &cocm_gvr_of[COCM_INF_DECISION], NULL, &lo, on_op,
		o));
}

/* The `items` of a live LIST confirming a delete, or NULL after noting why on r (request
 * error, or a body that is not a list): the caller then keeps everything and retries. */
static const cJSON *live_items(struct rec *r, struct cocm_resp *resp)
{
	const cJSON *items;

	if (resp->err != COCM_OK) {
		note_err(r, resp->err);
		return NULL;
	}
	items = resp->body != NULL ? cJSON_GetObjectItemCaseSensitive(resp->body, "items") : NULL;
	if (!cJSON_IsArray(items)) {
		note_err(r, COCM_EPARSE);
		return NULL;
	}
	return items;
}

/* A candidate on a cluster the live decisions hold but the cached ones did not is kept (the
 * decisions cache lags: retried once it caught up); so is everything when the live decisions
 * are empty. */
static void confirmed_decisions(struct rec *r, struct op *o, struct cocm_resp *resp)
{
	struct cocm_cache *wc = cocm_ctl_cache(r->c, COCM_INF_WORK);
	const cJSON *items, *k;
	cJSON *live;

	items = live_items(r, resp);
	if (items == NULL)
		return;
	if (r->c->closing || !r->c->leader || wc == NULL)
		return;
	live = cocm_placement_clusters(items, o->pl_ns, o->pl_name);
	if (cJSON_GetArraySize(live) == 0) {
		cocm_log(COCM_LOG_INFO, "reconcile", "decisions-empty release=%s msg=\"the live "
			"decisions are empty: works kept\"", r->key);
		cJSON_Delete(live);
		return;
	}
	cJSON_ArrayForEach(k, o->cands) {
		const cJSON *w = cocm_cache_get(wc, k->valuestring);
		const char *cl = w != NULL ? cocm_json_str(w, "metadata", "namespace", NULL) : NULL;

		if (cl == NULL)
			continue;
		if (has_string(live, cl) && !has_string(r->clusters, cl)) {
			cocm_log(COCM_LOG_INFO, "reconcile", "decisions-stale release=%s work=%s "
				"msg=\"the cluster is in the live decisions: work kept\"", r->key,
				k->valuestring);
			note_err(r, COCM_ERETRY);
			continue;
		}
		delete_work(r, w);
	}
	cJSON_Delete(live);
}

/* Lists the Release live; confirmed_gone deletes its works only when it is not there. */
static void confirm_gone(struct rec *r)
{
	const cJSON **have = NULL;
	size_t n = cocm_works_of_release(cocm_ctl_cache(r->c, COCM_INF_WORK), r->kind, r->ns,
		r->name, &have);
	struct cocm_list_opts lo = { 0 };
	char fsel[COCM_CACHE_KEY_MAX + 64];
	struct op *o;

	free(have);
	if (n == 0 || !r->c->leader)
		return;
	snprintf(fsel, sizeof(fsel), "metadata.namespace=%s,metadata.name=%s", r->ns, r->name);
	lo.field_selector = fsel;
	o = new_op(r, OP_CONFIRM_GONE, NULL);
	started(r, o, cocm_kube_list(r->c->kube, &cocm_gvr_of[r->inf], NULL, &lo, on_op, o));
}

static void confirmed_gone(struct rec *r, struct cocm_resp *resp)
{
	const cJSON *items;

	items = live_items(r, resp);
	if (items == NULL)
		return;
	if (cJSON_GetArraySize(items) > 0) {
		cocm_log(COCM_LOG_INFO, "reconcile", "release-not-cached release=%s msg=\"on the hub "
			"but not in the cache yet: works kept\"", r->key);
		note_err(r, COCM_ERETRY);
		return;
	}
	if (!r->c->closing && r->c->leader)
		delete_all_works(r);
}

/* Lists the target plane live (the informer's request, narrowed by a field selector);
 * confirmed_optout removes the works, then the finalizer, only when it does not opt in. */
static void confirm_optout(struct rec *r, const struct cocm_placement_target *tgt)
{
	static const enum cocm_inf inf_of[] = {
		[COCM_PLANE_DATA] = COCM_INF_DP, [COCM_PLANE_CLUSTER_DATA] = COCM_INF_CDP,
		[COCM_PLANE_OBSERVABILITY] = COCM_INF_OP,
		[COCM_PLANE_CLUSTER_OBSERVABILITY] = COCM_INF_COP,
	};
	const char *ns = cocm_json_str(tgt->plane, "metadata", "namespace", NULL);
	const char *name = cocm_json_str(tgt->plane, "metadata", "name", NULL);
	struct cocm_list_opts lo = { 0 };
	char fsel[COCM_CACHE_KEY_MAX + 64];
	enum cocm_inf w;
	struct op *o;
	int n;

	if (!r->c->leader)
		return;
	if (tgt->kind == COCM_PLANE_UNKNOWN || name == NULL) {
		note_err(r, COCM_ERETRY); /* cannot confirm: keep the works */
		return;
	}
	w = inf_of[tgt->kind];
	if (cocm_gvr_of[w].namespaced && ns != NULL)
		n = snprintf(fsel, sizeof(fsel), "metadata.namespace=%s,metadata.name=%s", ns, name);
	else
		n = snprintf(fsel, sizeof(fsel), "metadata.name=%s", name);
	if (n < 0 || (size_t)n >= sizeof(fsel)) {
		note_err(r, COCM_ERETRY);
		return;
	}
	lo.field_selector = fsel;
	o = new_op(r, OP_CONFIRM_OPTOUT, NULL);
	started(r, o, cocm_kube_list(r->c->kube, &cocm_gvr_of[w], NULL, &lo, on_op, o));
}

/* A plane that opts in live (its cache lags) keeps the works; so does a plane missing live:
 * a missing plane is M_BROKEN (works kept), not an opt-out. Both retry. */
static void confirmed_optout(struct rec *r, struct cocm_resp *resp)
{
	const cJSON *items, *it;

	items = live_items(r, resp);
	if (items == NULL)
		return;
	if (cJSON_GetArraySize(items) == 0) {
		cocm_log(COCM_LOG_INFO, "reconcile", "optout-plane-gone release=%s msg=\"the plane "
			"is not on the hub: works kept\"", r->key);
		note_err(r, COCM_ERETRY);
		return;
	}
	cJSON_ArrayForEach(it, items) {
		if (!cocm_placement_opted_in(it))
			continue;
		cocm_log(COCM_LOG_INFO, "reconcile", "optout-stale release=%s msg=\"the plane opts "
			"in on the hub: works kept\"", r->key);
		note_err(r, COCM_ERETRY);
		return;
	}
	if (r->c->closing || !r->c->leader)
		return;
	delete_all_works(r);
	if (r->works_left == 0)
		r->drop_finalizer = 1;
	else
		r->requeue_s = COCM_DELETE_POLL_S;
}

/* Applies the rendered works on every decided cluster and deletes our works no longer wanted
 * (after confirm_decisions). */
static void sync_works(struct rec *r, const cJSON *rel, const cJSON *plane)
{
	struct cocm_ctl *c = r->c;
	cJSON *works = NULL, *wanted, *w, *cands;
	const cJSON *cl;
	const cJSON **have = NULL;
	size_t nhave, i;
	char err[ERRCAP];
	struct cocm_cache *wc = cocm_ctl_cache(c, COCM_INF_WORK);
	struct cocm_render_opts ro = { 0 };
	enum cocm_err rc;

	if (cJSON_GetArraySize(r->clusters) == 0)
		return; /* never act on empty decisions: Scheduled=False says why */
	ro.executor = cocm_placement_executor(plane); /* opt-in spec.executor */
	rc = cocm_render_works_raw(rel, cJSON_GetArrayItem(r->clusters, 0)->valuestring, &ro, &works,
		err, sizeof(err));
	if (rc != COCM_OK) {
		char msg[ERRCAP + 64];

		snprintf(msg, sizeof(msg), "invalid %s: %s", r->kind, err);
		free(r->apply_error);
		r->apply_error = cocm_xstrdup(msg);
		cocm_log(COCM_LOG_WARN, "reconcile", "render-failed release=%s err=%s", r->key,
			cocm_err_name(rc));
		return; /* keep whatever was delivered before */
	}
	wanted = cJSON_CreateObject();
	cJSON_ArrayForEach(cl, r->clusters) {
		cJSON_ArrayForEach(w, works) {
			char wk[COCM_CACHE_KEY_MAX];
			const char *name = cocm_json_str(w, "metadata", "name", NULL);
			const char *hash = cocm_works_hash(w);
			const cJSON *cur;
			const char *cur_hash;
			struct cocm_apply_failure *f;

			cocm_json_set_str(cocm_json_obj(w, "metadata"), "namespace", cl->valuestring);
			snprintf(wk, sizeof(wk), "%s/%s", cl->valuestring, name);
			cJSON_AddItemToObject(wanted, wk, cJSON_CreateTrue());
			char wrk[COCM_CACHE_KEY_MAX + 8];

			cur = wc != NULL ? cocm_cache_get(wc, wk) : NULL;
			wkey_of(wrk, sizeof(wrk), "W", wk);
			cur_hash = written_get(c, wrk, cur);
			if (cur_hash == NULL)
				cur_hash = cur != NULL ? cocm_works_hash(cur) : NULL;
			if (cur_hash != NULL && hash != NULL && strcmp(cur_hash, hash) == 0 &&
				!cocm_works_deleting(cur))
				continue;
			f = cocm_strmap_get(&c->apply_failed, wk);
			if (f != NULL && hash != NULL && strcmp(f->hash, hash) == 0 &&
				uv_now(c->loop) - f->at_ms < (uint64_t)COCM_APPLY_RETRY_S * 1000u) {
				if (r->apply_error == NULL)
					r->apply_error = cocm_xstrdup(f->message);
				continue;
			}
			if (cur != NULL && cocm_works_deleting(cur))
				continue; /* wait until it is gone, then create it anew */
			cocm_log(COCM_LOG_INFO, "reconcile", "apply-work release=%s work=%s", r->key, wk);
			apply_obj(r, &cocm_gvr_of[COCM_INF_WORK], w, OP_APPLY_WORK, wk, hash, rv_of(cur));
		}
	}
	nhave = cocm_works_of_release(wc, r->kind, r->ns, r->name, &have);
	cands = cJSON_CreateArray();
	for (i = 0; i < nhave; i++) {
		char wk[COCM_CACHE_KEY_MAX];

		snprintf(wk, sizeof(wk), "%s/%s", cocm_json_str(have[i], "metadata", "namespace", NULL),
			cocm_json_str(have[i], "metadata", "name", NULL));
		if (!wanted_has(wanted, wk) && !cocm_works_deleting(have[i]))
			cJSON_AddItemToArray(cands, cJSON_CreateString(wk));
	}
	free(have);
	if (cJSON_GetArraySize(cands) > 0)
		confirm_decisions(r, plane, cands);
	else
		cJSON_Delete(cands);
	cJSON_Delete(wanted);
	cJSON_Delete(works);
}

/* Deletes every work of the Release; counts those still in the cache. */
static void delete_all_works(struct rec *r)
{
	const cJSON **have = NULL;
	size_t n, i;

	n = cocm_works_of_release(cocm_ctl_cache(r->c, COCM_INF_WORK), r->kind, r->ns, r->name,
		&have);
	r->works_left = (int)n;
	if (r->c->leader)
		for (i = 0; i < n; i++)
			delete_work(r, have[i]);
	free(have);
}

/* Seconds since 1970 of "YYYY-MM-DDTHH:MM:SS..." (UTC); -1 when malformed. */
static long long parse_utc(const char *ts)
{
	int v[6], i;
	const char *p = ts;
	static const char seps[6] = { '-', '-', 'T', ':', ':', '\0' };
	long long y, m, d, era, yoe, doy, doe, days;

	for (i = 0; i < 6; i++) {
		char *end;
		long long x = strtoll(p, &end, 10);

		if (end == p || x < 0 || x > 9999 || (i < 5 && *end != seps[i]))
			return -1;
		v[i] = (int)x;
		p = end + (i < 5 ? 1 : 0);
	}
	/* days from civil (proleptic Gregorian) */
	y = v[0];
	m = v[1];
	d = v[2];
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	days = era * 146097 + doe - 719468;
	return days * 86400 + v[3] * 3600 + v[4] * 60 + v[5];
}

static double deleting_for_s(const cJSON *rel)
{
	const char *ts = cocm_json_str(rel, "metadata", "deletionTimestamp", NULL);
	long long t;

	if (ts == NULL || (t = parse_utc(ts)) < 0)
		return 0;
	return (double)((long long)time(NULL) - t);
}

static void phase1_on(struct rec *r, const cJSON *rel);

static void phase1(struct rec *r)
{
	cJSON *rel = cocm_works_unpack(release_obj(r));

	phase1_on(r, rel);
	cJSON_Delete(rel);
}

static void phase1_on(struct rec *r, const cJSON *rel)
{
	struct cocm_ctl *c = r->c;
	struct cocm_placement_target tgt;
	char err[ERRCAP];
	enum cocm_err rc;
	const char *env;

	r->phase = 1;
	if (rel == NULL) {
		r->mode = M_GONE;
		cocm_rindex_remove(&c->env_releases, r->key);
		cocm_rindex_remove(&c->placement_releases, r->key);
		cocm_strmap_del(&c->health, r->key, NULL);
		confirm_gone(r);
		return;
	}
	if (cocm_works_deleting(rel)) {
		if (!has_finalizer(rel)) {
			r->mode = M_NONE;
			return;
		}
		r->mode = M_DELETING;
		delete_all_works(r);
		if (r->works_left == 0) {
			r->drop_finalizer = 1;
		} else if (c->flags->orphan_works_after_s >= 0 &&
			deleting_for_s(rel) >= c->flags->orphan_works_after_s) {
			cocm_log(COCM_LOG_ERROR, "reconcile", "orphaning-works release=%s works=%d "
				"msg=\"--orphan-works-after expired: releasing the Release while its "
				"ManifestWorks remain; their workloads stay on the clusters\"", r->key,
				r->works_left);
			r->drop_finalizer = 1;
		} else {
			r->requeue_s = COCM_DELETE_POLL_S;
			if (c->flags->orphan_works_after_s >= 0) {
				double left = c->flags->orphan_works_after_s - deleting_for_s(rel);

				if (left > 0 && left < r->requeue_s)
					r->requeue_s = left + 0.5;
			}
		}
		return;
	}
	env = cocm_json_str(rel, "spec", "environmentName", NULL);
	if (env != NULL) {
		char ek[COCM_CACHE_KEY_MAX];
		const char *t = ek;

		snprintf(ek, sizeof(ek), "%s/%s", r->ns, env);
		cocm_rindex_set(&c->env_releases, r->key, &t, 1);
	}
	rc = cocm_placement_resolve(rel, lookup, c, &tgt, err, sizeof(err));
	if (rc != COCM_OK) {
		if (!has_finalizer(rel)) {
			r->mode = M_NONE;
			return;
		}
		r->mode = M_BROKEN;
		r->sched = COCM_SCHED_FALSE;
		r->sched_reason = tgt.environment == NULL ? COCM_REASON_ENV_NOT_FOUND :
			COCM_REASON_DP_NOT_FOUND;
		if (rc == COCM_EINVAL)
			r->sched_reason = COCM_REASON_MISCONFIGURED;
		r->sched_msg = cocm_xstrdup(err);
		return;
	}
	if (!tgt.opted_in) {
		if (!has_finalizer(rel)) {
			r->mode = M_NONE;
			cocm_strmap_del(&c->health, r->key, NULL);
			return;
		}
		r->mode = M_OPTOUT;
		r->sched = COCM_SCHED_FALSE;
		r->sched_reason = COCM_REASON_NOT_MANAGED;
		confirm_optout(r, &tgt); /* then the works, then the finalizer */
		return;
	}
	r->mode = M_MANAGED;
	if (!has_finalizer(rel)) {
		if (c->leader)
			patch_finalizers(r, rel, 1);
		r->mode = M_NONE; /* the finalizer's update event brings the Release back */
		return;
	}
	ensure_placement(r, tgt.plane);
	if (r->sched == COCM_SCHED_FALSE)
		return; /* misconfigured plane */
	r->clusters = decided_clusters(r, tgt.plane);
	if (cJSON_GetArraySize(r->clusters) == 0) {
		r->sched = COCM_SCHED_FALSE;
		r->sched_reason = COCM_REASON_NO_CLUSTERS;
	} else {
		r->sched = COCM_SCHED_TRUE;
	}
	if (c->leader)
		sync_works(r, rel, tgt.plane);
}

/* ---- phase 2: status ---------------------------------------------------------------------- */

static cJSON *find_cond(const cJSON *status, const char *type)
{
	const cJSON *conds = status != NULL ?
		cJSON_GetObjectItemCaseSensitive(status, "conditions") : NULL;
	cJSON *it;

	cJSON_ArrayForEach(it, conds) {
		const char *t = cocm_json_str(it, "type", NULL);

		if (t != NULL && strcmp(t, type) == 0)
			return it;
	}
	return NULL;
}

static const char *cond_field(const cJSON *cond, const char *f)
{
	const char *s = cond != NULL ? cocm_json_str(cond, f, NULL) : NULL;

	return s != NULL ? s : "";
}

/* ResourcesApplied=False/ApplyFailed with the hub's refusal (the fold only sees agents). */
static void set_apply_failed(cJSON *status, const cJSON *old, const char *msg, int64_t gen,
	const char *now)
{
	cJSON *conds = cocm_json_get(status, NULL) != NULL ?
		cJSON_GetObjectItemCaseSensitive(status, "conditions") : NULL;
	cJSON *cond = find_cond(status, COCM_COND_APPLIED);
	const cJSON *oc = find_cond(old, COCM_COND_APPLIED);
	char cut[COCM_FOLD_MAX_MESSAGE];

	if (!cJSON_IsArray(conds)) {
		conds = cJSON_CreateArray();
		cocm_json_set(status, "conditions", conds);
	}
	if (cond == NULL) {
		cond = cJSON_CreateObject();
		cJSON_AddItemToArray(conds, cond);
	}
	snprintf(cut, sizeof(cut), "%s", msg);
	cocm_json_set_str(cond, "type", COCM_COND_APPLIED);
	cocm_json_set_str(cond, "status", "False");
	cocm_json_set(cond, "observedGeneration", cJSON_CreateNumber((double)gen));
	cocm_json_set_str(cond, "lastTransitionTime",
		strcmp(cond_field(oc, "status"), "False") == 0 && *cond_field(oc, "lastTransitionTime") ?
		cond_field(oc, "lastTransitionTime") : now);
	cocm_json_set_str(cond, "reason", COCM_REASON_APPLY_FAILED);
	cocm_json_set_str(cond, "message", cut);
}

static enum cocm_health old_worst(const cJSON *old)
{
	const cJSON *res = old != NULL ? cJSON_GetObjectItemCaseSensitive(old, "resources") : NULL;
	const cJSON *it;
	enum cocm_health w = COCM_HEALTH_HEALTHY, h;

	cJSON_ArrayForEach(it, res) {
		const char *s = cocm_json_str(it, "healthStatus", NULL);

		if (s != NULL && cocm_health_parse(s, &h) == 0)
			w = cocm_health_worst(w, h);
	}
	return w;
}

static int cluster_available(struct cocm_ctl *c, const char *cluster)
{
	const cJSON *mc = cocm_cache_get(cocm_ctl_cache(c, COCM_INF_CLUSTER), cluster);
	const cJSON *cond;

	if (mc == NULL)
		return 0;
	cond = find_cond(cocm_json_get(mc, "status", NULL), "ManagedClusterConditionAvailable");
	return strcmp(cond_field(cond, "status"), "True") == 0;
}

static void record_events(struct rec *r, const cJSON *rel, const cJSON *old, const cJSON *st,
	const struct cocm_fold_summary *sum)
{
	struct cocm_events *ev = r->c->events;
	const cJSON *o, *n;

	o = find_cond(old, COCM_COND_SCHEDULED);
	n = find_cond(st, COCM_COND_SCHEDULED);
	/* a brand-new Release waits a moment for its first decisions: not worth a warning */
	if (n != NULL && !(o == NULL && strcmp(cond_field(n, "reason"), COCM_REASON_NO_CLUSTERS) == 0) &&
		(strcmp(cond_field(o, "status"), cond_field(n, "status")) != 0 ||
		strcmp(cond_field(o, "reason"), cond_field(n, "reason")) != 0)) {
		if (strcmp(cond_field(n, "status"), "True") == 0)
			cocm_events_record(ev, rel, "Normal", "Scheduled", "%s", cond_field(n, "message"));
		else
			cocm_events_record(ev, rel, "Warning", "NotScheduled", "%s: %s",
				cond_field(n, "reason"), cond_field(n, "message"));
	}
	o = find_cond(old, COCM_COND_APPLIED);
	n = find_cond(st, COCM_COND_APPLIED);
	if (n != NULL && strcmp(cond_field(n, "status"), "True") == 0 &&
		strcmp(cond_field(o, "status"), "True") != 0)
		cocm_events_record(ev, rel, "Normal", "Applied", "%s", cond_field(n, "message"));
	else if (n != NULL && strcmp(cond_field(n, "status"), "False") == 0 &&
		(strcmp(cond_field(o, "status"), "False") != 0 ||
		strcmp(cond_field(o, "message"), cond_field(n, "message")) != 0))
		cocm_events_record(ev, rel, "Warning", "ApplyFailed", "%s", cond_field(n, "message"));
	if (sum->worst == COCM_HEALTH_DEGRADED && old_worst(old) != COCM_HEALTH_DEGRADED)
		cocm_events_record(ev, rel, "Warning", "Degraded", "a resource is Degraded (worst "
			"health over %zu cluster(s))", sum->clusters);
}

/* While a deletion waits on a cluster that is not available, say so (the recorder aggregates
 * repeats into one Event and rate-limits them). */
static void report_blocked(struct rec *r, const cJSON *rel, const cJSON **works, size_t nworks)
{
	size_t i;

	for (i = 0; i < nworks; i++) {
		const char *cl = cocm_json_str(works[i], "metadata", "namespace", NULL);

		if (cl != NULL && !cluster_available(r->c, cl)) {
			cocm_events_record(r->c->events, rel, "Warning", "CleanupBlocked", "cluster %s is "
				"not available: its ManifestWork cannot be removed until it returns", cl);
			cocm_log(COCM_LOG_WARN, "reconcile", "cleanup-blocked release=%s cluster=%s",
				r->key, cl);
			return;
		}
	}
}

static void write_status(struct rec *r, const cJSON *rel)
{
	struct cocm_ctl *c = r->c;
	const cJSON **works = NULL;
	size_t nworks, i, ncl = 0;
	const char **clusters = NULL;
	struct cocm_fold_in in = { 0 };
	struct cocm_fold_summary sum;
	cJSON *st = NULL, *pending_status = NULL;
	const cJSON *old = cocm_json_get(rel, "status", NULL);
	char now[32], err[ERRCAP];
	int64_t gen = 0;

	nworks = cocm_works_of_release(cocm_ctl_cache(c, COCM_INF_WORK), r->kind, r->ns, r->name,
		&works);
	for (i = 0; i < nworks; i++) /* the fold reads status.resourceStatus: unpack it */
		works[i] = cocm_works_unpack(works[i]);
	if (r->clusters != NULL) {
		const cJSON *it;

		clusters = COCM_NEWN(const char *, (size_t)cJSON_GetArraySize(r->clusters) + 1);
		cJSON_ArrayForEach(it, r->clusters)
			clusters[ncl++] = it->valuestring;
	}
	cocm_ctl_now(now);
	in.release = rel;
	in.works = works;
	in.nworks = nworks;
	in.clusters = clusters;
	in.nclusters = ncl;
	in.now = now;
	in.sched = r->sched;
	in.sched_reason = r->sched_reason;
	in.sched_message = r->sched_msg;
	in.deleting = r->mode == M_DELETING;
	if (cocm_fold(&in, &st, &sum, err, sizeof(err)) != COCM_OK) {
		/* the Release itself is malformed: report it through ResourcesApplied */
		char msg[ERRCAP + 64];

		snprintf(msg, sizeof(msg), "invalid %s: %s", r->kind, err);
		st = old != NULL ? cJSON_Duplicate(old, 1) : cJSON_CreateObject();
		free(r->apply_error);
		r->apply_error = cocm_xstrdup(msg);
		memset(&sum, 0, sizeof(sum));
		sum.worst = COCM_HEALTH_UNKNOWN;
	}
	cocm_json_int(&gen, rel, "metadata", "generation", NULL);
	if (r->apply_error != NULL)
		set_apply_failed(st, old, r->apply_error, gen, now);
	if (r->mode == M_MANAGED || r->mode == M_BROKEN)
		cocm_strmap_put(&c->health, r->key, (void *)(uintptr_t)(sum.worst + 1));
	if (r->mode == M_DELETING)
		report_blocked(r, rel, works, nworks);
	{
		char sk[COCM_CACHE_KEY_MAX + 48];
		const char *mine;

		wkey_of(sk, sizeof(sk), "S", r->key);
		mine = written_get(c, sk, rel);
		if (mine != NULL) /* our last write is not in the cache yet */
			pending_status = cocm_pack_parse(mine);
	}
	if (!cocm_status_equal(pending_status != NULL ? pending_status : old, st)) {
		cJSON *patch = cJSON_CreateObject();
		struct cocm_write_opts wo = { .subresource = "status" };
		struct op *o = new_op(r, OP_STATUS, NULL);

		o->hash = cocm_pack_json(st); /* kept until the cache catches up: packed */
		o->before_rv = cocm_xstrdup(rv_of(rel));
		cJSON_AddItemToObject(patch, "status", st);
		st = NULL;
		cocm_log(COCM_LOG_INFO, "reconcile", "write-status release=%s health=%s applied=%d "
			"clusters=%zu", r->key, cocm_health_name(sum.worst), sum.applied, sum.clusters);
		started(r, o, cocm_kube_patch(c->kube, &cocm_gvr_of[r->inf], r->ns, r->name,
			COCM_PATCH_MERGE, patch, &wo, on_op, o));
		record_events(r, rel, old, cJSON_GetObjectItemCaseSensitive(patch, "status"), &sum);
		cJSON_Delete(patch);
	}
	for (i = 0; i < ncl; i++)
		clusters[i] = NULL;
	free(clusters);
	for (i = 0; i < nworks; i++)
		cJSON_Delete((cJSON *)works[i]);
	free(works);
	cJSON_Delete(st);
	cJSON_Delete(pending_status);
}

static void phase2(struct rec *r)
{
	cJSON *rel;

	r->phase = 2;
	if (r->c->closing || !r->c->leader || r->err != COCM_OK) {
		finish(r);
		return;
	}
	rel = cocm_works_unpack(release_obj(r));
	if (rel != NULL) {
		switch (r->mode) {
		case M_MANAGED:
		case M_BROKEN:
		case M_DELETING:
		case M_OPTOUT:
			write_status(r, rel);
			break;
		default:
			break;
		}
		if (r->drop_finalizer && has_finalizer(rel))
			patch_finalizers(r, rel, 0);
		cJSON_Delete(rel);
	}
	if (r->pending == 0)
		finish(r);
}

static void finish(struct rec *r)
{
	struct cocm_ctl *c = r->c;
	double secs = (double)(uv_hrtime() - r->t0) / 1e9;
	const char *result = r->err == COCM_OK ? "success" : "error";

	cocm_metric_inc(c->m.reconciles, r->kind, result, 1);
	cocm_metric_observe(c->m.reconcile_seconds, r->kind, NULL, secs);
	cocm_log(COCM_LOG_DEBUG, "reconcile", "done release=%s mode=%d result=%s err=%s "
		"seconds=%.3f", r->key, r->mode, result, cocm_err_name(r->err), secs);
	if (r->err != COCM_OK)
		cocm_metric_inc(c->m.queue_retries, NULL, NULL, 1);
	cocm_workqueue_complete(c->q, r->key, r->err);
	if (r->err == COCM_OK && !c->closing) {
		if (r->requeue_s > 0)
			cocm_ctl_enqueue_after(c, r->key, r->requeue_s);
		else if (r->mode == M_MANAGED && c->flags->resync_s > 0)
			cocm_ctl_enqueue_after(c, r->key, c->flags->resync_s *
				(1.0 + 0.1 * (double)(cocm_backoff_rand(&c->rng) % 1000) / 1000.0));
	}
	free(r->key);
	free(r->apply_error);
	free(r->sched_msg);
	cJSON_Delete(r->clusters);
	free(r);
}

void cocm_reconcile_release(struct cocm_ctl *c, const char *key)
{
	struct rec *r = COCM_NEW(struct rec);

	r->c = c;
	r->key = cocm_xstrdup(key);
	r->t0 = uv_hrtime();
	if (cocm_reconcile_parse_key(key, r->kind, sizeof(r->kind), r->ns, sizeof(r->ns), r->name,
		sizeof(r->name)) != 0) {
		cocm_log(COCM_LOG_WARN, "reconcile", "bad-key key=%s", key);
		finish(r);
		return;
	}
	r->inf = strcmp(r->kind, "RenderedRelease") == 0 ? COCM_INF_RENDERED : COCM_INF_RELEASE;
	r->pending = 1; /* held by this function until phase 1 has issued everything */
	phase1(r);
	if (--r->pending == 0)
		phase2(r);
}
