/* Kubernetes Events on Releases (core v1 Events, as `kubectl describe` shows them).
 *
 * Aggregation: an event with the same object, reason and message as one recorded within
 * COCM_EVENTS_AGGREGATE_S bumps that Event's count and lastTimestamp with one merge patch
 * instead of creating a new object. Rate limit: per involved object a token bucket of
 * COCM_EVENTS_BURST events refilled at one per COCM_EVENTS_REFILL_S (client-go's spam filter
 * shape); events over the limit are dropped and counted. Memory: at most COCM_EVENTS_MAX_KEYS
 * remembered (object, reason) pairs; beyond that the oldest half is forgotten.
 *
 * Fire and forget: a failed write is logged at debug level, never retried. Requests run on the
 * given client; the recorder must outlive them, so destroy it only after the client was closed
 * (every callback has then run). Loop thread only. */
#ifndef COCM_HUBADDON_EVENTS_H
#define COCM_HUBADDON_EVENTS_H

#include <cjson/cJSON.h>

struct cocm_kube;

#define COCM_EVENTS_AGGREGATE_S 600
#define COCM_EVENTS_BURST 25
#define COCM_EVENTS_REFILL_S 300
#define COCM_EVENTS_MAX_KEYS 8192
#define COCM_EVENTS_MAX_MESSAGE 1024

struct cocm_events;

/* component: the reporting controller ("choreo-ocm"); instance: e.g. the host name. Copied. */
struct cocm_events *cocm_events_create(struct cocm_kube *k, const char *component,
	const char *instance);
void cocm_events_destroy(struct cocm_events *ev); /* NULL-safe */

/* Records an event about obj (borrowed for the call: apiVersion, kind, metadata.namespace,
 * name, uid). type: "Normal" or "Warning"; reason: CamelCase. Returns 1 when a write was
 * started, 0 when dropped by the rate limit or aggregated into nothing. */
int cocm_events_record(struct cocm_events *ev, const cJSON *obj, const char *type,
	const char *reason, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Counters for /metrics. */
unsigned long long cocm_events_sent(const struct cocm_events *ev);
unsigned long long cocm_events_dropped(const struct cocm_events *ev);

#endif
