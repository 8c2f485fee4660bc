/* `choreo-ocm run`: flags, config, discovery, controller, leader election, probe and metrics
 * servers, and the SIGTERM/SIGINT drain:
 *   signal -> the controller drains (queue closed, in-flight reconciles finish, informers stop)
 *   -> the Lease is released -> the client closes -> the HTTP servers close -> the loop ends
 *   with uv_loop_close() == 0. A second signal during the drain exits at once (code 3). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub-addon/cli.h"
#include "hub-addon/controller.h"
#include "hub-addon/flags.h"
#include "hub-addon/httpd.h"
#include "kube/backoff.h"
#include "kube/client.h"
#include "kube/config.h"
#include "kube/core/log.h"
#include "kube/core/xalloc.h"
#include "kube/discovery.h"
#include "kube/lease.h"

struct run {
	uv_loop_t loop;
	struct cocm_run_flags flags;
	struct cocm_kube *kube;
	struct cocm_ctl *ctl;
	struct cocm_lease *lease;
	struct cocm_httpd *metrics, *probes;
	uv_signal_t sigterm, sigint;
	uv_timer_t retry;
	struct cocm_backoff_step disc_backoff;
	char identity[256];
	int stopping;
	int exit_code;
	int httpd_open;
};

/* ---- HTTP ------------------------------------------------------------------------------------ */

static int on_http(const char *path, struct cocm_buf *body, const char **ctype, void *arg)
{
	struct run *r = arg;

	if (strcmp(path, "/metrics") == 0) {
		if (r->ctl == NULL) {
			cocm_buf_puts(body, "# starting\n");
			return 200;
		}
		*ctype = "text/plain; version=0.0.4; charset=utf-8";
		return cocm_ctl_render_metrics(r->ctl, body) == COCM_OK ? 200 : 500;
	}
	if (strcmp(path, "/healthz") == 0 || strcmp(path, "/livez") == 0) {
		cocm_buf_puts(body, "ok\n");
		return 200;
	}
	if (strcmp(path, "/readyz") == 0) {
		if (r->ctl != NULL && cocm_ctl_ready(r->ctl)) {
			cocm_buf_puts(body, "ok\n");
			return 200;
		}
		cocm_buf_puts(body, r->stopping ? "shutting down\n" : "caches not synced\n");
		return 503;
	}
	cocm_buf_puts(body, "not found\n");
	return 404;
}

/* ---- shutdown -------------------------------------------------------------------------------- */

static void on_httpd_closed(void *arg)
{
	struct run *r = arg;

	if (--r->httpd_open > 0)
		return;
	uv_close((uv_handle_t *)&r->sigterm, NULL);
	uv_close((uv_handle_t *)&r->sigint, NULL);
	uv_close((uv_handle_t *)&r->retry, NULL);
}

static void on_kube_closed(void *arg)
{
	struct run *r = arg;

	r->kube = NULL;
	cocm_ctl_destroy(r->ctl);
	r->ctl = NULL;
	r->httpd_open = 1;
	if (r->metrics != NULL) {
		r->httpd_open++;
		cocm_httpd_close(r->metrics, on_httpd_closed, r);
		r->metrics = NULL;
	}
	if (r->probes != NULL) {
		r->httpd_open++;
		cocm_httpd_close(r->probes, on_httpd_closed, r);
		r->probes = NULL;
	}
	on_httpd_closed(r);
}

static void on_lease_closed(void *arg)
{
	struct run *r = arg;

	r->lease = NULL;
	cocm_log(COCM_LOG_INFO, "run", "lease-released");
	if (r->kube == NULL)
		on_kube_closed(r);
	else
		cocm_kube_close(r->kube, on_kube_closed, r);
}

static void on_ctl_closed(void *arg)
{
	struct run *r = arg;

	cocm_log(COCM_LOG_INFO, "run", "controller-drained");
	if (r->lease != NULL)
		cocm_lease_close(r->lease, on_lease_closed, r);
	else
		on_lease_closed(r);
}

static void begin_stop(struct run *r)
{
	if (r->stopping)
		return;
	r->stopping = 1;
	uv_timer_stop(&r->retry);
	if (r->ctl != NULL)
		cocm_ctl_close(r->ctl, on_ctl_closed, r);
	else
		on_ctl_closed(r);
}

static void on_signal(uv_signal_t *s, int signum)
{
	struct run *r = s->data;

	if (r->stopping) {
		cocm_log(COCM_LOG_WARN, "run", "second-signal signal=%d msg=\"exiting now\"", signum);
		_exit(COCM_EXIT_RUNTIME);
	}
	cocm_log(COCM_LOG_INFO, "run", "stopping signal=%s", signum == SIGTERM ? "SIGTERM" :
		"SIGINT");
	begin_stop(r);
}

