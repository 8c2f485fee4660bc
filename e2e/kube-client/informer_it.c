/* Integration scenarios for kube/informer and kube/lease on the real client against the
 * emulator's API server (run by informer_driver.py, which sets KUBECONFIG and COCM_IT_CONTROL).
 *
 *   informer_it informer   paged list + watch, resume after a dropped connection (no relist),
 *                          relist on 410 after compaction with the missed deletion delivered
 *   informer_it lease      two electors: acquire, renew, release on close, standby takes over
 *
 * Exit 0 on success; on failure prints the failed check and exits 1. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "kube/client.h"
#include "kube/config.h"
#include "kube/core/json.h"
#include "kube/core/log.h"
#include "kube/core/xalloc.h"
#include "kube/informer.h"
#include "kube/lease.h"

#define CHECK(c, ...) \
	do { \
		if (!(c)) { \
			fprintf(stderr, "informer_it:%d: check failed: %s: ", __LINE__, #c); \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr); \
			exit(1); \
		} \
	} while (0)

static uv_loop_t loop;
static uv_timer_t ticker; /* keeps uv_run(ONCE) from blocking for long */
static struct cocm_kube *K;

static void on_tick(uv_timer_t *t)
{
	(void)t;
}

#define RUN_UNTIL(cond, ms) \
	do { \
		uv_update_time(&loop); \
		uint64_t t0_ = uv_now(&loop); \
		while (!(cond) && uv_now(&loop) - t0_ < (ms)) { \
			uv_run(&loop, UV_RUN_ONCE); \
			uv_update_time(&loop); \
		} \
		CHECK(cond, "timed out after %d ms", (int)(ms)); \
	} while (0)

static void run_for(uint64_t ms)
{
	uv_update_time(&loop);
	uint64_t until = uv_now(&loop) + ms;

	RUN_UNTIL(uv_now(&loop) >= until, ms + 1000);
}

/* Asks the driver for a server restart with store changes (see informer_driver.py). */
static void control(const char *query)
{
	const char *base = getenv("COCM_IT_CONTROL");
	char url[512];
	CURL *c = curl_easy_init();
	CURLcode rc;

	CHECK(base != NULL && c != NULL, "COCM_IT_CONTROL set");
	snprintf(url, sizeof(url), "%s/restart?%s", base, query);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	rc = curl_easy_perform(c);
	curl_easy_cleanup(c);
	CHECK(rc == CURLE_OK, "control %s: %s", query, curl_easy_strerror(rc));
}

/* ---- blocking helpers over the async client ---- */

struct call {
	int done;
	enum cocm_err err;
	cJSON *body;
};

static void on_resp(struct cocm_resp *r, void *arg)
{
	struct call *c = arg;

	c->done = 1;
	c->err = r->err;
	c->body = r->body;
	r->body = NULL;
}

static const struct cocm_gvr cms = { "", "v1", "configmaps", 1 };
static const struct cocm_gvr nss = { "", "v1", "namespaces", 0 };
static const struct cocm_gvr leases = { "coordination.k8s.io", "v1", "leases", 1 };

static enum cocm_err create(const struct cocm_gvr *r, const char *ns, const char *name)
{
	struct call c = { 0 };
	cJSON *o = cJSON_CreateObject();

	cocm_json_set_str(o, "apiVersion", "v1");
	cocm_json_set_str(o, "kind", r == &nss ? "Namespace" : "ConfigMap");
	cocm_json_set_str(cocm_json_obj(o, "metadata"), "name", name);
	cocm_json_set_str(cocm_json_obj(cocm_json_obj(o, "metadata"), "labels"), "app", "it");
	CHECK(cocm_kube_create_obj(K, r, ns, o, NULL, on_resp, &c) == COCM_OK, "create started");
	cJSON_Delete(o);
	RUN_UNTIL(c.done, 20000);
	cJSON_Delete(c.body);
	return c.err;
}

static cJSON *get(const struct cocm_gvr *r, const char *ns, const char *name)
{
	struct call c = { 0 };

	CHECK(cocm_kube_get(K, r, ns, name, on_resp, &c) == COCM_OK, "get started");
	RUN_UNTIL(c.done, 20000);
	CHECK(c.err == COCM_OK, "get %s: %s", name, cocm_err_name(c.err));
	return c.body;
}

/* ---- informer scenario ---- */

struct seen {
	int adds, initial, updates, deletes, missed, synced;
	char last_missed[64];
};
static struct seen S;

static void h_add(const cJSON *o, int initial, void *arg)
{
	(void)o;
	(void)arg;
	S.adds++;
	S.initial += initial;
}

