/* Decoding API errors: the HTTP status plus the metav1.Status body the API server sends with it
 * ({"kind":"Status","status":"Failure","reason":"AlreadyExists","message":"...","code":409}).
 *
 * Mapping (client-go's apierrors, reduced to what controllers act on):
 *   2xx -> COCM_OK; 400 -> COCM_EINVAL; 401/403 -> COCM_EAUTH; 404 -> COCM_ENOTFOUND;
 *   409 -> COCM_EEXIST when reason is "AlreadyExists", else COCM_ECONFLICT;
 *   410, or any code with reason "Expired"/"Gone" -> COCM_EGONE; 422 -> COCM_EINVALID;
 *   429 and 5xx -> COCM_ERETRY; anything else -> COCM_EHTTP.
 * Pure functions, no allocation kept. */
#ifndef COCM_KUBE_STATUS_H
#define COCM_KUBE_STATUS_H

#include <stddef.h>

#include "kube/client.h"
#include "kube/core/err.h"

/* Maps an HTTP status and a Status reason (may be NULL) to an error code. */
enum cocm_err cocm_status_map(int http_status, const char *reason);

/* Fills st from a response: code = the Status "code" when present and sane, else http_status;
 * reason/message from the body when it is a Status, else reason = the standard reason phrase for
 * http_status ("NotFound", ...) and message = the start of the body with control bytes replaced
 * (a proxy's text/html answer stays readable). Strings are truncated to fit and always
 * NUL-terminated. body may be NULL (len 0). Returns cocm_status_map(http_status, reason). */
enum cocm_err cocm_status_decode(struct cocm_api_status *st, int http_status, const char *body,
	size_t len);

/* The reason Kubernetes uses for a code with no Status body ("NotFound", "Conflict", ...), or
 * "" when none is standard. Never NULL. */
const char *cocm_status_reason_for(int http_status);

#endif
