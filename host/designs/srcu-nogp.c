/* SPDX-License-Identifier: MIT */
/*
 * srcu-nogp: DELIBERATELY BROKEN.  The RFC's design without the grace
 * period: a flusher that read inhibit=set just before the clear but has not
 * published waiting_on yet is missed by the scan - a lost wakeup (it sleeps
 * until a later uninhibit of the same target, or forever).  Exists so the
 * tests can prove the oracle catches it; needs --allow-broken.
 */
#include "design.h"
#include "flush.h"
#include "vcpu.h"

bool design_srcu__suspend(struct vcpu *f, struct vcpu *t, uint64_t seq);
void design_srcu__scan_and_wake(struct vcpu *t, uint64_t seq);

static void srcu_nogp__uninhibit(struct vcpu *t)
{
	uint64_t seq = flush__clear_inhibit(t);

	design_srcu__scan_and_wake(t, seq);
}

const struct design_ops design_srcu_nogp = {
	.name = "srcu-nogp",
	.desc = "BROKEN on purpose: srcu without the grace period (oracle must catch it)",
	.version = DESIGN_OPS_VERSION,
	.flags = DESIGN_F_BROKEN,
	.suspend = design_srcu__suspend,
	.uninhibit = srcu_nogp__uninhibit,
};
