/* `choreo-ocm run` flags: a table of flags, one parser, one usage printer. */
#include "hub-addon/flags.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kube/core/xalloc.h"

enum kind { K_STR, K_BOOL, K_INT, K_DOUBLE, K_DUR, K_DUR_OFF };

struct flag {
	const char *name;
	enum kind kind;
	size_t off;
	const char *arg;
	const char *help;
};

#define OFF(field) offsetof(struct cocm_run_flags, field)

static const struct flag flags[] = {
	{ "kubeconfig", K_STR, OFF(kubeconfig), "PATH",
		"kubeconfig of the hub; default $KUBECONFIG, then the in-cluster service account, then "
		"~/.kube/config" },
	{ "context", K_STR, OFF(context), "NAME", "kubeconfig context (default: current-context)" },
	{ "namespace", K_STR, OFF(namespace), "NS",
		"add-on namespace: Lease, Events, Placements of ClusterDataPlanes (default "
		COCM_RUN_DEFAULT_NAMESPACE ")" },
	{ "leader-elect", K_BOOL, OFF(leader_elect), NULL,
		"elect a leader on a coordination.k8s.io Lease; only the leader writes, standbys keep "
		"their caches warm (default false)" },
	{ "leader-election-id", K_STR, OFF(leader_election_id), "NAME",
		"name of the Lease (default " COCM_RUN_DEFAULT_LEASE_ID ")" },
	{ "leader-elect-lease-duration", K_DUR, OFF(lease_duration_s), "DURATION",
		"how long a standby waits before taking over an unrenewed Lease (default 15s)" },
	{ "leader-elect-renew-deadline", K_DUR, OFF(renew_deadline_s), "DURATION",
		"the leader steps down when it could not renew for this long (default 10s)" },
	{ "leader-elect-retry-period", K_DUR, OFF(retry_period_s), "DURATION",
		"interval between acquire/renew attempts (default 2s)" },
	{ "metrics-bind-address", K_STR, OFF(metrics_addr), "ADDR",
		"address of /metrics (Prometheus text); \"0\" disables (default :8080)" },
	{ "health-probe-bind-address", K_STR, OFF(probe_addr), "ADDR",
		"address of /healthz and /readyz; \"0\" disables (default :8081)" },
	{ "qps", K_DOUBLE, OFF(qps), "N", "client-side rate limit to the hub API server (default 50)" },
	{ "burst", K_INT, OFF(burst), "N", "burst above --qps (default 100)" },
	{ "workers", K_INT, OFF(workers), "N", "Releases reconciled concurrently (default 4, max 64)" },
	{ "resync", K_DUR, OFF(resync_s), "DURATION",
		"re-check every Release this often, jittered by up to 10%; a resync writes nothing when "
		"nothing changed; 0 disables (default 10m)" },
	{ "unreachable-toleration", K_DUR, OFF(unreachable_toleration_s), "DURATION",
		"how long a Placement keeps an unreachable cluster selected (default 5m)" },
	{ "orphan-works-after", K_DUR_OFF, OFF(orphan_works_after_s), "DURATION",
		"release a deleted Release whose ManifestWorks are still not removed after this long "
		"(their workloads stay on the clusters); \"off\" never does (default off)" },
	{ "v", K_INT, OFF(verbosity), "N", "log verbosity: 0 info, 1 debug, 2 trace (also -v N)" },
};

void cocm_run_flags_init(struct cocm_run_flags *f)
{
	memset(f, 0, sizeof(*f));
	f->namespace = cocm_xstrdup(COCM_RUN_DEFAULT_NAMESPACE);
	f->leader_election_id = cocm_xstrdup(COCM_RUN_DEFAULT_LEASE_ID);
	f->lease_duration_s = 15;
	f->renew_deadline_s = 10;
	f->retry_period_s = 2;
	f->metrics_addr = cocm_xstrdup(":8080");
	f->probe_addr = cocm_xstrdup(":8081");
	f->qps = 50;
	f->burst = 100;
	f->workers = 4;
	f->resync_s = 600;
	f->unreachable_toleration_s = 300;
	f->orphan_works_after_s = -1;
}

void cocm_run_flags_finish(struct cocm_run_flags *f)
{
	free(f->kubeconfig);
	free(f->context);
	free(f->namespace);
	free(f->leader_election_id);
	free(f->metrics_addr);
	free(f->probe_addr);
	memset(f, 0, sizeof(*f));
}

static const struct {
	const char *unit;
	double mult;
} units[] = {
	/* longest first so "ms" wins over "m" */
	{ "ns", 1e-9 }, { "us", 1e-6 }, { "ms", 1e-3 }, { "s", 1 }, { "m", 60 }, { "h", 3600 },
};

