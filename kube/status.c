/* Status body decoding and HTTP-status -> cocm_err mapping (see status.h). */
#include "kube/status.h"

#include <string.h>

#include "kube/core/json.h"

static int reason_is(const char *reason, const char *want)
{
	return reason != NULL && strcmp(reason, want) == 0;
}

enum cocm_err cocm_status_map(int http_status, const char *reason)
{
	if (http_status >= 200 && http_status < 300)
		return COCM_OK;
	if (reason_is(reason, "Expired") || reason_is(reason, "Gone"))
		return COCM_EGONE;
	switch (http_status) {
	case 400: return COCM_EINVAL;
	case 401:
	case 403: return COCM_EAUTH;
	case 404: return COCM_ENOTFOUND;
	case 409: return reason_is(reason, "AlreadyExists") ? COCM_EEXIST : COCM_ECONFLICT;
	case 410: return COCM_EGONE;
	case 422: return COCM_EINVALID;
	case 429: return COCM_ERETRY;
	default: break;
	}
	if (http_status >= 500 && http_status < 600)
		return COCM_ERETRY;
	return COCM_EHTTP;
}

const char *cocm_status_reason_for(int http_status)
{
	switch (http_status) {
	case 400: return "BadRequest";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "NotFound";
	case 405: return "MethodNotAllowed";
	case 406: return "NotAcceptable";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 413: return "RequestEntityTooLarge";
	case 415: return "UnsupportedMediaType";
	case 422: return "Invalid";
	case 429: return "TooManyRequests";
	case 500: return "InternalError";
	case 503: return "ServiceUnavailable";
	case 504: return "Timeout";
	default: return "";
	}
}

/* Copies at most cap-1 bytes of s[0..n), replacing control bytes with ' '. */
static void copy_clean(char *dst, size_t cap, const char *s, size_t n)
{
	size_t i;

	if (n > cap - 1)
		n = cap - 1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		dst[i] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
	}
	dst[n] = '\0';
}

static void copy_str(char *dst, size_t cap, const char *s)
{
	copy_clean(dst, cap, s, strlen(s));
}

enum cocm_err cocm_status_decode(struct cocm_api_status *st, int http_status, const char *body,
	size_t len)
{
	cJSON *root = NULL;
	const char *kind, *reason, *message;
	int64_t code;

	memset(st, 0, sizeof(*st));
	st->code = http_status;
	if (body != NULL && len > 0)
		root = cocm_json_parse(body, len, NULL, 0);
	kind = root != NULL ? cocm_json_str(root, "kind", NULL) : NULL;
	if (root != NULL && cJSON_IsObject(root) && kind != NULL && strcmp(kind, "Status") == 0) {
		reason = cocm_json_str(root, "reason", NULL);
		message = cocm_json_str(root, "message", NULL);
		if (cocm_json_int(&code, root, "code", NULL) == COCM_OK && code >= 100 && code < 600)
			st->code = (int)code;
		copy_str(st->reason, sizeof(st->reason),
			reason != NULL ? reason : cocm_status_reason_for(http_status));
		if (message != NULL)
			copy_str(st->message, sizeof(st->message), message);
	} else {
		copy_str(st->reason, sizeof(st->reason), cocm_status_reason_for(http_status));
		if (body != NULL)
			copy_clean(st->message, sizeof(st->message), body, len);
	}
	cJSON_Delete(root);
	return cocm_status_map(http_status, st->reason);
}
