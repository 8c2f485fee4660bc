/* The add-on's own ManifestWorks as the daemon sees them: the cache transform that keeps only
 * what the daemon reads (metadata without managedFields, and status; never the manifests),
 * finding a Release's works in the cache, and mapping a work back to its Release's queue key.
 * Pure over the cache (no I/O); loop thread only. */
#ifndef COCM_HUBADDON_WORKS_H
#define COCM_HUBADDON_WORKS_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "kube/cache.h"

/* Label keys indexed on the works cache. */
extern const char *const cocm_works_index_labels[];

/* Cache transform for ManifestWorks: keeps apiVersion, kind, metadata and status, frees the
 * rest (the manifests). metadata loses managedFields, uid, creationTimestamp and the labels
 * that repeat the annotations (managed-by, release-uid, release-namespace, part); other
 * labels (release-name: indexed) and every annotation stay. status.conditions keep type,
 * status, observedGeneration (+ reason, message while False); status.resourceStatus keeps
 * only what the fold reads (resourceMeta group/kind/namespace/name, conditions Applied,
 * Available, StatusFeedbackSynced trimmed the same way, statusFeedback.values) and is
 * packed. Returns obj. */
cJSON *cocm_works_transform(cJSON *obj, void *arg);
/* Cache transform for every other kind: drops metadata.managedFields and the
 * kubectl last-applied-configuration annotation (a second copy of the whole object). Every
 * transform here also points recurring keys and string values ("metadata", "True", our
 * label keys...) at shared static strings (keys cJSON_StringIsConst, values
 * cJSON_IsReference): cJSON_Delete / cJSON_Duplicate handle them; cached objects are
 * read-only anyway (cache.h). */
cJSON *cocm_works_slim(cJSON *obj, void *arg);

/* Packing (pack.h): what nobody reads on events is kept in the caches as one packed string
 * "x-cocm-packed-<key>" (compact JSON, deflated + base64 when large; a cJSON tree costs
 * several times its text): a Release's spec.resources and whole status, a work's
 * status.resourceStatus. cocm_works_unpack() gives back the object with those subtrees
 * parsed again (a deep copy the caller owns: cJSON_Delete). Everything else (metadata,
 * spec.environmentName, a work's conditions) stays a tree in the cache. */
#define COCM_PACKED_PREFIX "x-cocm-packed-"
cJSON *cocm_works_release_transform(cJSON *obj, void *arg);
cJSON *cocm_works_unpack(const cJSON *cached);

/* The queue key "Kind/ns/name" of the Release a work delivers (from its annotations
 * ocm.openchoreo.dev/release and .../release-kind) into out; -1 when it has none / too long. */
int cocm_works_release_key(const cJSON *work, char *out, size_t cap);

/* Every cached work of Release kind/ns/name (found through the release-name label index and
 * checked against the annotations). *out: heap array of borrowed pointers (free() it; valid
 * until the cache changes). Returns the count. */
size_t cocm_works_of_release(const struct cocm_cache *works, const char *kind, const char *ns,
	const char *name, const cJSON ***out);

/* The ocm.openchoreo.dev/content-hash annotation, or NULL. Borrowed. */
const char *cocm_works_hash(const cJSON *work);
/* 1 when metadata.deletionTimestamp is set. */
int cocm_works_deleting(const cJSON *obj);

#endif