/* ---- leadership ------------------------------------------------------------------------------ */

static void on_started_leading(void *arg)
{
	struct run *r = arg;

	cocm_log(COCM_LOG_INFO, "run", "leading identity=%s", r->identity);
	if (r->ctl != NULL)
		cocm_ctl_set_leader(r->ctl, 1);
}

static void on_stopped_leading(void *arg)
{
	struct run *r = arg;

	if (r->ctl != NULL)
		cocm_ctl_set_leader(r->ctl, 0);
	if (!r->stopping)
		cocm_log(COCM_LOG_WARN, "run", "lost-leadership identity=%s msg=\"standing by\"",
			r->identity);
}

static void on_new_leader(const char *id, void *arg)
{
	(void)arg;
	cocm_log(COCM_LOG_INFO, "run", "leader-observed holder=%s", *id ? id : "none");
}

/* ---- start ----------------------------------------------------------------------------------- */

static int start_controller(struct run *r, unsigned kinds)
{
	r->ctl = cocm_ctl_create(&r->loop, r->kube, &r->flags, r->identity, kinds);
	if (cocm_ctl_start(r->ctl) != COCM_OK)
		return -1;
	if (r->flags.leader_elect) {
		struct cocm_lease_opts lo = {
			.ns = r->flags.namespace,
			.name = r->flags.leader_election_id,
			.identity = r->identity,
			.lease_duration_ms = (uint64_t)(r->flags.lease_duration_s * 1000),
			.renew_deadline_ms = (uint64_t)(r->flags.renew_deadline_s * 1000),
			.retry_ms = (uint64_t)(r->flags.retry_period_s * 1000),
		};
		struct cocm_lease_callbacks cb = { on_started_leading, on_stopped_leading,
			on_new_leader, r };

		r->lease = cocm_lease_create(r->kube, &r->loop, &lo, &cb);
		if (r->lease == NULL || cocm_lease_start(r->lease) != COCM_OK)
			return -1;
	} else {
		cocm_ctl_set_leader(r->ctl, 1);
	}
	return 0;
}

static void discover(struct run *r);

static void on_retry(uv_timer_t *t)
{
	discover(t->data);
}

static void retry_discovery(struct run *r)
{
	uint64_t ms = cocm_backoff_step_next(&r->disc_backoff);

	cocm_log(COCM_LOG_INFO, "run", "discovery-retry in_ms=%llu", (unsigned long long)ms);
	uv_timer_start(&r->retry, on_retry, ms, 0);
}

static void on_discovery(enum cocm_err err, struct cocm_discovery *d, void *arg)
{
	struct run *r = arg;
	unsigned kinds = 0, planes;

	if (r->stopping) {
		cocm_discovery_destroy(d);
		return;
	}
	if (err != COCM_OK) {
		cocm_log(COCM_LOG_WARN, "run", "discovery-failed err=%s", cocm_err_name(err));
		retry_discovery(r);
		return;
	}
	if (cocm_discovery_find(d, "openchoreo.dev", "releases") != NULL)
		kinds |= 1;
	if (cocm_discovery_find(d, "openchoreo.dev", "renderedreleases") != NULL)
		kinds |= 2;
	planes = (cocm_discovery_find(d, "openchoreo.dev", "observabilityplanes") != NULL ? 4u : 0) |
		(cocm_discovery_find(d, "openchoreo.dev", "clusterobservabilityplanes") != NULL ?
		8u : 0);
	cocm_discovery_destroy(d);
	if (kinds == 0) {
		cocm_log(COCM_LOG_WARN, "run", "no-release-kinds msg=\"openchoreo.dev serves neither "
			"releases nor renderedreleases; waiting for the CRDs\"");
		retry_discovery(r);
		return;
	}
	cocm_log(COCM_LOG_INFO, "run", "discovered releases=%d renderedreleases=%d "
		"observabilityplanes=%d clusterobservabilityplanes=%d", (kinds & 1) != 0,
		(kinds & 2) != 0, (planes & 4) != 0, (planes & 8) != 0);
	if (start_controller(r, kinds | planes) != 0) {
		cocm_log(COCM_LOG_ERROR, "run", "start-failed");
		r->exit_code = COCM_EXIT_RUNTIME;
		begin_stop(r);
	}
}

static void discover(struct run *r)
{
	static const char *const groups[] = { "openchoreo.dev", NULL };

	if (cocm_discovery_run(r->kube, groups, on_discovery, r) != COCM_OK)
		retry_discovery(r);
}

