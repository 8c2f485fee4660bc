/* kubeconfig files: parse (YAML via kube/yaml), merge several as kubectl does, resolve one context
 * into a struct cocm_kube_config.
 *
 * Merge rule (clientcmd's): files are read in order; a named cluster/user/context or
 * current-context set by an earlier file is never overridden by a later one. Each entry remembers
 * the file it came from, so relative paths resolve against that file's directory and every error
 * names the file and the field ("kubeconfig /x/config: users[1].user.client-key-data: ..."). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/config.h"
#include "kube/config_internal.h"
#include "kube/core/xalloc.h"
#include "kube/yaml/yamljson.h"

struct kfile {
	const char *name; /* path (or caller's name) for messages */
	char *dir;        /* for relative paths; NULL = cwd */
	cJSON *docs;      /* owned: array returned by cocm_yaml_load */
	const cJSON *doc; /* borrowed: the first document, NULL when empty */
};

struct entry {
	const char *name;
	const cJSON *body; /* borrowed: the inner object, NULL when absent */
	const struct kfile *file;
	size_t index;
};

struct section {
	struct entry *v;
	size_t n, cap;
};

struct merged {
	struct kfile *files;
	size_t nfiles;
	struct section clusters, users, contexts;
	const char *current;
	const struct kfile *current_file;
};

/* Where a field sits, for messages: "<list>[<index>].<inner>.<field>" in file f. */
struct where {
	const struct kfile *f;
	const char *list, *inner;
	size_t index;
	char *err;
	size_t errcap;
};

static enum cocm_err bad(const struct where *w, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum cocm_err bad(const struct where *w, const char *field, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	cocm_kube_config_errf(w->err, w->errcap, "kubeconfig %s: %s[%zu].%s.%s: %s", w->f->name,
		w->list, w->index, w->inner, field, why);
	return COCM_EINVAL;
}

static const struct entry *find(const struct section *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i].name, name) == 0)
			return &s->v[i];
	return NULL;
}

static enum cocm_err add_section(struct section *s, const struct kfile *f, const char *list,
	const char *inner, char *err, size_t errcap)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(f->doc, list);
	const cJSON *it;
	size_t i = 0;

	if (arr == NULL || cJSON_IsNull(arr))
		return COCM_OK;
	if (!cJSON_IsArray(arr)) {
		cocm_kube_config_errf(err, errcap, "kubeconfig %s: %s: not a list", f->name, list);
		return COCM_EINVAL;
	}
	cJSON_ArrayForEach(it, arr) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name");
		const cJSON *body = cJSON_GetObjectItemCaseSensitive(it, inner);

		if (!cJSON_IsObject(it)) {
			cocm_kube_config_errf(err, errcap, "kubeconfig %s: %s[%zu]: not a mapping",
				f->name, list, i);
			return COCM_EINVAL;
		}
		if (!cJSON_IsString(name) || name->valuestring[0] == '\0') {
			cocm_kube_config_errf(err, errcap,
				"kubeconfig %s: %s[%zu].name: missing or not a string", f->name, list, i);
			return COCM_EINVAL;
		}
		if (body != NULL && !cJSON_IsNull(body) && !cJSON_IsObject(body)) {
			cocm_kube_config_errf(err, errcap, "kubeconfig %s: %s[%zu].%s: not a mapping",
				f->name, list, i, inner);
			return COCM_EINVAL;
		}
		if (find(s, name->valuestring) == NULL) { /* first file to set a name wins */
			if (s->n == s->cap) {
				s->cap = s->cap ? s->cap * 2 : 8;
				s->v = cocm_xrealloc(s->v, s->cap * sizeof(*s->v));
			}
			s->v[s->n].name = name->valuestring;
			s->v[s->n].body = cJSON_IsObject(body) ? body : NULL;
			s->v[s->n].file = f;
			s->v[s->n].index = i;
			s->n++;
		}
		i++;
	}
	return COCM_OK;
}

