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
	cJSON *manifest;       /* a view in the render's pool (render.c) */
	size_t size;           /* bytes of manifest as Go's encoding/json prints it */
	size_t text_off;       /* cJSON's compact text of manifest (for the content hash): */
	size_t text_len;       /*   bytes [text_off, text_off + text_len) of the render's arena */
	unsigned part;         /* 1-based */
};

/* Nodes and strings that live as long as one render: bump-allocated from 32 KiB chunks and
 * freed all at once by cocm_render_pool_free. A pool tree borrows its keys (literals, the
 * Release's keys: cJSON_StringIsConst) and strings (cJSON_IsReference: literals, the
 * Release's, pool strings); it is only printed or copied (cJSON_Duplicate, then the keys
 * made owned), never given to cJSON_Delete or to a cJSON call that frees (Replace*, Delete*,
 * AddItemToObject with a copied key). A zeroed pool is empty. */
struct cocm_render_chunk;
struct cocm_render_pool {
	struct cocm_render_chunk *chunks;
};
void cocm_render_pool_free(struct cocm_render_pool *p);
/* A zeroed node of type (cJSON_Object, cJSON_Array, cJSON_True, ...). */
cJSON *cocm_render_node(struct cocm_render_pool *p, int type);
/* A copy of s in the pool. */
const char *cocm_render_strdup(struct cocm_render_pool *p, const char *s);
/* A string node borrowing s (which must outlive the pool's trees). */
cJSON *cocm_render_str(struct cocm_render_pool *p, const char *s);
/* Appends v to obj under key (borrowed: a literal or a pool/Release string); returns v. */
cJSON *cocm_render_add(cJSON *obj, const char *key, cJSON *v);

/* The manifestConfig for e (a pool object). */
cJSON *cocm_render_config(struct cocm_render_pool *p, const struct cocm_render_entry *e);
/* spec.deleteOption for the entries of one part (e[i] with e[i].part == part), in the pool. */
cJSON *cocm_render_delete_option(struct cocm_render_pool *p,
	const struct cocm_render_entry *const *e, size_t n, unsigned part);

#endif
