/* Event recorder with aggregation and a per-object rate limit (see events.h). */
#include "hub-addon/events.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kube/client.h"
#include "kube/core/json.h"
#include "kube/core/log.h"
#include "kube/core/xalloc.h"
#include "kube/ratelimit.h"
#include "kube/strmap.h"

struct entry {            /* one (object, reason) */
	char *event_name;     /* NULL until the create answered */
	char *message;
	long long count;
	uint64_t last_ms;
	uint64_t seq;         /* for eviction */
	int inflight;
};

struct bucket {           /* one involved object */
	struct cocm_ratelimit rl;
	uint64_t seq;
};

struct cocm_events {
	struct cocm_kube *k;
	char *component, *instance;
	struct cocm_strmap entries; /* "ns/kind/name\nreason" -> struct entry */
	struct cocm_strmap buckets; /* "ns/kind/name" -> struct bucket */
	uint64_t seq;
	unsigned long long sent, dropped;
};

struct req {
	struct cocm_events *ev;
	char *key;
	uint64_t seq;
};

static const struct cocm_gvr events_gvr = { "", "v1", "events", 1 };

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void rfc3339(char *buf, size_t cap)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

struct cocm_events *cocm_events_create(struct cocm_kube *k, const char *component,
	const char *instance)
{
	struct cocm_events *ev = COCM_NEW(struct cocm_events);

	ev->k = k;
	ev->component = cocm_xstrdup(component);
	ev->instance = cocm_xstrdup(instance != NULL ? instance : component);
	cocm_strmap_init(&ev->entries);
	cocm_strmap_init(&ev->buckets);
	return ev;
}

static void free_entry(struct entry *e)
{
	free(e->event_name);
	free(e->message);
	free(e);
}

static void clear_maps(struct cocm_events *ev)
{
	struct cocm_strmap_iter it;

	for (cocm_strmap_iter_init(&it, &ev->entries); cocm_strmap_next(&it);)
		free_entry(it.value);
	for (cocm_strmap_iter_init(&it, &ev->buckets); cocm_strmap_next(&it);)
		free(it.value);
	cocm_strmap_finish(&ev->entries);
	cocm_strmap_finish(&ev->buckets);
}

void cocm_events_destroy(struct cocm_events *ev)
{
	if (ev == NULL)
		return;
	clear_maps(ev);
	free(ev->component);
	free(ev->instance);
	free(ev);
}

unsigned long long cocm_events_sent(const struct cocm_events *ev)
{
	return ev->sent;
}

unsigned long long cocm_events_dropped(const struct cocm_events *ev)
{
	return ev->dropped;
}

/* Forgets the older half of the remembered entries (and all buckets) when over the cap. */
static void evict(struct cocm_events *ev)
{
	struct cocm_strmap_iter it;
	char **doomed;
	size_t n = 0, i;
	uint64_t cut;

	if (ev->entries.len < COCM_EVENTS_MAX_KEYS && ev->buckets.len < COCM_EVENTS_MAX_KEYS)
		return;
	cut = ev->seq - COCM_EVENTS_MAX_KEYS / 2;
	doomed = COCM_NEWN(char *, ev->entries.len + ev->buckets.len + 1);
	for (cocm_strmap_iter_init(&it, &ev->entries); cocm_strmap_next(&it);) {
		struct entry *e = it.value;

		if (e->seq < cut && !e->inflight)
			doomed[n++] = cocm_xstrdup(it.key);
	}
	for (i = 0; i < n; i++) {
		free_entry(cocm_strmap_del(&ev->entries, doomed[i], NULL));
		free(doomed[i]);
	}
	n = 0;
	for (cocm_strmap_iter_init(&it, &ev->buckets); cocm_strmap_next(&it);) {
		struct bucket *b = it.value;

		if (b->seq < cut)
			doomed[n++] = cocm_xstrdup(it.key);
	}
	for (i = 0; i < n; i++) {
		free(cocm_strmap_del(&ev->buckets, doomed[i], NULL));
		free(doomed[i]);
	}
	free(doomed);
}

static void on_written(struct cocm_resp *resp, void *arg)
{
	struct req *r = arg;
	struct entry *e = cocm_strmap_get(&r->ev->entries, r->key);

	if (e != NULL && e->seq == r->seq) {
		e->inflight = 0;
		if (resp->err == COCM_OK && e->event_name == NULL) {
			const char *name = cocm_json_str(resp->body, "metadata", "name", NULL);

			if (name != NULL)
				e->event_name = cocm_xstrdup(name);
		} else if (resp->err != COCM_OK) {
			/* a lost aggregate target: start a fresh Event next time */
			free(e->event_name);
			e->event_name = NULL;
			e->count = 0;
		}
	}
	if (resp->err != COCM_OK && resp->err != COCM_ECANCELED)
		cocm_log(COCM_LOG_DEBUG, "events", "write-failed err=%s code=%d",
			cocm_err_name(resp->err), resp->http_status);
	free(r->key);
	free(r);
}

