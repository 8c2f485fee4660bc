/* API discovery: which groups, versions and resources the server serves (GET /api, /apis and
 * each group version's APIResourceList), so the daemon can tell whether `releases`,
 * `renderedreleases` or both exist and learn plural names, kinds and scope.
 *
 * cocm_discovery_run is async (usual contract: error return = no callback; OK = exactly one
 * callback from a later loop turn). groups (NULL-terminated, may be NULL = every group; "" is the
 * core group) limits which groups' resource lists are fetched. A group version that fails
 * (e.g. an aggregated API that is down: 503) is skipped with a warning, as client-go does; the
 * run fails only when /api or /apis fails. Subresources ("deployments/status") are not listed. */
#ifndef COCM_KUBE_DISCOVERY_H
#define COCM_KUBE_DISCOVERY_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "kube/client.h"
#include "kube/core/err.h"

struct cocm_api_resource {
	char *group;     /* "" for core */
	char *version;
	char *resource;  /* plural, e.g. "renderedreleases" */
	char *kind;      /* e.g. "RenderedRelease" */
	int namespaced;
	int preferred;   /* version is the group's preferred version */
};

struct cocm_discovery {
	struct cocm_api_resource *v; /* owned */
	size_t n, cap;
	size_t failed;               /* group versions skipped after an error */
};

/* d: on success a heap object now owned by the callback (cocm_discovery_destroy); NULL on error. */
typedef void (*cocm_discovery_cb)(enum cocm_err err, struct cocm_discovery *d, void *arg);

enum cocm_err cocm_discovery_run(struct cocm_kube *k, const char *const *groups,
	cocm_discovery_cb cb, void *arg);

/* Lookups (borrowed results): the preferred version's entry when several versions serve it,
 * else the first found. group NULL or "" = core. NULL when not served. */
const struct cocm_api_resource *cocm_discovery_find(const struct cocm_discovery *d,
	const char *group, const char *resource);
const struct cocm_api_resource *cocm_discovery_find_kind(const struct cocm_discovery *d,
	const char *group, const char *kind);

/* Adds the resources of one APIResourceList body ({"groupVersion":"g/v","resources":[...]}).
 * COCM_EPARSE when it is not one. preferred marks the entries. Pure, for tests and the run. */
enum cocm_err cocm_discovery_add_list(struct cocm_discovery *d, const cJSON *list, int preferred);

void cocm_discovery_init(struct cocm_discovery *d);
void cocm_discovery_finish(struct cocm_discovery *d);
void cocm_discovery_destroy(struct cocm_discovery *d); /* finish + free; NULL ok */

#endif
