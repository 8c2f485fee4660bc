/* Prometheus registry: counters with labels, histograms, escaping, the series cap. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "hub-addon/metrics.h"

static struct cocm_metrics *m;
static struct cocm_buf out;

static void setup(void)
{
	m = cocm_metrics_create();
	cocm_buf_init(&out, 1 << 20);
}

static void teardown(void)
{
	cocm_buf_finish(&out);
	cocm_metrics_destroy(m);
}

TestSuite(metrics, .init = setup, .fini = teardown);

Test(metrics, labelled_counter_renders_each_series)
{
	struct cocm_metric *c = cocm_metrics_add(m, COCM_METRIC_COUNTER, "cocm_api_requests_total",
		"API requests.", "verb", "code", NULL, 0);

	cocm_metric_inc(c, "GET", "200", 1);
	cocm_metric_inc(c, "GET", "200", 2);
	cocm_metric_inc(c, "PATCH", "409", 1);
	cr_assert_eq(cocm_metrics_render(m, &out), COCM_OK);
	cr_assert_not_null(strstr(out.data, "# TYPE cocm_api_requests_total counter\n"));
	cr_assert_not_null(strstr(out.data, "cocm_api_requests_total{verb=\"GET\",code=\"200\"} 3\n"));
	cr_assert_not_null(strstr(out.data, "cocm_api_requests_total{verb=\"PATCH\",code=\"409\"} 1\n"));
	cr_assert_float_eq(cocm_metric_value(c, "GET", "200"), 3, 1e-9);
}

Test(metrics, unlabelled_family_shows_zero_before_use)
{
	cocm_metrics_add(m, COCM_METRIC_COUNTER, "cocm_x_total", "X.", NULL, NULL, NULL, 0);
	cr_assert_eq(cocm_metrics_render(m, &out), COCM_OK);
	cr_assert_not_null(strstr(out.data, "\ncocm_x_total 0\n"));
}

Test(metrics, histogram_buckets_are_cumulative)
{
	static const double b[] = { 0.1, 1, 10 };
	struct cocm_metric *h = cocm_metrics_add(m, COCM_METRIC_HISTOGRAM, "lat_seconds", "L.", NULL,
		NULL, b, 3);

	cocm_metric_observe(h, NULL, NULL, 0.05);
	cocm_metric_observe(h, NULL, NULL, 0.5);
	cocm_metric_observe(h, NULL, NULL, 50);
	cr_assert_eq(cocm_metrics_render(m, &out), COCM_OK);
	cr_assert_not_null(strstr(out.data, "lat_seconds_bucket{le=\"0.1\"} 1\n"));
	cr_assert_not_null(strstr(out.data, "lat_seconds_bucket{le=\"1\"} 2\n"));
	cr_assert_not_null(strstr(out.data, "lat_seconds_bucket{le=\"10\"} 2\n"));
	cr_assert_not_null(strstr(out.data, "lat_seconds_bucket{le=\"+Inf\"} 3\n"));
	cr_assert_not_null(strstr(out.data, "lat_seconds_sum 50.55\n"));
	cr_assert_not_null(strstr(out.data, "lat_seconds_count 3\n"));
}

Test(metrics, label_values_are_escaped)
{
	struct cocm_metric *g = cocm_metrics_add(m, COCM_METRIC_GAUGE, "g", "G.", "k", NULL, NULL, 0);

	cocm_metric_set(g, "a\"b\\c\nd", NULL, 7);
	cr_assert_eq(cocm_metrics_render(m, &out), COCM_OK);
	cr_assert_not_null(strstr(out.data, "g{k=\"a\\\"b\\\\c\\nd\"} 7\n"), "%s", out.data);
}

Test(metrics, series_cap_drops_and_counts)
{
	struct cocm_metric *c = cocm_metrics_add(m, COCM_METRIC_COUNTER, "c_total", "C.", "k", NULL,
		NULL, 0);
	char v[32];
	int i;

	for (i = 0; i < COCM_METRICS_MAX_SERIES + 10; i++) {
		snprintf(v, sizeof(v), "v%d", i);
		cocm_metric_inc(c, v, NULL, 1);
	}
	cr_assert_float_eq(cocm_metric_value(c, "v0", NULL), 1, 1e-9);
	cr_assert_float_eq(cocm_metric_value(c, "v300", NULL), 0, 1e-9);
	cr_assert_eq(cocm_metrics_render(m, &out), COCM_OK);
	cr_assert_not_null(strstr(out.data, "cocm_metrics_dropped_series_total 10\n"));
}

Test(metrics, zero_resets_gauges)
{
	struct cocm_metric *g = cocm_metrics_add(m, COCM_METRIC_GAUGE, "rel", "R.", "health", NULL,
		NULL, 0);

	cocm_metric_set(g, "Healthy", NULL, 4);
	cocm_metric_zero(g);
	cocm_metric_inc(g, "Degraded", NULL, 1);
	cr_assert_float_eq(cocm_metric_value(g, "Healthy", NULL), 0, 1e-9);
	cr_assert_float_eq(cocm_metric_value(g, "Degraded", NULL), 1, 1e-9);
}

Test(metrics, total_names_are_counters_only)
{
	cr_assert(cocm_metrics_name_ok("cocm_watch_restarts_total", COCM_METRIC_COUNTER));
	cr_assert_not(cocm_metrics_name_ok("cocm_watch_restarts_total", COCM_METRIC_GAUGE));
	cr_assert_not(cocm_metrics_name_ok("cocm_events_total", COCM_METRIC_HISTOGRAM));
	cr_assert_not(cocm_metrics_name_ok("cocm_reconciles", COCM_METRIC_COUNTER));
	cr_assert_not(cocm_metrics_name_ok("_total", COCM_METRIC_COUNTER));
	cr_assert(cocm_metrics_name_ok("cocm_workqueue_depth", COCM_METRIC_GAUGE));
	cr_assert(cocm_metrics_name_ok("cocm_totally", COCM_METRIC_GAUGE));
}

Test(metrics, gauge_named_total_aborts, .signal = SIGABRT)
{
	cocm_metrics_add(m, COCM_METRIC_GAUGE, "cocm_relists_total", "R.", "resource", NULL, NULL,
		0);
}

/* a running count kept elsewhere (informer stats) copied in at scrape time: still a counter */
Test(metrics, copied_count_renders_as_counter)
{
	struct cocm_metric *c = cocm_metrics_add(m, COCM_METRIC_COUNTER, "cocm_relists_total",
		"Relists.", "resource", NULL, NULL, 0);

	cocm_metric_set(c, "releases", NULL, 2);
	cocm_metric_set(c, "releases", NULL, 5);
	cr_assert_eq(cocm_metrics_render(m, &out), COCM_OK);
	cr_assert_not_null(strstr(out.data, "# TYPE cocm_relists_total counter\n"));
	cr_assert_not_null(strstr(out.data, "cocm_relists_total{resource=\"releases\"} 5\n"));
}