static enum cocm_err parse_file(struct merged *m, struct kfile *f, const char *data, size_t len,
	char *err, size_t errcap)
{
	char yerr[256] = "";
	const cJSON *cur;
	enum cocm_err e;

	f->docs = cocm_yaml_load(data, len, yerr, sizeof(yerr));
	if (f->docs == NULL) {
		cocm_kube_config_errf(err, errcap, "kubeconfig %s: not valid YAML: %s", f->name, yerr);
		return COCM_EINVAL;
	}
	f->doc = cJSON_GetArrayItem(f->docs, 0);
	if (f->doc == NULL || cJSON_IsNull(f->doc)) {
		f->doc = NULL;
		return COCM_OK; /* an empty file contributes nothing */
	}
	if (!cJSON_IsObject(f->doc)) {
		cocm_kube_config_errf(err, errcap, "kubeconfig %s: top level: not a mapping", f->name);
		return COCM_EINVAL;
	}
	e = add_section(&m->clusters, f, "clusters", "cluster", err, errcap);
	if (e == COCM_OK)
		e = add_section(&m->users, f, "users", "user", err, errcap);
	if (e == COCM_OK)
		e = add_section(&m->contexts, f, "contexts", "context", err, errcap);
	if (e != COCM_OK)
		return e;
	cur = cJSON_GetObjectItemCaseSensitive(f->doc, "current-context");
	if (cur != NULL && !cJSON_IsNull(cur) && !cJSON_IsString(cur)) {
		cocm_kube_config_errf(err, errcap, "kubeconfig %s: current-context: not a string",
			f->name);
		return COCM_EINVAL;
	}
	if (m->current == NULL && cJSON_IsString(cur) && cur->valuestring[0] != '\0') {
		m->current = cur->valuestring;
		m->current_file = f;
	}
	return COCM_OK;
}

/* Optional string field: *out = value or NULL; error when present but not a string. */
static enum cocm_err opt_str(const struct where *w, const cJSON *body, const char *field,
	const char **out)
{
	const cJSON *v = body != NULL ? cJSON_GetObjectItemCaseSensitive(body, field) : NULL;

	*out = NULL;
	if (v == NULL || cJSON_IsNull(v))
		return COCM_OK;
	if (!cJSON_IsString(v))
		return bad(w, field, "not a string");
	if (v->valuestring[0] != '\0')
		*out = v->valuestring;
	return COCM_OK;
}

/* Loads PEM material from "<field>-data" (base64) or "<field>" (a path), data winning. */
static enum cocm_err load_pem(const struct where *w, const cJSON *body, const char *field,
	int kind, char **out, size_t *len)
{
	char dfield[64], why[256];
	const char *data, *path;
	enum cocm_err e;

	*out = NULL;
	*len = 0;
	snprintf(dfield, sizeof(dfield), "%s-data", field);
	if ((e = opt_str(w, body, dfield, &data)) != COCM_OK ||
		(e = opt_str(w, body, field, &path)) != COCM_OK)
		return e;
	if (data != NULL) {
		if (cocm_kube_config_b64(data, out, len) != COCM_OK)
			return bad(w, dfield, "not valid base64");
		if (!cocm_kube_config_pem_ok(*out, *len, kind))
			return bad(w, dfield, "decoded data is not a PEM %s",
				kind == 0 ? "certificate" : "private key");
		return COCM_OK;
	}
	if (path != NULL) {
		char *full = cocm_kube_config_resolve(w->f->dir, path);

		e = cocm_kube_config_read(full, COCM_KUBE_CONFIG_MAX_FILE, out, len, why, sizeof(why));
		if (e != COCM_OK) {
			char msg[700];

			snprintf(msg, sizeof(msg), "cannot read %s: %s", full, why);
			free(full);
			return bad(w, field, "%s", msg);
		}
		if (!cocm_kube_config_pem_ok(*out, *len, kind)) {
			char msg[700];

			snprintf(msg, sizeof(msg), "%s is not a PEM %s", full,
				kind == 0 ? "certificate" : "private key");
			free(full);
			return bad(w, field, "%s", msg);
		}
		free(full);
	}
	return COCM_OK;
}

