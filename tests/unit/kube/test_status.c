/* Status body decoding and HTTP status -> cocm_err mapping. */
#include <criterion/criterion.h>
#include <string.h>

#include "kube/status.h"

static enum cocm_err dec(struct cocm_api_status *st, int code, const char *body)
{
	return cocm_status_decode(st, code, body, body != NULL ? strlen(body) : 0);
}

Test(status, conflict_vs_already_exists_by_reason)
{
	struct cocm_api_status st;

	cr_assert_eq(dec(&st, 409, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
		"\"message\":\"releases \\\"r1\\\" already exists\",\"reason\":\"AlreadyExists\",\"code\":409}"),
		COCM_EEXIST);
	cr_assert_eq(st.code, 409);
	cr_assert_str_eq(st.reason, "AlreadyExists");
	cr_assert_str_eq(st.message, "releases \"r1\" already exists");
	cr_assert_eq(dec(&st, 409, "{\"kind\":\"Status\",\"reason\":\"Conflict\",\"message\":"
		"\"the object has been modified\",\"code\":409}"), COCM_ECONFLICT);
	cr_assert_str_eq(st.reason, "Conflict");
}

Test(status, not_found_gone_invalid_auth_retry)
{
	struct cocm_api_status st;

	cr_assert_eq(dec(&st, 404, "{\"kind\":\"Status\",\"reason\":\"NotFound\",\"code\":404}"),
		COCM_ENOTFOUND);
	cr_assert_eq(dec(&st, 410, "{\"kind\":\"Status\",\"reason\":\"Expired\",\"message\":"
		"\"too old resource version: 1 (5)\",\"code\":410}"), COCM_EGONE);
	cr_assert_str_eq(st.reason, "Expired");
	cr_assert_eq(dec(&st, 410, NULL), COCM_EGONE);
	cr_assert_str_eq(st.reason, "Gone");
	cr_assert_eq(dec(&st, 422, "{\"kind\":\"Status\",\"reason\":\"Invalid\",\"message\":"
		"\"spec.x: Required value\",\"code\":422,\"details\":{\"causes\":[]}}"), COCM_EINVALID);
	cr_assert_eq(dec(&st, 401, NULL), COCM_EAUTH);
	cr_assert_eq(dec(&st, 403, "{\"kind\":\"Status\",\"reason\":\"Forbidden\"}"), COCM_EAUTH);
	cr_assert_eq(dec(&st, 429, NULL), COCM_ERETRY);
	cr_assert_eq(dec(&st, 500, NULL), COCM_ERETRY);
	cr_assert_eq(dec(&st, 503, NULL), COCM_ERETRY);
	cr_assert_eq(dec(&st, 400, NULL), COCM_EINVAL);
	cr_assert_eq(dec(&st, 418, NULL), COCM_EHTTP);
	cr_assert_eq(dec(&st, 200, "{}"), COCM_OK);
	cr_assert_eq(dec(&st, 201, NULL), COCM_OK);
}

Test(status, expired_reason_wins_over_code)
{
	/* a watch ERROR or a 500 carrying reason Expired still means "relist" */
	cr_assert_eq(cocm_status_map(500, "Expired"), COCM_EGONE);
	cr_assert_eq(cocm_status_map(409, NULL), COCM_ECONFLICT);
}

Test(status, non_status_body_kept_readable)
{
	struct cocm_api_status st;

	cr_assert_eq(dec(&st, 502, "<html>\r\nBad gateway\n</html>"), COCM_ERETRY);
	cr_assert_eq(st.code, 502);
	cr_assert_str_eq(st.reason, "");
	cr_assert_str_eq(st.message, "<html>  Bad gateway </html>");
	cr_assert_eq(dec(&st, 404, "{\"kind\":\"Pod\"}"), COCM_ENOTFOUND);
	cr_assert_str_eq(st.reason, "NotFound");
	cr_assert_eq(dec(&st, 404, "{not json"), COCM_ENOTFOUND);
	cr_assert_str_eq(st.message, "{not json");
}

Test(status, long_fields_truncated_and_terminated)
{
	struct cocm_api_status st;
	char body[4096], msg[2000];

	memset(msg, 'm', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	snprintf(body, sizeof(body), "{\"kind\":\"Status\",\"reason\":\"%s\",\"message\":\"%s\","
		"\"code\":99999}", "R2345678901234567890123456789012345678901234567890123456789012345678901234567890",
		msg);
	cr_assert_eq(dec(&st, 422, body), COCM_EINVALID);
	cr_assert_eq(strlen(st.reason), sizeof(st.reason) - 1);
	cr_assert_eq(strlen(st.message), sizeof(st.message) - 1);
	cr_assert_eq(st.code, 422); /* an absurd code in the body is ignored */
}
