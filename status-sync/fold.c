/* The fold of ManifestWork status into a Release status (see fold.h). */
#include "status-sync/fold.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/core/json.h"
#include "kube/core/xalloc.h"
#include "manifestwork/feedback.h"
#include "status-sync/rebuild.h"

#define ANN_RELEASE "ocm.openchoreo.dev/release"
#define ANN_PARTS "ocm.openchoreo.dev/parts"
#define AGENT_PREFIX "Failed to apply manifest: "

/* ---- bounded messages ---------------------------------------------------------------- */

struct msg {
	char buf[COCM_FOLD_MAX_MESSAGE + 1];
	size_t len;
	int full;
};

static void msg_add(struct msg *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void msg_add(struct msg *m, const char *fmt, ...)
{
	char tmp[2 * COCM_FOLD_MAX_MESSAGE + 1];
	va_list ap;
	size_t n, room;

	if (m->full)
		return;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	n = strlen(tmp);
	if (m->len + n <= COCM_FOLD_MAX_MESSAGE) {
		memcpy(m->buf + m->len, tmp, n + 1);
		m->len += n;
		return;
	}
	room = COCM_FOLD_MAX_MESSAGE - m->len;
	room = room > 3 ? room - 3 : 0;
	n = cocm_utf8_cut(tmp, room);
	memcpy(m->buf + m->len, tmp, n);
	m->len += n;
	memcpy(m->buf + m->len, "...", 4);
	m->len += 3;
	m->full = 1;
}

/* Copies s into dst (cap > max + 3), cut to max bytes with "..." on a UTF-8 boundary. */
static const char *clip(char *dst, size_t cap, const char *s, size_t max)
{
	size_t n = cocm_utf8_cut(s, max);

	if (n + 4 > cap)
		n = cocm_utf8_cut(s, cap - 4);
	memcpy(dst, s, n);
	if (s[n] != '\0')
		memcpy(dst + n, "...", 4);
	else
		dst[n] = '\0';
	return dst;
}

/* ---- input views --------------------------------------------------------------------- */

struct work {
	const cJSON *obj;
	const char *name;
	int current;
	const cJSON *manifests;
	long long parts;
};

/* One manifest status, indexed by identity for the lookup from spec resources. */
struct mref {
	const char *g, *k, *ns, *n;
	size_t work, ord; /* tie-breakers: the first in work-name order wins */
	const cJSON *m;
};

struct cluster {
	const char *name;
	int expected;
	struct work *works;
	size_t nworks, cap;
	int pending;
	struct mref *idx; /* sorted by identity, then work, then ordinal */
	size_t nidx;
};

struct res {
	const char *id, *version, *kind, *name, *ns;
	char group[254];
};

struct fold {
	const struct cocm_fold_in *in;
	struct cluster *cl;
	size_t ncl;
	int64_t gen;
	const cJSON *old;
	struct res *res;
	size_t nres;
};

static const cJSON *find_cond(const cJSON *conds, const char *type)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, conds)
	{
		const char *t = cocm_json_str(c, "type", NULL);

		if (t != NULL && strcmp(t, type) == 0)
			return c;
	}
	return NULL;
}

static const char *cond_status(const cJSON *conds, const char *type)
{
	const char *s = cocm_json_str(find_cond(conds, type), "status", NULL);

	return s ? s : "";
}

static int work_current(const cJSON *w)
{
	int64_t gen, og;
	const cJSON *c = find_cond(cocm_json_get(w, "status", "conditions", NULL), "Applied");

	if (c == NULL || cocm_json_int(&gen, w, "metadata", "generation", NULL) != COCM_OK ||
		cocm_json_int(&og, c, "observedGeneration", NULL) != COCM_OK)
		return 0;
	return og == gen;
}

static struct cluster *cluster_get(struct fold *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->ncl; i++)
		if (strcmp(f->cl[i].name, name) == 0)
			return &f->cl[i];
	f->cl = cocm_xrealloc(f->cl, (f->ncl + 1) * sizeof(*f->cl));
	memset(&f->cl[f->ncl], 0, sizeof(*f->cl));
	f->cl[f->ncl].name = name;
	return &f->cl[f->ncl++];
}

static int cmp_cluster(const void *a, const void *b)
{
	return strcmp(((const struct cluster *)a)->name, ((const struct cluster *)b)->name);
}

