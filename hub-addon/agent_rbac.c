/* The bootstrap ManifestWork carrying the work agent's aggregated ClusterRole (see
 * agent_rbac.h). */
#include "hub-addon/agent_rbac.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub-addon/controller.h"
#include "hub-addon/works.h"
#include "kube/core/json.h"
#include "kube/core/log.h"
#include "kube/core/sha256.h"
#include "kube/core/xalloc.h"
#include "kube/yaml/yamljson.h"
#include "manifestwork/names.h"

/* ---- the body (pure) ---------------------------------------------------------------------- */

int cocm_agent_rbac_is_work(const cJSON *work)
{
	const char *name = cocm_json_str(work, "metadata", "name", NULL);
	const char *b = cocm_json_str(work, "metadata", "labels", COCM_LABEL_BOOTSTRAP, NULL);

	return name != NULL && strcmp(name, COCM_AGENT_RBAC_WORK) == 0 && b != NULL &&
		strcmp(b, COCM_BOOTSTRAP_AGENT_RBAC) == 0;
}

cJSON *cocm_agent_rbac_work(const char *cluster, char *err, size_t errcap)
{
	cJSON *docs, *role, *w, *md, *labels, *spec;
	const char *kind;
	char *text, hex[65];

	docs = cocm_yaml_load((const char *)cocm_agent_rbac_yaml_data, cocm_agent_rbac_yaml_len,
		err, errcap);
	if (docs == NULL)
		return NULL;
	role = cJSON_GetArraySize(docs) == 1 ? cJSON_DetachItemFromArray(docs, 0) : NULL;
	cJSON_Delete(docs);
	kind = role != NULL ? cocm_json_str(role, "kind", NULL) : NULL;
	if (kind == NULL || strcmp(kind, "ClusterRole") != 0) {
		snprintf(err, errcap, "the embedded work-agent RBAC is not one ClusterRole");
		cJSON_Delete(role);
		return NULL;
	}
	w = cJSON_CreateObject();
	cJSON_AddStringToObject(w, "apiVersion", "work.open-cluster-management.io/v1");
	cJSON_AddStringToObject(w, "kind", "ManifestWork");
	md = cJSON_AddObjectToObject(w, "metadata");
	cJSON_AddStringToObject(md, "name", COCM_AGENT_RBAC_WORK);
	cJSON_AddStringToObject(md, "namespace", cluster);
	labels = cJSON_AddObjectToObject(md, "labels");
	cJSON_AddStringToObject(labels, COCM_LABEL_MANAGED_BY, COCM_MANAGED_BY);
	cJSON_AddStringToObject(labels, COCM_LABEL_BOOTSTRAP, COCM_BOOTSTRAP_AGENT_RBAC);
	spec = cJSON_AddObjectToObject(w, "spec");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(cJSON_AddObjectToObject(spec, "workload"),
		"manifests"), role);
	text = cocm_json_print(w);
	cocm_sha256_hex(text, strlen(text), hex);
	free(text);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(md, "annotations"), COCM_ANN_CONTENT_HASH,
		hex);
	return w;
}

/* ---- which clusters ------------------------------------------------------------------------ */

/* 1 when the decision belongs to a Placement labelled managed-by choreo-ocm */
static int decision_is_ours(struct cocm_ctl *c, const cJSON *d)
{
	const char *ns = cocm_json_str(d, "metadata", "namespace", NULL);
	const char *pl = cocm_json_str(d, "metadata", "labels", COCM_LABEL_DECISION_PLACEMENT,
		NULL);
	const char *mb;
	const cJSON *p;
	char pk[COCM_CACHE_KEY_MAX];

	if (ns == NULL || pl == NULL)
		return 0;
	snprintf(pk, sizeof(pk), "%s/%s", ns, pl);
	p = cocm_cache_get(cocm_ctl_cache(c, COCM_INF_PLACEMENT), pk);
	mb = p != NULL ? cocm_json_str(p, "metadata", "labels", COCM_LABEL_MANAGED_BY, NULL) : NULL;
	return mb != NULL && strcmp(mb, COCM_MANAGED_BY) == 0;
}

