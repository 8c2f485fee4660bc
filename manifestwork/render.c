/* Release -> ManifestWork bodies (see render.h). */
#include "manifestwork/render.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/core/json.h"
#include "kube/core/sha256.h"
#include "kube/core/xalloc.h"
#include "manifestwork/kinds.h"
#include "manifestwork/names.h"
#include "manifestwork/render_internal.h"

#define ANN_RESTARTED_AT "openchoreo.dev/restartedAt"
#define LBL_OC_MANAGED_BY "openchoreo.dev/managed-by"
#define LBL_OC_CREATED_BY "openchoreo.dev/created-by"

static const char *const whats[] = { "resource-id", "uid", "name", "namespace" };
static const char *const keys_release[] = {
	"openchoreo.dev/release-resource-id",
	"openchoreo.dev/release-uid",
	"openchoreo.dev/release-name",
	"openchoreo.dev/release-namespace",
};
static const char *const keys_rendered[] = {
	"openchoreo.dev/rendered-release-resource-id",
	"openchoreo.dev/rendered-release-uid",
	"openchoreo.dev/rendered-release-name",
	"openchoreo.dev/rendered-release-namespace",
};

enum cocm_release_kind cocm_render_release_kind(const cJSON *obj)
{
	const char *av = cocm_json_str(obj, "apiVersion", NULL);
	const char *kind = cocm_json_str(obj, "kind", NULL);

	if (av == NULL || kind == NULL || strncmp(av, "openchoreo.dev/", 15) != 0)
		return COCM_RELEASE_UNKNOWN;
	if (strcmp(kind, "Release") == 0)
		return COCM_RELEASE;
	if (strcmp(kind, "RenderedRelease") == 0)
		return COCM_RENDERED_RELEASE;
	return COCM_RELEASE_UNKNOWN;
}

const char *cocm_render_tracking_label(enum cocm_release_kind k, const char *what)
{
	size_t i;

	if (what == NULL || k == COCM_RELEASE_UNKNOWN)
		return NULL;
	for (i = 0; i < COCM_ARRAY_LEN(whats); i++)
		if (strcmp(whats[i], what) == 0)
			return k == COCM_RELEASE ? keys_release[i] : keys_rendered[i];
	return NULL;
}

const char *cocm_render_work_selector(char *out, size_t cap, const char *uid)
{
	snprintf(out, cap, "%s=%s,%s=%s", COCM_LABEL_MANAGED_BY, COCM_MANAGED_BY,
		COCM_LABEL_RELEASE_UID, uid ? uid : "");
	return out;
}

struct render {
	const cJSON *release;
	enum cocm_release_kind kind;
	const char *name, *ns, *uid, *restarted_at;
	size_t max;
	struct cocm_render_entry *e;
	size_t n, cap;
	char *text; /* arena of the manifests' compact texts, NUL after each */
	size_t text_len, text_cap;
	int raw; /* 1: spec as cJSON_Raw text (cocm_render_works_raw), 0: a copied tree */
	const char *exec_value; /* opts->executor, NULL when unset or empty */
	char exec_ns[COCM_NAMES_SUBDOMAIN_MAX + 1], exec_name[COCM_NAMES_SUBDOMAIN_MAX + 1];
	struct cocm_render_pool pool; /* views, configs, delete options (render_internal.h) */
	/* label-safe values, computed once (the views borrow them) */
	char uid_label[COCM_NAMES_LABEL_MAX + 1], name_label[COCM_NAMES_LABEL_MAX + 1],
		ns_label[COCM_NAMES_LABEL_MAX + 1];
	char *err;
	size_t errcap;
};

