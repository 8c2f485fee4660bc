/* Discovery (see discovery.h): /api -> core versions, /apis -> groups, then every wanted group
 * version's resource list in parallel (the client's rate limiter paces them). */
#include "kube/discovery.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/core/json.h"
#include "kube/core/log.h"
#include "kube/core/xalloc.h"

struct run {
	struct cocm_kube *k;
	char **groups;      /* NULL = all */
	struct cocm_discovery *d;
	cocm_discovery_cb cb;
	void *arg;
	int pending;
	enum cocm_err err;
	cJSON *core;        /* /api body until /apis arrives */
};

struct gv_req {
	struct run *run;
	int preferred;
	char gv[256];
};

void cocm_discovery_init(struct cocm_discovery *d)
{
	memset(d, 0, sizeof(*d));
}

void cocm_discovery_finish(struct cocm_discovery *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++) {
		free(d->v[i].group);
		free(d->v[i].version);
		free(d->v[i].resource);
		free(d->v[i].kind);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

void cocm_discovery_destroy(struct cocm_discovery *d)
{
	cocm_discovery_finish(d);
	free(d);
}

static int same_group(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

/* The entry of group whose plural (by_kind 0) or kind (by_kind 1) is name, preferring the
 * preferred version. */
static const struct cocm_api_resource *find(const struct cocm_discovery *d, const char *group,
	const char *name, int by_kind)
{
	const struct cocm_api_resource *first = NULL;
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct cocm_api_resource *r = &d->v[i];
		if (!same_group(r->group, group) || strcmp(by_kind ? r->kind : r->resource, name) != 0)
			continue;
		if (r->preferred)
			return r;
		if (first == NULL)
			first = r;
	}
	return first;
}

const struct cocm_api_resource *cocm_discovery_find(const struct cocm_discovery *d,
	const char *group, const char *resource)
{
	return find(d, group, resource, 0);
}

const struct cocm_api_resource *cocm_discovery_find_kind(const struct cocm_discovery *d,
	const char *group, const char *kind)
{
	return find(d, group, kind, 1);
}

enum cocm_err cocm_discovery_add_list(struct cocm_discovery *d, const cJSON *list, int preferred)
{
	const char *gv = cocm_json_str(list, "groupVersion", NULL);
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(list, "resources"), *it;
	const char *slash;
	char *group, *version;

	if (gv == NULL || gv[0] == '\0' || !cJSON_IsArray(res))
		return COCM_EPARSE;
	slash = strchr(gv, '/');
	group = slash != NULL ? cocm_xstrndup(gv, (size_t)(slash - gv)) : cocm_xstrdup("");
	version = cocm_xstrdup(slash != NULL ? slash + 1 : gv);
	cJSON_ArrayForEach(it, res) {
		const char *name = cocm_json_str(it, "name", NULL);
		const char *kind = cocm_json_str(it, "kind", NULL);
		const cJSON *ns = cJSON_GetObjectItemCaseSensitive(it, "namespaced");
		struct cocm_api_resource *r;

		if (name == NULL || kind == NULL || strchr(name, '/') != NULL)
			continue;
		if (d->n == d->cap) {
			d->cap = d->cap ? d->cap * 2 : 32;
			d->v = cocm_xrealloc(d->v, d->cap * sizeof(*d->v));
		}
		r = &d->v[d->n++];
		r->group = cocm_xstrdup(group);
		r->version = cocm_xstrdup(version);
		r->resource = cocm_xstrdup(name);
		r->kind = cocm_xstrdup(kind);
		r->namespaced = cJSON_IsTrue(ns);
		r->preferred = preferred;
	}
	free(group);
	free(version);
	return COCM_OK;
}

static int wanted(const struct run *run, const char *group)
{
	char **g;

	if (run->groups == NULL)
		return 1;
	for (g = run->groups; *g != NULL; g++)
		if (strcmp(*g, group) == 0)
			return 1;
	return 0;
}

static void run_free(struct run *run)
{
	char **g;

	if (run->groups != NULL) {
		for (g = run->groups; *g != NULL; g++)
			free(*g);
		free(run->groups);
	}
	cJSON_Delete(run->core);
	cocm_discovery_destroy(run->d);
	free(run);
}

static void run_end(struct run *run)
{
	struct cocm_discovery *d = NULL;

	if (--run->pending > 0)
		return;
	if (run->err == COCM_OK) {
		d = run->d;
		run->d = NULL;
		cocm_log(COCM_LOG_DEBUG, "discovery", "done resources=%zu failed_group_versions=%zu",
			d->n, d->failed);
	}
	run->cb(run->err, d, run->arg);
	run_free(run);
}

static void on_gv(struct cocm_resp *resp, void *arg)
{
	struct gv_req *g = arg;
	struct run *run = g->run;

	if (resp->err == COCM_ECANCELED) {
		run->err = COCM_ECANCELED;
	} else if (resp->err != COCM_OK || resp->body == NULL ||
		cocm_discovery_add_list(run->d, resp->body, g->preferred) != COCM_OK) {
		run->d->failed++;
		cocm_log(COCM_LOG_WARN, "discovery", "group_version_failed gv=%s err=%s status=%d",
			g->gv, cocm_err_name(resp->err != COCM_OK ? resp->err : COCM_EPARSE),
			resp->http_status);
	}
	free(g);
	run_end(run);
}

static void fetch_gv(struct run *run, const char *gv, int preferred, int core)
{
	struct gv_req *g = COCM_NEW(struct gv_req);
	char path[300];

	g->run = run;
	g->preferred = preferred;
	snprintf(g->gv, sizeof(g->gv), "%s", gv);
	snprintf(path, sizeof(path), "%s/%s", core ? "/api" : "/apis", gv);
	if (strchr(gv, '?') != NULL || strchr(gv, '#') != NULL || strstr(gv, "..") != NULL ||
		cocm_kube_get_path(run->k, path, on_gv, g) != COCM_OK) {
		run->d->failed++;
		free(g);
		return;
	}
	run->pending++;
}

static void on_apis(struct cocm_resp *resp, void *arg)
{
	struct run *run = arg;
	const cJSON *groups, *grp, *v, *it;

	if (resp->err != COCM_OK || resp->body == NULL) {
		run->err = resp->err != COCM_OK ? resp->err : COCM_EPARSE;
		run_end(run);
		return;
	}
	/* core group: /api lists versions; the first is the preferred one */
	if (wanted(run, "")) {
		int first = 1;
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(run->core, "versions")) {
			if (cJSON_IsString(it))
				fetch_gv(run, it->valuestring, first, 1);
			first = 0;
		}
	}
	groups = cJSON_GetObjectItemCaseSensitive(resp->body, "groups");
	cJSON_ArrayForEach(grp, groups) {
		const char *name = cocm_json_str(grp, "name", NULL);
		const char *pref = cocm_json_str(grp, "preferredVersion", "groupVersion", NULL);

		if (name == NULL || !wanted(run, name))
			continue;
		v = cJSON_GetObjectItemCaseSensitive(grp, "versions");
		cJSON_ArrayForEach(it, v) {
			const char *gv = cocm_json_str(it, "groupVersion", NULL);
			if (gv != NULL)
				fetch_gv(run, gv, pref != NULL && strcmp(pref, gv) == 0, 0);
		}
	}
	run_end(run); /* the /apis step itself */
}

