/* Prometheus registry and text rendering (see metrics.h). */
#include "hub-addon/metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/core/xalloc.h"

struct series {
	char *v1, *v2;
	double value; /* counter/gauge; histogram: sum */
	unsigned long long count;
	unsigned long long buckets[COCM_METRICS_MAX_BUCKETS];
};

struct cocm_metric {
	struct cocm_metrics *owner;
	enum cocm_metric_type type;
	const char *name, *help, *l1, *l2;
	double bounds[COCM_METRICS_MAX_BUCKETS];
	int nbounds;
	struct series *series;
	int nseries, capseries;
	struct cocm_metric *next;
};

struct cocm_metrics {
	struct cocm_metric *head, *tail;
	unsigned long long dropped;
};

struct cocm_metrics *cocm_metrics_create(void)
{
	return COCM_NEW(struct cocm_metrics);
}

void cocm_metrics_destroy(struct cocm_metrics *m)
{
	struct cocm_metric *f, *next;
	int i;

	if (m == NULL)
		return;
	for (f = m->head; f != NULL; f = next) {
		next = f->next;
		for (i = 0; i < f->nseries; i++) {
			free(f->series[i].v1);
			free(f->series[i].v2);
		}
		free(f->series);
		free(f);
	}
	free(m);
}

int cocm_metrics_name_ok(const char *name, enum cocm_metric_type t)
{
	size_t n = strlen(name), k = strlen("_total");
	int total = n > k && strcmp(name + n - k, "_total") == 0;

	return total == (t == COCM_METRIC_COUNTER);
}

struct cocm_metric *cocm_metrics_add(struct cocm_metrics *m, enum cocm_metric_type t,
	const char *name, const char *help, const char *label1, const char *label2,
	const double *buckets, int nbuckets)
{
	struct cocm_metric *f;
	int i;

	if (!cocm_metrics_name_ok(name, t)) {
		fprintf(stderr, "metrics: %s: a name ending in _total must be a counter, and a "
			"counter's name must end in _total\n", name);
		abort();
	}
	f = COCM_NEW(struct cocm_metric);

	f->owner = m;
	f->type = t;
	f->name = name;
	f->help = help;
	f->l1 = label1;
	f->l2 = label1 != NULL ? label2 : NULL;
	if (t == COCM_METRIC_HISTOGRAM) {
		if (nbuckets > COCM_METRICS_MAX_BUCKETS)
			nbuckets = COCM_METRICS_MAX_BUCKETS;
		for (i = 0; i < nbuckets; i++)
			f->bounds[i] = buckets[i];
		f->nbounds = nbuckets;
	}
	if (m->tail != NULL)
		m->tail->next = f;
	else
		m->head = f;
	m->tail = f;
	return f;
}

static int streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static struct series *find(struct cocm_metric *f, const char *v1, const char *v2, int create)
{
	int i;
	struct series *s;

	if (f->l1 == NULL)
		v1 = NULL;
	else if (v1 == NULL)
		v1 = "";
	if (f->l2 == NULL)
		v2 = NULL;
	else if (v2 == NULL)
		v2 = "";
	for (i = 0; i < f->nseries; i++)
		if (streq(f->series[i].v1, v1) && streq(f->series[i].v2, v2))
			return &f->series[i];
	if (!create)
		return NULL;
	if (f->nseries >= COCM_METRICS_MAX_SERIES) {
		f->owner->dropped++;
		return NULL;
	}
	if (f->nseries == f->capseries) {
		f->capseries = f->capseries ? f->capseries * 2 : 4;
		f->series = cocm_xrealloc(f->series, (size_t)f->capseries * sizeof(*f->series));
	}
	s = &f->series[f->nseries++];
	memset(s, 0, sizeof(*s));
	s->v1 = v1 != NULL ? cocm_xstrdup(v1) : NULL;
	s->v2 = v2 != NULL ? cocm_xstrdup(v2) : NULL;
	return s;
}

void cocm_metric_inc(struct cocm_metric *f, const char *v1, const char *v2, double delta)
{
	struct series *s = find(f, v1, v2, 1);

	if (s != NULL)
		s->value += delta;
}

void cocm_metric_set(struct cocm_metric *f, const char *v1, const char *v2, double value)
{
	struct series *s = find(f, v1, v2, 1);

	if (s != NULL)
		s->value = value;
}

void cocm_metric_observe(struct cocm_metric *f, const char *v1, const char *v2, double value)
{
	struct series *s = find(f, v1, v2, 1);
	int i;

	if (s == NULL)
		return;
	s->value += value;
	s->count++;
	for (i = 0; i < f->nbounds; i++)
		if (value <= f->bounds[i])
			s->buckets[i]++;
}

void cocm_metric_zero(struct cocm_metric *f)
{
	int i;

	for (i = 0; i < f->nseries; i++)
		f->series[i].value = 0;
}