static const cJSON *decisions_of(const cJSON *d)
{
	const cJSON *st = cocm_json_get(d, "status", NULL);

	return st != NULL ? cJSON_GetObjectItemCaseSensitive(st, "decisions") : NULL;
}

static void enqueue_decision(struct cocm_ctl *c, const cJSON *d)
{
	const cJSON *it;
	char k[COCM_CACHE_KEY_MAX];

	if (!decision_is_ours(c, d))
		return;
	cJSON_ArrayForEach(it, decisions_of(d)) {
		const char *cl = cocm_json_str(it, "clusterName", NULL);

		if (cl != NULL && *cl != '\0') {
			snprintf(k, sizeof(k), COCM_AGENT_RBAC_KEY_PREFIX "%s", cl);
			cocm_ctl_enqueue(c, k);
		}
	}
}

static int enqueue_each(const char *key, const cJSON *obj, void *arg)
{
	(void)key;
	enqueue_decision(arg, obj);
	return 0;
}

void cocm_agent_rbac_enqueue(struct cocm_ctl *c, const cJSON *decision)
{
	if (decision != NULL)
		enqueue_decision(c, decision);
	else
		cocm_cache_each(cocm_ctl_cache(c, COCM_INF_DECISION), enqueue_each, c);
}

struct of_placement {
	struct cocm_ctl *c;
	const char *ns;
};

static int enqueue_if_ns(const char *key, const cJSON *obj, void *arg)
{
	struct of_placement *p = arg;
	const char *ns = cocm_json_str(obj, "metadata", "namespace", NULL);

	(void)key;
	if (ns != NULL && strcmp(ns, p->ns) == 0)
		enqueue_decision(p->c, obj);
	return 0;
}

void cocm_agent_rbac_enqueue_placement(struct cocm_ctl *c, const cJSON *placement)
{
	struct of_placement p = { c, cocm_json_str(placement, "metadata", "namespace", NULL) };
	const char *name = cocm_json_str(placement, "metadata", "name", NULL);

	if (p.ns != NULL && name != NULL)
		cocm_cache_each_label(cocm_ctl_cache(c, COCM_INF_DECISION),
			COCM_LABEL_DECISION_PLACEMENT, name, enqueue_if_ns, &p);
}

struct selected {
	struct cocm_ctl *c;
	const char *cluster;
	int found;
};

static int find_cluster(const char *key, const cJSON *d, void *arg)
{
	struct selected *s = arg;
	const cJSON *it;

	(void)key;
	if (!decision_is_ours(s->c, d))
		return 0;
	cJSON_ArrayForEach(it, decisions_of(d)) {
		const char *cl = cocm_json_str(it, "clusterName", NULL);

		if (cl != NULL && strcmp(cl, s->cluster) == 0) {
			s->found = 1;
			return 1; /* stop */
		}
	}
	return 0;
}

static int cluster_selected(struct cocm_ctl *c, const char *cluster)
{
	struct selected s = { c, cluster, 0 };

	cocm_cache_each(cocm_ctl_cache(c, COCM_INF_DECISION), find_cluster, &s);
	return s.found;
}

/* ---- reconcile ---------------------------------------------------------------------------- */

struct rreq {
	struct cocm_ctl *c;
	char *key;
	char *hash;
	char *before_rv;
};