static int cmp_work(const void *a, const void *b)
{
	return strcmp(((const struct work *)a)->name, ((const struct work *)b)->name);
}

static int belongs(const cJSON *w, const char *ns, const char *name)
{
	const char *rel = cocm_json_str(w, "metadata", "annotations", ANN_RELEASE, NULL);
	size_t nl = strlen(ns);

	if (rel == NULL)
		return 1;
	return strncmp(rel, ns, nl) == 0 && rel[nl] == '/' && strcmp(rel + nl + 1, name) == 0;
}

static void add_work(struct fold *f, const cJSON *w)
{
	const char *ns = cocm_json_str(w, "metadata", "namespace", NULL);
	const char *name = cocm_json_str(w, "metadata", "name", NULL);
	const char *parts = cocm_json_str(w, "metadata", "annotations", ANN_PARTS, NULL);
	struct cluster *c;
	struct work *wk;

	if (ns == NULL || *ns == '\0' || name == NULL)
		return;
	c = cluster_get(f, ns);
	if (c->nworks == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 2;
		c->works = cocm_xrealloc(c->works, c->cap * sizeof(*c->works));
	}
	wk = &c->works[c->nworks++];
	memset(wk, 0, sizeof(*wk));
	wk->obj = w;
	wk->name = name;
	wk->current = work_current(w);
	wk->manifests = cocm_json_get(w, "status", "resourceStatus", "manifests", NULL);
	if (parts != NULL) {
		char *end = NULL;
		long long p = strtoll(parts, &end, 10);

		if (end != parts && *end == '\0' && p > 0 && p < 100000)
			wk->parts = p;
	}
}

static void set_err(char *err, size_t errcap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errcap, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errcap == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errcap, fmt, ap);
	va_end(ap);
}

static int parse_res(struct res *r, const cJSON *item, size_t i, char *err, size_t errcap)
{
	const cJSON *obj = cJSON_GetObjectItemCaseSensitive(item, "object");
	const char *av = cocm_json_str(obj, "apiVersion", NULL);
	const char *slash;

	r->id = cocm_json_str(item, "id", NULL);
	r->kind = cocm_json_str(obj, "kind", NULL);
	r->name = cocm_json_str(obj, "metadata", "name", NULL);
	r->ns = cocm_json_str(obj, "metadata", "namespace", NULL);
	if (r->ns == NULL)
		r->ns = "";
	if (r->id == NULL || *r->id == '\0' || !cJSON_IsObject(obj) || av == NULL || *av == '\0' ||
		r->kind == NULL || *r->kind == '\0' || r->name == NULL || *r->name == '\0') {
		set_err(err, errcap, "spec.resources[%zu]: needs id, object.apiVersion, object.kind "
				     "and object.metadata.name", i);
		return -1;
	}
	slash = strchr(av, '/');
	if (slash == NULL) {
		r->group[0] = '\0';
		r->version = av;
	} else {
		size_t gl = (size_t)(slash - av);

		if (gl >= sizeof(r->group) || slash[1] == '\0') {
			set_err(err, errcap, "spec.resources[%zu]: bad apiVersion", i);
			return -1;
		}
		memcpy(r->group, av, gl);
		r->group[gl] = '\0';
		r->version = slash + 1;
	}
	return 0;
}

int cocm_fold_valid_time(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t i;

	if (s == NULL || strlen(s) != sizeof(shape) - 1)
		return 0;
	for (i = 0; i < sizeof(shape) - 1; i++) {
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
			return 0;
	}
	return 1;
}

/* ---- matching manifests to spec resources ------------------------------------------- */

static int meta_is(const cJSON *meta, const struct res *r, int loose)
{
	const char *g = cocm_json_str(meta, "group", NULL);
	const char *k = cocm_json_str(meta, "kind", NULL);
	const char *n = cocm_json_str(meta, "name", NULL);
	const char *ns = cocm_json_str(meta, "namespace", NULL);

	if (g == NULL)
		g = "";
	if (ns == NULL)
		ns = "";
	if (k == NULL || n == NULL || strcmp(g, r->group) != 0 || strcmp(k, r->kind) != 0 ||
		strcmp(n, r->name) != 0)
		return 0;
	if (strcmp(ns, r->ns) == 0)
		return 1;
	return loose && (*ns == '\0' || *r->ns == '\0');
}