static cJSON *new_event(struct cocm_events *ev, const cJSON *obj, const char *type,
	const char *reason, const char *msg, const char *ts)
{
	const char *ns = cocm_json_str(obj, "metadata", "namespace", NULL);
	const char *name = cocm_json_str(obj, "metadata", "name", NULL);
	const char *uid = cocm_json_str(obj, "metadata", "uid", NULL);
	const char *av = cocm_json_str(obj, "apiVersion", NULL);
	const char *kind = cocm_json_str(obj, "kind", NULL);
	cJSON *e = cJSON_CreateObject(), *md, *io, *src;
	char evname[320];
	struct timespec tsp;

	clock_gettime(CLOCK_REALTIME, &tsp);
	snprintf(evname, sizeof(evname), "%.200s.%llx%04llx", name,
		(unsigned long long)tsp.tv_sec * 1000000000ull + (unsigned long long)tsp.tv_nsec,
		(unsigned long long)(ev->seq & 0xffff));
	cJSON_AddStringToObject(e, "apiVersion", "v1");
	cJSON_AddStringToObject(e, "kind", "Event");
	md = cJSON_AddObjectToObject(e, "metadata");
	cJSON_AddStringToObject(md, "name", evname);
	cJSON_AddStringToObject(md, "namespace", ns != NULL ? ns : "default");
	io = cJSON_AddObjectToObject(e, "involvedObject");
	if (av != NULL)
		cJSON_AddStringToObject(io, "apiVersion", av);
	if (kind != NULL)
		cJSON_AddStringToObject(io, "kind", kind);
	if (ns != NULL)
		cJSON_AddStringToObject(io, "namespace", ns);
	cJSON_AddStringToObject(io, "name", name);
	if (uid != NULL)
		cJSON_AddStringToObject(io, "uid", uid);
	cJSON_AddStringToObject(e, "reason", reason);
	cJSON_AddStringToObject(e, "message", msg);
	cJSON_AddStringToObject(e, "type", type);
	src = cJSON_AddObjectToObject(e, "source");
	cJSON_AddStringToObject(src, "component", ev->component);
	cJSON_AddStringToObject(e, "reportingComponent", ev->component);
	cJSON_AddStringToObject(e, "reportingInstance", ev->instance);
	cJSON_AddStringToObject(e, "firstTimestamp", ts);
	cJSON_AddStringToObject(e, "lastTimestamp", ts);
	cJSON_AddNumberToObject(e, "count", 1);
	return e;
}

int cocm_events_record(struct cocm_events *ev, const cJSON *obj, const char *type,
	const char *reason, const char *fmt, ...)
{
	const char *ns = cocm_json_str(obj, "metadata", "namespace", NULL);
	const char *name = cocm_json_str(obj, "metadata", "name", NULL);
	const char *kind = cocm_json_str(obj, "kind", NULL);
	char okey[512], ekey[600], msg[COCM_EVENTS_MAX_MESSAGE], ts[32];
	struct bucket *b;
	struct entry *e;
	struct req *r;
	uint64_t now = now_ms();
	va_list ap;
	enum cocm_err rc;
	cJSON *body;

	if (name == NULL)
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(okey, sizeof(okey), "%s/%s/%s", ns != NULL ? ns : "", kind != NULL ? kind : "",
		name);
	snprintf(ekey, sizeof(ekey), "%s\n%s", okey, reason);
	ev->seq++;
	evict(ev);
	b = cocm_strmap_get(&ev->buckets, okey);
	if (b == NULL) {
		b = COCM_NEW(struct bucket);
		cocm_ratelimit_init(&b->rl, 1.0 / COCM_EVENTS_REFILL_S, COCM_EVENTS_BURST, now);
		cocm_strmap_put(&ev->buckets, okey, b);
	}
	b->seq = ev->seq;
	e = cocm_strmap_get(&ev->entries, ekey);
	if (e != NULL && e->inflight) {
		ev->dropped++; /* the previous write of this pair is still on its way */
		return 0;
	}
	if (cocm_ratelimit_take(&b->rl, now) != 0) {
		ev->dropped++;
		return 0;
	}
	if (e == NULL) {
		e = COCM_NEW(struct entry);
		cocm_strmap_put(&ev->entries, ekey, e);
	}
	e->seq = ev->seq;
	rfc3339(ts, sizeof(ts));
	r = COCM_NEW(struct req);
	r->ev = ev;
	r->key = cocm_xstrdup(ekey);
	r->seq = e->seq;
	if (e->event_name != NULL && e->message != NULL && strcmp(e->message, msg) == 0 &&
		now - e->last_ms < (uint64_t)COCM_EVENTS_AGGREGATE_S * 1000u) {
		body = cJSON_CreateObject();
		cJSON_AddNumberToObject(body, "count", (double)(e->count + 1));
		cJSON_AddStringToObject(body, "lastTimestamp", ts);
		rc = cocm_kube_patch(ev->k, &events_gvr, ns != NULL ? ns : "default", e->event_name,
			COCM_PATCH_MERGE, body, NULL, on_written, r);
		cJSON_Delete(body);
		if (rc == COCM_OK)
			e->count++;
	} else {
		body = new_event(ev, obj, type, reason, msg, ts);
		free(e->event_name);
		e->event_name = NULL;
		free(e->message);
		e->message = cocm_xstrdup(msg);
		e->count = 1;
		rc = cocm_kube_create_obj(ev->k, &events_gvr, ns != NULL ? ns : "default", body, NULL,
			on_written, r);
		cJSON_Delete(body);
	}
	if (rc != COCM_OK) {
		free(r->key);
		free(r);
		return 0;
	}
	e->inflight = 1;
	e->last_ms = now;
	ev->sent++;
	return 1;
}
