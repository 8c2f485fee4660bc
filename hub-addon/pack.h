/* Packed JSON: how the daemon's caches keep the subtrees it reads rarely (a Release's
 * spec.resources and status, a work's status.resourceStatus) as one string instead of a
 * cJSON tree (a node is 64 bytes plus one allocation per key and per string: a tree costs
 * 4-6 times its text).
 *
 * A packed string is either the value's compact JSON text (it starts with '{', '[' or
 * another JSON value), or, when the text is at least COCM_PACK_MIN bytes and deflating makes
 * it smaller, "z:<text length>:<base64 of the zlib stream>" (JSON compresses 4-6x; base64
 * keeps the string NUL-free and printable, so the cached object stays valid JSON).
 * Packing is deterministic. OOM is fatal. Each thread keeps one zlib deflate and one inflate
 * stream for these calls (set up on first use, ≈ 80 KB, never freed: reachable until exit). */
#ifndef COCM_HUBADDON_PACK_H
#define COCM_HUBADDON_PACK_H

#include <cjson/cJSON.h>
#include <stddef.h>

#define COCM_PACK_MIN 512                  /* shorter texts stay plain */
#define COCM_PACK_MAX ((size_t)64 << 20)   /* largest text cocm_pack_parse inflates */

/* Heap string (free()) for v. */
char *cocm_pack_json(const cJSON *v);

/* The value back (caller owns: cJSON_Delete), or NULL when packed is NULL, malformed, not
 * JSON, or claims more than COCM_PACK_MAX bytes. */
cJSON *cocm_pack_parse(const char *packed);

#endif