static int cmp_ident(const struct mref *a, const struct mref *b)
{
	int d = strcmp(a->g, b->g);

	if (d == 0)
		d = strcmp(a->k, b->k);
	if (d == 0)
		d = strcmp(a->ns, b->ns);
	if (d == 0)
		d = strcmp(a->n, b->n);
	return d;
}

static int cmp_mref(const void *pa, const void *pb)
{
	const struct mref *a = pa, *b = pb;
	int d = cmp_ident(a, b);

	if (d != 0)
		return d;
	if (a->work != b->work)
		return a->work < b->work ? -1 : 1;
	return a->ord < b->ord ? -1 : a->ord > b->ord;
}

static void index_cluster(struct cluster *c)
{
	size_t i, n = 0;
	const cJSON *m;

	for (i = 0; i < c->nworks; i++)
		n += (size_t)cJSON_GetArraySize(c->works[i].manifests);
	c->idx = COCM_NEWN(struct mref, n ? n : 1);
	for (i = 0; i < c->nworks; i++) {
		size_t ord = 0;

		cJSON_ArrayForEach(m, c->works[i].manifests)
		{
			const cJSON *meta = cJSON_GetObjectItemCaseSensitive(m, "resourceMeta");
			struct mref *x = &c->idx[c->nidx];

			x->g = cocm_json_str(meta, "group", NULL);
			x->k = cocm_json_str(meta, "kind", NULL);
			x->ns = cocm_json_str(meta, "namespace", NULL);
			x->n = cocm_json_str(meta, "name", NULL);
			if (x->k == NULL || x->n == NULL)
				continue;
			x->g = x->g ? x->g : "";
			x->ns = x->ns ? x->ns : "";
			x->work = i;
			x->ord = ord++;
			x->m = m;
			c->nidx++;
		}
	}
	if (c->nidx > 1)
		qsort(c->idx, c->nidx, sizeof(*c->idx), cmp_mref);
}

/* The manifest status for r in cluster c (and the work holding it), or NULL. Exact identity
 * first; else group/kind/name where one side has no namespace, when exactly one matches. */