static enum cocm_err fill_cluster(struct cocm_kube_config *cfg, const struct entry *c, char *err,
	size_t errcap)
{
	struct where w = { c->file, "clusters", "cluster", c->index, err, errcap };
	const cJSON *insecure = c->body ? cJSON_GetObjectItemCaseSensitive(c->body, "insecure-skip-tls-verify") : NULL;
	const char *server, *sni;
	size_t n;
	enum cocm_err e;

	if ((e = opt_str(&w, c->body, "server", &server)) != COCM_OK)
		return e;
	if (server == NULL)
		return bad(&w, "server", "missing");
	if (strncmp(server, "https://", 8) != 0 || server[8] == '\0' || server[8] == '/')
		return bad(&w, "server", "must be an https:// URL (got \"%s\")", server);
	cfg->server = cocm_xstrdup(server);
	n = strlen(cfg->server);
	while (n > 8 && cfg->server[n - 1] == '/')
		cfg->server[--n] = '\0';
	if ((e = opt_str(&w, c->body, "tls-server-name", &sni)) != COCM_OK)
		return e;
	cfg->tls_server_name = sni != NULL ? cocm_xstrdup(sni) : NULL;
	if (insecure != NULL && !cJSON_IsNull(insecure) && !cJSON_IsBool(insecure))
		return bad(&w, "insecure-skip-tls-verify", "not a boolean");
	cfg->insecure_skip_tls_verify = cJSON_IsTrue(insecure);
	e = load_pem(&w, c->body, "certificate-authority", 0, &cfg->ca_pem, &cfg->ca_len);
	if (e != COCM_OK)
		return e;
	if (cfg->insecure_skip_tls_verify && cfg->ca_pem != NULL)
		return bad(&w, "insecure-skip-tls-verify",
			"cannot be combined with a certificate authority");
	return COCM_OK;
}

static enum cocm_err fill_user(struct cocm_kube_config *cfg, const struct entry *u, char *err,
	size_t errcap)
{
	static const char *const unsupported[] = { "exec", "auth-provider", "username", "password" };
	struct where w = { u->file, "users", "user", u->index, err, errcap };
	const char *token, *token_file;
	size_t i;
	enum cocm_err e;

	for (i = 0; i < COCM_ARRAY_LEN(unsupported); i++) {
		const cJSON *v = u->body ? cJSON_GetObjectItemCaseSensitive(u->body, unsupported[i]) : NULL;
		if (v != NULL && !cJSON_IsNull(v))
			return bad(&w, unsupported[i], "not supported (use a client certificate, "
				"token or tokenFile)");
	}
	e = load_pem(&w, u->body, "client-certificate", 0, &cfg->cert_pem, &cfg->cert_len);
	if (e == COCM_OK)
		e = load_pem(&w, u->body, "client-key", 1, &cfg->key_pem, &cfg->key_len);
	if (e != COCM_OK)
		return e;
	if (cfg->cert_pem != NULL && cfg->key_pem == NULL)
		return bad(&w, "client-key", "missing (client-certificate needs a key)");
	if (cfg->key_pem != NULL && cfg->cert_pem == NULL)
		return bad(&w, "client-certificate", "missing (client-key needs a certificate)");
	if ((e = opt_str(&w, u->body, "token", &token)) != COCM_OK ||
		(e = opt_str(&w, u->body, "tokenFile", &token_file)) != COCM_OK)
		return e;
	cfg->token = token != NULL ? cocm_xstrdup(token) : NULL;
	if (token_file != NULL) {
		char *full = cocm_kube_config_resolve(u->file->dir, token_file);
		char *data, why[256];
		size_t len;

		e = cocm_kube_config_read(full, COCM_KUBE_CONFIG_MAX_FILE, &data, &len, why, sizeof(why));
		if (e != COCM_OK) {
			char msg[700];

			snprintf(msg, sizeof(msg), "cannot read %s: %s", full, why);
			free(full);
			return bad(&w, "tokenFile", "%s", msg);
		}
		memset(data, 0, len);
		free(data);
		cfg->token_file = full;
	}
	return COCM_OK;
}