double cocm_metric_value(const struct cocm_metric *f, const char *v1, const char *v2)
{
	const struct series *s = find((struct cocm_metric *)f, v1, v2, 0);

	if (s == NULL)
		return 0;
	return f->type == COCM_METRIC_HISTOGRAM ? (double)s->count : s->value;
}

static enum cocm_err put_escaped(struct cocm_buf *out, const char *v)
{
	enum cocm_err e = COCM_OK;

	for (; *v != '\0' && e == COCM_OK; v++) {
		if (*v == '\\')
			e = cocm_buf_puts(out, "\\\\");
		else if (*v == '"')
			e = cocm_buf_puts(out, "\\\"");
		else if (*v == '\n')
			e = cocm_buf_puts(out, "\\n");
		else
			e = cocm_buf_append(out, v, 1);
	}
	return e;
}

/* {l1="v1",l2="v2"[,le="x"]} or nothing */
static enum cocm_err put_labels(struct cocm_buf *out, const struct cocm_metric *f,
	const struct series *s, const char *le)
{
	enum cocm_err e = COCM_OK;

	if (f->l1 == NULL && le == NULL)
		return COCM_OK;
	e = cocm_buf_puts(out, "{");
	if (e == COCM_OK && f->l1 != NULL) {
		e = cocm_buf_printf(out, "%s=\"", f->l1);
		if (e == COCM_OK)
			e = put_escaped(out, s->v1);
		if (e == COCM_OK)
			e = cocm_buf_puts(out, "\"");
		if (e == COCM_OK && f->l2 != NULL) {
			e = cocm_buf_printf(out, ",%s=\"", f->l2);
			if (e == COCM_OK)
				e = put_escaped(out, s->v2);
			if (e == COCM_OK)
				e = cocm_buf_puts(out, "\"");
		}
	}
	if (e == COCM_OK && le != NULL)
		e = cocm_buf_printf(out, "%sle=\"%s\"", f->l1 != NULL ? "," : "", le);
	if (e == COCM_OK)
		e = cocm_buf_puts(out, "}");
	return e;
}

static void fmt_num(char *buf, size_t cap, double v)
{
	if (isinf(v))
		snprintf(buf, cap, v > 0 ? "+Inf" : "-Inf");
	else if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, cap, "%.0f", v);
	else
		snprintf(buf, cap, "%.9g", v);
}

static enum cocm_err render_family(const struct cocm_metric *f, struct cocm_buf *out)
{
	static const char *types[] = { "counter", "gauge", "histogram" };
	enum cocm_err e;
	int i, b;
	char num[64];

	e = cocm_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name,
		types[f->type]);
	if (e == COCM_OK && f->nseries == 0 && f->l1 == NULL && f->type != COCM_METRIC_HISTOGRAM)
		e = cocm_buf_printf(out, "%s 0\n", f->name);
	for (i = 0; i < f->nseries && e == COCM_OK; i++) {
		const struct series *s = &f->series[i];

		if (f->type != COCM_METRIC_HISTOGRAM) {
			fmt_num(num, sizeof(num), s->value);
			e = cocm_buf_puts(out, f->name);
			if (e == COCM_OK)
				e = put_labels(out, f, s, NULL);
			if (e == COCM_OK)
				e = cocm_buf_printf(out, " %s\n", num);
			continue;
		}
		for (b = 0; b <= f->nbounds && e == COCM_OK; b++) {
			char le[64];
			unsigned long long n = b < f->nbounds ? s->buckets[b] : s->count;

			fmt_num(le, sizeof(le), b < f->nbounds ? f->bounds[b] : INFINITY);
			e = cocm_buf_printf(out, "%s_bucket", f->name);
			if (e == COCM_OK)
				e = put_labels(out, f, s, le);
			if (e == COCM_OK)
				e = cocm_buf_printf(out, " %llu\n", n);
		}
		fmt_num(num, sizeof(num), s->value);
		if (e == COCM_OK)
			e = cocm_buf_printf(out, "%s_sum", f->name);
		if (e == COCM_OK)
			e = put_labels(out, f, s, NULL);
		if (e == COCM_OK)
			e = cocm_buf_printf(out, " %s\n%s_count", num, f->name);
		if (e == COCM_OK)
			e = put_labels(out, f, s, NULL);
		if (e == COCM_OK)
			e = cocm_buf_printf(out, " %llu\n", s->count);
	}
	return e;
}

enum cocm_err cocm_metrics_render(const struct cocm_metrics *m, struct cocm_buf *out)
{
	const struct cocm_metric *f;
	enum cocm_err e = COCM_OK;

	for (f = m->head; f != NULL && e == COCM_OK; f = f->next)
		e = render_family(f, out);
	if (e == COCM_OK)
		e = cocm_buf_printf(out, "# HELP cocm_metrics_dropped_series_total Series not recorded "
			"because a family reached its series cap.\n"
			"# TYPE cocm_metrics_dropped_series_total counter\n"
			"cocm_metrics_dropped_series_total %llu\n", m->dropped);
	return e;
}
