/* What render needs to know about Kubernetes kinds without asking an API server: the plural
 * resource name (for ManifestWork resourceIdentifiers and orphaning rules) and whether a
 * well-known kind is cluster-scoped.
 *
 * Plurals come from a table of well-known kinds (core, apps, batch, networking, RBAC, Gateway
 * API, External Secrets, Cilium, Envoy Gateway, cert-manager, Prometheus, ...) and otherwise
 * from English rules, as the API machinery's guesser does: lower-case the kind, then
 * consonant + "y" -> "ies"; "s", "x", "z", "ch", "sh" -> + "es"; else + "s".
 * Kinds the table does not know are treated as namespaced when their manifest carries a
 * namespace, and as cluster-scoped otherwise. Pure functions; thread-safe. */
#ifndef COCM_MANIFESTWORK_KINDS_H
#define COCM_MANIFESTWORK_KINDS_H

#include <stddef.h>

/* The group of an apiVersion ("apps/v1" -> "apps", "v1" -> ""), written into group (always
 * NUL-terminated, truncated to cap). Returns group. */
const char *cocm_kinds_group(const char *api_version, char *group, size_t cap);

/* The lower-case plural resource name of group/kind, written into out (truncated to cap,
 * always NUL-terminated). Returns out. */
const char *cocm_kinds_plural(const char *group, const char *kind, char *out, size_t cap);

/* 1 when group/kind is a well-known cluster-scoped kind (Namespace, ClusterRole, CRD, ...),
 * else 0 (namespaced or unknown). */
int cocm_kinds_cluster_scoped(const char *group, const char *kind);

#endif
