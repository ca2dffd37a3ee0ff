/* SPDX-License-Identifier: MIT */
/* targeted's pieces, shared with its deliberately broken variants. */
#ifndef FB_DESIGN_TARGETED_H
#define FB_DESIGN_TARGETED_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct vm;
struct vcpu;

struct tg_vcpu {
	pthread_mutex_t lock;          /* protects waiters (as a target) */
	struct tg_vcpu *waiters;       /* as a target: registered flushers */
	struct tg_vcpu *next;          /* as a waiter: next on the target's list */
	int on;                        /* as a waiter: target id, -1 none (under that target's lock) */
	struct vcpu *vcpu;
};

int  design_targeted__init(struct vm *vm);
void design_targeted__exit(struct vm *vm);
bool design_targeted__suspend(struct vcpu *f, struct vcpu *t, uint64_t seq);
void design_targeted__resume(struct vcpu *f);
/* After the clear: smp_mb(), then detach the whole waiter list (lock). */
struct tg_vcpu *design_targeted__take_waiters(struct vcpu *t);

#endif
