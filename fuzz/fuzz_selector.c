/* Fuzz target: label selectors both ways.
 *   string -> cocm_placement_parse_selector (the ocm.openchoreo.dev/cluster-selector annotation)
 *   object -> cocm_query_label_selector (metav1.LabelSelector -> the labelSelector query value)
 * The input is used as a selector string, and also as a LabelSelector object when it is JSON.
 * Checks: never crashes; errors carry a message; and the two agree: a string the parser takes
 * and the encoder accepts re-encodes to a string that parses to the same object, and an
 * encoded string re-parses and re-encodes to itself. */
#include <string.h>

#include "fuzz/fuzz.h"
#include "fuzz/fuzz_json.h"
#include "kube/core/json.h"
#include "kube/core/log.h"
#include "kube/core/xalloc.h"
#include "kube/query.h"
#include "placement/placement.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	cocm_xalloc_init();
	cocm_log_max = -1;
	return 0;
}

/* 1 when some In/NotIn lists the empty value: the encoder writes it as "()", as client-go
 * does, and the annotation parser refuses "()" on purpose, so such a selector cannot come back. */
static int has_empty_value(const cJSON *sel)
{
	const cJSON *e, *v;

	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(sel, "matchExpressions"))
		cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(e, "values"))
			if (cJSON_IsString(v) && v->valuestring[0] == '\0')
				return 1;
	return 0;
}

static void from_string(const char *s)
{
	char err[256] = "";
	cJSON *sel = cocm_placement_parse_selector(s, err, sizeof(err));
	cocm_fuzz_debug("selector string: %s\n", sel ? "ok" : err);
	if (!sel) {
		cocm_fuzz_check(err[0] != '\0');
		return;
	}
	char *enc = NULL;
	char err2[256] = "";
	if (cocm_query_label_selector(&enc, sel, err2, sizeof(err2)) != COCM_OK) {
		cocm_fuzz_check(enc == NULL && err2[0] != '\0');
		cJSON_Delete(sel);
		return;
	}
	/* The parser's input cap (the annotation's) may be passed: "a!=b" grows to "a notin (b)". */
	if (has_empty_value(sel) || strlen(enc) > COCM_PLACEMENT_SELECTOR_MAX) {
		free(enc);
		cJSON_Delete(sel);
		return;
	}
	cJSON *again = cocm_placement_parse_selector(enc, err2, sizeof(err2));
	if (!again || !cJSON_Compare(sel, again, 1)) {
		fprintf(stderr, "selector %s -> %s does not parse back the same (%s)\n", s, enc,
			again ? "different" : err2);
		cocm_fuzz_check(!"selector round trip");
	}
	cJSON_Delete(again);
	free(enc);
	cJSON_Delete(sel);
}

static void from_object(const cJSON *obj)
{
	char *enc = NULL;
	char err[256] = "";
	enum cocm_err e = cocm_query_label_selector(&enc, obj, err, sizeof(err));
	cocm_fuzz_debug("selector object: %s %s\n", cocm_err_name(e), e == COCM_OK ? enc : err);
	if (e != COCM_OK) {
		cocm_fuzz_check(enc == NULL && err[0] != '\0');
		return;
	}
	cocm_fuzz_check(enc != NULL);
	/* "" selects everything and the annotation parser refuses it; see has_empty_value. */
	if (enc[0] != '\0' && !strstr(enc, "()") && strlen(enc) <= COCM_PLACEMENT_SELECTOR_MAX) {
		cJSON *sel = cocm_placement_parse_selector(enc, err, sizeof(err));
		if (!sel) {
			fprintf(stderr, "encoded selector %s does not parse: %s\n", enc, err);
			cocm_fuzz_check(!"encoded selector parses");
		}
		char *enc2 = NULL;
		cocm_fuzz_check(cocm_query_label_selector(&enc2, sel, err, sizeof(err)) == COCM_OK);
		if (strcmp(enc, enc2) != 0) {
			fprintf(stderr, "selector %s re-encodes as %s\n", enc, enc2);
			cocm_fuzz_check(!"selector re-encodes to itself");
		}
		free(enc2);
		cJSON_Delete(sel);
	}
	free(enc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	char *s = cocm_xstrndup((const char *)data, size);
	from_string(s);
	cJSON *obj = cocm_json_parse((const char *)data, size, NULL, 0);
	if (obj && !cocm_fuzz_dup_keys(obj, 0))
		from_object(obj);
	cJSON_Delete(obj);
	free(s);
	return 0;
}