static const cJSON *find_manifest(const struct cluster *c, const struct res *r,
	const struct work **wout)
{
	struct mref key = { .g = r->group, .k = r->kind, .ns = r->ns, .n = r->name };
	size_t lo = 0, hi = c->nidx, i, nhit = 0;
	const struct mref *hit = NULL;

	while (lo < hi) { /* lower bound */
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_ident(&c->idx[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < c->nidx && cmp_ident(&c->idx[lo], &key) == 0) {
		*wout = &c->works[c->idx[lo].work];
		return c->idx[lo].m;
	}
	for (i = 0; i < c->nidx; i++) {
		const struct mref *x = &c->idx[i];

		if (strcmp(x->n, r->name) != 0 || strcmp(x->k, r->kind) != 0 ||
			strcmp(x->g, r->group) != 0 || (*x->ns != '\0' && *r->ns != '\0'))
			continue;
		if (nhit++ == 0)
			hit = x;
	}
	if (nhit != 1)
		return NULL;
	*wout = &c->works[hit->work];
	return hit->m;
}

/* The spec resource a manifest status stands for, or NULL. */
static const struct res *res_of(const struct fold *f, const cJSON *meta)
{
	size_t i;
	int loose;

	for (loose = 0; loose <= 1; loose++)
		for (i = 0; i < f->nres; i++)
			if (meta_is(meta, &f->res[i], loose))
				return &f->res[i];
	return NULL;
}

/* ---- per-cluster observation of one resource ------------------------------------------ */

struct obs {
	enum cocm_health h;
	int observed;          /* the object was seen (or its apply failed) */
	const cJSON *values;   /* feedback values for the rebuilt status, or NULL */
};

static struct obs observe(const struct cluster *c, const struct res *r)
{
	struct obs o = { COCM_HEALTH_UNKNOWN, 0, NULL };
	const struct work *w = NULL;
	const cJSON *m, *conds;
	const struct cocm_feedback_kind *fk;

	if (c->nworks == 0)
		return o;
	m = find_manifest(c, r, &w);
	if (m == NULL)
		return o; /* not delivered, or not listed yet by the agent */
	conds = cJSON_GetObjectItemCaseSensitive(m, "conditions");
	o.values = cocm_json_get(m, "statusFeedback", "values", NULL);
	if (!w->current) {
		/* Being (re)applied: the last state we know of is not an answer for this
		 * generation. Previously known objects are Progressing, new ones Unknown. */
		if (strcmp(cond_status(conds, "Available"), "True") == 0) {
			o.h = COCM_HEALTH_PROGRESSING;
			o.observed = 1;
		} else {
			o.values = NULL;
		}
		return o;
	}
	if (strcmp(cond_status(conds, "Applied"), "False") == 0) {
		o.h = COCM_HEALTH_DEGRADED;
		o.observed = 1;
		return o;
	}
	if (strcmp(cond_status(conds, "Available"), "True") != 0) {
		o.values = NULL;
		return o; /* not found on the spoke (yet) */
	}
	o.observed = 1;
	fk = cocm_feedback_for(r->group, r->kind);
	if (fk != NULL && cJSON_GetArraySize(o.values) == 0 &&
		strcmp(cond_status(conds, "StatusFeedbackSynced"), "True") != 0) {
		o.h = COCM_HEALTH_UNKNOWN; /* exists, but no feedback collected yet */
		return o;
	}
	o.h = cocm_health_eval(r->group, r->kind, o.values, NULL);
	return o;
}

/* ---- conditions ---------------------------------------------------------------------- */

static cJSON *cond_new(const cJSON *old_conds, const char *type, const char *status,
	const char *reason, const char *message, int64_t gen, const char *now)
{
	const cJSON *old = find_cond(old_conds, type);
	const char *ltt = now;
	cJSON *c = cJSON_CreateObject();

	if (old != NULL && strcmp(cond_status(old_conds, type), status) == 0 &&
		cocm_json_str(old, "lastTransitionTime", NULL) != NULL)
		ltt = cocm_json_str(old, "lastTransitionTime", NULL);
	cJSON_AddStringToObject(c, "type", type);
	cJSON_AddStringToObject(c, "status", status);
	cJSON_AddNumberToObject(c, "observedGeneration", (double)gen);
	cJSON_AddStringToObject(c, "lastTransitionTime", ltt);
	cJSON_AddStringToObject(c, "reason", reason);
	cJSON_AddStringToObject(c, "message", message);
	return c;
}

static void names_msg(struct msg *m, const struct fold *f, int (*pick)(const struct cluster *))
{
	size_t i, n = 0, shown = 0;

	for (i = 0; i < f->ncl; i++)
		if (pick(&f->cl[i]))
			n++;
	for (i = 0; i < f->ncl; i++) {
		if (!pick(&f->cl[i]))
			continue;
		if (shown == COCM_FOLD_MAX_NAMES) {
			msg_add(m, " and %zu more", n - shown);
			break;
		}
		msg_add(m, "%s%s", shown ? ", " : "", f->cl[i].name);
		shown++;
	}
}

static int pick_pending(const struct cluster *c)
{
	return c->pending;
}

static int pick_any(const struct cluster *c)
{
	(void)c;
	return 1;
}

static int pick_holding(const struct cluster *c)
{
	return c->nworks > 0;
}

static int pick_expected(const struct cluster *c)
{
	return c->expected;
}

static size_t count(const struct fold *f, int (*pick)(const struct cluster *))
{
	size_t i, n = 0;

	for (i = 0; i < f->ncl; i++)
		n += pick(&f->cl[i]) ? 1 : 0;
	return n;
}

/* Appends one failure line to m (only the first COCM_FOLD_MAX_FAILURES are written). */
static void failure(struct msg *m, size_t *nfail, const struct fold *f, const char *cluster,
	const cJSON *meta, const char *work, const char *agent_msg)
{
	char ebuf[COCM_FOLD_MAX_ERROR + 4];
	const struct res *r;

	if ((*nfail)++ >= COCM_FOLD_MAX_FAILURES)
		return;
	if (agent_msg == NULL || *agent_msg == '\0')
		agent_msg = "unknown error";
	if (strncmp(agent_msg, AGENT_PREFIX, strlen(AGENT_PREFIX)) == 0)
		agent_msg += strlen(AGENT_PREFIX);
	clip(ebuf, sizeof(ebuf), agent_msg, COCM_FOLD_MAX_ERROR);
	msg_add(m, "%s", *nfail > 1 ? "; " : "");
	if (meta == NULL) {
		msg_add(m, "cluster %s work %s: %s", cluster, work, ebuf);
		return;
	}
	r = res_of(f, meta);
	if (r != NULL) {
		msg_add(m, "cluster %s resource %s: %s", cluster, r->id, ebuf);
	} else {
		const char *ns = cocm_json_str(meta, "namespace", NULL);

		msg_add(m, "cluster %s %s %s%s%s: %s", cluster,
			cocm_json_str(meta, "kind", NULL) ? cocm_json_str(meta, "kind", NULL) : "object",
			ns && *ns ? ns : "", ns && *ns ? "/" : "",
			cocm_json_str(meta, "name", NULL) ? cocm_json_str(meta, "name", NULL) : "?", ebuf);
	}
}

static cJSON *applied_cond(const struct fold *f, const cJSON *old_conds, struct cocm_fold_summary *sum)
{
	struct msg fm = { .len = 0 }, m = { .len = 0 };
	size_t i, j, nfail = 0;
	cJSON *c;

	for (i = 0; i < f->ncl; i++) {
		const struct cluster *cl = &f->cl[i];

		for (j = 0; j < cl->nworks; j++) {
			const struct work *w = &cl->works[j];
			const cJSON *man;
			size_t before = nfail;

			if (!w->current)
				continue;
			cJSON_ArrayForEach(man, w->manifests)
			{
				const cJSON *mc = cJSON_GetObjectItemCaseSensitive(man, "conditions");
				const cJSON *ap = find_cond(mc, "Applied");

				if (strcmp(cond_status(mc, "Applied"), "False") == 0)
					failure(&fm, &nfail, f, cl->name,
						cJSON_GetObjectItemCaseSensitive(man, "resourceMeta"), w->name,
						cocm_json_str(ap, "message", NULL));
			}
			if (nfail == before) {
				const cJSON *wc = cocm_json_get(w->obj, "status", "conditions", NULL);

				if (strcmp(cond_status(wc, "Applied"), "False") == 0)
					failure(&fm, &nfail, f, cl->name, NULL, w->name,
						cocm_json_str(find_cond(wc, "Applied"), "message", NULL));
			}
		}
	}
	sum->failures = nfail;
	if (nfail > 0) {
		msg_add(&m, "Failed to apply %zu resource%s: ", nfail, nfail == 1 ? "" : "s");
		msg_add(&m, "%s", fm.buf);
		if (nfail > COCM_FOLD_MAX_FAILURES)
			msg_add(&m, "; and %zu more", nfail - COCM_FOLD_MAX_FAILURES);
		return cond_new(old_conds, COCM_COND_APPLIED, "False", COCM_REASON_APPLY_FAILED, m.buf,
			f->gen, f->in->now);
	}
	if (f->nres == 0 && sum->pending == 0) {
		msg_add(&m, "No resources to apply");
		sum->applied = 1;
		return cond_new(old_conds, COCM_COND_APPLIED, "True", COCM_REASON_APPLY_OK, m.buf,
			f->gen, f->in->now);
	}
	if (f->ncl == 0 || sum->pending > 0) {
		if (f->ncl == 0)
			msg_add(&m, "No cluster is selected for this Release yet");
		else {
			msg_add(&m, "Waiting for the work agent on %zu cluster%s: ", sum->pending,
				sum->pending == 1 ? "" : "s");
			names_msg(&m, f, pick_pending);
		}
		return cond_new(old_conds, COCM_COND_APPLIED, "Unknown", COCM_REASON_APPLY_PENDING,
			m.buf, f->gen, f->in->now);
	}
	msg_add(&m, "All resources applied successfully on %zu cluster%s: ", f->ncl,
		f->ncl == 1 ? "" : "s");
	names_msg(&m, f, pick_any);
	c = cond_new(old_conds, COCM_COND_APPLIED, "True", COCM_REASON_APPLY_OK, m.buf, f->gen,
		f->in->now);
	sum->applied = 1;
	return c;
}

static const char *sched_default(const char *reason)
{
	static const struct {
		const char *reason, *text;
	} d[] = {
		{ COCM_REASON_ENV_NOT_FOUND, "The Release's Environment was not found" },
		{ COCM_REASON_DP_NOT_FOUND, "The Environment's DataPlane was not found" },
		{ COCM_REASON_NOT_MANAGED, "The DataPlane is not enabled for delivery through OCM" },
		{ COCM_REASON_NO_CLUSTERS, "The Placement selects no cluster" },
		{ COCM_REASON_MISCONFIGURED, "The Placement is misconfigured" },
	};
	size_t i;

	for (i = 0; i < COCM_ARRAY_LEN(d); i++)
		if (strcmp(d[i].reason, reason) == 0)
			return d[i].text;
	return "Not scheduled";
}

static cJSON *scheduled_cond(const struct fold *f, const cJSON *old_conds)
{
	const struct cocm_fold_in *in = f->in;
	struct msg m = { .len = 0 };

	switch (in->sched) {
	case COCM_SCHED_KEEP: {
		const cJSON *old = find_cond(old_conds, COCM_COND_SCHEDULED);

		return old ? cJSON_Duplicate(old, 1) : NULL;
	}
	case COCM_SCHED_TRUE:
		if (in->sched_message != NULL) {
			msg_add(&m, "%s", in->sched_message);
		} else {
			msg_add(&m, "Scheduled to %zu cluster%s", count(f, pick_expected),
				count(f, pick_expected) == 1 ? "" : "s");
			if (count(f, pick_expected) > 0) {
				msg_add(&m, ": ");
				names_msg(&m, f, pick_expected);
			}
		}
		return cond_new(old_conds, COCM_COND_SCHEDULED, "True",
			in->sched_reason ? in->sched_reason : COCM_REASON_SCHEDULED, m.buf, f->gen, in->now);
	case COCM_SCHED_FALSE:
	default: {
		const char *reason = in->sched_reason ? in->sched_reason : COCM_REASON_NO_CLUSTERS;

		msg_add(&m, "%s", in->sched_message ? in->sched_message : sched_default(reason));
		return cond_new(old_conds, COCM_COND_SCHEDULED, "False", reason, m.buf, f->gen,
			in->now);
	}
	}
}

static cJSON *finalizing_cond(const struct fold *f, const cJSON *old_conds)
{
	const struct cocm_fold_in *in = f->in;
	struct msg m = { .len = 0 };
	size_t holding = count(f, pick_holding);

	if (!in->deleting)
		return NULL;
	if (in->cleanup_failed) {
		char ebuf[COCM_FOLD_MAX_ERROR + 4];

		msg_add(&m, "%s", clip(ebuf, sizeof(ebuf),
					  in->cleanup_message ? in->cleanup_message : "cleanup failed",
					  COCM_FOLD_MAX_ERROR));
		if (holding > 0) {
			msg_add(&m, "; clusters still holding works: ");
			names_msg(&m, f, pick_holding);
		}
		return cond_new(old_conds, COCM_COND_FINALIZING, "True", COCM_REASON_CLEANUP_FAILED,
			m.buf, f->gen, in->now);
	}
	if (holding > 0) {
		msg_add(&m, "Waiting for the work agents to remove the ManifestWorks on %zu cluster%s: ",
			holding, holding == 1 ? "" : "s");
		names_msg(&m, f, pick_holding);
	} else {
		msg_add(&m, "All ManifestWorks removed");
	}
	return cond_new(old_conds, COCM_COND_FINALIZING, "True", COCM_REASON_CLEANUP, m.buf, f->gen,
		in->now);
}

static cJSON *build_conditions(const struct fold *f, struct cocm_fold_summary *sum)
{
	const cJSON *old_conds = cocm_json_get(f->old, "conditions", NULL);
	static const char *const types[3] = { COCM_COND_SCHEDULED, COCM_COND_APPLIED,
		COCM_COND_FINALIZING };
	cJSON *own[3];
	int placed[3] = { 0, 0, 0 };
	cJSON *out = cJSON_CreateArray();
	const cJSON *c;
	int i;

	own[0] = scheduled_cond(f, old_conds);
	own[1] = applied_cond(f, old_conds, sum);
	own[2] = finalizing_cond(f, old_conds);
	cJSON_ArrayForEach(c, old_conds)
	{
		const char *t = cocm_json_str(c, "type", NULL);
		int mine = -1;

		for (i = 0; i < 3; i++)
			if (t != NULL && strcmp(t, types[i]) == 0)
				mine = i;
		if (mine < 0) {
			cJSON_AddItemToArray(out, cJSON_Duplicate(c, 1));
		} else if (!placed[mine] && own[mine] != NULL) {
			cJSON_AddItemToArray(out, own[mine]);
			placed[mine] = 1;
		}
	}
	for (i = 0; i < 3; i++)
		if (!placed[i] && own[i] != NULL)
			cJSON_AddItemToArray(out, own[i]);
	return out;
}

/* ---- resources ----------------------------------------------------------------------- */

static const cJSON *old_entry(const struct fold *f, const char *id)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, cocm_json_get(f->old, "resources", NULL))
	{
		const char *eid = cocm_json_str(e, "id", NULL);

		if (eid != NULL && strcmp(eid, id) == 0)
			return e;
	}
	return NULL;
}

