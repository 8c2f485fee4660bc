/* Reconcile of one Release / RenderedRelease (queue key "Kind/ns/name").
 *
 * Phase 1 (writes, in parallel): opted out -> delete our works, drop our finalizer once they
 * are gone; opted in -> finalizer, Placement + ManagedClusterSetBinding (server-side apply,
 * only when their content hash differs), one server-side apply per rendered ManifestWork whose
 * content hash differs from the cached work's, deletion of our works that are no longer
 * wanted (never when the decisions are empty); being deleted -> delete every work, drop the
 * finalizer when none is left (or after --orphan-works-after); gone -> delete its works.
 * Phase 2: fold the cached works into the Release status (status-sync/fold.h), add what the
 * hub refused, write /status only when not cocm_status_equal, record events on transitions.
 * The key is completed on the queue at the end (rate-limited retry on API errors, else a
 * jittered resync requeue). Writes only happen while c->leader. */
#ifndef COCM_HUBADDON_RECONCILE_H
#define COCM_HUBADDON_RECONCILE_H

#include "hub-addon/controller.h"

/* key is the queue's (borrowed until cocm_workqueue_done, which this calls). */
void cocm_reconcile_release(struct cocm_ctl *c, const char *key);

/* Splits "Kind/ns/name" (kind Release or RenderedRelease). 0 on success. */
int cocm_reconcile_parse_key(const char *key, char *kind, size_t kcap, char *ns, size_t nscap,
	char *name, size_t namecap);

#endif
