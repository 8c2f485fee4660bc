/* Add-on registration with OCM (a hub-only add-on, reference/ocm.md §6.4):
 *   ClusterManagementAddOn `choreo-ocm` with annotation addon.open-cluster-management.io/
 *   lifecycle: self (OCM's addon-manager leaves it alone) - created when missing, the
 *   annotation added when absent, nothing else touched (operators may edit it);
 *   every ManagedClusterAddOn `choreo-ocm` (from `clusteradm addon enable`): status
 *   healthCheck.mode Customized, conditions Available (the cluster is Available) and
 *   ManifestApplied (every choreo-ocm ManifestWork in that cluster namespace has Applied=True
 *   for its current generation). Other conditions are kept. /status is written only when one
 *   of ours differs in status, reason or message (lastTransitionTime kept unless the status
 *   flips), so a steady state writes nothing.
 * Queue keys "CMA" and "MCA/<cluster>"; both complete their key on the queue. */
#ifndef COCM_HUBADDON_ADDON_REG_H
#define COCM_HUBADDON_ADDON_REG_H

#include "hub-addon/controller.h"

#define COCM_ANN_LIFECYCLE "addon.open-cluster-management.io/lifecycle"

void cocm_addon_reconcile_cma(struct cocm_ctl *c, const char *key);
void cocm_addon_reconcile_mca(struct cocm_ctl *c, const char *key);

#endif
