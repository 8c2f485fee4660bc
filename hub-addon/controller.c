/* Controller wiring: informers and their handlers, the reverse indexes, the work queue and
 * its dispatch, leadership, /metrics (see controller.h). */
#include "hub-addon/controller.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hub-addon/addon_reg.h"
#include "hub-addon/agent_rbac.h"
#include "hub-addon/events.h"
#include "hub-addon/reconcile.h"
#include "hub-addon/works.h"
#include "kube/backoff.h"
#include "kube/core/json.h"
#include "kube/core/log.h"
#include "kube/core/xalloc.h"
#include "manifestwork/names.h"
#include "status-sync/health.h"

const struct cocm_gvr cocm_gvr_of[COCM_INF_COUNT] = {
	[COCM_INF_RELEASE] = { "openchoreo.dev", "v1alpha1", "releases", 1 },
	[COCM_INF_RENDERED] = { "openchoreo.dev", "v1alpha1", "renderedreleases", 1 },
	[COCM_INF_ENV] = { "openchoreo.dev", "v1alpha1", "environments", 1 },
	[COCM_INF_DP] = { "openchoreo.dev", "v1alpha1", "dataplanes", 1 },
	[COCM_INF_CDP] = { "openchoreo.dev", "v1alpha1", "clusterdataplanes", 0 },
	[COCM_INF_PLACEMENT] = { "cluster.open-cluster-management.io", "v1beta1", "placements", 1 },
	[COCM_INF_DECISION] = { "cluster.open-cluster-management.io", "v1beta1",
		"placementdecisions", 1 },
	[COCM_INF_BINDING] = { "cluster.open-cluster-management.io", "v1beta2",
		"managedclustersetbindings", 1 },
	[COCM_INF_CLUSTER] = { "cluster.open-cluster-management.io", "v1", "managedclusters", 0 },
	[COCM_INF_WORK] = { "work.open-cluster-management.io", "v1", "manifestworks", 1 },
	[COCM_INF_MCA] = { "addon.open-cluster-management.io", "v1alpha1", "managedclusteraddons", 1 },
	[COCM_INF_OP] = { "openchoreo.dev", "v1alpha1", "observabilityplanes", 1 },
	[COCM_INF_COP] = { "openchoreo.dev", "v1alpha1", "clusterobservabilityplanes", 0 },
};

const struct cocm_gvr cocm_gvr_cma = { "addon.open-cluster-management.io", "v1alpha1",
	"clustermanagementaddons", 0 };

static const char *const decision_index[] = { COCM_LABEL_DECISION_PLACEMENT, NULL };
/* Releases and works are big (8-60 KB of JSON each): a list page is parsed whole before its
 * objects are cut down by the cache transforms, so a 500-object page would briefly cost tens
 * of MB; 100 keeps that peak at a few MB (at 10,000 Releases: 100 + 300 list requests). */
#define COCM_CTL_LIST_PAGE 100
static const char *const managed_selector = COCM_LABEL_MANAGED_BY "=" COCM_MANAGED_BY;