static void on_applied(struct cocm_resp *resp, void *arg)
{
	struct rreq *r = arg;
	struct cocm_ctl *c = r->c;
	enum cocm_err e = COCM_OK;

	if (resp->err == COCM_OK) {
		struct cocm_written *w = COCM_NEW(struct cocm_written);
		char wk[COCM_CACHE_KEY_MAX + 8];
		struct cocm_written *old;

		cocm_metric_inc(c->m.works_applied, NULL, NULL, 1);
		snprintf(wk, sizeof(wk), "B:%s", r->key);
		old = cocm_strmap_del(&c->written, wk, NULL);
		if (old != NULL) {
			free(old->before_rv);
			free(old->what);
			free(old);
		}
		w->before_rv = r->before_rv;
		w->what = r->hash;
		r->before_rv = r->hash = NULL;
		cocm_strmap_put(&c->written, wk, w);
	} else if (resp->err != COCM_ECANCELED) {
		cocm_log(COCM_LOG_WARN, "agent-rbac", "apply-failed key=%s err=%s code=%d", r->key,
			cocm_err_name(resp->err), resp->http_status);
		e = COCM_ERETRY;
	}
	cocm_workqueue_complete(c->q, r->key, e);
	free(r->key);
	free(r->hash);
	free(r->before_rv);
	free(r);
}

/* Our last write while the cache still holds the object it replaced (see struct cocm_written). */
static const char *pending_hash(struct cocm_ctl *c, const char *key, const char *rv)
{
	char wk[COCM_CACHE_KEY_MAX + 8];
	struct cocm_written *w;

	snprintf(wk, sizeof(wk), "B:%s", key);
	w = cocm_strmap_get(&c->written, wk);
	if (w == NULL)
		return NULL;
	if (strcmp(w->before_rv, rv) == 0)
		return w->what;
	cocm_strmap_del(&c->written, wk, NULL);
	free(w->before_rv);
	free(w->what);
	free(w);
	return NULL;
}

void cocm_agent_rbac_reconcile(struct cocm_ctl *c, const char *key)
{
	const char *cluster = key + strlen(COCM_AGENT_RBAC_KEY_PREFIX);
	struct cocm_write_opts wo = { .field_manager = COCM_SSA_MANAGER, .force = 1 };
	char wk[COCM_CACHE_KEY_MAX], err[512];
	const cJSON *cur;
	const char *want, *have, *rv;
	struct rreq *r;
	cJSON *body;

	if (!c->leader || *cluster == '\0' || !cluster_selected(c, cluster)) {
		cocm_workqueue_complete(c->q, key, COCM_OK);
		return;
	}
	body = cocm_agent_rbac_work(cluster, err, sizeof(err));
	if (body == NULL) {
		cocm_log(COCM_LOG_ERROR, "agent-rbac", "bad-embedded-role msg=\"%s\"", err);
		cocm_workqueue_complete(c->q, key, COCM_OK);
		return;
	}
	snprintf(wk, sizeof(wk), "%s/%s", cluster, COCM_AGENT_RBAC_WORK);
	cur = cocm_cache_get(cocm_ctl_cache(c, COCM_INF_WORK), wk);
	rv = cur != NULL ? cocm_json_str(cur, "metadata", "resourceVersion", NULL) : NULL;
	rv = rv != NULL ? rv : "";
	want = cocm_works_hash(body);
	have = pending_hash(c, key, rv);
	if (have == NULL && cur != NULL && !cocm_works_deleting(cur))
		have = cocm_works_hash(cur);
	if (have != NULL && strcmp(have, want) == 0) {
		cJSON_Delete(body);
		cocm_workqueue_complete(c->q, key, COCM_OK);
		return;
	}
	r = COCM_NEW(struct rreq);
	r->c = c;
	r->key = cocm_xstrdup(key);
	r->hash = cocm_xstrdup(want);
	r->before_rv = cocm_xstrdup(rv);
	cocm_log(COCM_LOG_INFO, "agent-rbac", "apply-work cluster=%s work=%s", cluster,
		COCM_AGENT_RBAC_WORK);
	if (cocm_kube_patch(c->kube, &cocm_gvr_of[COCM_INF_WORK], cluster, COCM_AGENT_RBAC_WORK,
		COCM_PATCH_APPLY, body, &wo, on_applied, r) != COCM_OK) {
		cocm_workqueue_complete(c->q, r->key, COCM_ERETRY);
		free(r->key);
		free(r->hash);
		free(r->before_rv);
		free(r);
	}
	cJSON_Delete(body);
}
