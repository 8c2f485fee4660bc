/* Client-side token bucket (client-go's flowcontrol shape): the bucket holds at most `burst`
 * tokens, refills at `qps` tokens per second and starts full. Pure arithmetic over a caller-given
 * clock in milliseconds (the loop's uv_now), so it is testable without waiting.
 * qps <= 0 disables limiting (every take succeeds). */
#ifndef COCM_KUBE_RATELIMIT_H
#define COCM_KUBE_RATELIMIT_H

#include <stdint.h>

struct cocm_ratelimit {
	double qps;      /* private */
	double burst;    /* private */
	double tokens;   /* private */
	uint64_t last;   /* private: ms of the last refill */
};

void cocm_ratelimit_init(struct cocm_ratelimit *rl, double qps, int burst, uint64_t now_ms);

/* Takes one token and returns 0 when one is available at now_ms; otherwise takes nothing and
 * returns how many ms to wait until one will be (>= 1). A clock going backwards is treated as no
 * time passing. */
uint64_t cocm_ratelimit_take(struct cocm_ratelimit *rl, uint64_t now_ms);

/* Reserves one token whether or not one is available and returns how many ms the caller must
 * wait before using it (0 = now). Tokens may go negative, so reservations queue up behind each
 * other at 1/qps intervals (golang.org/x/time/rate's Reserve). The work queue's overall bucket. */
uint64_t cocm_ratelimit_reserve(struct cocm_ratelimit *rl, uint64_t now_ms);

#endif