static enum cocm_err resolve(struct cocm_kube_config *cfg, const struct merged *m,
	const char *context, char *err, size_t errcap)
{
	const char *ctxname = context != NULL && context[0] != '\0' ? context : m->current;
	const struct entry *ctx, *cl, *us = NULL;
	const char *clname, *usname, *ns;
	struct where w;
	enum cocm_err e;
	char src[1024];

	if (ctxname == NULL) {
		cocm_kube_config_errf(err, errcap, "kubeconfig %s: current-context: not set "
			"(set it or pass --context)", m->files[0].name);
		return COCM_EINVAL;
	}
	ctx = find(&m->contexts, ctxname);
	if (ctx == NULL) {
		const struct kfile *f = context != NULL && context[0] != '\0' ? &m->files[0] : m->current_file;
		cocm_kube_config_errf(err, errcap, "kubeconfig %s: %s: context \"%s\" not found in "
			"contexts", f->name, context != NULL && context[0] != '\0' ? "--context" :
			"current-context", ctxname);
		return COCM_EINVAL;
	}
	w = (struct where){ ctx->file, "contexts", "context", ctx->index, err, errcap };
	if ((e = opt_str(&w, ctx->body, "cluster", &clname)) != COCM_OK ||
		(e = opt_str(&w, ctx->body, "user", &usname)) != COCM_OK ||
		(e = opt_str(&w, ctx->body, "namespace", &ns)) != COCM_OK)
		return e;
	if (clname == NULL)
		return bad(&w, "cluster", "missing");
	cl = find(&m->clusters, clname);
	if (cl == NULL)
		return bad(&w, "cluster", "cluster \"%s\" not found in clusters", clname);
	if (usname != NULL) {
		us = find(&m->users, usname);
		if (us == NULL)
			return bad(&w, "user", "user \"%s\" not found in users", usname);
	}
	if ((e = fill_cluster(cfg, cl, err, errcap)) != COCM_OK)
		return e;
	if (us != NULL && (e = fill_user(cfg, us, err, errcap)) != COCM_OK)
		return e;
	cfg->namespace = ns != NULL ? cocm_xstrdup(ns) : NULL;
	snprintf(src, sizeof(src), "kubeconfig %s (context %s)", ctx->file->name, ctxname);
	cfg->source = cocm_xstrdup(src);
	return COCM_OK;
}

static void merged_finish(struct merged *m)
{
	size_t i;

	for (i = 0; i < m->nfiles; i++) {
		cJSON_Delete(m->files[i].docs);
		free(m->files[i].dir);
	}
	free(m->files);
	free(m->clusters.v);
	free(m->users.v);
	free(m->contexts.v);
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return NULL;
	if (slash == path)
		return cocm_xstrdup("/");
	return cocm_xstrndup(path, (size_t)(slash - path));
}

enum cocm_err cocm_kube_config_from_files(struct cocm_kube_config *cfg, const char *const *files,
	size_t n, const char *context, char *err, size_t errcap);

enum cocm_err cocm_kube_config_from_files(struct cocm_kube_config *cfg, const char *const *files,
	size_t n, const char *context, char *err, size_t errcap)
{
	struct merged m = { 0 };
	enum cocm_err e = COCM_OK;
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	m.files = COCM_NEWN(struct kfile, n);
	for (i = 0; i < n && e == COCM_OK; i++) {
		char *data, why[256];
		size_t len;

		m.files[i].name = files[i];
		m.files[i].dir = dir_of(files[i]);
		m.nfiles = i + 1;
		e = cocm_kube_config_read(files[i], COCM_KUBE_CONFIG_MAX_FILE, &data, &len, why,
			sizeof(why));
		if (e != COCM_OK) {
			cocm_kube_config_errf(err, errcap, "kubeconfig %s: cannot read: %s", files[i], why);
			break;
		}
		e = parse_file(&m, &m.files[i], data, len, err, errcap);
		free(data);
	}
	if (e == COCM_OK)
		e = resolve(cfg, &m, context, err, errcap);
	merged_finish(&m);
	if (e != COCM_OK)
		cocm_kube_config_finish(cfg);
	return e;
}

enum cocm_err cocm_kube_config_from_yaml(struct cocm_kube_config *cfg, const char *data,
	size_t len, const char *name, const char *dir, const char *context, char *err, size_t errcap)
{
	struct merged m = { 0 };
	enum cocm_err e;

	memset(cfg, 0, sizeof(*cfg));
	m.files = COCM_NEW(struct kfile);
	m.nfiles = 1;
	m.files[0].name = name != NULL ? name : "<memory>";
	m.files[0].dir = dir != NULL ? cocm_xstrdup(dir) : NULL;
	e = parse_file(&m, &m.files[0], data, len, err, errcap);
	if (e == COCM_OK)
		e = resolve(cfg, &m, context, err, errcap);
	merged_finish(&m);
	if (e != COCM_OK)
		cocm_kube_config_finish(cfg);
	return e;
}