void cocm_ctl_now(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

struct cocm_cache *cocm_ctl_cache(struct cocm_ctl *c, enum cocm_inf which)
{
	return c->inf[which] != NULL ? cocm_informer_cache(c->inf[which]) : NULL;
}

void cocm_ctl_enqueue(struct cocm_ctl *c, const char *key)
{
	if (c->synced && !c->closing)
		cocm_workqueue_add(c->q, key);
}

void cocm_ctl_enqueue_after(struct cocm_ctl *c, const char *key, double seconds)
{
	if (c->synced && !c->closing)
		cocm_workqueue_add_after(c->q, key, (uint64_t)(seconds * 1000.0));
}

/* ---- keys --------------------------------------------------------------------------------- */

static const char *release_kind(enum cocm_inf w)
{
	return w == COCM_INF_RENDERED ? "RenderedRelease" : "Release";
}

static int obj_key(const cJSON *obj, char *out, size_t cap)
{
	return cocm_cache_key_of(obj, out, cap) == COCM_OK ? 0 : -1;
}

static void enqueue_cb(const char *member, void *arg)
{
	cocm_ctl_enqueue(arg, member);
}

/* every Release of an Environment */
static void wake_env(struct cocm_ctl *c, const char *env_key)
{
	cocm_rindex_each(&c->env_releases, env_key, enqueue_cb, c);
}

static void wake_env_cb(const char *env_key, void *arg)
{
	wake_env(arg, env_key);
}

/* ---- handlers ----------------------------------------------------------------------------- */

static void release_changed(struct cocm_ctl *c, enum cocm_inf w, const cJSON *obj, int gone)
{
	char key[COCM_CACHE_KEY_MAX + 32], ok[COCM_CACHE_KEY_MAX];
	const char *ns = cocm_json_str(obj, "metadata", "namespace", NULL);
	const char *env = cocm_json_str(obj, "spec", "environmentName", NULL);

	if (ns == NULL || obj_key(obj, ok, sizeof(ok)) != 0)
		return;
	snprintf(key, sizeof(key), "%s/%s", release_kind(w), ok);
	if (gone) {
		cocm_rindex_remove(&c->env_releases, key);
	} else if (env != NULL) {
		char ek[COCM_CACHE_KEY_MAX];
		const char *t = ek;

		snprintf(ek, sizeof(ek), "%s/%s", ns, env);
		cocm_rindex_set(&c->env_releases, key, &t, 1);
	}
	cocm_ctl_enqueue(c, key);
}

static void env_changed(struct cocm_ctl *c, const cJSON *obj, int gone)
{
	char ek[COCM_CACHE_KEY_MAX], t1[COCM_CACHE_KEY_MAX + 32], t2[COCM_CACHE_KEY_MAX + 32];
	const char *ns = cocm_json_str(obj, "metadata", "namespace", NULL);
	const char *kind = cocm_json_str(obj, "spec", "dataPlaneRef", "kind", NULL);
	const char *name = cocm_json_str(obj, "spec", "dataPlaneRef", "name", NULL);
	const char *targets[2] = { t1, t2 };

	if (ns == NULL || obj_key(obj, ek, sizeof(ek)) != 0)
		return;
	if (gone) {
		cocm_rindex_remove(&c->dp_envs, ek);
	} else if (name != NULL) {
		if (kind != NULL && strcmp(kind, "ClusterDataPlane") == 0)
			snprintf(t1, sizeof(t1), "ClusterDataPlane/%s", name);
		else
			snprintf(t1, sizeof(t1), "DataPlane/%s/%s", ns, name);
		cocm_rindex_set(&c->dp_envs, ek, targets, 1);
	} else {
		snprintf(t1, sizeof(t1), "DataPlane/%s/default", ns);
		snprintf(t2, sizeof(t2), "ClusterDataPlane/default");
		cocm_rindex_set(&c->dp_envs, ek, targets, 2);
	}
	wake_env(c, ek);
}

/* every Release of every Environment of a data plane */
static void wake_dp_cb(const char *dp_key, void *arg)
{
	struct cocm_ctl *c = arg;

	cocm_rindex_each(&c->dp_envs, dp_key, wake_env_cb, c);
}

/* A data plane's observability plane (spec.observabilityPlaneRef; none: `default` of the
 * matching scope), for the op_dps index. */
static void index_op(struct cocm_ctl *c, enum cocm_inf w, const cJSON *obj, const char *dp_key,
	int gone)
{
	const char *ns = cocm_json_str(obj, "metadata", "namespace", NULL);
	const char *kind = cocm_json_str(obj, "spec", "observabilityPlaneRef", "kind", NULL);
	const char *name = cocm_json_str(obj, "spec", "observabilityPlaneRef", "name", NULL);
	char t[COCM_CACHE_KEY_MAX + 32];
	const char *tp = t;

	if (gone) {
		cocm_rindex_remove(&c->op_dps, dp_key);
		return;
	}
	if (name == NULL) {
		name = "default";
		kind = w == COCM_INF_CDP ? "ClusterObservabilityPlane" : "ObservabilityPlane";
	}
	if (kind != NULL && strcmp(kind, "ClusterObservabilityPlane") == 0)
		snprintf(t, sizeof(t), "ClusterObservabilityPlane/%s", name);
	else if (ns != NULL)
		snprintf(t, sizeof(t), "ObservabilityPlane/%s/%s", ns, name);
	else
		return;
	cocm_rindex_set(&c->op_dps, dp_key, &tp, 1);
}

static void plane_changed(struct cocm_ctl *c, enum cocm_inf w, const cJSON *obj, int gone)
{
	char ok[COCM_CACHE_KEY_MAX], t[COCM_CACHE_KEY_MAX + 32];

	if (obj_key(obj, ok, sizeof(ok)) != 0)
		return;
	if (w == COCM_INF_OP || w == COCM_INF_COP) {
		snprintf(t, sizeof(t), "%s/%s", w == COCM_INF_COP ? "ClusterObservabilityPlane" :
			"ObservabilityPlane", ok);
		cocm_rindex_each(&c->op_dps, t, wake_dp_cb, c);
		return;
	}
	snprintf(t, sizeof(t), "%s/%s", w == COCM_INF_CDP ? "ClusterDataPlane" : "DataPlane", ok);
	index_op(c, w, obj, t, gone);
	cocm_rindex_each(&c->dp_envs, t, wake_env_cb, c);
}

static void placement_changed(struct cocm_ctl *c, const cJSON *obj)
{
	char ok[COCM_CACHE_KEY_MAX];

	if (obj_key(obj, ok, sizeof(ok)) == 0)
		cocm_rindex_each(&c->placement_releases, ok, enqueue_cb, c);
}

static void decision_changed(struct cocm_ctl *c, const cJSON *obj)
{
	const char *ns = cocm_json_str(obj, "metadata", "namespace", NULL);
	const char *pl = cocm_json_str(obj, "metadata", "labels", COCM_LABEL_DECISION_PLACEMENT,
		NULL);
	char pk[COCM_CACHE_KEY_MAX];

	if (ns == NULL || pl == NULL)
		return;
	snprintf(pk, sizeof(pk), "%s/%s", ns, pl);
	cocm_rindex_each(&c->placement_releases, pk, enqueue_cb, c);
	cocm_agent_rbac_enqueue(c, obj);
}

static void mca_key(struct cocm_ctl *c, const char *cluster)
{
	char k[COCM_CACHE_KEY_MAX];

	if (cluster == NULL)
		return;
	snprintf(k, sizeof(k), "%s/%s", cluster, COCM_ADDON_NAME);
	if (cocm_cache_get(cocm_ctl_cache(c, COCM_INF_MCA), k) == NULL)
		return;
	snprintf(k, sizeof(k), "MCA/%s", cluster);
	cocm_ctl_enqueue(c, k);
}

static void work_changed(struct cocm_ctl *c, const cJSON *obj, int gone)
{
	char rk[COCM_CACHE_KEY_MAX + 32], wk[COCM_CACHE_KEY_MAX];
	const char *ns = cocm_json_str(obj, "metadata", "namespace", NULL);

	if (ns == NULL || obj_key(obj, wk, sizeof(wk)) != 0)
		return;
	if (gone) {
		cocm_rindex_remove(&c->cluster_works, wk);
	} else {
		cocm_rindex_set(&c->cluster_works, wk, &ns, 1);
	}
	if (cocm_works_release_key(obj, rk, sizeof(rk)) == 0)
		cocm_ctl_enqueue(c, rk);
	else if (cocm_agent_rbac_is_work(obj)) {
		snprintf(rk, sizeof(rk), COCM_AGENT_RBAC_KEY_PREFIX "%s", ns);
		cocm_ctl_enqueue(c, rk);
	}
	mca_key(c, ns);
}

/* 1 when the ManagedCluster's ManagedClusterConditionAvailable is True */
static int cluster_available(const cJSON *mc)
{
	const cJSON *conds = cocm_json_get(mc, "status", NULL), *it;

	conds = conds != NULL ? cJSON_GetObjectItemCaseSensitive(conds, "conditions") : NULL;
	cJSON_ArrayForEach(it, conds) {
		const char *t = cocm_json_str(it, "type", NULL);
		const char *st = cocm_json_str(it, "status", NULL);

		if (t != NULL && strcmp(t, "ManagedClusterConditionAvailable") == 0)
			return st != NULL && strcmp(st, "True") == 0;
	}
	return 0;
}

/* the Release of one cached work (a cluster's availability changed under it) */
static void wake_work_release(const char *wkey, void *arg)
{
	struct cocm_ctl *c = arg;
	const cJSON *w = cocm_cache_get(cocm_ctl_cache(c, COCM_INF_WORK), wkey);
	char rk[COCM_CACHE_KEY_MAX + 32];

	if (w != NULL && cocm_works_release_key(w, rk, sizeof(rk)) == 0)
		cocm_ctl_enqueue(c, rk);
}

static int labels_or_spec_differ(const cJSON *a, const cJSON *b)
{
	const char *fields[] = { "labels", "annotations" };
	size_t i;

	for (i = 0; i < 2; i++) {
		const cJSON *x = cocm_json_get(a, "metadata", fields[i], NULL);
		const cJSON *y = cocm_json_get(b, "metadata", fields[i], NULL);

		if ((x == NULL) != (y == NULL) || (x != NULL && !cJSON_Compare(x, y, 1)))
			return 1;
	}
	return !cJSON_Compare(cJSON_GetObjectItemCaseSensitive(a, "spec"),
		cJSON_GetObjectItemCaseSensitive(b, "spec"), 1) ||
		(cocm_json_str(a, "metadata", "deletionTimestamp", NULL) == NULL) !=
		(cocm_json_str(b, "metadata", "deletionTimestamp", NULL) == NULL);
}

static void dispatch(struct cocm_ctl_hctx *h, const cJSON *old, const cJSON *obj, int gone)
{
	struct cocm_ctl *c = h->c;

	if (c->closing)
		return;
	cocm_log(COCM_LOG_TRACE, "controller", "event resource=%s name=%s gone=%d",
		cocm_gvr_of[h->which].resource, cocm_json_str(obj, "metadata", "name", NULL), gone);
	switch (h->which) {
	case COCM_INF_RELEASE:
	case COCM_INF_RENDERED:
		release_changed(c, h->which, obj, gone);
		break;
	case COCM_INF_ENV:
		if (old == NULL || gone || labels_or_spec_differ(old, obj))
			env_changed(c, obj, gone);
		break;
	case COCM_INF_DP:
	case COCM_INF_CDP:
	case COCM_INF_OP:
	case COCM_INF_COP:
		if (old == NULL || gone || labels_or_spec_differ(old, obj))
			plane_changed(c, h->which, obj, gone);
		break;
	case COCM_INF_PLACEMENT:
		if (gone || (old != NULL && labels_or_spec_differ(old, obj)))
			placement_changed(c, obj);
		if (!gone && old == NULL)
			cocm_agent_rbac_enqueue_placement(c, obj);
		break;
	case COCM_INF_DECISION:
		decision_changed(c, obj);
		break;
	case COCM_INF_CLUSTER:
		mca_key(c, cocm_json_str(obj, "metadata", "name", NULL));
		if (old != NULL && cluster_available(old) != cluster_available(obj))
			cocm_rindex_each(&c->cluster_works, cocm_json_str(obj, "metadata", "name", NULL),
				wake_work_release, c);
		break;
	case COCM_INF_WORK:
		work_changed(c, obj, gone);
		break;
	case COCM_INF_MCA: {
		const char *name = cocm_json_str(obj, "metadata", "name", NULL);
		const char *ns = cocm_json_str(obj, "metadata", "namespace", NULL);
		char k[COCM_CACHE_KEY_MAX];

		if (name != NULL && ns != NULL && strcmp(name, COCM_ADDON_NAME) == 0 && !gone) {
			snprintf(k, sizeof(k), "MCA/%s", ns);
			cocm_ctl_enqueue(c, k);
		}
		break;
	}
	default:
		break;
	}
}

static void on_add(const cJSON *obj, int initial, void *arg)
{
	(void)initial;
	dispatch(arg, NULL, obj, 0);
}

static void on_update(const cJSON *old, const cJSON *cur, void *arg)
{
	const char *a = cocm_json_str(old, "metadata", "resourceVersion", NULL);
	const char *b = cocm_json_str(cur, "metadata", "resourceVersion", NULL);

	if (a != NULL && b != NULL && strcmp(a, b) == 0)
		return;
	dispatch(arg, old, cur, 0);
}

static void on_delete(const cJSON *obj, int missed, void *arg)
{
	(void)missed;
	dispatch(arg, NULL, obj, 1);
}

/* ---- sync and leadership ------------------------------------------------------------------ */

static int enqueue_release_each(const char *key, const cJSON *obj, void *arg)
{
	struct cocm_ctl_hctx *h = arg;
	char k[COCM_CACHE_KEY_MAX + 32];

	(void)obj;
	snprintf(k, sizeof(k), "%s/%s", release_kind(h->which), key);
	cocm_workqueue_add(h->c->q, k);
	return 0;
}

static int enqueue_work_each(const char *key, const cJSON *obj, void *arg)
{
	struct cocm_ctl *c = arg;
	char k[COCM_CACHE_KEY_MAX + 32];

	(void)key;
	if (cocm_works_release_key(obj, k, sizeof(k)) == 0)
		cocm_workqueue_add(c->q, k);
	return 0;
}

static int enqueue_mca_each(const char *key, const cJSON *obj, void *arg)
{
	struct cocm_ctl *c = arg;
	const char *name = cocm_json_str(obj, "metadata", "name", NULL);
	const char *ns = cocm_json_str(obj, "metadata", "namespace", NULL);
	char k[COCM_CACHE_KEY_MAX];

	(void)key;
	if (name != NULL && ns != NULL && strcmp(name, COCM_ADDON_NAME) == 0) {
		snprintf(k, sizeof(k), "MCA/%s", ns);
		cocm_workqueue_add(c->q, k);
	}
	return 0;
}

static void enqueue_everything(struct cocm_ctl *c)
{
	int w;

	if (!c->synced || c->closing || !c->leader)
		return;
	cocm_workqueue_add(c->q, "CMA");
	for (w = COCM_INF_RELEASE; w <= COCM_INF_RENDERED; w++)
		if (c->inf[w] != NULL)
			cocm_cache_each(cocm_ctl_cache(c, (enum cocm_inf)w), enqueue_release_each,
				&c->hctx[w]);
	cocm_cache_each(cocm_ctl_cache(c, COCM_INF_WORK), enqueue_work_each, c);
	cocm_cache_each(cocm_ctl_cache(c, COCM_INF_MCA), enqueue_mca_each, c);
	cocm_agent_rbac_enqueue(c, NULL);
}

static void on_synced(void *arg)
{
	struct cocm_ctl_hctx *h = arg;
	struct cocm_ctl *c = h->c;
	int w;

	for (w = 0; w < COCM_INF_COUNT; w++)
		if (c->inf[w] != NULL && !cocm_informer_synced(c->inf[w]))
			return;
	if (c->synced)
		return;
	c->synced = 1;
	cocm_log(COCM_LOG_INFO, "controller", "caches-synced leader=%d", c->leader);
	enqueue_everything(c);
}

void cocm_ctl_set_leader(struct cocm_ctl *c, int leader)
{
	if (c->leader == leader)
		return;
	c->leader = leader;
	cocm_log(COCM_LOG_INFO, "controller", "leadership leader=%d identity=%s", leader,
		c->identity);
	if (leader)
		enqueue_everything(c);
}

int cocm_ctl_ready(const struct cocm_ctl *c)
{
	return c->synced && !c->closing;
}

/* ---- the queue ---------------------------------------------------------------------------- */

static void on_key(struct cocm_workqueue *q, const char *key, void *arg)
{
	struct cocm_ctl *c = arg;

	if (!c->leader || c->closing) {
		cocm_workqueue_forget(q, key);
		cocm_workqueue_done(q, key); /* key is the queue's: not valid after done */
		return;
	}
	if (strcmp(key, "CMA") == 0)
		cocm_addon_reconcile_cma(c, key);
	else if (strncmp(key, "MCA/", 4) == 0)
		cocm_addon_reconcile_mca(c, key);
	else if (strncmp(key, COCM_AGENT_RBAC_KEY_PREFIX, strlen(COCM_AGENT_RBAC_KEY_PREFIX)) == 0)
		cocm_agent_rbac_reconcile(c, key);
	else
		cocm_reconcile_release(c, key);
}

/* ---- metrics ------------------------------------------------------------------------------ */

static void on_api(const char *verb, const char *resource, int code, double secs, void *arg)
{
	struct cocm_ctl *c = arg;
	char cs[16];

	(void)resource;
	snprintf(cs, sizeof(cs), "%d", code);
	cocm_metric_inc(c->m.api_requests, verb, cs, 1);
	cocm_metric_observe(c->m.api_seconds, verb, NULL, secs);
}

static void metrics_init(struct cocm_ctl *c)
{
	static const double lat[] = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30 };
	struct cocm_metrics *m = c->metrics;

	c->m.reconciles = cocm_metrics_add(m, COCM_METRIC_COUNTER, "cocm_reconcile_total",
		"Reconciles by kind and result (success, error).", "kind", "result", NULL, 0);
	c->m.reconcile_seconds = cocm_metrics_add(m, COCM_METRIC_HISTOGRAM,
		"cocm_reconcile_duration_seconds", "Reconcile latency, API round trips included.",
		"kind", NULL, lat, (int)COCM_ARRAY_LEN(lat));
	c->m.queue_depth = cocm_metrics_add(m, COCM_METRIC_GAUGE, "cocm_workqueue_depth",
		"Keys ready in the work queue.", NULL, NULL, NULL, 0);
	c->m.queue_inflight = cocm_metrics_add(m, COCM_METRIC_GAUGE, "cocm_workqueue_inflight",
		"Keys being reconciled.", NULL, NULL, NULL, 0);
	c->m.queue_retries = cocm_metrics_add(m, COCM_METRIC_COUNTER, "cocm_workqueue_retries_total",
		"Keys re-queued with backoff after an error.", NULL, NULL, NULL, 0);
	c->m.api_requests = cocm_metrics_add(m, COCM_METRIC_COUNTER, "cocm_api_requests_total",
		"Hub API requests by verb and HTTP code (0 = transport error).", "verb", "code", NULL,
		0);
	c->m.api_seconds = cocm_metrics_add(m, COCM_METRIC_HISTOGRAM,
		"cocm_api_request_duration_seconds", "Hub API request latency by verb.", "verb", NULL,
		lat, (int)COCM_ARRAY_LEN(lat));
	c->m.watch_restarts = cocm_metrics_add(m, COCM_METRIC_COUNTER, "cocm_watch_restarts_total",
		"Watches resumed after a drop or failure, by resource.", "resource", NULL, NULL, 0);
	c->m.relists = cocm_metrics_add(m, COCM_METRIC_COUNTER, "cocm_relists_total",
		"Complete lists after the first (410 Gone and failures), by resource.", "resource",
		NULL, NULL, 0);
	c->m.works_applied = cocm_metrics_add(m, COCM_METRIC_COUNTER, "cocm_works_applied_total",
		"ManifestWorks written (server-side apply).", NULL, NULL, NULL, 0);
	c->m.works_deleted = cocm_metrics_add(m, COCM_METRIC_COUNTER, "cocm_works_deleted_total",
		"ManifestWorks deleted.", NULL, NULL, NULL, 0);
	c->m.status_writes = cocm_metrics_add(m, COCM_METRIC_COUNTER, "cocm_status_writes_total",
		"Release status writes, by kind.", "kind", NULL, NULL, 0);
	c->m.releases = cocm_metrics_add(m, COCM_METRIC_GAUGE, "cocm_releases",
		"Managed Releases by worst resource health.", "health", NULL, NULL, 0);
	c->m.leader = cocm_metrics_add(m, COCM_METRIC_GAUGE, "cocm_leader",
		"1 while this process is the leader.", NULL, NULL, NULL, 0);
	c->m.synced = cocm_metrics_add(m, COCM_METRIC_GAUGE, "cocm_caches_synced",
		"1 once every informer has synced.", NULL, NULL, NULL, 0);
	c->m.events = cocm_metrics_add(m, COCM_METRIC_COUNTER, "cocm_events_total",
		"Kubernetes Events written or dropped by the rate limit.", "result", NULL, NULL, 0);
}

