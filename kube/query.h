/* URL building for the API: percent-encoding, query strings, resource paths, label selectors.
 *
 * Paths: /api/v1[/namespaces/<ns>]/<resource>[/<name>[/<subresource>]] for the core group,
 * /apis/<group>/<version>/... otherwise. Every segment is percent-encoded and validated (non-empty,
 * not "." or "..", at most COCM_QUERY_MAX_SEGMENT bytes), so a hostile name cannot walk the path.
 *
 * Query values are encoded as application/x-www-form-urlencoded the way Go's url.Values does
 * (RFC 3986 unreserved bytes kept, ' ' -> "%20" rather than '+', everything else %XX), so
 * selectors such as "app in (a,b),!tier" survive intact. */
#ifndef COCM_KUBE_QUERY_H
#define COCM_KUBE_QUERY_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "kube/client.h"
#include "kube/core/buf.h"
#include "kube/core/err.h"

#define COCM_QUERY_MAX_SEGMENT 253

/* Appends s percent-encoded. COCM_ETOOBIG when the buffer's max is reached. */
enum cocm_err cocm_query_escape(struct cocm_buf *b, const char *s);

/* Query builder: cocm_query_add appends "?k=v" the first time, "&k=v" afterwards (the buffer may
 * already hold a path). NULL or "" values are skipped. */
struct cocm_query {
	struct cocm_buf *buf; /* borrowed */
	int n;                /* private: parameters added so far */
};
void cocm_query_init(struct cocm_query *q, struct cocm_buf *buf);
enum cocm_err cocm_query_add(struct cocm_query *q, const char *key, const char *value);
enum cocm_err cocm_query_add_long(struct cocm_query *q, const char *key, long value);

/* Appends the resource path (see above) to b. ns NULL/"" = no namespace segment (cluster scope or
 * all namespaces); name/sub NULL = none. COCM_EINVAL for a bad segment or a namespaced resource
 * addressed by name without ns, or a cluster-scoped one given ns. */
enum cocm_err cocm_query_path(struct cocm_buf *b, const struct cocm_gvr *r, const char *ns,
	const char *name, const char *sub);

/* Builds the string form of a metav1.LabelSelector object ({"matchLabels":{...},
 * "matchExpressions":[{"key","operator":"In|NotIn|Exists|DoesNotExist","values":[...]}]}):
 * "a=b,c in (x,y),d notin (z),e,!f" in the object's order. NULL or {} selects everything: "".
 * COCM_EINVAL (with a reason in err) for a malformed selector or a key/value holding characters
 * a label cannot hold. *out is a heap string (free()) on success, NULL on error. */
enum cocm_err cocm_query_label_selector(char **out, const cJSON *selector, char *err, size_t errcap);

#endif
