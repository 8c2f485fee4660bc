/* Stable, valid names and label values (see names.h). */
#include "manifestwork/names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/core/sha256.h"
#include "kube/core/xalloc.h"

static int is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int is_alnum(char c)
{
	return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

int cocm_names_is_dns_label(const char *s)
{
	size_t i, n = s ? strlen(s) : 0;

	if (n == 0 || n > 63 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
		return 0;
	for (i = 0; i < n; i++)
		if (!is_lower_alnum(s[i]) && s[i] != '-')
			return 0;
	return 1;
}

int cocm_names_is_subdomain(const char *s)
{
	size_t i, n = s ? strlen(s) : 0;

	if (n == 0 || n > COCM_NAMES_SUBDOMAIN_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (is_lower_alnum(c))
			continue;
		if (c != '-' && c != '.')
			return 0;
		/* a label starts and ends alphanumeric */
		if (i == 0 || i == n - 1)
			return 0;
		if (c == '.' && !is_lower_alnum(s[i - 1]))
			return 0;
		if (c == '.' && !is_lower_alnum(s[i + 1]))
			return 0;
	}
	return 1;
}

int cocm_names_is_label_value(const char *s)
{
	size_t i, n = s ? strlen(s) : 0;

	if (n == 0)
		return 1;
	if (n > COCM_NAMES_LABEL_MAX || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return 0;
	for (i = 0; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return 0;
	return 1;
}

/* Copies at most max characters of src into dst, mapping characters outside the allowed set
 * to '-' (lower-casing first when lower is set) and trimming non-alphanumerics at both ends.
 * Returns the length written. */
static size_t sanitise(char *dst, const char *src, size_t max, int lower, int keep_dot_under)
{
	size_t n = 0;
	const char *p = src;

	while (*p && !is_alnum(*p))
		p++;
	for (; *p && n < max; p++) {
		char c = *p;
		if (lower && c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!(lower ? is_lower_alnum(c) : is_alnum(c)) &&
			!(keep_dot_under && (c == '.' || c == '_')))
			c = '-';
		dst[n++] = c;
	}
	while (n > 0 && !is_alnum(dst[n - 1]))
		n--;
	dst[n] = '\0';
	return n;
}

const char *cocm_names_work(char out[COCM_NAMES_SUBDOMAIN_MAX + 1], const char *ns,
	const char *name, unsigned part)
{
	char suffix[16] = "";
	char hex[65];
	size_t slen, budget, n;
	struct cocm_sha256 h;
	unsigned char dig[32];
	static const char xd[] = "0123456789abcdef";
	int i;

	if (part > 1)
		snprintf(suffix, sizeof(suffix), "-p%u", part);
	slen = strlen(suffix);
	if (strlen(ns) + 1 + strlen(name) + slen <= COCM_NAMES_SUBDOMAIN_MAX) {
		snprintf(out, COCM_NAMES_SUBDOMAIN_MAX + 1, "%s-%s%s", ns, name, suffix);
		if (cocm_names_is_subdomain(out))
			return out;
	}
	cocm_sha256_init(&h);
	cocm_sha256_update(&h, ns, strlen(ns));
	cocm_sha256_update(&h, "/", 1);
	cocm_sha256_update(&h, name, strlen(name));
	cocm_sha256_final(&h, dig);
	for (i = 0; i < 4; i++) {
		hex[2 * i] = xd[dig[i] >> 4];
		hex[2 * i + 1] = xd[dig[i] & 15];
	}
	hex[8] = '\0';
	budget = COCM_NAMES_SUBDOMAIN_MAX - 9 - slen;
	{
		char *joined = cocm_xmalloc(strlen(ns) + strlen(name) + 2);
		size_t nl = strlen(ns);
		cocm_memcpy(joined, ns, nl);
		joined[nl] = '-';
		cocm_memcpy(joined + nl + 1, name, strlen(name) + 1);
		n = sanitise(out, joined, budget, 1, 0);
		free(joined);
	}
	snprintf(out + n, COCM_NAMES_SUBDOMAIN_MAX + 1 - n, "%s%s%s", n ? "-" : "", hex, suffix);
	return out;
}

const char *cocm_names_label_value(char out[COCM_NAMES_LABEL_MAX + 1], const char *v)
{
	char hex[65];
	size_t n;

	if (cocm_names_is_label_value(v)) {
		snprintf(out, COCM_NAMES_LABEL_MAX + 1, "%s", v);
		return out;
	}
	cocm_sha256_hex(v, strlen(v), hex);
	n = sanitise(out, v, COCM_NAMES_LABEL_MAX - 9, 0, 1);
	snprintf(out + n, COCM_NAMES_LABEL_MAX + 1 - n, "%s%.8s", n ? "-" : "", hex);
	return out;
}
