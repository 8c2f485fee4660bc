/* Render-lifetime nodes and strings (see render_internal.h). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "kube/core/xalloc.h"
#include "manifestwork/render_internal.h"

#define CHUNK ((size_t)32 * 1024)

struct cocm_render_chunk {
	struct cocm_render_chunk *next;
	size_t cap, used;
	max_align_t data[];
};

static void *pool_alloc(struct cocm_render_pool *p, size_t n)
{
	struct cocm_render_chunk *c = p->chunks;
	const size_t align = sizeof(max_align_t);
	void *out;

	n = (n + align - 1) / align * align;
	if (c == NULL || c->cap - c->used < n) {
		size_t cap = n > CHUNK ? n : CHUNK;

		c = cocm_xmalloc(offsetof(struct cocm_render_chunk, data) + cap);
		c->cap = cap;
		c->used = 0;
		c->next = p->chunks;
		p->chunks = c;
	}
	out = (char *)c->data + c->used;
	c->used += n;
	return out;
}

void cocm_render_pool_free(struct cocm_render_pool *p)
{
	struct cocm_render_chunk *c = p->chunks, *next;

	for (; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	p->chunks = NULL;
}

cJSON *cocm_render_node(struct cocm_render_pool *p, int type)
{
	cJSON *n = pool_alloc(p, sizeof(*n));

	memset(n, 0, sizeof(*n));
	n->type = type;
	return n;
}

const char *cocm_render_strdup(struct cocm_render_pool *p, const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(pool_alloc(p, n), s, n);
}

cJSON *cocm_render_str(struct cocm_render_pool *p, const char *s)
{
	cJSON *n = cocm_render_node(p, cJSON_String | cJSON_IsReference);

	n->valuestring = (char *)s;
	return n;
}

cJSON *cocm_render_add(cJSON *obj, const char *key, cJSON *v)
{
	cJSON_AddItemToObjectCS(obj, key, v);
	return v;
}
