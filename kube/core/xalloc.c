/* Fatal-on-OOM allocation wrappers, shared with cJSON through cJSON_InitHooks. */
#include "kube/core/xalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
	fprintf(stderr, "level=fatal component=alloc msg=\"out of memory\" bytes=%zu\n", n);
	abort();
}

void *cocm_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom(n);
	return p;
}

void *cocm_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		oom(nmemb * size);
	return p;
}

void *cocm_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		oom(n);
	return q;
}

char *cocm_xstrndup(const char *s, size_t n)
{
	size_t len = 0;
	char *p;

	while (len < n && s[len] != '\0')
		len++;
	p = cocm_xmalloc(len + 1);
	cocm_memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *cocm_xstrdup(const char *s)
{
	return cocm_xstrndup(s, strlen(s));
}

void *cocm_memcpy(void *dst, const void *src, size_t n)
{
	if (n == 0)
		return dst;
	return memcpy(dst, src, n);
}

static void *json_malloc(size_t n)
{
	return cocm_xmalloc(n);
}

void cocm_xalloc_init(void)
{
	static int done;
	cJSON_Hooks hooks = { json_malloc, free };

	if (done)
		return;
	done = 1;
	cJSON_InitHooks(&hooks);
}
