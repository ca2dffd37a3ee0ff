/* SPDX-License-Identifier: MIT */
/*
 * targeted-wake-one: DELIBERATELY BROKEN (failure kind: lost wakeup, found
 * by the per-suspension watchdog).  Detaches the whole waiter list but
 * wakes only its first entry: every other waiter of the cycle sleeps on.
 */
#include "../targeted.h"
#include "design.h"
#include "flush.h"
#include "vcpu.h"

static void wake_one__uninhibit(struct vcpu *t)
{
	uint64_t seq = flush__clear_inhibit(t);
	struct tg_vcpu *list = design_targeted__take_waiters(t);

	if (list)
		flush__wake_flusher(list->vcpu, t, seq);
	/* the others stay detached and asleep */
}

const struct design_ops design_targeted_wake_one = {
	.name = "targeted-wake-one",
	.desc = "BROKEN on purpose: targeted waking only the first waiter (lost wakeup)",
	.version = DESIGN_OPS_VERSION,
	.flags = DESIGN_F_BROKEN,
	.init = design_targeted__init,
	.exit = design_targeted__exit,
	.suspend = design_targeted__suspend,
	.resume = design_targeted__resume,
	.uninhibit = wake_one__uninhibit,
	.report = design_targeted__report,
};