enum cocm_err cocm_ctl_render_metrics(struct cocm_ctl *c, struct cocm_buf *out)
{
	struct cocm_strmap_iter it;
	int w, h;

	cocm_metric_set(c->m.queue_depth, NULL, NULL, c->q != NULL ?
		(double)cocm_workqueue_len(c->q) : 0);
	cocm_metric_set(c->m.queue_inflight, NULL, NULL, c->q != NULL ?
		(double)cocm_workqueue_inflight(c->q) : 0);
	for (w = 0; w < COCM_INF_COUNT; w++) {
		struct cocm_informer_stats st;

		if (c->inf[w] == NULL)
			continue;
		cocm_informer_stats(c->inf[w], &st);
		cocm_metric_set(c->m.watch_restarts, cocm_gvr_of[w].resource, NULL, st.watch_resumes);
		cocm_metric_set(c->m.relists, cocm_gvr_of[w].resource, NULL,
			st.lists > 0 ? st.lists - 1 : 0);
	}
	cocm_metric_zero(c->m.releases);
	for (h = COCM_HEALTH_HEALTHY; h <= COCM_HEALTH_DEGRADED; h++)
		cocm_metric_set(c->m.releases, cocm_health_name((enum cocm_health)h), NULL, 0);
	for (cocm_strmap_iter_init(&it, &c->health); cocm_strmap_next(&it);)
		cocm_metric_inc(c->m.releases,
			cocm_health_name((enum cocm_health)((uintptr_t)it.value - 1)), NULL, 1);
	cocm_metric_set(c->m.leader, NULL, NULL, c->leader);
	cocm_metric_set(c->m.synced, NULL, NULL, c->synced);
	cocm_metric_set(c->m.events, "sent", NULL, (double)cocm_events_sent(c->events));
	cocm_metric_set(c->m.events, "dropped", NULL, (double)cocm_events_dropped(c->events));
	return cocm_metrics_render(c->metrics, out);
}

