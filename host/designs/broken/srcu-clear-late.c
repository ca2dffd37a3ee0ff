/* SPDX-License-Identifier: MIT */
/*
 * srcu-clear-late: DELIBERATELY BROKEN (failure kind: lost wakeup).  The
 * grace period is taken BEFORE the clear: a flusher that reads inhibit=set
 * after the grace period began is not a pre-existing reader, so nothing
 * waits for its publish, and the scan right after the clear misses it.
 */
#include "design.h"
#include "flush.h"
#include "vcpu.h"

#include "../design-srcu.h"

static void clear_late__uninhibit(struct vcpu *t)
{
	flush__grace_period(t->vm);                                   /* the bug: before the clear */
	design_srcu__unsuspend(t, false, flush__wake_flusher);
}

const struct design_ops design_srcu_clear_late = {
	.name = "srcu-clear-late",
	.desc = "BROKEN on purpose: srcu with the clear after the grace period (lost wakeup)",
	.version = DESIGN_OPS_VERSION,
	.flags = DESIGN_F_BROKEN | DESIGN_F_GP,
	.suspend = design_srcu__suspend,
	.uninhibit = clear_late__uninhibit,
};