enum cocm_err cocm_duration_parse(const char *s, double *out)
{
	double total = 0;
	const char *p = s;

	if (s == NULL || *s == '\0')
		return COCM_EINVAL;
	if (strcmp(s, "0") == 0) {
		*out = 0;
		return COCM_OK;
	}
	while (*p != '\0') {
		char *end;
		size_t i, best = COCM_ARRAY_LEN(units);
		double v;

		if (!((*p >= '0' && *p <= '9') || *p == '.'))
			return COCM_EINVAL;
		errno = 0;
		v = strtod(p, &end);
		if (end == p || errno != 0 || !isfinite(v) || v < 0)
			return COCM_EINVAL;
		p = end;
		for (i = 0; i < COCM_ARRAY_LEN(units); i++) {
			size_t n = strlen(units[i].unit);

			if (strncmp(p, units[i].unit, n) == 0 &&
				(best == COCM_ARRAY_LEN(units) || n > strlen(units[best].unit)))
				best = i;
		}
		if (best == COCM_ARRAY_LEN(units))
			return COCM_EINVAL;
		p += strlen(units[best].unit);
		total += v * units[best].mult;
		if (total > COCM_RUN_MAX_DURATION_S)
			return COCM_EINVAL;
	}
	*out = total;
	return COCM_OK;
}

enum cocm_err cocm_addr_parse(const char *s, char *host, size_t hostcap, int *port)
{
	const char *colon;
	char *end;
	long long v;
	size_t hl;

	if (s == NULL || hostcap < 64)
		return COCM_EINVAL;
	colon = strrchr(s, ':');
	if (colon == NULL || colon[1] == '\0')
		return COCM_EINVAL;
	errno = 0;
	v = strtoll(colon + 1, &end, 10);
	if (*end != '\0' || errno != 0 || v < 0 || v > 65535)
		return COCM_EINVAL;
	hl = (size_t)(colon - s);
	if (hl >= hostcap)
		return COCM_EINVAL;
	if (hl == 0) {
		memcpy(host, "0.0.0.0", 8);
	} else {
		memcpy(host, s, hl);
		host[hl] = '\0';
		if (host[0] == '[' && hl >= 2 && host[hl - 1] == ']') { /* [::1]:8080 */
			memmove(host, host + 1, hl - 2);
			host[hl - 2] = '\0';
		}
	}
	*port = (int)v;
	return COCM_OK;
}

static int parse_bool(const char *v, int *out)
{
	if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0) {
		*out = 1;
		return 0;
	}
	if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0) {
		*out = 0;
		return 0;
	}
	return -1;
}

static enum cocm_err set_value(struct cocm_run_flags *f, const struct flag *fl, const char *v,
	char *err, size_t errcap)
{
	char *base = (char *)f + fl->off;
	char *end;
	long long iv;
	double dv;

	switch (fl->kind) {
	case K_STR:
		if (*v == '\0') {
			snprintf(err, errcap, "flag --%s: empty value", fl->name);
			return COCM_EINVAL;
		}
		free(*(char **)(void *)base);
		*(char **)(void *)base = cocm_xstrdup(v);
		return COCM_OK;
	case K_BOOL:
		if (parse_bool(v, (int *)(void *)base) != 0) {
			snprintf(err, errcap, "flag --%s: want true or false, got \"%s\"", fl->name, v);
			return COCM_EINVAL;
		}
		return COCM_OK;
	case K_INT:
		errno = 0;
		iv = strtoll(v, &end, 10);
		if (end == v || *end != '\0' || errno != 0 || iv < 0 || iv > 1000000) {
			snprintf(err, errcap, "flag --%s: want a whole number >= 0, got \"%s\"", fl->name, v);
			return COCM_EINVAL;
		}
		*(int *)(void *)base = (int)iv;
		return COCM_OK;
	case K_DOUBLE:
		errno = 0;
		dv = strtod(v, &end);
		if (end == v || *end != '\0' || errno != 0 || !isfinite(dv) || dv < 0) {
			snprintf(err, errcap, "flag --%s: want a number >= 0, got \"%s\"", fl->name, v);
			return COCM_EINVAL;
		}
		*(double *)(void *)base = dv;
		return COCM_OK;
	case K_DUR_OFF:
		if (strcmp(v, "off") == 0) {
			*(double *)(void *)base = -1;
			return COCM_OK;
		}
		__attribute__((fallthrough));
	case K_DUR:
		if (cocm_duration_parse(v, &dv) != COCM_OK) {
			snprintf(err, errcap, "flag --%s: want a duration like 30s, 10m or 1h, got \"%s\"",
				fl->name, v);
			return COCM_EINVAL;
		}
		*(double *)(void *)base = dv;
		return COCM_OK;
	}
	return COCM_EINVAL;
}