static enum cocm_err failf(struct render *r, enum cocm_err code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum cocm_err failf(struct render *r, enum cocm_err code, const char *fmt, ...)
{
	va_list ap;

	if (r->err != NULL && r->errcap > 0) {
		va_start(ap, fmt);
		vsnprintf(r->err, r->errcap, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* "resource "id" (spec.resources[3])" */
static const char *where(char *buf, size_t cap, const char *id, int index)
{
	if (id != NULL)
		snprintf(buf, cap, "resource \"%s\" (spec.resources[%d])", id, index);
	else
		snprintf(buf, cap, "spec.resources[%d]", index);
	return buf;
}

static struct cocm_render_entry *push(struct render *r)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->e = cocm_xrealloc(r->e, r->cap * sizeof(*r->e));
	}
	memset(&r->e[r->n], 0, sizeof(r->e[r->n]));
	return &r->e[r->n++];
}

static const char *type_name(const cJSON *v)
{
	if (v == NULL)
		return "missing";
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsNull(v))
		return "null";
	if (cJSON_IsArray(v))
		return "a list";
	return "an object";
}

static int nonempty_str(const cJSON *v)
{
	return cJSON_IsString(v) && v->valuestring[0] != '\0';
}

/* Validates spec.resources[index] and appends its entry. */
static enum cocm_err add_resource(struct render *r, const cJSON *res, int index)
{
	char w[400];
	const cJSON *obj, *md, *v;
	const char *id, *av, *kind, *name;
	struct cocm_render_entry *e;
	size_t i;

	if (!cJSON_IsObject(res))
		return failf(r, COCM_EINVAL, "spec.resources[%d]: not an object (%s)", index,
			type_name(res));
	v = cJSON_GetObjectItemCaseSensitive(res, "id");
	if (!nonempty_str(v))
		return failf(r, COCM_EINVAL, "spec.resources[%d]: id is %s", index,
			cJSON_IsString(v) ? "empty" : type_name(v));
	id = v->valuestring;
#define W where(w, sizeof(w), id, index) /* formatted only for an error */
	for (i = 0; i < r->n; i++)
		if (strcmp(r->e[i].id, id) == 0)
			return failf(r, COCM_EINVAL, "%s: duplicate id (also spec.resources[%d])", W,
				r->e[i].index);
	obj = cJSON_GetObjectItemCaseSensitive(res, "object");
	if (!cJSON_IsObject(obj))
		return failf(r, COCM_EINVAL, "%s: object is %s%s", W, type_name(obj),
			obj ? ", not an object" : "");
	v = cJSON_GetObjectItemCaseSensitive(obj, "apiVersion");
	if (!nonempty_str(v))
		return failf(r, COCM_EINVAL, "%s: object.apiVersion is %s", W,
			cJSON_IsString(v) ? "empty" : type_name(v));
	av = v->valuestring;
	v = cJSON_GetObjectItemCaseSensitive(obj, "kind");
	if (!nonempty_str(v))
		return failf(r, COCM_EINVAL, "%s: object.kind is %s", W,
			cJSON_IsString(v) ? "empty" : type_name(v));
	kind = v->valuestring;
	md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	if (!cJSON_IsObject(md))
		return failf(r, COCM_EINVAL, "%s: object.metadata is %s%s", W, type_name(md),
			md ? ", not an object" : "");
	v = cJSON_GetObjectItemCaseSensitive(md, "generateName");
	if (v != NULL && !cJSON_IsNull(v))
		return failf(r, COCM_EINVAL,
			"%s: object.metadata.generateName is not supported (a ManifestWork needs a "
			"fixed metadata.name)", W);
	v = cJSON_GetObjectItemCaseSensitive(md, "name");
	if (!nonempty_str(v))
		return failf(r, COCM_EINVAL, "%s: object.metadata.name is %s", W,
			cJSON_IsString(v) ? "empty" : type_name(v));
	name = v->valuestring;
	v = cJSON_GetObjectItemCaseSensitive(md, "namespace");
	if (v != NULL && !cJSON_IsNull(v) && !cJSON_IsString(v))
		return failf(r, COCM_EINVAL, "%s: object.metadata.namespace is %s, not a string", W,
			type_name(v));
	v = cJSON_GetObjectItemCaseSensitive(md, "labels");
	if (v != NULL && !cJSON_IsNull(v) && !cJSON_IsObject(v))
		return failf(r, COCM_EINVAL, "%s: object.metadata.labels is %s, not an object", W,
			type_name(v));

	e = push(r);
	e->id = id;
	e->index = index;
	e->src = obj;
	cocm_kinds_group(av, e->group, sizeof(e->group));
	e->kind = kind;
	e->name = name;
	e->ns = "";
	if (!cocm_kinds_cluster_scoped(e->group, kind)) {
		const char *ns = cocm_json_str(md, "namespace", NULL);
		e->ns = ns ? ns : "";
	}
	e->first = (e->group[0] == '\0' && strcmp(kind, "Namespace") == 0) ||
		(strcmp(e->group, "apiextensions.k8s.io") == 0 &&
			strcmp(kind, "CustomResourceDefinition") == 0);
	for (i = 0; i + 1 < r->n; i++) {
		const struct cocm_render_entry *o = &r->e[i];
		if (strcmp(o->kind, kind) == 0 && strcmp(o->name, name) == 0 &&
			strcmp(o->ns, e->ns) == 0 && strcmp(o->group, e->group) == 0) {
			const char *oid = o->id;
			int oidx = o->index;
			r->n--; /* drop the entry just pushed */
			return failf(r, COCM_EINVAL,
				"%s: %s%s%s %s%s%s is already resource \"%s\" (spec.resources[%d]): "
				"duplicate group/kind/namespace/name",
				W, e->group, e->group[0] ? "/" : "", kind, e->ns, e->ns[0] ? "/" : "",
				name, oid, oidx);
		}
	}
	return COCM_OK;
#undef W
}

/* Marks workloads that an autoscaling HPA of the Release scales. */
static void mark_hpa_targets(struct render *r)
{
	size_t i, j;
	char tgroup[254];

	for (i = 0; i < r->n; i++) {
		const struct cocm_render_entry *h = &r->e[i];
		const cJSON *ref;
		const char *tk, *tn, *tav;

		if (h->src == NULL || strcmp(h->group, "autoscaling") != 0 ||
			strcmp(h->kind, "HorizontalPodAutoscaler") != 0)
			continue;
		ref = cocm_json_get(h->src, "spec", "scaleTargetRef", NULL);
		tk = cocm_json_str(ref, "kind", NULL);
		tn = cocm_json_str(ref, "name", NULL);
		tav = cocm_json_str(ref, "apiVersion", NULL);
		if (tk == NULL || tn == NULL)
			continue;
		if (tav != NULL)
			cocm_kinds_group(tav, tgroup, sizeof(tgroup));
		for (j = 0; j < r->n; j++) {
			struct cocm_render_entry *t = &r->e[j];
			if (t->src != NULL && strcmp(t->kind, tk) == 0 && strcmp(t->name, tn) == 0 &&
				strcmp(t->ns, h->ns) == 0 && (tav == NULL || strcmp(t->group, tgroup) == 0))
				t->ignore_replicas = 1;
		}
	}
}

static int has_namespace(const struct render *r, const char *ns)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->e[i].group[0] == '\0' && strcmp(r->e[i].kind, "Namespace") == 0 &&
			strcmp(r->e[i].name, ns) == 0)
			return 1;
	return 0;
}