/* ---- lifecycle ---------------------------------------------------------------------------- */

struct cocm_ctl *cocm_ctl_create(uv_loop_t *loop, struct cocm_kube *k,
	const struct cocm_run_flags *flags, const char *identity, unsigned release_kinds)
{
	struct cocm_ctl *c = COCM_NEW(struct cocm_ctl);
	struct cocm_workqueue_opts qo = { .name = "releases" };
	int w;

	c->loop = loop;
	c->kube = k;
	c->flags = flags;
	c->identity = cocm_xstrdup(identity);
	c->release_kinds = release_kinds;
	c->rng = cocm_backoff_seed(0);
	c->metrics = cocm_metrics_create();
	metrics_init(c);
	c->events = cocm_events_create(k, COCM_ADDON_NAME, identity);
	cocm_rindex_init(&c->env_releases);
	cocm_rindex_init(&c->dp_envs);
	cocm_rindex_init(&c->op_dps);
	cocm_rindex_init(&c->placement_releases);
	cocm_rindex_init(&c->cluster_works);
	cocm_strmap_init(&c->health);
	cocm_strmap_init(&c->apply_failed);
	cocm_strmap_init(&c->written);
	qo.max_inflight = (unsigned)flags->workers;
	c->q = cocm_workqueue_create(loop, &qo, on_key, c);
	cocm_kube_set_observer(k, on_api, c);
	for (w = 0; w < COCM_INF_COUNT; w++) {
		struct cocm_informer_opts io = { .name = cocm_gvr_of[w].resource };
		struct cocm_informer_handlers h = { on_add, on_update, on_delete, on_synced, NULL,
			&c->hctx[w] };

		c->hctx[w].c = c;
		c->hctx[w].which = (enum cocm_inf)w;
		if (w == COCM_INF_RELEASE && !(release_kinds & 1))
			continue;
		if (w == COCM_INF_RENDERED && !(release_kinds & 2))
			continue;
		if (w == COCM_INF_OP && !(release_kinds & 4))
			continue;
		if (w == COCM_INF_COP && !(release_kinds & 8))
			continue;
		io.transform = cocm_works_slim;
		if (w == COCM_INF_RELEASE || w == COCM_INF_RENDERED) {
			io.transform = cocm_works_release_transform;
			io.page_size = COCM_CTL_LIST_PAGE;
		} else if (w == COCM_INF_WORK) {
			io.page_size = COCM_CTL_LIST_PAGE;
			io.label_selector = managed_selector;
			io.transform = cocm_works_transform;
			io.index_labels = cocm_works_index_labels;
		} else if (w == COCM_INF_DECISION) {
			io.index_labels = decision_index;
		}
		c->inf[w] = cocm_informer_create(k, loop, &cocm_gvr_of[w], &io, &h);
	}
	return c;
}