static cJSON *resource_entry(const struct fold *f, const struct res *r, enum cocm_health *hout)
{
	struct obs best = { COCM_HEALTH_UNKNOWN, 0, NULL };
	cJSON *e = cJSON_CreateObject(), *st = NULL;
	const cJSON *old = old_entry(f, r->id);
	size_t i;

	for (i = 0; i < f->ncl; i++) {
		struct obs o = observe(&f->cl[i], r);

		if (i == 0 || o.h > best.h)
			best = o;
	}
	if (best.values != NULL)
		st = cocm_status_rebuild(cocm_feedback_for(r->group, r->kind), best.values);
	cJSON_AddStringToObject(e, "id", r->id);
	if (r->group[0] != '\0')
		cJSON_AddStringToObject(e, "group", r->group);
	cJSON_AddStringToObject(e, "version", r->version);
	cJSON_AddStringToObject(e, "kind", r->kind);
	cJSON_AddStringToObject(e, "name", r->name);
	if (r->ns[0] != '\0')
		cJSON_AddStringToObject(e, "namespace", r->ns);
	if (st != NULL)
		cJSON_AddItemToObject(e, "status", st);
	cJSON_AddStringToObject(e, "healthStatus", cocm_health_name(best.h));
	if (best.observed) {
		const char *lot = cocm_json_str(old, "lastObservedTime", NULL);
		const char *oh = cocm_json_str(old, "healthStatus", NULL);
		const cJSON *ost = cJSON_GetObjectItemCaseSensitive(old, "status");
		int same_status = (ost == NULL && st == NULL) ||
			(ost != NULL && st != NULL && cJSON_Compare(ost, st, 1));

		if (lot == NULL || oh == NULL || strcmp(oh, cocm_health_name(best.h)) != 0 ||
			!same_status)
			lot = f->in->now;
		cJSON_AddStringToObject(e, "lastObservedTime", lot);
	}
	*hout = best.h;
	return e;
}

