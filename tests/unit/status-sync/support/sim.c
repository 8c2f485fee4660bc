/* Simulated work agent and golden helpers for the status-sync tests (see sim.h). */
#include "sim.h"

#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/core/json.h"
#include "kube/core/xalloc.h"
#include "manifestwork/feedback.h"

static const cJSON *eval(const cJSON *node, const char *p)
{
	char buf[256];

	if (node == NULL)
		return NULL;
	if (*p == '\0')
		return node;
	if (*p == '.') {
		size_t n = strcspn(p + 1, ".[");

		cr_assert(n > 0 && n < sizeof(buf), "bad path at %s", p);
		memcpy(buf, p + 1, n);
		buf[n] = '\0';
		if (!cJSON_IsObject(node))
			return NULL;
		return eval(cJSON_GetObjectItemCaseSensitive(node, buf), p + 1 + n);
	}
	if (p[0] == '[' && p[1] == '?') {
		/* [?(@<sub>=="<v>")] */
		const char *eq = strstr(p, "==\"");
		const char *vend = eq ? strchr(eq + 3, '"') : NULL;
		char want[128];
		const cJSON *e, *list = cJSON_IsArray(node) ? node : NULL;

		cr_assert(eq && vend && strncmp(p, "[?(@", 4) == 0 && strncmp(vend, "\")]", 3) == 0,
			"bad filter at %s", p);
		cr_assert((size_t)(eq - (p + 4)) < sizeof(buf));
		memcpy(buf, p + 4, (size_t)(eq - (p + 4)));
		buf[eq - (p + 4)] = '\0';
		memcpy(want, eq + 3, (size_t)(vend - (eq + 3)));
		want[vend - (eq + 3)] = '\0';
		cJSON_ArrayForEach(e, list)
		{
			const cJSON *x = eval(e, buf);
			const cJSON *r;

			if (!cJSON_IsString(x) || strcmp(x->valuestring, want) != 0)
				continue;
			r = eval(e, vend + 3);
			if (r != NULL)
				return r;
		}
		return NULL;
	}
	if (p[0] == '[') {
		char *end = NULL;
		long long idx = strtoll(p + 1, &end, 10);

		cr_assert(end != NULL && *end == ']', "bad index at %s", p);
		if (!cJSON_IsArray(node))
			return NULL;
		return eval(cJSON_GetArrayItem(node, (int)idx), end + 1);
	}
	cr_assert_fail("bad path %s", p);
	return NULL;
}

const cJSON *sim_jsonpath(const cJSON *obj, const char *path)
{
	return eval(obj, path);
}

cJSON *sim_feedback(const char *group, const char *kind, const cJSON *live)
{
	const struct cocm_feedback_kind *k = cocm_feedback_for(group, kind);
	cJSON *values = cJSON_CreateArray();
	size_t i;

	for (i = 0; k != NULL && i < k->nrules; i++) {
		const cJSON *x = sim_jsonpath(live, k->rules[i].path);
		cJSON *v, *fv;

		if (x == NULL || !(cJSON_IsNumber(x) || cJSON_IsString(x) || cJSON_IsBool(x)))
			continue;
		v = cJSON_CreateObject();
		cJSON_AddStringToObject(v, "name", k->rules[i].name);
		fv = cJSON_AddObjectToObject(v, "fieldValue");
		if (cJSON_IsNumber(x)) {
			cJSON_AddStringToObject(fv, "type", "Integer");
			cJSON_AddNumberToObject(fv, "integer", x->valuedouble);
		} else if (cJSON_IsString(x)) {
			cJSON_AddStringToObject(fv, "type", "String");
			cJSON_AddStringToObject(fv, "string", x->valuestring);
		} else {
			cJSON_AddStringToObject(fv, "type", "Boolean");
			cJSON_AddBoolToObject(fv, "boolean", cJSON_IsTrue(x));
		}
		cJSON_AddItemToArray(values, v);
	}
	return values;
}

cJSON *sim_merge(const cJSON *base, const cJSON *patch)
{
	cJSON *out = cJSON_Duplicate(base, 1);
	const cJSON *p;

	cJSON_ArrayForEach(p, patch)
	{
		cJSON *cur = cJSON_GetObjectItemCaseSensitive(out, p->string);

		if (cJSON_IsObject(cur) && cJSON_IsObject(p))
			cocm_json_set(out, p->string, sim_merge(cur, p));
		else
			cocm_json_set(out, p->string, cJSON_Duplicate(p, 1));
	}
	return out;
}

