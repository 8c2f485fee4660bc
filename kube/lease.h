/* Leader election on a coordination.k8s.io/v1 Lease (client-go's LeaderElector, on one loop).
 *
 * Candidate: every retry period (jittered up to x2.2, as client-go's JitterUntil(retry, 1.2))
 * GET the Lease; create it when missing; take it over with an optimistic-concurrency PUT when it
 * has no holder, is ours, or has not changed for its leaseDurationSeconds as observed on OUR
 * clock (we never compare our clock with the writer's renewTime, so clock skew between replicas
 * cannot make two leaders). A 409 on create or update means someone else won this round.
 * Leader: renew every retry period; when no renew has succeeded for renew_deadline, or the Lease
 * shows another holder, step down: on_stopped_leading runs and the elector goes back to being a
 * candidate (most daemons exit there and let the Deployment restart them). renew_deadline <
 * lease_duration leaves the old leader time to stop before anyone may take over.
 * Release: cocm_lease_close() on a leader writes holderIdentity "" (and leaseDurationSeconds 1)
 * so a standby takes over at its next retry instead of waiting out the lease, then calls
 * on_stopped_leading, frees the elector and calls done.
 *
 * Callbacks run on the loop and may call cocm_lease_close(). Identity must be unique per replica
 * (pod name + random suffix). Loop-thread only. */
#ifndef COCM_KUBE_LEASE_H
#define COCM_KUBE_LEASE_H

#include <stdint.h>
#include <uv.h>

#include "kube/client.h"
#include "kube/core/err.h"

#define COCM_LEASE_DURATION_MS 15000u
#define COCM_LEASE_RENEW_DEADLINE_MS 10000u
#define COCM_LEASE_RETRY_MS 2000u

struct cocm_lease;

struct cocm_lease_callbacks {
	void (*on_started_leading)(void *arg);
	void (*on_stopped_leading)(void *arg);
	/* The observed holder changed ("" = nobody); identity borrowed for the call. Optional. */
	void (*on_new_leader)(const char *identity, void *arg);
	void *arg;
};

/* Zero fields take defaults; strings are copied. */
struct cocm_lease_opts {
	const char *ns;              /* required */
	const char *name;            /* required */
	const char *identity;        /* required, unique per replica */
	uint64_t lease_duration_ms;  /* default 15 s (written as whole seconds, rounded up) */
	uint64_t renew_deadline_ms;  /* default 10 s; must be < lease_duration */
	uint64_t retry_ms;           /* default 2 s */
	int no_release;              /* 1: close does not release (tests simulate a crash) */
	uint64_t seed;               /* jitter seed; 0 = random */
};

/* NULL (and a logged reason) when a required option is missing or the timings are inconsistent. */
struct cocm_lease *cocm_lease_create(struct cocm_kube *k, uv_loop_t *loop,
	const struct cocm_lease_opts *o, const struct cocm_lease_callbacks *cb);
/* Starts campaigning (first attempt on the next loop turn). COCM_ESTATE when already started. */
enum cocm_err cocm_lease_start(struct cocm_lease *l);
/* Releases the Lease when leading (see above), then frees l and calls done(arg) (may be NULL).
 * Waits for an in-flight request first. NULL l: no-op. */
void cocm_lease_close(struct cocm_lease *l, void (*done)(void *arg), void *arg);
int cocm_lease_is_leader(const struct cocm_lease *l);
/* The last observed holder ("" when none or unknown). Borrowed. */
const char *cocm_lease_holder(const struct cocm_lease *l);

/* Formats now (CLOCK_REALTIME) as a metav1.MicroTime: 2026-11-21T05:40:00.123456Z. */
void cocm_lease_microtime(char out[32]);

#endif