enum cocm_err cocm_ctl_start(struct cocm_ctl *c)
{
	int w;

	for (w = 0; w < COCM_INF_COUNT; w++)
		if (c->inf[w] != NULL && cocm_informer_start(c->inf[w]) != COCM_OK)
			return COCM_ESTATE;
	return COCM_OK;
}

static void on_part_closed(void *arg)
{
	struct cocm_ctl *c = arg;

	if (--c->inflight_closes == 0 && c->done != NULL)
		c->done(c->done_arg);
}

static void on_queue_closed(void *arg)
{
	struct cocm_ctl *c = arg;
	int w;

	c->q = NULL;
	c->inflight_closes = 1;
	for (w = 0; w < COCM_INF_COUNT; w++) {
		if (c->inf[w] == NULL)
			continue;
		c->inflight_closes++;
		cocm_informer_close(c->inf[w], on_part_closed, c);
		c->inf[w] = NULL;
	}
	on_part_closed(c);
}

void cocm_ctl_close(struct cocm_ctl *c, void (*done)(void *arg), void *arg)
{
	c->closing = 1;
	c->done = done;
	c->done_arg = arg;
	cocm_log(COCM_LOG_INFO, "controller", "draining inflight=%zu",
		cocm_workqueue_inflight(c->q));
	cocm_workqueue_close(c->q, on_queue_closed, c);
}

void cocm_ctl_destroy(struct cocm_ctl *c)
{
	struct cocm_strmap_iter it;

	if (c == NULL)
		return;
	cocm_events_destroy(c->events);
	cocm_metrics_destroy(c->metrics);
	cocm_rindex_finish(&c->env_releases);
	cocm_rindex_finish(&c->dp_envs);
	cocm_rindex_finish(&c->op_dps);
	cocm_rindex_finish(&c->placement_releases);
	cocm_rindex_finish(&c->cluster_works);
	cocm_strmap_finish(&c->health);
	for (cocm_strmap_iter_init(&it, &c->apply_failed); cocm_strmap_next(&it);) {
		struct cocm_apply_failure *f = it.value;

		free(f->hash);
		free(f->message);
		free(f);
	}
	cocm_strmap_finish(&c->apply_failed);
	for (cocm_strmap_iter_init(&it, &c->written); cocm_strmap_next(&it);) {
		struct cocm_written *w = it.value;

		free(w->before_rv);
		free(w->what);
		free(w);
	}
	cocm_strmap_finish(&c->written);
	free(c->identity);
	free(c);
}
