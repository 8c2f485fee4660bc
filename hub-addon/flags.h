/* Flags of `choreo-ocm run`, controller-runtime style.
 *
 * Accepted forms: `--name=value`, `--name value`, booleans as `--name`, `--name=true|false`;
 * `-v N`, `-v=N`, `--v=N` for the log verbosity (0 info, 1 debug, 2+ trace). Durations use Go
 * syntax ("90s", "10m", "1h30m", "500ms", "0"); --orphan-works-after also takes "off".
 * The struct owns every string (heap). parse() leaves defaults in place for flags not given. */
#ifndef COCM_HUBADDON_FLAGS_H
#define COCM_HUBADDON_FLAGS_H

#include <stddef.h>
#include <stdio.h>

#include "kube/core/err.h"

#define COCM_RUN_DEFAULT_NAMESPACE "choreo-ocm-system"
#define COCM_RUN_DEFAULT_LEASE_ID "choreo-ocm"
#define COCM_RUN_MAX_WORKERS 64
#define COCM_RUN_MAX_DURATION_S (366.0 * 24 * 3600) /* any duration flag */

struct cocm_run_flags {
	char *kubeconfig;          /* NULL = $KUBECONFIG, in-cluster, ~/.kube/config */
	char *context;             /* NULL = current-context */
	char *namespace;           /* add-on namespace (Lease, ClusterDataPlane Placements, Events) */
	int leader_elect;          /* default 0 on the command line (deploy manifests turn it on) */
	char *leader_election_id;  /* Lease name */
	double lease_duration_s;   /* 15 */
	double renew_deadline_s;   /* 10 */
	double retry_period_s;     /* 2 */
	char *metrics_addr;        /* ":8080"; "0" disables */
	char *probe_addr;          /* ":8081"; "0" disables */
	double qps;                /* 50 */
	int burst;                 /* 100 */
	int workers;               /* concurrent reconciles, 4 */
	double resync_s;           /* 600 (each Release jittered by up to +10%); 0 disables */
	double unreachable_toleration_s; /* 300: Placement toleration of the unreachable taint */
	double orphan_works_after_s;     /* < 0 = off (default): never release a Release holding works */
	int verbosity;             /* -v */
	int help;                  /* --help seen: print usage, exit 0 */
};

/* Defaults into f (overwrites; call finish afterwards). */
void cocm_run_flags_init(struct cocm_run_flags *f);
void cocm_run_flags_finish(struct cocm_run_flags *f);

/* argv[0] is the subcommand name and is skipped. On error COCM_EINVAL with one message in err
 * naming the flag. Positional arguments are refused. */
enum cocm_err cocm_run_flags_parse(struct cocm_run_flags *f, int argc, char **argv, char *err,
	size_t errcap);

/* Writes the --help text. */
void cocm_run_flags_usage(FILE *out);

/* Go-style duration ("1h2m3.5s", "250ms", "0") into seconds; COCM_EINVAL when malformed, negative
 * or above COCM_RUN_MAX_DURATION_S. */
enum cocm_err cocm_duration_parse(const char *s, double *out);

/* "host:port", ":port" (all interfaces) into host (cap >= 64) and port; COCM_EINVAL if bad. */
enum cocm_err cocm_addr_parse(const char *s, char *host, size_t hostcap, int *port);

#endif
