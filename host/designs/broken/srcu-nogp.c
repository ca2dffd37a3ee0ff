/* SPDX-License-Identifier: MIT */
/*
 * srcu-nogp: DELIBERATELY BROKEN (failure kind: lost wakeup).  The RFC's
 * design without the grace period: a flusher that read inhibit=set just
 * before the clear but has not published waiting_on yet is missed by the
 * scan - it sleeps until a later uninhibit of the same target, or forever.
 */
#include "design.h"
#include "flush.h"
#include "vcpu.h"

#include "../design-srcu.h"

static void srcu_nogp__uninhibit(struct vcpu *t)
{
	design_srcu__unsuspend(t, false, flush__wake_flusher);       /* the bug: gp = false */
}

const struct design_ops design_srcu_nogp = {
	.name = "srcu-nogp",
	.desc = "BROKEN on purpose: srcu without the grace period (lost wakeup)",
	.version = DESIGN_OPS_VERSION,
	.flags = DESIGN_F_BROKEN,
	.suspend = design_srcu__suspend,
	.uninhibit = srcu_nogp__uninhibit,
};
