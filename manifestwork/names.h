/* Names, label keys and label values of the ManifestWorks choreo-ocm writes. The daemon,
 * status-sync and the docs rely on these exact strings; changing one orphans works written
 * by an older version.
 *
 * Work name: `<release-namespace>-<release-name>`, part N > 1 adds `-pN`. When that is not a
 * valid DNS-1123 subdomain of at most 253 characters, the name becomes a sanitised prefix
 * (lower case, only [a-z0-9-]) + `-` + the first 8 hex digits of sha256("<ns>/<name>") + the
 * part suffix, which is always valid and stable.
 * Label values: kept when valid (at most 63 characters, [A-Za-z0-9._-], alphanumeric at both
 * ends); otherwise a sanitised prefix of at most 54 characters + `-` + 8 hex digits of the
 * sha256 of the original value (just the 8 hex digits when no usable prefix is left).
 * Pure functions; thread-safe. */
#ifndef COCM_MANIFESTWORK_NAMES_H
#define COCM_MANIFESTWORK_NAMES_H

#include <stddef.h>

#define COCM_NAMES_SUBDOMAIN_MAX 253
#define COCM_NAMES_LABEL_MAX 63

/* Labels and annotations on every ManifestWork. */
#define COCM_LABEL_MANAGED_BY "app.kubernetes.io/managed-by"
#define COCM_MANAGED_BY "choreo-ocm"
#define COCM_LABEL_RELEASE_UID "ocm.openchoreo.dev/release-uid"
#define COCM_LABEL_RELEASE_NAME "ocm.openchoreo.dev/release-name"
#define COCM_LABEL_RELEASE_NAMESPACE "ocm.openchoreo.dev/release-namespace"
#define COCM_LABEL_PART "ocm.openchoreo.dev/part"
#define COCM_ANN_RELEASE "ocm.openchoreo.dev/release"
#define COCM_ANN_RELEASE_KIND "ocm.openchoreo.dev/release-kind"
#define COCM_ANN_PARTS "ocm.openchoreo.dev/parts"
#define COCM_ANN_CONTENT_HASH "ocm.openchoreo.dev/content-hash"
/* SSA field manager of the work agent for our manifests. */
#define COCM_FIELD_MANAGER "work-agent-choreo-ocm"

/* 1 when s is a DNS-1123 subdomain (lower-case alphanumerics, '-' and '.', each dot-separated
 * label alphanumeric at both ends, 1..253 characters). */
int cocm_names_is_subdomain(const char *s);
/* 1 when s is a DNS-1123 label (1..63, [a-z0-9-], alphanumeric at both ends). */
int cocm_names_is_dns_label(const char *s);
/* 1 when s is a valid label value (empty, or 1..63 of [A-Za-z0-9._-] alphanumeric at both
 * ends). */
int cocm_names_is_label_value(const char *s);

/* The work name for part (1-based) of release ns/name into out; returns out. */
const char *cocm_names_work(char out[COCM_NAMES_SUBDOMAIN_MAX + 1], const char *ns,
	const char *name, unsigned part);
/* v itself when it is a valid label value, else its hashed form (see above); returns out. */
const char *cocm_names_label_value(char out[COCM_NAMES_LABEL_MAX + 1], const char *v);

#endif