/* ---- budget -------------------------------------------------------------------------- */

static size_t printed_len(const cJSON *j)
{
	char *s = cocm_json_print(j);
	size_t n = strlen(s);

	free(s);
	return n;
}

static int good(enum cocm_health h)
{
	return h == COCM_HEALTH_HEALTHY || h == COCM_HEALTH_SUSPENDED;
}

/* Drops rebuilt statuses, then entries, until the status fits (see fold.h). */
static void enforce_budget(cJSON *status, enum cocm_health *health, size_t *trimmed)
{
	cJSON *resources = cJSON_GetObjectItemCaseSensitive(status, "resources");
	size_t size = printed_len(status);
	int pass, i;

	for (pass = 0; pass < 4 && size > COCM_FOLD_MAX_STATUS; pass++) {
		for (i = cJSON_GetArraySize(resources) - 1; i >= 0 && size > COCM_FOLD_MAX_STATUS;
			i--) {
			cJSON *e = cJSON_GetArrayItem(resources, i);
			int only_good = pass == 0 || pass == 2;

			if (only_good && !good(health[i]))
				continue;
			if (pass < 2) {
				cJSON *st = cJSON_GetObjectItemCaseSensitive(e, "status");

				if (st == NULL)
					continue;
				size -= printed_len(st) + strlen("\"status\":,");
				cJSON_DeleteItemFromObjectCaseSensitive(e, "status");
			} else {
				size -= printed_len(e) + 1;
				cJSON_DeleteItemFromArray(resources, i);
				memmove(&health[i], &health[i + 1],
					(size_t)(cJSON_GetArraySize(resources) - i) * sizeof(*health));
			}
			(*trimmed)++;
		}
	}
}