static void make_identity(char *out, size_t cap)
{
	char host[200] = "choreo-ocm";
	uint64_t rng = cocm_backoff_seed(0);

	if (gethostname(host, sizeof(host) - 1) != 0)
		snprintf(host, sizeof(host), "choreo-ocm");
	host[sizeof(host) - 1] = '\0';
	snprintf(out, cap, "%s_%08llx", host, (unsigned long long)(cocm_backoff_rand(&rng) &
		0xffffffffull));
}

static int start_http(struct run *r)
{
	char err[256];

	if (strcmp(r->flags.metrics_addr, "0") != 0) {
		r->metrics = cocm_httpd_start(&r->loop, r->flags.metrics_addr, on_http, r, err,
			sizeof(err));
		if (r->metrics == NULL) {
			cocm_log(COCM_LOG_ERROR, "run", "metrics-listen-failed err=\"%s\"", err);
			return -1;
		}
		cocm_log(COCM_LOG_INFO, "run", "metrics-listening addr=%s port=%d",
			r->flags.metrics_addr, cocm_httpd_port(r->metrics));
	}
	if (strcmp(r->flags.probe_addr, "0") != 0) {
		r->probes = cocm_httpd_start(&r->loop, r->flags.probe_addr, on_http, r, err,
			sizeof(err));
		if (r->probes == NULL) {
			cocm_log(COCM_LOG_ERROR, "run", "probe-listen-failed err=\"%s\"", err);
			return -1;
		}
		cocm_log(COCM_LOG_INFO, "run", "probes-listening addr=%s port=%d",
			r->flags.probe_addr, cocm_httpd_port(r->probes));
	}
	return 0;
}

int cocm_cmd_run(int argc, char **argv)
{
	struct run *r = COCM_NEW(struct run);
	struct cocm_kube_config cfg = { 0 };
	struct cocm_kube_opts ko = { 0 };
	char err[1024];
	int rc;

	signal(SIGPIPE, SIG_IGN);
	cocm_run_flags_init(&r->flags);
	if (cocm_run_flags_parse(&r->flags, argc, argv, err, sizeof(err)) != COCM_OK) {
		fprintf(stderr, "choreo-ocm run: %s\n", err);
		cocm_run_flags_finish(&r->flags);
		free(r);
		return COCM_EXIT_USAGE;
	}
	if (r->flags.help) {
		cocm_run_flags_usage(stdout);
		cocm_run_flags_finish(&r->flags);
		free(r);
		return COCM_EXIT_OK;
	}
	cocm_log_max = COCM_LOG_INFO + (r->flags.verbosity > 2 ? 2 : r->flags.verbosity);
	if (cocm_kube_config_load(&cfg, r->flags.kubeconfig, r->flags.context, err,
		sizeof(err)) != COCM_OK) {
		fprintf(stderr, "choreo-ocm run: %s\n", err);
		cocm_kube_config_finish(&cfg);
		cocm_run_flags_finish(&r->flags);
		free(r);
		return COCM_EXIT_INPUT;
	}
	make_identity(r->identity, sizeof(r->identity));
	cocm_log(COCM_LOG_INFO, "run", "starting identity=%s config=\"%s\" namespace=%s "
		"leader_elect=%d workers=%d", r->identity, cfg.source != NULL ? cfg.source : "?",
		r->flags.namespace, r->flags.leader_elect, r->flags.workers);
	uv_loop_init(&r->loop);
	ko.qps = r->flags.qps;
	ko.burst = r->flags.burst;
	r->kube = cocm_kube_create(&r->loop, &cfg, &ko);
	cocm_kube_config_finish(&cfg);
	uv_signal_init(&r->loop, &r->sigterm);
	uv_signal_init(&r->loop, &r->sigint);
	uv_timer_init(&r->loop, &r->retry);
	r->sigterm.data = r->sigint.data = r->retry.data = r;
	uv_signal_start(&r->sigterm, on_signal, SIGTERM);
	uv_signal_start(&r->sigint, on_signal, SIGINT);
	cocm_backoff_step_init(&r->disc_backoff, 500, 30000, 0);
	if (r->kube == NULL || start_http(r) != 0) {
		r->exit_code = COCM_EXIT_RUNTIME;
		begin_stop(r);
	} else {
		discover(r);
	}
	uv_run(&r->loop, UV_RUN_DEFAULT);
	rc = uv_loop_close(&r->loop);
	if (rc != 0) {
		cocm_log(COCM_LOG_ERROR, "run", "loop-not-empty err=%s", uv_err_name(rc));
		if (r->exit_code == 0)
			r->exit_code = COCM_EXIT_RUNTIME;
	}
	cocm_log(COCM_LOG_INFO, "run", "stopped code=%d", r->exit_code);
	rc = r->exit_code;
	cocm_run_flags_finish(&r->flags);
	free(r);
	return rc;
}