/* Adds a Namespace entry for every namespace used but not declared (first use first). */
static void add_namespaces(struct render *r)
{
	size_t i, nres = r->n;
	struct cocm_render_entry *e;
	struct cocm_render_pool *p = &r->pool;
	cJSON *m, *md, *labels;

	for (i = 0; i < nres; i++) {
		const char *ns = r->e[i].ns;
		if (ns[0] == '\0' || has_namespace(r, ns))
			continue;
		e = push(r);
		e->index = -1;
		e->kind = "Namespace";
		e->name = ns;
		e->ns = "";
		e->first = 1;
		m = cocm_render_node(p, cJSON_Object);
		cocm_render_add(m, "apiVersion", cocm_render_str(p, "v1"));
		cocm_render_add(m, "kind", cocm_render_str(p, "Namespace"));
		md = cocm_render_add(m, "metadata", cocm_render_node(p, cJSON_Object));
		cocm_render_add(md, "name", cocm_render_str(p, ns));
		labels = cocm_render_add(md, "labels", cocm_render_node(p, cJSON_Object));
		cocm_render_add(labels, COCM_LABEL_MANAGED_BY, cocm_render_str(p, COCM_MANAGED_BY));
		cocm_render_add(labels, LBL_OC_CREATED_BY, cocm_render_str(p, COCM_MANAGED_BY));
		e->manifest = m;
	}
}

/* ---- views --------------------------------------------------------------------------
 * A manifest is the Release's object with a few labels (and maybe one pod template
 * annotation) set. Instead of deep-copying the object, the render builds a view in its pool:
 * new nodes only along the paths it changes, every other member a cJSON reference
 * (cJSON_IsReference: child / valuestring shared) with its key borrowed
 * (cJSON_StringIsConst). Printing a view gives exactly the text the modified copy would.
 * Views live only inside the render; the works get their printed text (raw) or a copy. */

static cJSON *ref_to(struct render *r, const cJSON *v)
{
	cJSON *n = cocm_render_node(&r->pool, (v->type & 0xFF) | cJSON_IsReference);

	n->child = v->child;
	n->valuestring = v->valuestring;
	n->valueint = v->valueint;
	n->valuedouble = v->valuedouble;
	return n;
}

/* Appends to dst a reference to first and every member after it, keys borrowed. */
static void add_refs(struct render *r, cJSON *dst, const cJSON *first)
{
	const cJSON *it;

	for (it = first; it != NULL; it = it->next) {
		if (it->string != NULL)
			cJSON_AddItemToObjectCS(dst, it->string, ref_to(r, it));
		else
			cJSON_AddItemToArray(dst, ref_to(r, it));
	}
}

/* cocm_json_set for views: v replaces the first member named key (in place) or is appended;
 * key is borrowed. The replaced node is only unlinked (pool memory). */
static void view_set(cJSON *view, const char *key, cJSON *v)
{
	cJSON *old = cJSON_GetObjectItemCaseSensitive(view, key);

	v->string = (char *)key;
	v->type |= cJSON_StringIsConst;
	if (old == NULL) {
		cJSON_AddItemToArray(view, v);
		return;
	}
	v->next = old->next;
	v->prev = old->prev;
	if (view->child == old) {
		view->child = v;
		if (v->prev == old) /* the only member */
			v->prev = v;
	} else {
		v->prev->next = v;
	}
	if (v->next != NULL)
		v->next->prev = v;
	else
		view->child->prev = v; /* the last member */
}

/* cocm_json_obj for views: the object member key of view, made a view of its own (same
 * node, members now references) when it is a reference; created when missing or not an
 * object. */
