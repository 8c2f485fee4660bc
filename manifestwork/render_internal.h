/* Internal to manifestwork/render*.c: one Release resource on its way into a work. */
#ifndef COCM_MANIFESTWORK_RENDER_INTERNAL_H
#define COCM_MANIFESTWORK_RENDER_INTERNAL_H

#include <cjson/cJSON.h>
#include <stddef.h>

struct cocm_render_entry {
	const char *id;        /* spec id, or NULL for an added Namespace */
	int index;             /* index in spec.resources, -1 for an added Namespace */
	const cJSON *src;      /* spec.resources[index].object (borrowed), NULL when added */
	char group[254];
	const char *kind;      /* borrowed from the Release (or a literal) */
	const char *name;      /* borrowed */
	const char *ns;        /* "" for cluster-scoped */
	int first;             /* Namespace or CRD: goes into part 1 */
	int ignore_replicas;   /* targeted by an HPA of the Release */
	cJSON *manifest;       /* owned until moved into a work */
	size_t size;           /* bytes of manifest as Go's encoding/json prints it */
	size_t text_off;       /* cJSON's compact text of manifest (for the content hash): */
	size_t text_len;       /*   bytes [text_off, text_off + text_len) of the render's arena */
	unsigned part;         /* 1-based */
};

/* The manifestConfig for e (a new object). */
cJSON *cocm_render_config(const struct cocm_render_entry *e);
/* spec.deleteOption for the entries of one part (e[i] with e[i].part == part). */
cJSON *cocm_render_delete_option(const struct cocm_render_entry *const *e, size_t n,
	unsigned part);

#endif
