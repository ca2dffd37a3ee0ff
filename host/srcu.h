/* SPDX-License-Identifier: MIT */
/*
 * A sleepable RCU domain: the VMM's analogue of kvm->srcu.
 *
 * Semantics are Linux SRCU's: separate domains are independent; readers may
 * block; srcu__synchronize() returns only after every reader that was inside
 * a read-side critical section when it started has left it.  Readers use a
 * per-reader slot (one per vCPU thread, one per helper thread such as a
 * pager), registering the grace-period epoch they started in; a writer bumps
 * the epoch and waits (futex) for slots that still carry an older epoch.
 * Writers do not serialise against each other.  See docs/DESIGNS.md for the
 * ordering argument and how this differs from Linux's tree SRCU (which
 * polls with growing delays; ours is woken by the last reader).
 */
#ifndef FB_SRCU_H
#define FB_SRCU_H

#include <stdint.h>
#include <stdbool.h>
#include "hist.h"

struct srcu_slot {
	_Atomic uint32_t epoch;     /* 0 = not in a read-side section */
	_Atomic uint32_t waiters;   /* writers sleeping on this slot */
	uint32_t nest;              /* owner-thread nesting depth */
	int32_t  behalf;            /* vCPU id this reader works for (-1 none) */
	uint64_t since_ns;          /* when the outermost lock was taken */
	char pad[40];
} __attribute__((aligned(64)));

struct srcu_struct {
	const char *name;
	_Atomic uint32_t gp_epoch;
	unsigned nr_slots;
	struct srcu_slot *slots;
	/* statistics */
	_Atomic uint64_t nr_gp;
	struct hist gp_ns;          /* grace-period durations */
};

int  srcu__init(struct srcu_struct *sp, const char *name, unsigned nr_slots);
void srcu__exit(struct srcu_struct *sp);
/* Enter/leave a read-side section on slot (nests on the same slot). */
void srcu__read_lock(struct srcu_struct *sp, unsigned slot);
void srcu__read_unlock(struct srcu_struct *sp, unsigned slot);
/* Same, recording which vCPU the reader works for (pager on behalf of v). */
void srcu__read_lock_behalf(struct srcu_struct *sp, unsigned slot, int vcpu);
bool srcu__read_held(const struct srcu_struct *sp, unsigned slot);
/* Wait for all pre-existing readers; returns the time waited in ns and, if
 * blocker != NULL, the slot waited on longest (-1 if none). */
uint64_t srcu__synchronize(struct srcu_struct *sp, int *blocker);

#endif
