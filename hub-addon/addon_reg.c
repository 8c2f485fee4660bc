/* ClusterManagementAddOn + ManagedClusterAddOn status (see addon_reg.h). */
#include "hub-addon/addon_reg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub-addon/works.h"
#include "kube/core/buf.h"
#include "kube/core/json.h"
#include "kube/core/log.h"
#include "kube/core/xalloc.h"

#define MAX_NAMED 3

struct areq {
	struct cocm_ctl *c;
	char *key;
	int step; /* CMA: 0 = get, 1 = write */
};

static void complete(struct areq *a, enum cocm_err e)
{
	cocm_workqueue_complete(a->c->q, a->key, e);
	free(a->key);
	free(a);
}

static enum cocm_err as_retry(enum cocm_err e)
{
	return e == COCM_OK || e == COCM_ENOTFOUND || e == COCM_EEXIST ? COCM_OK :
		e == COCM_ECANCELED ? COCM_OK : COCM_ERETRY;
}

/* ---- ClusterManagementAddOn --------------------------------------------------------------- */

static cJSON *cma_body(void)
{
	cJSON *o = cJSON_CreateObject(), *md, *spec, *meta;

	cJSON_AddStringToObject(o, "apiVersion", "addon.open-cluster-management.io/v1alpha1");
	cJSON_AddStringToObject(o, "kind", "ClusterManagementAddOn");
	md = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(md, "name", COCM_ADDON_NAME);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(md, "annotations"), COCM_ANN_LIFECYCLE,
		"self");
	spec = cJSON_AddObjectToObject(o, "spec");
	meta = cJSON_AddObjectToObject(spec, "addOnMeta");
	cJSON_AddStringToObject(meta, "displayName", "choreo-ocm");
	cJSON_AddStringToObject(meta, "description", "Delivers OpenChoreo Releases to data-plane "
		"clusters as ManifestWorks and folds their status back.");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(spec, "installStrategy"), "type", "Manual");
	return o;
}

static void on_cma(struct cocm_resp *resp, void *arg)
{
	struct areq *a = arg;
	struct cocm_ctl *c = a->c;
	enum cocm_err rc;
	cJSON *body;

	if (a->step == 1 || c->closing || resp->err == COCM_ECANCELED) {
		if (resp->err == COCM_OK && a->step == 1)
			cocm_log(COCM_LOG_INFO, "addon", "cma-written name=%s", COCM_ADDON_NAME);
		complete(a, as_retry(resp->err));
		return;
	}
	a->step = 1;
	if (resp->err == COCM_ENOTFOUND) {
		body = cma_body();
		rc = cocm_kube_create_obj(c->kube, &cocm_gvr_cma, NULL, body, NULL, on_cma, a);
	} else if (resp->err == COCM_OK) {
		const char *lc = cocm_json_str(resp->body, "metadata", "annotations",
			COCM_ANN_LIFECYCLE, NULL);

		if (lc != NULL && strcmp(lc, "self") == 0) {
			complete(a, COCM_OK);
			return;
		}
		body = cJSON_CreateObject();
		cJSON_AddStringToObject(cJSON_AddObjectToObject(cJSON_AddObjectToObject(body,
			"metadata"), "annotations"), COCM_ANN_LIFECYCLE, "self");
		rc = cocm_kube_patch(c->kube, &cocm_gvr_cma, NULL, COCM_ADDON_NAME, COCM_PATCH_MERGE,
			body, NULL, on_cma, a);
	} else {
		cocm_log(COCM_LOG_WARN, "addon", "cma-get-failed err=%s code=%d",
			cocm_err_name(resp->err), resp->http_status);
		complete(a, COCM_ERETRY);
		return;
	}
	cJSON_Delete(body);
	if (rc != COCM_OK)
		complete(a, COCM_ERETRY);
}

void cocm_addon_reconcile_cma(struct cocm_ctl *c, const char *key)
{
	struct areq *a = COCM_NEW(struct areq);

	a->c = c;
	a->key = cocm_xstrdup(key);
	if (cocm_kube_get(c->kube, &cocm_gvr_cma, NULL, COCM_ADDON_NAME, on_cma, a) != COCM_OK)
		complete(a, COCM_ERETRY);
}