static cJSON *view_obj(struct render *r, cJSON *view, const char *key)
{
	cJSON *o = cJSON_GetObjectItemCaseSensitive(view, key);
	const cJSON *first;

	if (cJSON_IsObject(o)) {
		if (o->type & cJSON_IsReference) {
			first = o->child;
			o->type &= ~cJSON_IsReference;
			o->child = NULL;
			add_refs(r, o, first);
		}
		return o;
	}
	o = cocm_render_node(&r->pool, cJSON_Object);
	view_set(view, key, o);
	return o;
}

static void build_manifest(struct render *r, struct cocm_render_entry *e)
{
	const char *const *keys = r->kind == COCM_RELEASE ? keys_release : keys_rendered;
	struct cocm_render_pool *p = &r->pool;
	cJSON *m = cocm_render_node(p, cJSON_Object);
	cJSON *md, *labels;
	char v[COCM_NAMES_LABEL_MAX + 1];

	add_refs(r, m, e->src->child);
	md = view_obj(r, m, "metadata");
	labels = view_obj(r, md, "labels");
	view_set(labels, LBL_OC_MANAGED_BY, cocm_render_str(p, COCM_MANAGED_BY));
	view_set(labels, keys[0],
		cocm_render_str(p, cocm_render_strdup(p, cocm_names_label_value(v, e->id))));
	if (r->uid != NULL)
		view_set(labels, keys[1], cocm_render_str(p, r->uid_label));
	view_set(labels, keys[2], cocm_render_str(p, r->name_label));
	view_set(labels, keys[3], cocm_render_str(p, r->ns_label));
	if (r->restarted_at != NULL && strcmp(e->group, "apps") == 0 &&
		strcmp(e->kind, "Deployment") == 0 &&
		cJSON_IsObject(cocm_json_get(m, "spec", "template", NULL))) {
		cJSON *tmpl = view_obj(r, view_obj(r, m, "spec"), "template");

		view_set(view_obj(r, view_obj(r, tmpl, "metadata"), "annotations"),
			ANN_RESTARTED_AT, cocm_render_str(p, r->restarted_at));
	}
	e->manifest = m;
}

/* Turns borrowed keys into owned ones (after cJSON_Duplicate of a pool tree, which keeps
 * cJSON_StringIsConst keys pointing at the original's). */
static void own_keys(cJSON *v)
{
	for (; v != NULL; v = v->next) {
		if ((v->type & cJSON_StringIsConst) && v->string != NULL) {
			v->string = cocm_xstrdup(v->string);
			v->type &= ~cJSON_StringIsConst;
		}
		own_keys(v->child);
	}
}

/* An independent copy of a pool tree. */
static cJSON *copy_out(const cJSON *v)
{
	cJSON *m = cJSON_Duplicate(v, 1); /* references become copies (OOM is fatal) */

	own_keys(m);
	return m;
}

/* Prints item compact at the end of the render's arena (in place: no buffer growth per
 * item, no malloc) and returns the text; it stays there only if the caller then advances
 * r->text_len past it (and its NUL). */
static const char *arena_print(struct render *r, const cJSON *item)
{
	for (;;) {
		size_t avail = r->text_cap - r->text_len;

		if (avail >= 256 && avail <= INT_MAX &&
			cJSON_PrintPreallocated((cJSON *)item, r->text + r->text_len, (int)avail, 0))
			return r->text + r->text_len;
		r->text_cap = r->text_cap ? r->text_cap * 2 : 65536;
		r->text = cocm_xrealloc(r->text, r->text_cap);
	}
}

/* The size Go's encoding/json gives the manifest (what OCM's webhook counts): cJSON's compact
 * text plus Go's HTML-safe escapes ('<', '>', '&' -> \u003c..., U+2028/2029 -> \u2028/9).
 * The text is kept in the render's arena and the content hash reuses it instead of printing
 * again. */
