/* Work-agent RBAC delivery: the bootstrap ManifestWork `choreo-ocm-work-agent-rbac`.
 *
 * The klusterlet work agent on a data plane applies ManifestWorks with its own ServiceAccount,
 * which cannot write the custom resources OpenChoreo renders (Gateway API, Cilium, External
 * Secrets ...). hub-addon/deploy/spoke/clusterrole-work-agent.yaml is a ClusterRole labelled
 * open-cluster-management.io/aggregate-to-work: "true" that grants them; its YAML is embedded
 * in the binary at build time (CMake reads the file into a generated C source, see
 * hub-addon/CMakeLists.txt), so the binary always carries the role of its own source tree.
 *
 * Which clusters: every cluster named in the PlacementDecisions of a Placement labelled
 * app.kubernetes.io/managed-by: choreo-ocm (that is, every cluster some opted-in plane selects).
 * The work goes into that cluster's namespace, labelled managed-by choreo-ocm and
 * ocm.openchoreo.dev/bootstrap: work-agent-rbac, and carries no Release annotations: the
 * Release garbage collector never sees it as an orphan. It is written (server-side apply, field
 * manager choreo-ocm) only when its content hash (annotation ocm.openchoreo.dev/content-hash)
 * differs from the cached work's, so a steady state and a restart write nothing; a work edited
 * or deleted by someone else is restored while the cluster stays selected. It is never deleted
 * by the daemon: a cluster that leaves every Placement keeps its role (harmless; operators
 * remove it with `kubectl delete manifestwork -n <cluster> choreo-ocm-work-agent-rbac`), and a
 * ManagedCluster removed from the hub takes its namespace and the work with it.
 *
 * Queue key: "RBAC/<cluster>" (loop thread only; completes its key on the queue). */
#ifndef COCM_HUBADDON_AGENT_RBAC_H
#define COCM_HUBADDON_AGENT_RBAC_H

#include <cjson/cJSON.h>
#include <stddef.h>

#define COCM_AGENT_RBAC_WORK "choreo-ocm-work-agent-rbac"
#define COCM_LABEL_BOOTSTRAP "ocm.openchoreo.dev/bootstrap"
#define COCM_BOOTSTRAP_AGENT_RBAC "work-agent-rbac"
#define COCM_AGENT_RBAC_KEY_PREFIX "RBAC/"

/* The embedded bytes of hub-addon/deploy/spoke/clusterrole-work-agent.yaml (generated at build
 * time; NUL-terminated, len excludes the NUL). */
extern const unsigned char cocm_agent_rbac_yaml_data[];
extern const size_t cocm_agent_rbac_yaml_len;

/* The ManifestWork for one cluster (its namespace), with the content-hash annotation set.
 * NULL + message when the embedded YAML is not exactly one ClusterRole (cannot happen with the
 * shipped file; a unit test keeps it so). Caller owns the result (cJSON_Delete). */
cJSON *cocm_agent_rbac_work(const char *cluster, char *err, size_t errcap);

/* 1 when the ManifestWork object is the bootstrap work (by name and label). */
int cocm_agent_rbac_is_work(const cJSON *work);

struct cocm_ctl;
/* Reconciles key "RBAC/<cluster>": applies the work when the cluster is selected by one of our
 * Placements and the cached work's hash differs. Writes only while leading. */
void cocm_agent_rbac_reconcile(struct cocm_ctl *c, const char *key);
/* Enqueues "RBAC/<cluster>" for every cluster of a PlacementDecision of one of our Placements
 * (decision NULL: of every cached decision). */
void cocm_agent_rbac_enqueue(struct cocm_ctl *c, const cJSON *decision);
/* Same for the decisions of one Placement (a Placement that just appeared in the cache may
 * arrive after its decisions). */
void cocm_agent_rbac_enqueue_placement(struct cocm_ctl *c, const cJSON *placement);

#endif
