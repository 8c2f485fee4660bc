/* Decodes one watch frame: {"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{...}}.
 *
 * On success ev->root owns the parsed frame and ev->object points into it (borrowed from root);
 * release with cocm_watchevent_finish(). A caller that wants to keep the object detaches it
 * (cJSON_DetachItemViaPointer(ev->root, ev->object)) before finishing.
 * For BOOKMARK, ev->rv is the bookmark's resourceVersion (the object carries nothing else useful).
 * For every type, ev->rv is the object's metadata.resourceVersion when present (NULL otherwise).
 * For ERROR, the object is a metav1.Status: ev->code/reason/message are filled from it
 * (code 0 / "" when absent) and cocm_watchevent_err() maps it (410 or reason Expired/Gone ->
 * COCM_EGONE, as client-go's watcher does, so the informer relists).
 *
 * Errors: COCM_EPARSE for anything that is not such a frame (bad JSON, unknown type, missing or
 * non-object "object"), with a short reason in err (may be NULL). ev is zeroed on error. */
#ifndef COCM_KUBE_WATCHEVENT_H
#define COCM_KUBE_WATCHEVENT_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "kube/client.h"
#include "kube/core/err.h"

struct cocm_watch_event {
	enum cocm_watch_ev type;
	cJSON *root;         /* owned */
	cJSON *object;       /* borrowed from root */
	const char *rv;      /* borrowed from root, may be NULL */
	int code;            /* ERROR only */
	const char *reason;  /* ERROR only; never NULL after a successful decode ("" if absent) */
	const char *message; /* ERROR only; never NULL after a successful decode */
};

enum cocm_err cocm_watchevent_decode(struct cocm_watch_event *ev, const char *frame, size_t len,
	char *err, size_t errcap);
void cocm_watchevent_finish(struct cocm_watch_event *ev);

/* Maps an ERROR event's Status to an error code: 410 / Expired / Gone -> COCM_EGONE, 401/403 ->
 * COCM_EAUTH, 404 -> COCM_ENOTFOUND, 429/5xx -> COCM_ERETRY, anything else -> COCM_EHTTP. */
enum cocm_err cocm_watchevent_err(int code, const char *reason);

/* "ADDED", ...; never NULL. */
const char *cocm_watchevent_type_name(enum cocm_watch_ev type);

#endif
