/* Watch frame decoding, shared by the client's watch stream and the informer tests. */
#include "kube/watchevent.h"

#include <stdio.h>
#include <string.h>

#include "kube/core/json.h"
#include "kube/core/xalloc.h"

static const char *const names[] = {
	[COCM_WATCH_ADDED] = "ADDED",
	[COCM_WATCH_MODIFIED] = "MODIFIED",
	[COCM_WATCH_DELETED] = "DELETED",
	[COCM_WATCH_BOOKMARK] = "BOOKMARK",
	[COCM_WATCH_ERROR] = "ERROR",
};

const char *cocm_watchevent_type_name(enum cocm_watch_ev type)
{
	if ((unsigned)type < COCM_ARRAY_LEN(names))
		return names[type];
	return "UNKNOWN";
}

static void fail(char *err, size_t errcap, const char *msg)
{
	if (err != NULL && errcap > 0)
		snprintf(err, errcap, "%s", msg);
}

enum cocm_err cocm_watchevent_decode(struct cocm_watch_event *ev, const char *frame, size_t len,
	char *err, size_t errcap)
{
	const char *type;
	size_t i;

	memset(ev, 0, sizeof(*ev));
	ev->root = cocm_json_parse(frame, len, err, errcap);
	if (ev->root == NULL)
		return COCM_EPARSE;
	if (!cJSON_IsObject(ev->root)) {
		fail(err, errcap, "watch frame is not a JSON object");
		goto bad;
	}
	type = cocm_json_str(ev->root, "type", NULL);
	if (type == NULL) {
		fail(err, errcap, "watch frame has no string \"type\"");
		goto bad;
	}
	for (i = 0; i < COCM_ARRAY_LEN(names); i++)
		if (strcmp(type, names[i]) == 0)
			break;
	if (i == COCM_ARRAY_LEN(names)) {
		fail(err, errcap, "watch frame has an unknown \"type\"");
		goto bad;
	}
	ev->type = (enum cocm_watch_ev)i;
	ev->object = cJSON_GetObjectItemCaseSensitive(ev->root, "object");
	if (!cJSON_IsObject(ev->object)) {
		fail(err, errcap, "watch frame has no object \"object\"");
		goto bad;
	}
	ev->rv = cocm_json_str(ev->object, "metadata", "resourceVersion", NULL);
	ev->reason = "";
	ev->message = "";
	if (ev->type == COCM_WATCH_ERROR) {
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(ev->object, "code");
		const char *s;

		if (cJSON_IsNumber(code) && code->valuedouble >= 0 && code->valuedouble < 1000)
			ev->code = (int)code->valuedouble;
		s = cocm_json_str(ev->object, "reason", NULL);
		if (s != NULL)
			ev->reason = s;
		s = cocm_json_str(ev->object, "message", NULL);
		if (s != NULL)
			ev->message = s;
	}
	return COCM_OK;
bad:
	cJSON_Delete(ev->root);
	memset(ev, 0, sizeof(*ev));
	return COCM_EPARSE;
}

void cocm_watchevent_finish(struct cocm_watch_event *ev)
{
	cJSON_Delete(ev->root);
	memset(ev, 0, sizeof(*ev));
}

enum cocm_err cocm_watchevent_err(int code, const char *reason)
{
	if (code == 410 || (reason != NULL &&
			(strcmp(reason, "Expired") == 0 || strcmp(reason, "Gone") == 0)))
		return COCM_EGONE;
	if (code == 401 || code == 403)
		return COCM_EAUTH;
	if (code == 404)
		return COCM_ENOTFOUND;
	if (code == 429 || code >= 500)
		return COCM_ERETRY;
	return COCM_EHTTP;
}