static cJSON *cond(const char *type, const char *status, const char *reason, const char *msg,
	long long gen)
{
	cJSON *c = cJSON_CreateObject();

	cJSON_AddStringToObject(c, "type", type);
	cJSON_AddStringToObject(c, "status", status);
	if (gen >= 0)
		cJSON_AddNumberToObject(c, "observedGeneration", (double)gen);
	cJSON_AddStringToObject(c, "lastTransitionTime", "2026-01-01T00:00:00Z");
	cJSON_AddStringToObject(c, "reason", reason);
	cJSON_AddStringToObject(c, "message", msg);
	return c;
}

static void split_api(const char *av, char *group, size_t cap, const char **version)
{
	const char *slash = strchr(av, '/');

	if (slash == NULL) {
		group[0] = '\0';
		*version = av;
		return;
	}
	cr_assert((size_t)(slash - av) < cap);
	memcpy(group, av, (size_t)(slash - av));
	group[slash - av] = '\0';
	*version = slash + 1;
}

cJSON *sim_manifest_status(int ordinal, const cJSON *desired, const cJSON *live,
	const char *apply_error, int no_feedback)
{
	const char *av = cocm_json_str(desired, "apiVersion", NULL);
	const char *kind = cocm_json_str(desired, "kind", NULL);
	const char *ns = cocm_json_str(desired, "metadata", "namespace", NULL);
	const char *version;
	char group[256], res[128], msg[1024];
	cJSON *m = cJSON_CreateObject(), *meta, *conds, *values;
	size_t i;

	cr_assert(av && kind);
	split_api(av, group, sizeof(group), &version);
	for (i = 0; kind[i] && i < sizeof(res) - 2; i++)
		res[i] = (char)tolower((unsigned char)kind[i]);
	res[i++] = 's';
	res[i] = '\0';
	meta = cJSON_AddObjectToObject(m, "resourceMeta");
	cJSON_AddNumberToObject(meta, "ordinal", ordinal);
	cJSON_AddStringToObject(meta, "group", group);
	cJSON_AddStringToObject(meta, "version", version);
	cJSON_AddStringToObject(meta, "kind", kind);
	cJSON_AddStringToObject(meta, "resource", res);
	cJSON_AddStringToObject(meta, "name", cocm_json_str(desired, "metadata", "name", NULL));
	cJSON_AddStringToObject(meta, "namespace", ns ? ns : "");
	conds = cJSON_AddArrayToObject(m, "conditions");
	if (apply_error != NULL) {
		snprintf(msg, sizeof(msg), "Failed to apply manifest: %s", apply_error);
		cJSON_AddItemToArray(conds, cond("Applied", "False", "AppliedManifestFailed", msg, -1));
	} else {
		cJSON_AddItemToArray(conds,
			cond("Applied", "True", "AppliedManifestComplete", "Apply manifest complete", -1));
	}
	if (live != NULL)
		cJSON_AddItemToArray(conds,
			cond("Available", "True", "ResourceAvailable", "Resource is available", -1));
	else
		cJSON_AddItemToArray(conds, cond("Available", "False", "ResourceNotAvailable",
						    "Resource is not available", -1));
	if (live == NULL || no_feedback)
		return m;
	values = sim_feedback(group, kind, live);
	if (cJSON_GetArraySize(values) > 0) {
		cJSON_AddItemToArray(conds,
			cond("StatusFeedbackSynced", "True", "StatusFeedbackSynced", "", -1));
		cJSON_AddItemToObject(cJSON_AddObjectToObject(m, "statusFeedback"), "values", values);
	} else {
		cJSON_AddItemToArray(conds,
			cond("StatusFeedbackSynced", "True", "NoStatusFeedbackSynced", "", -1));
		cJSON_Delete(values);
	}
	return m;
}

static const cJSON *spec_object(const cJSON *release, const char *id)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, cocm_json_get(release, "spec", "resources", NULL))
	{
		const char *rid = cocm_json_str(r, "id", NULL);

		if (rid && strcmp(rid, id) == 0)
			return cJSON_GetObjectItemCaseSensitive(r, "object");
	}
	cr_assert_fail("no spec resource %s", id);
	return NULL;
}

