/* The hub add-on controller: informers -> reverse indexes -> one work queue -> reconcilers.
 * Internal to the daemon (hub-addon/cmd_run.c, reconcile.c, works.c, addon_reg.c).
 *
 * Queue keys:
 *   "Release/<ns>/<name>", "RenderedRelease/<ns>/<name>"  a Release (reconcile.c)
 *   "MCA/<cluster>"                                        the ManagedClusterAddOn (addon_reg.c)
 *   "CMA"                                                  the ClusterManagementAddOn (addon_reg.c)
 *   "RBAC/<cluster>"                                       the work-agent RBAC work (agent_rbac.c)
 * Nothing is enqueued before every informer has synced (so garbage is judged on complete
 * caches); at that moment every Release, every work's Release and every MCA is enqueued once.
 * Reconcilers write only while this process leads (leader election off = always leader); a
 * standby keeps its informers running and re-enqueues everything when it becomes leader.
 *
 * Lifetime: create -> start -> ... -> close(done). close drains: the queue stops handing out
 * keys and waits for in-flight reconciles to finish their requests, then the informers stop;
 * done runs when all of that is over (the caller then closes the client). Loop thread only. */
#ifndef COCM_HUBADDON_CONTROLLER_H
#define COCM_HUBADDON_CONTROLLER_H

#include <stdint.h>
#include <uv.h>

#include "hub-addon/flags.h"
#include "hub-addon/metrics.h"
#include "hub-addon/resolve_cache.h"
#include "kube/client.h"
#include "kube/core/buf.h"
#include "kube/informer.h"
#include "kube/strmap.h"
#include "kube/workqueue.h"
#include "placement/placement.h"

#define COCM_FINALIZER "ocm.openchoreo.dev/manifestwork-cleanup"
#define COCM_ADDON_NAME "choreo-ocm"
#define COCM_SSA_MANAGER "choreo-ocm"
#define COCM_DELETE_POLL_S 30      /* re-check a Release whose works are being removed */
#define COCM_APPLY_RETRY_S 300     /* retry a work the hub refused (422) at most this often */

enum cocm_inf {
	COCM_INF_RELEASE,
	COCM_INF_RENDERED,
	COCM_INF_ENV,
	COCM_INF_DP,
	COCM_INF_CDP,
	COCM_INF_PLACEMENT,
	COCM_INF_DECISION,
	COCM_INF_BINDING,
	COCM_INF_CLUSTER,
	COCM_INF_WORK,
	COCM_INF_MCA,
	COCM_INF_OP,  /* ObservabilityPlane (only when served: release_kinds bit 4) */
	COCM_INF_COP, /* ClusterObservabilityPlane (bit 8) */
	COCM_INF_COUNT
};

extern const struct cocm_gvr cocm_gvr_of[COCM_INF_COUNT];
extern const struct cocm_gvr cocm_gvr_cma;

struct cocm_ctl_metrics {
	struct cocm_metric *reconciles;        /* {kind, result} */
	struct cocm_metric *reconcile_seconds; /* {kind} histogram */
	struct cocm_metric *queue_depth;       /* gauge */
	struct cocm_metric *queue_inflight;    /* gauge */
	struct cocm_metric *queue_retries;     /* counter */
	struct cocm_metric *api_requests;      /* {verb, code} */
	struct cocm_metric *api_seconds;       /* {verb} histogram */
	struct cocm_metric *watch_restarts;    /* {resource} (scrape-time copy of informer stats) */
	struct cocm_metric *relists;           /* {resource} */
	struct cocm_metric *works_applied;
	struct cocm_metric *works_deleted;
	struct cocm_metric *status_writes;     /* {kind} */
	struct cocm_metric *releases;          /* {health} gauge */
	struct cocm_metric *leader;            /* gauge */
	struct cocm_metric *synced;            /* gauge */
	struct cocm_metric *events;            /* {result} */
};

struct cocm_ctl;
struct cocm_ctl_hctx { /* handler context of one informer */
	struct cocm_ctl *c;
	enum cocm_inf which;
};

struct cocm_ctl {
	uv_loop_t *loop;
	struct cocm_kube *kube;
	const struct cocm_run_flags *flags; /* borrowed */
	char *identity;
	unsigned release_kinds;             /* served kinds: bit 1 releases, bit 2 renderedreleases,
					       bit 4 observabilityplanes, bit 8
					       clusterobservabilityplanes */
	struct cocm_informer *inf[COCM_INF_COUNT];
	struct cocm_ctl_hctx hctx[COCM_INF_COUNT];
	struct cocm_workqueue *q;
	struct cocm_metrics *metrics;
	struct cocm_ctl_metrics m;
	struct cocm_events *events;
	/* reverse indexes (resolve_cache.h) */
	struct cocm_rindex env_releases;       /* Release key -> "ns/env" */
	struct cocm_rindex dp_envs;            /* "ns/env" -> dataplane keys */
	struct cocm_rindex op_dps;             /* dataplane key -> observability plane key
						  ("ObservabilityPlane/ns/name",
						  "ClusterObservabilityPlane/name") */
	struct cocm_rindex placement_releases; /* Release key -> "ns/placement" */
	struct cocm_rindex cluster_works;      /* work key "cluster/name" -> cluster */
	struct cocm_strmap health;             /* Release key -> (uintptr_t) health + 1 */
	struct cocm_strmap apply_failed;       /* work key -> struct cocm_apply_failure* */
	struct cocm_strmap written;            /* "W:<work key>" / "S:<Release key>" ->
						  struct cocm_written*: our last write, for as long
						  as the cache has not caught up with it */
	uint64_t rng;
	int leader;
	int synced;            /* every informer has synced */
	int closing;
	int inflight_closes;
	void (*done)(void *arg);
	void *done_arg;
};

/* A write the informer has not delivered back yet: while the cached object still has
 * before_rv, `what` (a content hash, or a packed status: pack.h) is the truth, so a
 * reconcile that runs before the watch event does not write the same thing again. */
struct cocm_written {
	char *before_rv;
	char *what;
};

struct cocm_apply_failure {
	char *hash;     /* content hash that was refused */
	char *message;
	uint64_t at_ms; /* uv_now */
};

struct cocm_ctl *cocm_ctl_create(uv_loop_t *loop, struct cocm_kube *k,
	const struct cocm_run_flags *flags, const char *identity, unsigned release_kinds);
enum cocm_err cocm_ctl_start(struct cocm_ctl *c);
void cocm_ctl_close(struct cocm_ctl *c, void (*done)(void *arg), void *arg);
/* Frees what is left after close's done ran (events, metrics, indexes). NULL-safe. */
void cocm_ctl_destroy(struct cocm_ctl *c);

/* Leadership changes (from the lease, or 1 at start without leader election). */
void cocm_ctl_set_leader(struct cocm_ctl *c, int leader);
int cocm_ctl_ready(const struct cocm_ctl *c);
enum cocm_err cocm_ctl_render_metrics(struct cocm_ctl *c, struct cocm_buf *out);

/* Borrowed cache of an informer (NULL when that kind is not served). */
struct cocm_cache *cocm_ctl_cache(struct cocm_ctl *c, enum cocm_inf which);
/* Enqueue helpers. */
void cocm_ctl_enqueue(struct cocm_ctl *c, const char *key);
void cocm_ctl_enqueue_after(struct cocm_ctl *c, const char *key, double seconds);

/* Current wall time as RFC 3339 UTC ("2026-08-01T10:00:00Z"). */
void cocm_ctl_now(char out[32]);

#endif
