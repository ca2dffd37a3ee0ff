/* SPDX-License-Identifier: MIT */
/* targeted's pieces, shared with its deliberately broken variants. */
#ifndef FB_DESIGN_TARGETED_H
#define FB_DESIGN_TARGETED_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

struct vm;
struct vcpu;

struct tg_vcpu {
	pthread_mutex_t lock;          /* protects waiters (as a target) */
	struct tg_vcpu *waiters;       /* as a target: registered flushers */
	unsigned nr_waiters;           /* as a target: length of waiters (lock) */
	struct tg_vcpu *next;          /* as a waiter: next on the target's list */
	int on;                        /* as a waiter: target id, -1 none (under that target's lock) */
	struct vcpu *vcpu;
	/* design_stats: as a waiter, written by this flusher only */
	_Atomic uint64_t registrations;    /* added itself to a target's list */
	_Atomic uint64_t retracted;        /* ... and took itself off again: no suspension, retry */
	_Atomic uint64_t stale;            /* still listed at resume, unlinked there */
	/* as a target, under lock */
	uint64_t taken;                    /* waiters taken off the list by an uninhibit */
	unsigned max_waiters;              /* longest its list has been */
};

int  design_targeted__init(struct vm *vm);
void design_targeted__exit(struct vm *vm);
bool design_targeted__suspend(struct vcpu *f, struct vcpu *t, uint64_t seq);
void design_targeted__resume(struct vcpu *f);
json_t *design_targeted__report(struct vm *vm);
/* After the clear: smp_mb(), then detach the whole waiter list (lock). */
struct tg_vcpu *design_targeted__take_waiters(struct vcpu *t);

#endif