cJSON *sim_build_work(const cJSON *release, const char *cluster, const cJSON *desc)
{
	cJSON *w = cJSON_CreateObject(), *md, *ann, *st, *mans;
	const cJSON *m;
	int64_t gen = 1, ag = -1, parts = 0, part = 0;
	int ordinal = 0, failed = 0, missing = 0;
	char key[512], buf[32];
	const char *rel = cocm_json_str(desc, "release", NULL);

	(void)cocm_json_int(&gen, desc, "generation", NULL);
	(void)cocm_json_int(&ag, desc, "appliedGeneration", NULL);
	(void)cocm_json_int(&parts, desc, "parts", NULL);
	(void)cocm_json_int(&part, desc, "part", NULL);
	snprintf(key, sizeof(key), "%s/%s", cocm_json_str(release, "metadata", "namespace", NULL),
		cocm_json_str(release, "metadata", "name", NULL));
	cJSON_AddStringToObject(w, "apiVersion", "work.open-cluster-management.io/v1");
	cJSON_AddStringToObject(w, "kind", "ManifestWork");
	md = cJSON_AddObjectToObject(w, "metadata");
	cJSON_AddStringToObject(md, "name", cocm_json_str(desc, "name", NULL));
	cJSON_AddStringToObject(md, "namespace", cluster);
	cJSON_AddNumberToObject(md, "generation", (double)gen);
	if (part > 0) {
		snprintf(buf, sizeof(buf), "%lld", (long long)part);
		cJSON_AddStringToObject(cJSON_AddObjectToObject(md, "labels"), "ocm.openchoreo.dev/part",
			buf);
	}
	ann = cJSON_AddObjectToObject(md, "annotations");
	cJSON_AddStringToObject(ann, "ocm.openchoreo.dev/release", rel ? rel : key);
	if (parts > 0) {
		snprintf(buf, sizeof(buf), "%lld", (long long)parts);
		cJSON_AddStringToObject(ann, "ocm.openchoreo.dev/parts", buf);
	}
	st = cJSON_AddObjectToObject(w, "status");
	mans = cJSON_CreateArray();
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(desc, "manifests"))
	{
		const char *id = cocm_json_str(m, "id", NULL);
		const cJSON *desired = id ? spec_object(release, id) :
					    cJSON_GetObjectItemCaseSensitive(m, "object");
		const cJSON *live = cJSON_GetObjectItemCaseSensitive(m, "live");
		const char *e = cocm_json_str(m, "error", NULL);
		cJSON *merged = NULL;

		cr_assert_not_null(desired);
		if (live != NULL)
			merged = sim_merge(desired, live);
		else if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "absent")) && e == NULL)
			merged = cJSON_Duplicate(desired, 1);
		failed |= e != NULL;
		missing |= merged == NULL;
		cJSON_AddItemToArray(mans, sim_manifest_status(ordinal++, desired, merged, e,
						   cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "noFeedback"))));
		cJSON_Delete(merged);
	}
	if (ag >= 0) {
		cJSON *wc = cJSON_AddArrayToObject(st, "conditions");

		cJSON_AddItemToArray(wc, failed ? cond("Applied", "False", "AppliedManifestWorkFailed",
							  "Failed to apply manifest work", ag) :
						  cond("Applied", "True", "AppliedManifestWorkComplete",
							  "Apply manifest work complete", ag));
		cJSON_AddItemToArray(wc, missing ? cond("Available", "False", "ResourcesNotAvailable",
							   "resources are not available", ag) :
						   cond("Available", "True", "ResourcesAvailable",
							   "All resources are available", ag));
	}
	cJSON_AddItemToObject(cJSON_AddObjectToObject(st, "resourceStatus"), "manifests", mans);
	return w;
}

void sim_agent_pass(cJSON *work, const cJSON *live)
{
	const cJSON *m;
	cJSON *st, *mans, *wc;
	int64_t gen = 1;
	int ordinal = 0;

	if (cocm_json_int(&gen, work, "metadata", "generation", NULL) != COCM_OK)
		cJSON_AddNumberToObject(cocm_json_obj(work, "metadata"), "generation", 1);
	st = cJSON_CreateObject();
	wc = cJSON_AddArrayToObject(st, "conditions");
	cJSON_AddItemToArray(wc, cond("Applied", "True", "AppliedManifestWorkComplete",
					 "Apply manifest work complete", gen));
	cJSON_AddItemToArray(wc, cond("Available", "True", "ResourcesAvailable",
					 "All resources are available", gen));
	mans = cJSON_AddArrayToObject(cJSON_AddObjectToObject(st, "resourceStatus"), "manifests");
	cJSON_ArrayForEach(m, cocm_json_get(work, "spec", "workload", "manifests", NULL))
	{
		char key[512];
		const cJSON *l;
		cJSON *merged;

		snprintf(key, sizeof(key), "%s/%s", cocm_json_str(m, "kind", NULL),
			cocm_json_str(m, "metadata", "name", NULL));
		l = cJSON_GetObjectItemCaseSensitive(live, key);
		merged = l ? sim_merge(m, l) : cJSON_Duplicate(m, 1);
		cJSON_AddItemToArray(mans, sim_manifest_status(ordinal++, m, merged, NULL, 0));
		cJSON_Delete(merged);
	}
	cocm_json_set(work, "status", st);
}

char *sim_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	cr_assert_not_null(f, "cannot open %s", path);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	cr_assert(n >= 0 && n < (64L << 20));
	rewind(f);
	buf = cocm_xmalloc((size_t)n + 1);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

