/* A small Prometheus registry: counter, gauge and histogram families with up to two labels,
 * rendered in the text exposition format (version 0.0.4).
 *
 * Families are registered once at start; series are created on first use. Each family holds at
 * most COCM_METRICS_MAX_SERIES series: values for new label combinations beyond that are dropped
 * (and counted in cocm_metrics_dropped_series_total) so an unbounded label can never grow memory.
 * Label values are copied and escaped on output. Not thread-safe (loop thread only). */
#ifndef COCM_HUBADDON_METRICS_H
#define COCM_HUBADDON_METRICS_H

#include "kube/core/buf.h"
#include "kube/core/err.h"

#define COCM_METRICS_MAX_SERIES 256
#define COCM_METRICS_MAX_BUCKETS 16

enum cocm_metric_type { COCM_METRIC_COUNTER, COCM_METRIC_GAUGE, COCM_METRIC_HISTOGRAM };

struct cocm_metrics;
struct cocm_metric;

struct cocm_metrics *cocm_metrics_create(void);
void cocm_metrics_destroy(struct cocm_metrics *m); /* NULL-safe */

/* Registers a family. label1/label2 are label names or NULL. For histograms, buckets holds
 * nbuckets ascending upper bounds (+Inf is implicit; nbuckets <= COCM_METRICS_MAX_BUCKETS);
 * ignored otherwise. name/help must be static strings. The family lives as long as m.
 * Prometheus naming: a name ending in "_total" must be a counter, and a counter's name must end
 * in "_total"; anything else is a programming error and aborts (cocm_metrics_name_ok says). */
struct cocm_metric *cocm_metrics_add(struct cocm_metrics *m, enum cocm_metric_type t,
	const char *name, const char *help, const char *label1, const char *label2,
	const double *buckets, int nbuckets);

/* 1 when name and type follow the "_total" rule above. */
int cocm_metrics_name_ok(const char *name, enum cocm_metric_type t);

/* Label values: pass NULL for labels the family does not have. cocm_metric_set on a counter is
 * for copying a count kept elsewhere (it must never decrease). */
void cocm_metric_inc(struct cocm_metric *f, const char *v1, const char *v2, double delta);
void cocm_metric_set(struct cocm_metric *f, const char *v1, const char *v2, double value);
void cocm_metric_observe(struct cocm_metric *f, const char *v1, const char *v2, double value);
/* Sets every series of a gauge family to 0 (before recomputing labelled gauges). */
void cocm_metric_zero(struct cocm_metric *f);
/* Current value of a counter/gauge series (0 if absent); histogram: the observation count. */
double cocm_metric_value(const struct cocm_metric *f, const char *v1, const char *v2);

/* Appends the exposition text of every family to out. COCM_ETOOBIG if out's max is reached. */
enum cocm_err cocm_metrics_render(const struct cocm_metrics *m, struct cocm_buf *out);

#endif