/* ---- entry point --------------------------------------------------------------------- */

enum cocm_err cocm_fold(const struct cocm_fold_in *in, cJSON **status_out,
	struct cocm_fold_summary *sum_out, char *err, size_t errcap)
{
	struct fold f = { .in = in };
	struct cocm_fold_summary sum = { .worst = COCM_HEALTH_HEALTHY };
	const cJSON *spec_res, *item;
	const char *rns, *rname;
	enum cocm_health *health = NULL;
	cJSON *status = NULL, *resources;
	enum cocm_err rc = COCM_EINVAL;
	size_t i;

	cocm_xalloc_init();
	*status_out = NULL;
	if (in == NULL || !cJSON_IsObject(in->release)) {
		set_err(err, errcap, "the Release is not an object");
		return COCM_EINVAL;
	}
	if (!cocm_fold_valid_time(in->now)) {
		set_err(err, errcap, "now must be an RFC 3339 UTC time like 2026-01-02T03:04:05Z");
		return COCM_EINVAL;
	}
	rns = cocm_json_str(in->release, "metadata", "namespace", NULL);
	rname = cocm_json_str(in->release, "metadata", "name", NULL);
	if (cocm_json_int(&f.gen, in->release, "metadata", "generation", NULL) != COCM_OK ||
		f.gen < 0)
		f.gen = 0;
	f.old = cocm_json_get(in->release, "status", NULL);
	spec_res = cocm_json_get(in->release, "spec", "resources", NULL);
	if (spec_res != NULL && !cJSON_IsArray(spec_res)) {
		set_err(err, errcap, "spec.resources is not a list");
		return COCM_EINVAL;
	}
	f.nres = (size_t)cJSON_GetArraySize(spec_res);
	f.res = COCM_NEWN(struct res, f.nres ? f.nres : 1);
	i = 0;
	cJSON_ArrayForEach(item, spec_res)
	{
		if (parse_res(&f.res[i], item, i, err, errcap) != 0)
			goto out;
		i++;
	}