cJSON *sim_load_json(const char *path)
{
	size_t n;
	char *s = sim_read_file(path, &n);
	char err[128];
	cJSON *j = cocm_json_parse(s, n, err, sizeof(err));

	cr_assert_not_null(j, "%s: %s", path, err);
	free(s);
	return j;
}

void sim_golden(const char *path, const char *text)
{
	const char *upd = getenv("UPDATE_GOLDEN");
	FILE *f;
	char *want;
	const char *a, *b;
	int line = 1;

	if (upd != NULL && strcmp(upd, "1") == 0) {
		f = fopen(path, "wb");
		cr_assert_not_null(f, "cannot write %s", path);
		cr_assert_eq(fwrite(text, 1, strlen(text), f), strlen(text));
		fclose(f);
		return;
	}
	want = sim_read_file(path, NULL);
	for (a = want, b = text; *a && *a == *b; a++, b++)
		if (*a == '\n')
			line++;
	if (*a != '\0' || *b != '\0') {
		char ga[160], gb[160];

		snprintf(ga, sizeof(ga), "%.*s", (int)strcspn(a, "\n"), a);
		snprintf(gb, sizeof(gb), "%.*s", (int)strcspn(b, "\n"), b);
		free(want);
		cr_assert_fail("%s differs at line %d:\n  golden: %s\n  got:    %s\n"
			       "(rerun with UPDATE_GOLDEN=1 to accept)", path, line, ga, gb);
	}
	free(want);
}

void sim_case_load(struct sim_case *c, const char *path)
{
	const cJSON *rel, *cl, *x;
	size_t n = 0, i;

	memset(c, 0, sizeof(*c));
	c->doc = sim_load_json(path);
	rel = cJSON_GetObjectItemCaseSensitive(c->doc, "release");
	cr_assert(cJSON_IsObject(rel), "%s: no release", path);
	c->works = cJSON_CreateArray();
	cJSON_ArrayForEach(cl, cJSON_GetObjectItemCaseSensitive(c->doc, "clusters"))
	{
		cJSON_ArrayForEach(x, cl)
			cJSON_AddItemToArray(c->works, sim_build_work(rel, cl->string, x));
	}
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(c->doc, "works"))
		cJSON_AddItemToArray(c->works, cJSON_Duplicate(x, 1));
	c->workv = COCM_NEWN(const cJSON *, (size_t)cJSON_GetArraySize(c->works) + 1);
	cJSON_ArrayForEach(x, c->works)
		c->workv[n++] = x;
	c->clusters = COCM_NEWN(const char *,
		(size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(c->doc, "expect")) + 1);
	i = 0;
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(c->doc, "expect"))
		c->clusters[i++] = x->valuestring;
	c->in.release = rel;
	c->in.works = c->workv;
	c->in.nworks = n;
	c->in.clusters = c->clusters;
	c->in.nclusters = i;
	c->in.now = cocm_json_str(c->doc, "now", NULL);
	x = cJSON_GetObjectItemCaseSensitive(c->doc, "scheduled");
	if (x != NULL) {
		const char *s = cocm_json_str(x, "status", NULL);

		c->in.sched = s && strcmp(s, "True") == 0 ? COCM_SCHED_TRUE : COCM_SCHED_FALSE;
		c->in.sched_reason = cocm_json_str(x, "reason", NULL);
		c->in.sched_message = cocm_json_str(x, "message", NULL);
	}
	c->in.deleting = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c->doc, "deleting"));
	c->in.cleanup_message = cocm_json_str(c->doc, "cleanupFailed", NULL);
	c->in.cleanup_failed = c->in.cleanup_message != NULL;
}

void sim_case_fold(struct sim_case *c)
{
	char err[256] = "";

	cJSON_Delete(c->status);
	c->status = NULL;
	cr_assert_eq(cocm_fold(&c->in, &c->status, &c->sum, err, sizeof(err)), COCM_OK, "%s", err);
	cr_assert_not_null(c->status);
}

void sim_case_finish(struct sim_case *c)
{
	cJSON_Delete(c->status);
	cJSON_Delete(c->works);
	cJSON_Delete(c->doc);
	free(c->workv);
	free(c->clusters);
	memset(c, 0, sizeof(*c));
}

const cJSON *sim_entry(const cJSON *status, const char *id)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, cocm_json_get(status, "resources", NULL))
	{
		const char *eid = cocm_json_str(e, "id", NULL);

		if (eid && strcmp(eid, id) == 0)
			return e;
	}
	return NULL;
}

const cJSON *sim_cond(const cJSON *status, const char *type)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, cocm_json_get(status, "conditions", NULL))
	{
		const char *t = cocm_json_str(e, "type", NULL);

		if (t && strcmp(t, type) == 0)
			return e;
	}
	return NULL;
}