static void on_api(struct cocm_resp *resp, void *arg)
{
	struct run *run = arg;

	if (resp->err != COCM_OK || resp->body == NULL) {
		run->err = resp->err != COCM_OK ? resp->err : COCM_EPARSE;
		run_end(run);
		return;
	}
	run->core = resp->body;
	resp->body = NULL;
	if (cocm_kube_get_path(run->k, "/apis", on_apis, run) != COCM_OK) {
		run->err = COCM_ECANCELED;
		run_end(run);
	}
}

enum cocm_err cocm_discovery_run(struct cocm_kube *k, const char *const *groups,
	cocm_discovery_cb cb, void *arg)
{
	struct run *run;
	enum cocm_err e;
	size_t n = 0, i;

	if (cb == NULL)
		return COCM_EINVAL;
	run = COCM_NEW(struct run);
	run->k = k;
	run->cb = cb;
	run->arg = arg;
	run->d = COCM_NEW(struct cocm_discovery);
	run->pending = 1;
	if (groups != NULL) {
		while (groups[n] != NULL)
			n++;
		run->groups = COCM_NEWN(char *, n + 1);
		for (i = 0; i < n; i++)
			run->groups[i] = cocm_xstrdup(groups[i]);
	}
	e = cocm_kube_get_path(k, "/api", on_api, run);
	if (e != COCM_OK)
		run_free(run);
	return e;
}