static enum cocm_err check(const struct cocm_run_flags *f, char *err, size_t errcap)
{
	char host[64];
	int port;

	if (f->workers < 1 || f->workers > COCM_RUN_MAX_WORKERS) {
		snprintf(err, errcap, "flag --workers: want 1..%d, got %d", COCM_RUN_MAX_WORKERS,
			f->workers);
		return COCM_EINVAL;
	}
	if (f->burst < 1) {
		snprintf(err, errcap, "flag --burst: want >= 1");
		return COCM_EINVAL;
	}
	if (f->qps <= 0) {
		snprintf(err, errcap, "flag --qps: want > 0");
		return COCM_EINVAL;
	}
	if (strcmp(f->metrics_addr, "0") != 0 &&
		cocm_addr_parse(f->metrics_addr, host, sizeof(host), &port) != COCM_OK) {
		snprintf(err, errcap, "flag --metrics-bind-address: want host:port or :port, got \"%s\"",
			f->metrics_addr);
		return COCM_EINVAL;
	}
	if (strcmp(f->probe_addr, "0") != 0 &&
		cocm_addr_parse(f->probe_addr, host, sizeof(host), &port) != COCM_OK) {
		snprintf(err, errcap,
			"flag --health-probe-bind-address: want host:port or :port, got \"%s\"",
			f->probe_addr);
		return COCM_EINVAL;
	}
	if (f->leader_elect && !(f->renew_deadline_s < f->lease_duration_s &&
		f->retry_period_s > 0 && f->retry_period_s < f->renew_deadline_s)) {
		snprintf(err, errcap, "leader election timings: want retry-period < renew-deadline < "
			"lease-duration");
		return COCM_EINVAL;
	}
	return COCM_OK;
}

enum cocm_err cocm_run_flags_parse(struct cocm_run_flags *f, int argc, char **argv, char *err,
	size_t errcap)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *name, *eq, *val = NULL;
		size_t nl, j;
		const struct flag *fl = NULL;
		enum cocm_err e;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			f->help = 1;
			continue;
		}
		if (strncmp(a, "--", 2) == 0)
			name = a + 2;
		else if (a[0] == '-' && a[1] == 'v' && (a[2] == '\0' || a[2] == '='))
			name = a + 1;
		else {
			snprintf(err, errcap, "unexpected argument \"%s\" (see --help)", a);
			return COCM_EINVAL;
		}
		eq = strchr(name, '=');
		nl = eq != NULL ? (size_t)(eq - name) : strlen(name);
		for (j = 0; j < COCM_ARRAY_LEN(flags); j++)
			if (strlen(flags[j].name) == nl && strncmp(flags[j].name, name, nl) == 0)
				fl = &flags[j];
		if (fl == NULL) {
			snprintf(err, errcap, "unknown flag \"%s\" (see --help)", a);
			return COCM_EINVAL;
		}
		if (eq != NULL)
			val = eq + 1;
		else if (fl->kind == K_BOOL)
			val = "true";
		else if (i + 1 < argc)
			val = argv[++i];
		else {
			snprintf(err, errcap, "flag --%s needs a value", fl->name);
			return COCM_EINVAL;
		}
		e = set_value(f, fl, val, err, errcap);
		if (e != COCM_OK)
			return e;
	}
	if (f->help)
		return COCM_OK;
	return check(f, err, errcap);
}

void cocm_run_flags_usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: choreo-ocm run [flags]\n\n"
		     "Runs the hub add-on: watches OpenChoreo Releases/RenderedReleases on the OCM hub,\n"
		     "delivers each to the clusters its DataPlane's Placement selects as ManifestWorks,\n"
		     "and folds the works' status back into the Release. Stops cleanly on SIGTERM/SIGINT.\n\n"
		     "flags:\n");
	for (i = 0; i < COCM_ARRAY_LEN(flags); i++) {
		char head[80];

		if (flags[i].arg != NULL)
			snprintf(head, sizeof(head), "--%s %s", flags[i].name, flags[i].arg);
		else
			snprintf(head, sizeof(head), "--%s", flags[i].name);
		fprintf(out, "  %s\n      %s\n", head, flags[i].help);
	}
	fprintf(out, "  -h, --help\n      show this help\n");
}
