/* SPDX-License-Identifier: MIT */
/*
 * srcu-wake-early: DELIBERATELY BROKEN (failure kind: early resume).  The
 * waiters are woken before the inhibit is cleared, so they run while their
 * target is still inhibited in the sequence they waited on.  (It scans
 * again after the clear + grace period, so nobody is lost: the only bug
 * is the early resume.)
 */
#include "design.h"
#include "flush.h"
#include "vcpu.h"

#include "../design-srcu.h"

static void wake_early__uninhibit(struct vcpu *t)
{
	design_srcu__scan(t, inhibit_word_seq(atomic_load(&t->inhibit)), flush__wake_flusher);
	design__race(t->vm, RACE_SCAN);
	uint64_t seq = flush__clear_inhibit(t);
	flush__grace_period(t->vm);
	design_srcu__scan(t, seq, flush__wake_flusher);
}

const struct design_ops design_srcu_wake_early = {
	.name = "srcu-wake-early",
	.desc = "BROKEN on purpose: srcu waking its waiters before the clear (early resume)",
	.version = DESIGN_OPS_VERSION,
	.flags = DESIGN_F_BROKEN | DESIGN_F_GP,
	.suspend = design_srcu__suspend,
	.uninhibit = wake_early__uninhibit,
};