/* ---- ManagedClusterAddOn ------------------------------------------------------------------ */

static const cJSON *cond_of(const cJSON *obj, const char *type)
{
	const cJSON *conds = cocm_json_get(obj, "status", NULL);
	const cJSON *it;

	conds = conds != NULL ? cJSON_GetObjectItemCaseSensitive(conds, "conditions") : NULL;
	cJSON_ArrayForEach(it, conds) {
		const char *t = cocm_json_str(it, "type", NULL);

		if (t != NULL && strcmp(t, type) == 0)
			return it;
	}
	return NULL;
}

static const char *field(const cJSON *cond, const char *f)
{
	const char *s = cond != NULL ? cocm_json_str(cond, f, NULL) : NULL;

	return s != NULL ? s : "";
}

struct tally {
	struct cocm_ctl *c;
	size_t total, applied, failed;
	struct cocm_buf failing, pending;
	size_t nf, np;
};

static void count_work(const char *wkey, void *arg)
{
	struct tally *t = arg;
	const cJSON *w = cocm_cache_get(cocm_ctl_cache(t->c, COCM_INF_WORK), wkey);
	const cJSON *ap;
	int64_t gen = 0, og = -1;
	const char *name;

	if (w == NULL)
		return;
	name = cocm_json_str(w, "metadata", "name", NULL);
	t->total++;
	ap = cond_of(w, "Applied");
	cocm_json_int(&gen, w, "metadata", "generation", NULL);
	if (ap != NULL)
		cocm_json_int(&og, ap, "observedGeneration", NULL);
	if (ap != NULL && og == gen && strcmp(field(ap, "status"), "True") == 0) {
		t->applied++;
	} else if (ap != NULL && og == gen && strcmp(field(ap, "status"), "False") == 0) {
		t->failed++;
		if (t->nf++ < MAX_NAMED)
			cocm_buf_printf(&t->failing, "%s%s", t->failing.len ? ", " : "", name);
	} else if (t->np++ < MAX_NAMED) {
		cocm_buf_printf(&t->pending, "%s%s", t->pending.len ? ", " : "", name);
	}
}

static cJSON *make_cond(const cJSON *old, const char *type, int ok, const char *reason,
	const char *msg, const char *now)
{
	cJSON *c = cJSON_CreateObject();
	const char *st = ok ? "True" : "False";

	cJSON_AddStringToObject(c, "type", type);
	cJSON_AddStringToObject(c, "status", st);
	cJSON_AddStringToObject(c, "lastTransitionTime",
		old != NULL && strcmp(field(old, "status"), st) == 0 &&
		*field(old, "lastTransitionTime") ? field(old, "lastTransitionTime") : now);
	cJSON_AddStringToObject(c, "reason", reason);
	cJSON_AddStringToObject(c, "message", msg);
	return c;
}

static int cond_same(const cJSON *old, const cJSON *cur)
{
	return old != NULL && strcmp(field(old, "status"), field(cur, "status")) == 0 &&
		strcmp(field(old, "reason"), field(cur, "reason")) == 0 &&
		strcmp(field(old, "message"), field(cur, "message")) == 0;
}

static void on_mca_written(struct cocm_resp *resp, void *arg)
{
	struct areq *a = arg;

	if (resp->err != COCM_OK && resp->err != COCM_ECANCELED)
		cocm_log(COCM_LOG_INFO, "addon", "mca-status-failed key=%s err=%s code=%d", a->key,
			cocm_err_name(resp->err), resp->http_status);
	complete(a, as_retry(resp->err));
}