static void h_update(const cJSON *old, const cJSON *cur, void *arg)
{
	(void)old;
	(void)cur;
	(void)arg;
	S.updates++;
}

static void h_delete(const cJSON *o, int missed, void *arg)
{
	(void)arg;
	S.deletes++;
	if (missed) {
		S.missed++;
		snprintf(S.last_missed, sizeof(S.last_missed), "%s",
			cocm_json_str(o, "metadata", "name", NULL));
	}
}

static void h_synced(void *arg)
{
	(void)arg;
	S.synced++;
}

static int closed;
static void on_closed(void *arg)
{
	(void)arg;
	closed++;
}

static int scenario_informer(void)
{
	struct cocm_informer_opts o = { .ns = "it", .page_size = 2, .label_selector = "app=it",
		.backoff_base_ms = 100, .backoff_cap_ms = 1000 };
	struct cocm_informer_handlers h = { h_add, h_update, h_delete, h_synced, NULL, NULL };
	struct cocm_informer_stats st;
	struct cocm_informer *inf;
	struct cocm_cache *c;
	enum cocm_err e;

	e = create(&nss, NULL, "it");
	CHECK(e == COCM_OK || e == COCM_EEXIST, "namespace: %s", cocm_err_name(e));
	CHECK(create(&cms, "it", "a") == COCM_OK, "create a");
	CHECK(create(&cms, "it", "b") == COCM_OK, "create b");
	CHECK(create(&cms, "it", "c") == COCM_OK, "create c");

	inf = cocm_informer_create(K, &loop, &cms, &o, &h);
	c = cocm_informer_cache(inf);
	CHECK(cocm_informer_start(inf) == COCM_OK, "start");
	RUN_UNTIL(cocm_informer_synced(inf), 20000);
	CHECK(S.synced == 1 && S.initial == 3 && cocm_cache_len(c) == 3, "initial list: %d adds",
		S.initial);
	cocm_informer_stats(inf, &st);
	CHECK(st.lists == 1, "one list");

	/* Live watch. */
	CHECK(create(&cms, "it", "d") == COCM_OK, "create d");
	RUN_UNTIL(cocm_cache_get(c, "it/d") != NULL, 20000);
	CHECK(S.adds == 4 && S.initial == 3, "d arrived by watch");

	/* Drop every connection; e is created while we're away; the watch resumes from our rv and
	 * replays e. No relist. */
	control("down=0.5&create=it/e");
	RUN_UNTIL(cocm_cache_get(c, "it/e") != NULL, 30000);
	cocm_informer_stats(inf, &st);
	CHECK(st.lists == 1, "resumed without a relist (lists=%u)", st.lists);
	CHECK(st.watch_resumes >= 1, "watch resumed (%u)", st.watch_resumes);
	CHECK(S.missed == 0, "nothing missed");

	/* Drop again; b is deleted while we're away and the history is compacted: resuming from our
	 * rv gets 410, the informer relists and delivers the deletion it missed. */
	control("down=0.5&delete=it/b&compact=1");
	RUN_UNTIL(S.missed == 1, 30000);
	CHECK(strcmp(S.last_missed, "b") == 0, "missed deletion of b (got %s)", S.last_missed);
	CHECK(cocm_cache_get(c, "it/b") == NULL && cocm_cache_len(c) == 4, "cache after relist");
	cocm_informer_stats(inf, &st);
	CHECK(st.relists_gone >= 1 && st.lists >= 2, "relist on 410 (gone=%u lists=%u)",
		st.relists_gone, st.lists);

	/* And the new watch works. */
	CHECK(create(&cms, "it", "f") == COCM_OK, "create f");
	RUN_UNTIL(cocm_cache_get(c, "it/f") != NULL, 20000);
	CHECK(S.synced == 1, "synced fires once");
	fprintf(stderr, "informer_it: informer ok: lists=%u relists_gone=%u watches=%u resumes=%u "
		"events=%u missed=%u\n", st.lists, st.relists_gone, st.watches, st.watch_resumes,
		st.events, st.missed_deletes);
	cocm_informer_close(inf, on_closed, NULL);
	RUN_UNTIL(closed == 1, 20000);
	return 0;
}

/* ---- lease scenario ---- */

struct elector {
	struct cocm_lease *l;
	int started, stopped;
};
static struct elector A, B;

static void e_started(void *arg)
{
	((struct elector *)arg)->started++;
	CHECK(!(A.l && B.l && cocm_lease_is_leader(A.l) && cocm_lease_is_leader(B.l)), "two leaders");
}

