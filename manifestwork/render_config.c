/* Per-manifest options and the delete option of a ManifestWork (see render.h). */
#include <string.h>

#include "kube/core/json.h"
#include "manifestwork/feedback.h"
#include "manifestwork/kinds.h"
#include "manifestwork/names.h"
#include "manifestwork/render_internal.h"

/* Everything here is built in the render's pool (render_internal.h): keys are literals,
 * strings are literals, feedback-table strings, the Release's own (e->name, e->ns) or pool
 * copies. */
static cJSON *add_str(struct cocm_render_pool *p, cJSON *obj, const char *key, const char *value)
{
	return cocm_render_add(obj, key, cocm_render_str(p, value));
}

static cJSON *identifier(struct cocm_render_pool *p, const struct cocm_render_entry *e)
{
	cJSON *id = cocm_render_node(p, cJSON_Object);
	char plural[300];

	if (e->group[0])
		add_str(p, id, "group", cocm_render_strdup(p, e->group));
	add_str(p, id, "resource",
		cocm_render_strdup(p, cocm_kinds_plural(e->group, e->kind, plural, sizeof(plural))));
	add_str(p, id, "name", e->name);
	if (e->ns[0])
		add_str(p, id, "namespace", e->ns);
	return id;
}

cJSON *cocm_render_config(struct cocm_render_pool *p, const struct cocm_render_entry *e)
{
	cJSON *c = cocm_render_node(p, cJSON_Object);
	cJSON *us, *ssa, *rule, *fb, *paths, *q;
	const struct cocm_feedback_kind *k;
	size_t i;

	cocm_render_add(c, "resourceIdentifier", identifier(p, e));
	k = cocm_feedback_for(e->group, e->kind);
	if (k != NULL && k->nrules > 0) {
		fb = cocm_render_node(p, cJSON_Object);
		add_str(p, fb, "type", "JSONPaths");
		paths = cocm_render_add(fb, "jsonPaths", cocm_render_node(p, cJSON_Array));
		for (i = 0; i < k->nrules; i++) {
			q = cocm_render_node(p, cJSON_Object);
			add_str(p, q, "name", k->rules[i].name);
			add_str(p, q, "path", k->rules[i].path);
			cJSON_AddItemToArray(paths, q);
		}
		cJSON_AddItemToArray(cocm_render_add(c, "feedbackRules",
			cocm_render_node(p, cJSON_Array)), fb);
	}
	us = cocm_render_add(c, "updateStrategy", cocm_render_node(p, cJSON_Object));
	add_str(p, us, "type", "ServerSideApply");
	ssa = cocm_render_add(us, "serverSideApply", cocm_render_node(p, cJSON_Object));
	cocm_render_add(ssa, "force", cocm_render_node(p, cJSON_True));
	add_str(p, ssa, "fieldManager", COCM_FIELD_MANAGER);
	if (e->ignore_replicas) {
		rule = cocm_render_node(p, cJSON_Object);
		add_str(p, rule, "condition", "OnSpokePresent");
		paths = cocm_render_add(rule, "jsonPaths", cocm_render_node(p, cJSON_Array));
		cJSON_AddItemToArray(paths, cocm_render_str(p, ".spec.replicas"));
		cJSON_AddItemToArray(cocm_render_add(ssa, "ignoreFields",
			cocm_render_node(p, cJSON_Array)), rule);
	}
	return c;
}

static int orphaned(const struct cocm_render_entry *e)
{
	return e->group[0] == '\0' &&
		(strcmp(e->kind, "Namespace") == 0 || strcmp(e->kind, "PersistentVolumeClaim") == 0);
}

cJSON *cocm_render_delete_option(struct cocm_render_pool *p,
	const struct cocm_render_entry *const *e, size_t n, unsigned part)
{
	cJSON *d = cocm_render_node(p, cJSON_Object);
	cJSON *rules = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		if (e[i]->part != part || !orphaned(e[i]))
			continue;
		if (rules == NULL)
			rules = cocm_render_node(p, cJSON_Array);
		/* same shape as a resourceIdentifier; "" group / namespace omitted */
		cJSON_AddItemToArray(rules, identifier(p, e[i]));
	}
	if (rules == NULL) {
		add_str(p, d, "propagationPolicy", "Foreground");
		return d;
	}
	add_str(p, d, "propagationPolicy", "SelectivelyOrphan");
	cocm_render_add(cocm_render_add(d, "selectivelyOrphans", cocm_render_node(p, cJSON_Object)),
		"orphaningRules", rules);
	return d;
}