void cocm_addon_reconcile_mca(struct cocm_ctl *c, const char *key)
{
	struct areq *a = COCM_NEW(struct areq);
	const char *cluster = key + 4;
	char mk[COCM_CACHE_KEY_MAX], msg[512], now[32];
	const cJSON *mca, *mc, *old_av, *old_ma, *it;
	struct tally t = { .c = c };
	cJSON *av, *ma, *patch, *st, *conds;
	int cluster_ok, same;
	const char *mode;
	struct cocm_write_opts wo = { .subresource = "status" };

	a->c = c;
	a->key = cocm_xstrdup(key);
	snprintf(mk, sizeof(mk), "%s/%s", cluster, COCM_ADDON_NAME);
	mca = cocm_cache_get(cocm_ctl_cache(c, COCM_INF_MCA), mk);
	if (mca == NULL) {
		complete(a, COCM_OK);
		return;
	}
	cocm_ctl_now(now);
	mc = cocm_cache_get(cocm_ctl_cache(c, COCM_INF_CLUSTER), cluster);
	cluster_ok = mc != NULL &&
		strcmp(field(cond_of(mc, "ManagedClusterConditionAvailable"), "status"), "True") == 0;
	old_av = cond_of(mca, "Available");
	old_ma = cond_of(mca, "ManifestApplied");
	if (cluster_ok)
		av = make_cond(old_av, "Available", 1, "ProbeAvailable",
			"choreo-ocm delivers Releases to this cluster through ManifestWorks", now);
	else
		av = make_cond(old_av, "Available", 0, "ProbeUnavailable",
			"the cluster is not available: its ManifestWorks wait until it returns", now);
	cocm_buf_init(&t.failing, 1024);
	cocm_buf_init(&t.pending, 1024);
	cocm_rindex_each(&c->cluster_works, cluster, count_work, &t);
	if (t.applied == t.total) {
		snprintf(msg, sizeof(msg), "%zu of %zu ManifestWorks applied", t.applied, t.total);
		ma = make_cond(old_ma, "ManifestApplied", 1, "AddonManifestApplied", msg, now);
	} else if (t.failed > 0) {
		snprintf(msg, sizeof(msg), "%zu of %zu ManifestWorks applied; failed: %s%s", t.applied,
			t.total, cocm_buf_cstr(&t.failing), t.nf > MAX_NAMED ? " and more" : "");
		ma = make_cond(old_ma, "ManifestApplied", 0, "ManifestWorkApplyFailed", msg, now);
	} else {
		snprintf(msg, sizeof(msg), "%zu of %zu ManifestWorks applied; waiting for: %s%s",
			t.applied, t.total, cocm_buf_cstr(&t.pending), t.np > MAX_NAMED ? " and more" : "");
		ma = make_cond(old_ma, "ManifestApplied", 0, "ManifestWorkApplyPending", msg, now);
	}
	cocm_buf_finish(&t.failing);
	cocm_buf_finish(&t.pending);
	mode = cocm_json_str(mca, "status", "healthCheck", "mode", NULL);
	same = mode != NULL && strcmp(mode, "Customized") == 0 && cond_same(old_av, av) &&
		cond_same(old_ma, ma);
	if (same || !c->leader) {
		cJSON_Delete(av);
		cJSON_Delete(ma);
		complete(a, COCM_OK);
		return;
	}
	patch = cJSON_CreateObject();
	st = cJSON_AddObjectToObject(patch, "status");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(st, "healthCheck"), "mode", "Customized");
	conds = cJSON_AddArrayToObject(st, "conditions");
	it = cocm_json_get(mca, "status", NULL);
	it = it != NULL ? cJSON_GetObjectItemCaseSensitive(it, "conditions") : NULL;
	for (it = it != NULL ? it->child : NULL; it != NULL; it = it->next) {
		const char *ty = cocm_json_str(it, "type", NULL);

		if (ty != NULL && (strcmp(ty, "Available") == 0 || strcmp(ty, "ManifestApplied") == 0))
			continue;
		cJSON_AddItemToArray(conds, cJSON_Duplicate(it, 1));
	}
	cJSON_AddItemToArray(conds, av);
	cJSON_AddItemToArray(conds, ma);
	cocm_log(COCM_LOG_INFO, "addon", "mca-status cluster=%s available=%d applied=%zu/%zu",
		cluster, cluster_ok, t.applied, t.total);
	if (cocm_kube_patch(c->kube, &cocm_gvr_of[COCM_INF_MCA], cluster, COCM_ADDON_NAME,
		COCM_PATCH_MERGE, patch, &wo, on_mca_written, a) != COCM_OK)
		complete(a, COCM_ERETRY);
	cJSON_Delete(patch);
}