	for (i = 0; i < in->nclusters; i++)
		if (in->clusters[i] != NULL && in->clusters[i][0] != '\0')
			cluster_get(&f, in->clusters[i])->expected = 1;
	for (i = 0; i < in->nworks; i++) {
		const cJSON *w = in->works[i];

		if (cJSON_IsObject(w) && belongs(w, rns ? rns : "", rname ? rname : ""))
			add_work(&f, w);
	}
	if (f.ncl > 1)
		qsort(f.cl, f.ncl, sizeof(*f.cl), cmp_cluster);
	for (i = 0; i < f.ncl; i++) {
		struct cluster *c = &f.cl[i];
		long long parts = 0;
		size_t j;

		if (c->nworks > 1)
			qsort(c->works, c->nworks, sizeof(*c->works), cmp_work);
		/* An empty Release renders no work: then no work is the expected state. */
		c->pending = c->nworks == 0 && f.nres > 0;
		for (j = 0; j < c->nworks; j++) {
			if (!c->works[j].current)
				c->pending = 1;
			if (c->works[j].parts > parts)
				parts = c->works[j].parts;
		}
		index_cluster(c);
		if ((long long)c->nworks < parts)
			c->pending = 1; /* a part has not been created yet */
		sum.pending += c->pending ? 1 : 0;
	}
	sum.clusters = f.ncl;

	status = cJSON_CreateObject();
	resources = f.nres ? cJSON_AddArrayToObject(status, "resources") : NULL;
	health = COCM_NEWN(enum cocm_health, f.nres ? f.nres : 1);
	for (i = 0; i < f.nres; i++) {
		cJSON_AddItemToArray(resources, resource_entry(&f, &f.res[i], &health[i]));
		sum.worst = cocm_health_worst(sum.worst, health[i]);
	}
	cJSON_AddItemToObject(status, "conditions", build_conditions(&f, &sum));
	enforce_budget(status, health, &sum.trimmed);
	*status_out = status;
	status = NULL;
	rc = COCM_OK;
	if (sum_out != NULL)
		*sum_out = sum;
out:
	cJSON_Delete(status);
	free(health);
	for (i = 0; i < f.ncl; i++) {
		free(f.cl[i].works);
		free(f.cl[i].idx);
	}
	free(f.cl);
	free(f.res);
	return rc;
}
