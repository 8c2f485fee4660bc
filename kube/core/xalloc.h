/* Allocation that never returns NULL: on failure it logs once and aborts (the pod restarts).
 * This removes out-of-memory error paths everywhere. cocm_xalloc_init() points cJSON at the
 * same allocator; call it once at program start (tests too, via any cocm_* entry point that
 * needs it: it is idempotent). All results are released with free(). */
#ifndef COCM_CORE_XALLOC_H
#define COCM_CORE_XALLOC_H

#include <stddef.h>

void *cocm_xmalloc(size_t n);
void *cocm_xcalloc(size_t nmemb, size_t size);
void *cocm_xrealloc(void *p, size_t n);
char *cocm_xstrdup(const char *s);
char *cocm_xstrndup(const char *s, size_t n); /* copies at most n bytes, always NUL-terminates */
/* memcpy that accepts (NULL, 0): memcpy(NULL, p, 0) is undefined behaviour. */
void *cocm_memcpy(void *dst, const void *src, size_t n);
void cocm_xalloc_init(void);

#define COCM_NEW(type) ((type *)cocm_xcalloc(1, sizeof(type)))
#define COCM_NEWN(type, n) ((type *)cocm_xcalloc((n), sizeof(type)))
#define cocm_container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr)-offsetof(type, member)))
#define COCM_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