static void e_stopped(void *arg)
{
	((struct elector *)arg)->stopped++;
}

static struct cocm_lease *elector(struct elector *e, const char *id)
{
	struct cocm_lease_opts o = { .ns = "it", .name = "it-lock", .identity = id,
		.lease_duration_ms = 2000, .renew_deadline_ms = 1500, .retry_ms = 300 };
	struct cocm_lease_callbacks cb = { e_started, e_stopped, NULL, e };

	e->l = cocm_lease_create(K, &loop, &o, &cb);
	CHECK(e->l != NULL, "lease created");
	CHECK(cocm_lease_start(e->l) == COCM_OK, "lease started");
	return e->l;
}

static char *holder_now(void)
{
	cJSON *l = get(&leases, "it", "it-lock");
	const char *h = cocm_json_str(l, "spec", "holderIdentity", NULL);
	char *r = cocm_xstrdup(h ? h : "");

	cJSON_Delete(l);
	return r;
}

static int scenario_lease(void)
{
	enum cocm_err e = create(&nss, NULL, "it");
	char *h, *rt1, *rt2;
	cJSON *l;

	CHECK(e == COCM_OK || e == COCM_EEXIST, "namespace: %s", cocm_err_name(e));
	elector(&A, "it-a");
	RUN_UNTIL(A.started == 1, 20000);
	elector(&B, "it-b");
	l = get(&leases, "it", "it-lock");
	rt1 = cocm_xstrdup(cocm_json_str(l, "spec", "renewTime", NULL));
	cJSON_Delete(l);
	run_for(2500); /* longer than the lease: A must keep renewing, B must not take over */
	CHECK(B.started == 0 && cocm_lease_is_leader(A.l), "A kept the lease");
	l = get(&leases, "it", "it-lock");
	rt2 = cocm_xstrdup(cocm_json_str(l, "spec", "renewTime", NULL));
	cJSON_Delete(l);
	CHECK(strcmp(rt1, rt2) != 0, "renewTime moved (%s -> %s)", rt1, rt2);
	h = holder_now();
	CHECK(strcmp(h, "it-a") == 0, "holder %s", h);
	free(h);
	free(rt1);
	free(rt2);

	cocm_lease_close(A.l, on_closed, NULL);
	RUN_UNTIL(closed == 1, 20000);
	A.l = NULL;
	CHECK(A.stopped == 1, "A stopped leading on release");
	RUN_UNTIL(B.started == 1, 20000);
	h = holder_now();
	CHECK(strcmp(h, "it-b") == 0, "B holds it (%s)", h);
	free(h);
	cocm_lease_close(B.l, on_closed, NULL);
	RUN_UNTIL(closed == 2, 20000);
	B.l = NULL;
	h = holder_now();
	CHECK(h[0] == '\0', "released on clean shutdown (holder %s)", h);
	free(h);
	fprintf(stderr, "informer_it: lease ok\n");
	return 0;
}

static int kube_closed;
static void on_kube_closed(void *arg)
{
	(void)arg;
	kube_closed = 1;
}

int main(int argc, char **argv)
{
	struct cocm_kube_config cfg;
	char err[512];
	int rc;

	if (argc != 2 || (strcmp(argv[1], "informer") != 0 && strcmp(argv[1], "lease") != 0)) {
		fprintf(stderr, "usage: informer_it informer|lease\n");
		return 2;
	}
	cocm_xalloc_init();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (getenv("COCM_IT_VERBOSE") == NULL)
		cocm_log_max = COCM_LOG_WARN;
	CHECK(uv_loop_init(&loop) == 0, "loop");
	uv_timer_init(&loop, &ticker);
	uv_timer_start(&ticker, on_tick, 50, 50);
	memset(&cfg, 0, sizeof(cfg));
	CHECK(cocm_kube_config_load(&cfg, NULL, NULL, err, sizeof(err)) == COCM_OK, "config: %s", err);
	K = cocm_kube_create(&loop, &cfg, NULL);
	cocm_kube_config_finish(&cfg);
	CHECK(K != NULL, "client");
	rc = strcmp(argv[1], "informer") == 0 ? scenario_informer() : scenario_lease();
	cocm_kube_close(K, on_kube_closed, NULL);
	RUN_UNTIL(kube_closed, 20000);
	uv_close((uv_handle_t *)&ticker, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	CHECK(uv_loop_close(&loop) == 0, "uv_loop_close leaves nothing behind");
	curl_global_cleanup();
	return rc;
}
