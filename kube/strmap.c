/* Open-addressing string map. Deletion shifts later entries back instead of leaving
 * tombstones, so lookups never degrade after churn (an informer cache sees endless churn). */
#include "kube/strmap.h"

#include <stdlib.h>
#include <string.h>

#include "kube/core/xalloc.h"

static size_t hash_str(const char *s)
{
	/* FNV-1a, 64-bit (size_t on our targets). */
	unsigned long long h = 1469598103934665603ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

void cocm_strmap_init(struct cocm_strmap *m)
{
	m->slots = NULL;
	m->cap = 0;
	m->len = 0;
}

void cocm_strmap_finish(struct cocm_strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	m->slots = NULL;
	m->cap = 0;
	m->len = 0;
}

static struct cocm_strmap_slot *find(const struct cocm_strmap *m, const char *key, size_t h)
{
	if (m->cap == 0)
		return NULL;
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		struct cocm_strmap_slot *s = &m->slots[i];

		if (s->key == NULL)
			return NULL;
		if (s->hash == h && strcmp(s->key, key) == 0)
			return s;
	}
}

void *cocm_strmap_get(const struct cocm_strmap *m, const char *key)
{
	struct cocm_strmap_slot *s = find(m, key, hash_str(key));

	return s ? s->value : NULL;
}

int cocm_strmap_has(const struct cocm_strmap *m, const char *key)
{
	return find(m, key, hash_str(key)) != NULL;
}

const char *cocm_strmap_key(const struct cocm_strmap *m, const char *key)
{
	struct cocm_strmap_slot *s = find(m, key, hash_str(key));

	return s ? s->key : NULL;
}

static void place(struct cocm_strmap_slot *slots, size_t cap, struct cocm_strmap_slot e)
{
	size_t i = e.hash & (cap - 1);

	while (slots[i].key != NULL)
		i = (i + 1) & (cap - 1);
	slots[i] = e;
}

static void grow(struct cocm_strmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 16;
	struct cocm_strmap_slot *ns = COCM_NEWN(struct cocm_strmap_slot, ncap);

	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key != NULL)
			place(ns, ncap, m->slots[i]);
	free(m->slots);
	m->slots = ns;
	m->cap = ncap;
}

void *cocm_strmap_put(struct cocm_strmap *m, const char *key, void *value)
{
	size_t h = hash_str(key);
	struct cocm_strmap_slot *s = find(m, key, h);
	struct cocm_strmap_slot e;

	if (s != NULL) {
		void *old = s->value;

		s->value = value;
		return old;
	}
	if ((m->len + 1) * 4 > m->cap * 3) /* load factor <= 0.75 */
		grow(m);
	e.key = cocm_xstrdup(key);
	e.hash = h;
	e.value = value;
	place(m->slots, m->cap, e);
	m->len++;
	return NULL;
}

/* Removes slot i and shifts the following cluster back so probing stays correct. */
static void remove_at(struct cocm_strmap *m, size_t i)
{
	size_t mask = m->cap - 1;
	size_t j = i;

	free(m->slots[i].key);
	m->slots[i].key = NULL;
	m->len--;
	for (;;) {
		j = (j + 1) & mask;
		if (m->slots[j].key == NULL)
			return;
		size_t home = m->slots[j].hash & mask;
		/* Entry j may move into hole i when its home is not cyclically within (i, j]. */
		int in_range = i <= j ? (home > i && home <= j) : (home > i || home <= j);

		if (!in_range) {
			m->slots[i] = m->slots[j];
			m->slots[j].key = NULL;
			i = j;
		}
	}
}

void *cocm_strmap_del(struct cocm_strmap *m, const char *key, int *found)
{
	struct cocm_strmap_slot *s = find(m, key, hash_str(key));
	void *v;

	if (found != NULL)
		*found = s != NULL;
	if (s == NULL)
		return NULL;
	v = s->value;
	remove_at(m, (size_t)(s - m->slots));
	return v;
}

void cocm_strmap_iter_init(struct cocm_strmap_iter *it, struct cocm_strmap *m)
{
	it->m = m;
	it->pos = 0;
	it->key = NULL;
	it->value = NULL;
}

int cocm_strmap_next(struct cocm_strmap_iter *it)
{
	while (it->pos < it->m->cap) {
		struct cocm_strmap_slot *s = &it->m->slots[it->pos++];

		if (s->key != NULL) {
			it->key = s->key;
			it->value = s->value;
			return 1;
		}
	}
	it->key = NULL;
	it->value = NULL;
	return 0;
}