static size_t json_size(struct render *r, struct cocm_render_entry *e)
{
	const char *s = arena_print(r, e->manifest);
	size_t n = 0, i = 0;

	for (;;) {
		size_t run = strcspn(s + i, "<>&\xe2"); /* the bytes that may grow (libc scans fast) */

		i += run;
		n += run;
		if (s[i] == '\0')
			break;
		n++;
		if (s[i] == '<' || s[i] == '>' || s[i] == '&')
			n += 5;
		else if ((unsigned char)s[i + 1] == 0x80 &&
			((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9))
			n += 3; /* 3 UTF-8 bytes become 6 */
		i++;
	}
	e->text_off = r->text_len;
	e->text_len = i;
	r->text_len += i + 1;
	return n;
}

/* Hashes item's compact text (printed into the arena's free end, not kept). */
static void hash_item(struct cocm_sha256 *h, struct render *r, const cJSON *item)
{
	const char *s = arena_print(r, item);

	cocm_sha256_update(h, s, strlen(s));
}

static void hash_str(struct cocm_sha256 *h, const char *s)
{
	cocm_sha256_update(h, s, strlen(s));
}

/* Appends n bytes to out at *len. */
static void put(char *out, size_t *len, const char *s, size_t n)
{
	memcpy(out + *len, s, n);
	*len += n;
}

/* The compact text of the work's spec, exactly as cJSON prints the object
 * {"workload":{"manifests":[...]},"deleteOption":...,"manifestConfigs":[...]}, assembled from
 * the manifests' texts kept by json_size instead of printing them again (cJSON's compact
 * printer is compositional: an object's text is its members' texts joined). Heap
 * (cocm_xmalloc: cJSON's hooks may own it). */
static char *spec_text(struct render *r, struct cocm_render_entry *const *order, size_t n,
	unsigned part, const cJSON *delete_option, const cJSON *configs, const cJSON *executor,
	size_t *len)
{
	static const char head[] = "{\"workload\":{\"manifests\":[";
	static const char mid1[] = "]},\"deleteOption\":";
	static const char mid2[] = ",\"manifestConfigs\":";
	static const char mid3[] = ",\"executor\":";
	size_t i, total, del_off, del_len, cfg_off, cfg_len, ex_off = 0, ex_len = 0, at = 0;
	char *out;
	int any = 0;

	/* print them into the arena and keep them while assembling */
	del_len = strlen(arena_print(r, delete_option));
	del_off = r->text_len;
	r->text_len += del_len + 1;
	cfg_len = strlen(arena_print(r, configs));
	cfg_off = r->text_len;
	r->text_len += cfg_len + 1;
	if (executor != NULL) {
		ex_len = strlen(arena_print(r, executor));
		ex_off = r->text_len;
		r->text_len += ex_len + 1;
	}
	total = sizeof(head) - 1 + sizeof(mid1) - 1 + del_len + sizeof(mid2) - 1 + cfg_len + 1 +
		sizeof(mid3) - 1 + ex_len;
	for (i = 0; i < n; i++)
		if (order[i]->part == part)
			total += order[i]->text_len + 1;
	out = cocm_xmalloc(total + 1);
	put(out, &at, head, sizeof(head) - 1);
	for (i = 0; i < n; i++) {
		if (order[i]->part != part)
			continue;
		if (any)
			put(out, &at, ",", 1);
		put(out, &at, r->text + order[i]->text_off, order[i]->text_len);
		any = 1;
	}
	put(out, &at, mid1, sizeof(mid1) - 1);
	put(out, &at, r->text + del_off, del_len);
	put(out, &at, mid2, sizeof(mid2) - 1);
	put(out, &at, r->text + cfg_off, cfg_len);
	if (executor != NULL) {
		put(out, &at, mid3, sizeof(mid3) - 1);
		put(out, &at, r->text + ex_off, ex_len);
	}
	put(out, &at, "}", 1);
	out[at] = '\0';
	r->text_len = del_off; /* drop the temporary texts */
	*len = at;
	return out;
}

/* spec.executor in the pool (borrows r's executor strings). */
static cJSON *executor_node(struct render *r)
{
	struct cocm_render_pool *p = &r->pool;
	cJSON *ex = cocm_render_node(p, cJSON_Object);
	cJSON *subj = cocm_render_add(ex, "subject", cocm_render_node(p, cJSON_Object));
	cJSON *sa;

	cocm_render_add(subj, "type", cocm_render_str(p, "ServiceAccount"));
	sa = cocm_render_add(subj, "serviceAccount", cocm_render_node(p, cJSON_Object));
	cocm_render_add(sa, "namespace", cocm_render_str(p, r->exec_ns));
	cocm_render_add(sa, "name", cocm_render_str(p, r->exec_name));
	return ex;
}

/* Parses opts->executor (syntax only): "<ns>/<sa>" fills exec_ns, "<sa>" leaves it empty. */
static enum cocm_err parse_executor(struct render *r)
{
	const char *v = r->exec_value;
	const char *slash = strchr(v, '/');
	size_t nslen = slash ? (size_t)(slash - v) : 0;
	const char *name = slash ? slash + 1 : v;
	static const char want[] = "want <namespace>/<serviceaccount> or <serviceaccount> "
				   "(plane annotation ocm.openchoreo.dev/executor)";

	if (nslen > COCM_NAMES_LABEL_MAX || strlen(name) > COCM_NAMES_SUBDOMAIN_MAX ||
		strchr(name, '/') != NULL)
		return failf(r, COCM_EINVAL, "executor \"%.300s\": malformed; %s", v, want);
	memcpy(r->exec_ns, v, nslen);
	r->exec_ns[nslen] = '\0';
	snprintf(r->exec_name, sizeof(r->exec_name), "%s", name);
	if (slash != NULL && !cocm_names_is_dns_label(r->exec_ns))
		return failf(r, COCM_EINVAL,
			"executor \"%.300s\": namespace \"%s\" is not a DNS-1123 label; %s", v,
			r->exec_ns, want);
	if (!cocm_names_is_subdomain(r->exec_name))
		return failf(r, COCM_EINVAL,
			"executor \"%.300s\": service account \"%s\" is not a DNS-1123 subdomain; %s",
			v, r->exec_name, want);
	return COCM_OK;
}

/* For a "<sa>" executor: the Release's target namespace (after add_namespaces). */
static enum cocm_err executor_namespace(struct render *r)
{
	const char *target = NULL, *only_ns = NULL;
	size_t i, nns = 0;
	char w[400];

	if (r->exec_ns[0] != '\0' || r->n == 0)
		return COCM_OK;
	for (i = 0; i < r->n; i++) {
		const struct cocm_render_entry *e = &r->e[i];

		if (e->ns[0] != '\0') {
			if (target != NULL && strcmp(target, e->ns) != 0)
				return failf(r, COCM_EINVAL,
					"executor \"%s\" is a service account of the Release's "
					"namespace on the data plane, but the namespaced resources are in "
					"several namespaces (%s, %s): annotate the plane with "
					"ocm.openchoreo.dev/executor=<namespace>/%s instead",
					r->exec_name, target, e->ns, r->exec_name);
			target = e->ns;
		} else if (e->src != NULL && strcmp(e->kind, "Namespace") == 0 && e->group[0] == '\0') {
			only_ns = e->name;
			nns++;
		} else if (e->src != NULL) {
			return failf(r, COCM_EINVAL,
				"executor \"%s\" is a service account of the Release's namespace on the "
				"data plane, but %s: %s%s%s %s is cluster-scoped (only Namespaces may be): "
				"annotate the plane with ocm.openchoreo.dev/executor=<namespace>/%s instead",
				r->exec_name, where(w, sizeof(w), e->id, e->index), e->group,
				e->group[0] ? "/" : "", e->kind, e->name, r->exec_name);
		}
	}
	if (target == NULL && nns == 1)
		target = only_ns;
	if (target == NULL)
		return failf(r, COCM_EINVAL,
			"executor \"%s\" is a service account of the Release's namespace on the data "
			"plane, but the Release has no namespaced resource (and not exactly one "
			"Namespace) to name it: annotate the plane with "
			"ocm.openchoreo.dev/executor=<namespace>/%s instead",
			r->exec_name, r->exec_name);
	snprintf(r->exec_ns, sizeof(r->exec_ns), "%s", target);
	return COCM_OK;
}

static cJSON *build_work(struct render *r, const char *cluster,
	struct cocm_render_entry *const *order, size_t n, unsigned part, unsigned total)
{
	char buf[COCM_NAMES_SUBDOMAIN_MAX + 1], num[24], hex[65];
	const char *kind = r->kind == COCM_RELEASE ? "Release" : "RenderedRelease";
	struct cocm_render_pool *p = &r->pool;
	cJSON *w = cJSON_CreateObject();
	cJSON *md, *labels, *ann, *spec, *configs, *delopt, *manifests, *exec = NULL;
	struct cocm_sha256 h;
	unsigned char dig[32];
	static const char xd[] = "0123456789abcdef";
	size_t i, slen;
	char *rel, *stext;

	cJSON_AddStringToObject(w, "apiVersion", "work.open-cluster-management.io/v1");
	cJSON_AddStringToObject(w, "kind", "ManifestWork");
	md = cJSON_AddObjectToObject(w, "metadata");
	cJSON_AddStringToObject(md, "name", cocm_names_work(buf, r->ns, r->name, part));
	cJSON_AddStringToObject(md, "namespace", cluster);
	labels = cJSON_AddObjectToObject(md, "labels");
	cJSON_AddStringToObject(labels, COCM_LABEL_MANAGED_BY, COCM_MANAGED_BY);
	if (r->uid != NULL)
		cJSON_AddStringToObject(labels, COCM_LABEL_RELEASE_UID, r->uid_label);
	cJSON_AddStringToObject(labels, COCM_LABEL_RELEASE_NAME, r->name_label);
	cJSON_AddStringToObject(labels, COCM_LABEL_RELEASE_NAMESPACE, r->ns_label);
	snprintf(num, sizeof(num), "%u", part);
	cJSON_AddStringToObject(labels, COCM_LABEL_PART, num);
	ann = cJSON_AddObjectToObject(md, "annotations");
	rel = cocm_xmalloc(strlen(r->ns) + strlen(r->name) + 2);
	snprintf(rel, strlen(r->ns) + strlen(r->name) + 2, "%s/%s", r->ns, r->name);
	cJSON_AddStringToObject(ann, COCM_ANN_RELEASE, rel);
	free(rel);
	cJSON_AddStringToObject(ann, COCM_ANN_RELEASE_KIND, kind);
	snprintf(num, sizeof(num), "%u", total);
	cJSON_AddStringToObject(ann, COCM_ANN_PARTS, num);

	/* the spec in the pool, printed once into its text */
	delopt = cocm_render_delete_option(p, (const struct cocm_render_entry *const *)order, n,
		part);
	configs = cocm_render_node(p, cJSON_Array);
	for (i = 0; i < n; i++)
		if (order[i]->part == part)
			cJSON_AddItemToArray(configs, cocm_render_config(p, order[i]));
	if (r->exec_value != NULL)
		exec = executor_node(r);
	stext = spec_text(r, order, n, part, delopt, configs, exec, &slen);

	cocm_sha256_init(&h);
	hash_item(&h, r, labels);
	hash_str(&h, "\n");
	hash_item(&h, r, ann);
	hash_str(&h, "\n");
	cocm_sha256_update(&h, stext, slen);
	hash_str(&h, "\n");
	cocm_sha256_final(&h, dig);
	for (i = 0; i < 32; i++) {
		hex[2 * i] = xd[dig[i] >> 4];
		hex[2 * i + 1] = xd[dig[i] & 15];
	}
	hex[64] = '\0';
	cJSON_AddStringToObject(ann, COCM_ANN_CONTENT_HASH, hex);

	if (r->raw) {
		spec = cJSON_CreateNull(); /* a Raw item owning the text (freed by cJSON_Delete) */
		spec->type = cJSON_Raw;
		spec->valuestring = stext;
		cJSON_AddItemToObject(w, "spec", spec);
		return w;
	}
	free(stext);
	spec = cocm_render_node(p, cJSON_Object);
	manifests = cocm_render_add(cocm_render_add(spec, "workload",
		cocm_render_node(p, cJSON_Object)), "manifests", cocm_render_node(p, cJSON_Array));
	for (i = 0; i < n; i++)
		if (order[i]->part == part)
			cJSON_AddItemToArray(manifests, order[i]->manifest);
	cocm_render_add(spec, "deleteOption", delopt);
	cocm_render_add(spec, "manifestConfigs", configs);
	if (exec != NULL)
		cocm_render_add(spec, "executor", exec);
	cJSON_AddItemToObject(w, "spec", copy_out(spec));
	return w;
}

static void free_entries(struct render *r)
{
	cocm_render_pool_free(&r->pool); /* every view, config and delete option */
	free(r->e);
	free(r->text);
	r->text = NULL;
	r->e = NULL;
	r->n = r->cap = 0;
}

static enum cocm_err check_release(struct render *r, const char *cluster,
	const struct cocm_render_opts *o)
{
	const cJSON *rel = r->release;
	const cJSON *v;

	if (!cJSON_IsObject(rel))
		return failf(r, COCM_EINVAL, "release: not an object");
	r->kind = cocm_render_release_kind(rel);
	if (r->kind == COCM_RELEASE_UNKNOWN)
		return failf(r, COCM_EINVAL,
			"not a Release: apiVersion/kind is %s/%s, want openchoreo.dev/v1alpha1 "
			"Release or RenderedRelease",
			cocm_json_str(rel, "apiVersion", NULL) ? cocm_json_str(rel, "apiVersion", NULL)
							       : "<none>",
			cocm_json_str(rel, "kind", NULL) ? cocm_json_str(rel, "kind", NULL) : "<none>");
	r->name = cocm_json_str(rel, "metadata", "name", NULL);
	r->ns = cocm_json_str(rel, "metadata", "namespace", NULL);
	r->uid = cocm_json_str(rel, "metadata", "uid", NULL);
	if (r->name == NULL || r->name[0] == '\0')
		return failf(r, COCM_EINVAL, "release: metadata.name is missing");
	if (r->ns == NULL || r->ns[0] == '\0')
		return failf(r, COCM_EINVAL, "release %s: metadata.namespace is missing", r->name);
	if (r->uid != NULL && r->uid[0] == '\0')
		r->uid = NULL;
	if (r->uid == NULL && !(o && o->allow_missing_uid))
		return failf(r, COCM_EINVAL, "release %s/%s: metadata.uid is missing", r->ns,
			r->name);
	if (cluster == NULL || !cocm_names_is_dns_label(cluster))
		return failf(r, COCM_EINVAL,
			"cluster name \"%s\" is not a DNS-1123 label (a ManagedCluster name)",
			cluster ? cluster : "");
	r->restarted_at = cocm_json_str(rel, "metadata", "annotations", ANN_RESTARTED_AT, NULL);
	v = cocm_json_get(rel, "spec", NULL);
	if (v != NULL && !cJSON_IsObject(v) && !cJSON_IsNull(v))
		return failf(r, COCM_EINVAL, "release %s/%s: spec is %s, not an object", r->ns,
			r->name, type_name(v));
	return COCM_OK;
}

static enum cocm_err render_works(const cJSON *release, const char *cluster,
	const struct cocm_render_opts *o, int raw, cJSON **works_out, char *err, size_t errcap)
{
	struct render r;
	const cJSON *resources, *res;
	struct cocm_render_entry **order = NULL;
	size_t i, k, used;
	unsigned part, total;
	int index;
	enum cocm_err rc;
	cJSON *works;
	char w[400];

	cocm_xalloc_init();
	memset(&r, 0, sizeof(r));
	r.release = release;
	r.raw = raw;
	r.err = err;
	r.errcap = errcap;
	r.max = (o && o->max_manifest_bytes) ? o->max_manifest_bytes
					       : COCM_RENDER_MAX_MANIFEST_BYTES;
	*works_out = NULL;
	if (err && errcap)
		err[0] = '\0';
	rc = check_release(&r, cluster, o);
	if (rc != COCM_OK)
		return rc;
	if (o != NULL && o->executor != NULL && o->executor[0] != '\0') {
		r.exec_value = o->executor;
		rc = parse_executor(&r);
		if (rc != COCM_OK)
			return rc;
	}
	if (r.uid != NULL)
		cocm_names_label_value(r.uid_label, r.uid);
	cocm_names_label_value(r.name_label, r.name);
	cocm_names_label_value(r.ns_label, r.ns);

	resources = cocm_json_get(release, "spec", "resources", NULL);
	if (resources != NULL && !cJSON_IsNull(resources) && !cJSON_IsArray(resources))
		return failf(&r, COCM_EINVAL, "release %s/%s: spec.resources is %s, not a list",
			r.ns, r.name, type_name(resources));
	if (cJSON_GetArraySize(resources) > COCM_RENDER_MAX_RESOURCES)
		return failf(&r, COCM_EINVAL, "release %s/%s: more than %d resources", r.ns, r.name,
			COCM_RENDER_MAX_RESOURCES);
	/* every resource, and at most one added Namespace per resource: one allocation */
	r.cap = 2 * (size_t)cJSON_GetArraySize(resources) + 1;
	r.e = cocm_xmalloc(r.cap * sizeof(*r.e)); /* push() clears each entry */
	index = 0;
	cJSON_ArrayForEach(res, resources)
	{
		rc = add_resource(&r, res, index++);
		if (rc != COCM_OK)
			goto out;
	}
	mark_hpa_targets(&r);
	k = r.n;
	for (i = 0; i < k; i++)
		build_manifest(&r, &r.e[i]);
	add_namespaces(&r);
	if (r.exec_value != NULL) {
		rc = executor_namespace(&r);
		if (rc != COCM_OK)
			goto out;
	}
	for (i = 0; i < r.n; i++) {
		r.e[i].size = json_size(&r, &r.e[i]);
		if (r.e[i].size > r.max) {
			rc = failf(&r, COCM_ETOOBIG,
				"%s: %s%s%s %s%s%s is %zu bytes as JSON, more than the %zu bytes one "
				"ManifestWork may carry",
				r.e[i].id ? where(w, sizeof(w), r.e[i].id, r.e[i].index) : "namespace",
				r.e[i].group, r.e[i].group[0] ? "/" : "", r.e[i].kind, r.e[i].ns,
				r.e[i].ns[0] ? "/" : "", r.e[i].name, r.e[i].size, r.max);
			goto out;
		}
	}

	/* added Namespaces, then declared Namespaces and CRDs, then the rest */
	order = COCM_NEWN(struct cocm_render_entry *, r.n ? r.n : 1);
	k = 0;
	for (i = 0; i < r.n; i++)
		if (r.e[i].src == NULL)
			order[k++] = &r.e[i];
	for (i = 0; i < r.n; i++)
		if (r.e[i].src != NULL && r.e[i].first)
			order[k++] = &r.e[i];
	for (i = 0; i < r.n; i++)
		if (r.e[i].src != NULL && !r.e[i].first)
			order[k++] = &r.e[i];
	part = 1;
	used = 0;
	for (i = 0; i < k; i++) {
		if (used > 0 && used + order[i]->size > r.max) {
			part++;
			used = 0;
		}
		order[i]->part = part;
		used += order[i]->size;
	}
	total = k ? part : 0;

	works = cJSON_CreateArray();
	for (part = 1; part <= total; part++)
		cJSON_AddItemToArray(works, build_work(&r, cluster, order, k, part, total));
	*works_out = works;
	rc = COCM_OK;
out:
	free(order);
	free_entries(&r);
	return rc;
}

enum cocm_err cocm_render_works(const cJSON *release, const char *cluster,
	const struct cocm_render_opts *o, cJSON **works_out, char *err, size_t errcap)
{
	return render_works(release, cluster, o, 0, works_out, err, errcap);
}

enum cocm_err cocm_render_works_raw(const cJSON *release, const char *cluster,
	const struct cocm_render_opts *o, cJSON **works_out, char *err, size_t errcap)
{
	return render_works(release, cluster, o, 1, works_out, err, errcap);
}
