/* The feedback-rule table: the one list, shared by render (manifestwork/) and the fold
 * (status-sync/), of which fields the work agent reports back for each kind.
 *
 * For every kind listed here, render adds one JSONPaths feedback rule to the resource's
 * manifestConfig with exactly these {name, path} pairs, in table order. The fold looks values
 * up by name: names are unique per kind, and never change meaning (renaming one orphans the
 * value on works rendered by an older version). Values are scalars (Integer, String,
 * Boolean), as the agent reports with its default feature gates; a path that does not exist
 * yet on the spoke object yields no value (absence is not an error).
 *
 * status_path says where the fold puts the value when it rebuilds the object's `.status`
 * (relative to .status; NULL = used for health only, not part of .status):
 *   "a.b"                  -> {"a":{"b":v}}
 *   "conditions[Ready].x"  -> {"conditions":[{"type":"Ready","x":v}]}   (list keyed by type)
 *   "parents[0].y"         -> {"parents":[{"y":v}]}                      (list index)
 * The same table is documented for operators in docs/status.md. */
#ifndef COCM_MANIFESTWORK_FEEDBACK_H
#define COCM_MANIFESTWORK_FEEDBACK_H

#include <stddef.h>

enum cocm_fb_type {
	COCM_FB_INTEGER,
	COCM_FB_STRING,
	COCM_FB_BOOLEAN,
};

struct cocm_feedback_rule {
	const char *name;        /* feedback alias, unique within the kind */
	const char *path;        /* Kubernetes JSONPath evaluated on the whole object */
	const char *status_path; /* where it goes in the rebuilt .status, or NULL */
	enum cocm_fb_type type;  /* the type the agent reports */
};

struct cocm_feedback_kind {
	const char *group; /* "" for core */
	const char *kind;
	const struct cocm_feedback_rule *rules;
	size_t nrules;
};

/* The rules for group/kind, or NULL when the kind has none (it is then judged by existence). */
const struct cocm_feedback_kind *cocm_feedback_for(const char *group, const char *kind);
/* One rule of that kind by name, or NULL. */
const struct cocm_feedback_rule *cocm_feedback_rule(const struct cocm_feedback_kind *k,
	const char *name);
/* Every kind, for docs and tests: *n receives the count. */
const struct cocm_feedback_kind *cocm_feedback_all(size_t *n);

#endif
