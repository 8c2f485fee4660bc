/* Per-manifest options and the delete option of a ManifestWork (see render.h). */
#include <string.h>

#include "kube/core/json.h"
#include "manifestwork/feedback.h"
#include "manifestwork/kinds.h"
#include "manifestwork/names.h"
#include "manifestwork/render_internal.h"

static cJSON *identifier(const struct cocm_render_entry *e)
{
	cJSON *id = cJSON_CreateObject();
	char plural[300];

	if (e->group[0])
		cJSON_AddStringToObject(id, "group", e->group);
	cJSON_AddStringToObject(id, "resource",
		cocm_kinds_plural(e->group, e->kind, plural, sizeof(plural)));
	cJSON_AddStringToObject(id, "name", e->name);
	if (e->ns[0])
		cJSON_AddStringToObject(id, "namespace", e->ns);
	return id;
}

cJSON *cocm_render_config(const struct cocm_render_entry *e)
{
	cJSON *c = cJSON_CreateObject();
	cJSON *us, *ssa, *ign, *rule, *fbr, *fb, *paths, *p;
	const struct cocm_feedback_kind *k;
	size_t i;

	cJSON_AddItemToObject(c, "resourceIdentifier", identifier(e));
	k = cocm_feedback_for(e->group, e->kind);
	if (k != NULL && k->nrules > 0) {
		fbr = cJSON_AddArrayToObject(c, "feedbackRules");
		fb = cJSON_CreateObject();
		cJSON_AddStringToObject(fb, "type", "JSONPaths");
		paths = cJSON_AddArrayToObject(fb, "jsonPaths");
		for (i = 0; i < k->nrules; i++) {
			p = cJSON_CreateObject();
			cJSON_AddStringToObject(p, "name", k->rules[i].name);
			cJSON_AddStringToObject(p, "path", k->rules[i].path);
			cJSON_AddItemToArray(paths, p);
		}
		cJSON_AddItemToArray(fbr, fb);
	}
	us = cJSON_AddObjectToObject(c, "updateStrategy");
	cJSON_AddStringToObject(us, "type", "ServerSideApply");
	ssa = cJSON_AddObjectToObject(us, "serverSideApply");
	cJSON_AddBoolToObject(ssa, "force", 1);
	cJSON_AddStringToObject(ssa, "fieldManager", COCM_FIELD_MANAGER);
	if (e->ignore_replicas) {
		ign = cJSON_AddArrayToObject(ssa, "ignoreFields");
		rule = cJSON_CreateObject();
		cJSON_AddStringToObject(rule, "condition", "OnSpokePresent");
		paths = cJSON_AddArrayToObject(rule, "jsonPaths");
		cJSON_AddItemToArray(paths, cJSON_CreateString(".spec.replicas"));
		cJSON_AddItemToArray(ign, rule);
	}
	return c;
}

static int orphaned(const struct cocm_render_entry *e)
{
	return e->group[0] == '\0' &&
		(strcmp(e->kind, "Namespace") == 0 || strcmp(e->kind, "PersistentVolumeClaim") == 0);
}

cJSON *cocm_render_delete_option(const struct cocm_render_entry *const *e, size_t n,
	unsigned part)
{
	cJSON *d = cJSON_CreateObject();
	cJSON *rules = NULL, *r;
	size_t i;

	for (i = 0; i < n; i++) {
		if (e[i]->part != part || !orphaned(e[i]))
			continue;
		if (rules == NULL)
			rules = cJSON_CreateArray();
		/* same shape as a resourceIdentifier; "" group / namespace omitted */
		r = identifier(e[i]);
		cJSON_AddItemToArray(rules, r);
	}
	if (rules == NULL) {
		cJSON_AddStringToObject(d, "propagationPolicy", "Foreground");
		return d;
	}
	cJSON_AddStringToObject(d, "propagationPolicy", "SelectivelyOrphan");
	cJSON_AddItemToObject(cJSON_AddObjectToObject(d, "selectivelyOrphans"), "orphaningRules",
		rules);
	return d;
}
