/* cocm_status_equal: meaning, not bytes. */
#include <criterion/criterion.h>
#include <string.h>

#include "status-sync/fold.h"

static cJSON *J(const char *s)
{
	cJSON *j = cJSON_Parse(s);

	cr_assert_not_null(j, "bad JSON in test: %s", s);
	return j;
}

static int eq(const char *a, const char *b)
{
	cJSON *x = J(a), *y = J(b);
	int r = cocm_status_equal(x, y), r2 = cocm_status_equal(y, x);

	cr_assert_eq(r, r2, "not symmetric: %s vs %s", a, b);
	cJSON_Delete(x);
	cJSON_Delete(y);
	return r;
}

#define C1 "{\"type\":\"ResourcesApplied\",\"status\":\"True\",\"observedGeneration\":3," \
	   "\"lastTransitionTime\":\"2026-07-01T00:00:00Z\",\"reason\":\"ApplySucceeded\"," \
	   "\"message\":\"ok\"}"
#define C1_LATER "{\"type\":\"ResourcesApplied\",\"status\":\"True\",\"observedGeneration\":3," \
		 "\"lastTransitionTime\":\"2026-08-01T00:00:00Z\",\"reason\":\"ApplySucceeded\"," \
		 "\"message\":\"ok\"}"
#define C1_GEN4 "{\"type\":\"ResourcesApplied\",\"status\":\"True\",\"observedGeneration\":4," \
		"\"lastTransitionTime\":\"2026-07-01T00:00:00Z\",\"reason\":\"ApplySucceeded\"," \
		"\"message\":\"ok\"}"
#define C2 "{\"type\":\"Scheduled\",\"status\":\"True\",\"observedGeneration\":3," \
	   "\"lastTransitionTime\":\"2026-07-01T00:00:00Z\",\"reason\":\"ClustersSelected\"," \
	   "\"message\":\"Scheduled to 1 cluster: a\"}"
#define R1 "{\"id\":\"deployment-web\",\"group\":\"apps\",\"version\":\"v1\",\"kind\":" \
	   "\"Deployment\",\"name\":\"web\",\"status\":{\"replicas\":2,\"readyReplicas\":2}," \
	   "\"healthStatus\":\"Healthy\",\"lastObservedTime\":\"2026-07-01T00:00:00Z\"}"
#define R1_LATER "{\"id\":\"deployment-web\",\"group\":\"apps\",\"version\":\"v1\",\"kind\":" \
		 "\"Deployment\",\"name\":\"web\",\"status\":{\"readyReplicas\":2,\"replicas\":2}," \
		 "\"healthStatus\":\"Healthy\",\"lastObservedTime\":\"2026-08-01T00:00:00Z\"}"
#define R1_DEGRADED "{\"id\":\"deployment-web\",\"group\":\"apps\",\"version\":\"v1\",\"kind\":" \
		    "\"Deployment\",\"name\":\"web\",\"status\":{\"replicas\":2,\"readyReplicas\":2}," \
		    "\"healthStatus\":\"Degraded\",\"lastObservedTime\":\"2026-07-01T00:00:00Z\"}"
#define R1_READY1 "{\"id\":\"deployment-web\",\"group\":\"apps\",\"version\":\"v1\",\"kind\":" \
		  "\"Deployment\",\"name\":\"web\",\"status\":{\"replicas\":2,\"readyReplicas\":1}," \
		  "\"healthStatus\":\"Healthy\",\"lastObservedTime\":\"2026-07-01T00:00:00Z\"}"
#define R2 "{\"id\":\"service-web\",\"version\":\"v1\",\"kind\":\"Service\",\"name\":\"web\"," \
	   "\"healthStatus\":\"Healthy\"}"

Test(equal, identical_and_time_only_churn)
{
	cr_assert(eq("{\"resources\":[" R1 "],\"conditions\":[" C1 "]}",
		"{\"resources\":[" R1 "],\"conditions\":[" C1 "]}"));
	cr_assert(eq("{\"resources\":[" R1 "],\"conditions\":[" C1 "]}",
		"{\"conditions\":[" C1_LATER "],\"resources\":[" R1_LATER "]}"));
}

Test(equal, condition_order_does_not_matter)
{
	cr_assert(eq("{\"conditions\":[" C1 "," C2 "]}", "{\"conditions\":[" C2 "," C1 "]}"));
}

Test(equal, empty_and_absent_lists_are_the_same)
{
	cr_assert(eq("{}", "{\"resources\":[],\"conditions\":[]}"));
	cr_assert(cocm_status_equal(NULL, NULL));
	{
		cJSON *e = J("{\"resources\":[]}");

		cr_assert(cocm_status_equal(NULL, e));
		cr_assert(cocm_status_equal(e, NULL));
		cJSON_Delete(e);
	}
}

Test(equal, real_changes_differ)
{
	cr_assert_not(eq("{\"resources\":[" R1 "]}", "{\"resources\":[" R1_DEGRADED "]}"));
	cr_assert_not(eq("{\"resources\":[" R1 "]}", "{\"resources\":[" R1_READY1 "]}"));
	cr_assert_not(eq("{\"resources\":[" R1 "," R2 "]}", "{\"resources\":[" R2 "," R1 "]}"));
	cr_assert_not(eq("{\"resources\":[" R1 "]}", "{\"resources\":[" R1 "," R2 "]}"));
	cr_assert_not(eq("{\"conditions\":[" C1 "]}", "{\"conditions\":[" C1_GEN4 "]}"));
	cr_assert_not(eq("{\"conditions\":[" C1 "]}", "{\"conditions\":[" C1 "," C2 "]}"));
	cr_assert_not(eq("{\"conditions\":[" C1 "," C1 "]}", "{\"conditions\":[" C1 "," C2 "]}"));
	cr_assert_not(eq("{}", "{\"resources\":[" R2 "]}"));
	cr_assert_not(eq("{\"other\":1}", "{}"));
	cr_assert_not(eq("{\"other\":1}", "{\"other\":2}"));
}

Test(equal, lastobservedtime_appearing_is_not_a_change_but_status_is)
{
	/* A resource whose status object appears is a change even if the health is the same. */
	cr_assert_not(eq("{\"resources\":[" R2 "]}",
		"{\"resources\":[{\"id\":\"service-web\",\"version\":\"v1\",\"kind\":\"Service\","
		"\"name\":\"web\",\"status\":{},\"healthStatus\":\"Healthy\"}]}"));
}
