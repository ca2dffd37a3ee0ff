/* SPDX-License-Identifier: MIT */
/*
 * Censored observations: what was still in flight when a variant's window
 * ended.  A suspension still pending, an uninhibit (grace period) still
 * running, a kernel reference ioctl still in the kernel: each has a value of
 * at least its age at that moment (right-censored).  Dropping them would bias
 * every percentile low and can make a design that stalled look best; they
 * are kept as ages, and the percentiles they can move are reported as lower
 * bounds (docs/RESULTS.md, "Censored measurements").
 */
#ifndef FB_CENSOR_H
#define FB_CENSOR_H

#include <stdint.h>
#include "metrics.h"
#include "tstats.h"

struct vm;

struct censored {
	unsigned n, cap;
	uint64_t *age;                 /* ns (or the metric's unit) */
};

struct censor_set {
	uint64_t t_ns;                 /* when the snapshot was taken */
	struct censored m[FB_NR_HIST];
	/* what the snapshot says about liveness */
	unsigned pending_suspensions;      /* flushers suspended at t_ns */
	unsigned stalled_suspensions;      /* ... for > lost_timeout_ms, their target's uninhibit still running */
	unsigned uninhibits_in_flight;     /* inhibitors inside uninhibit at t_ns */
	uint64_t oldest_uninhibit_ns;      /* the age of the oldest of those */
};

void censor__init(struct censor_set *c);
void censor__add(struct censor_set *c, unsigned id, uint64_t age);
/* Snapshot a running VM at t_ns (call at the end of the window, before the
 * stop: afterwards everything in flight is torn down). */
void censor__snapshot(struct censor_set *c, struct vm *vm, uint64_t t_ns);
void censor__free(struct censor_set *c);

#endif
