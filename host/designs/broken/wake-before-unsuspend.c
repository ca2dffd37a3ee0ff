/* SPDX-License-Identifier: MIT */
/*
 * wake-before-unsuspend: DELIBERATELY BROKEN (failure kind: lost wakeup of
 * the "woken, never ran" sort).  srcu, but the wake makes the request and
 * wakes the flusher BEFORE clearing its suspended state: the flusher wakes,
 * still finds itself not runnable and goes back to sleep; the clear that
 * follows wakes nobody.
 */
#include "design.h"
#include "flush.h"
#include "vcpu.h"

#include "../design-srcu.h"

static bool wbu__wake(struct vcpu *f, struct vcpu *t, uint64_t seq)
{
	struct vm *vm = f->vm;

	pthread_mutex_lock(&f->wake_lock);
	if (!flush__wake_begin(f, t, seq)) {
		pthread_mutex_unlock(&f->wake_lock);
		return false;
	}
	vcpu__make_vcpu_request(f, vm->wake_req, NULL);     /* too early */
	design__race(vm, RACE_WAKE);
	flush__wake_unsuspend(f);
	pthread_mutex_unlock(&f->wake_lock);
	return true;
}

static void wbu__uninhibit(struct vcpu *t)
{
	design_srcu__unsuspend(t, true, wbu__wake);
}

const struct design_ops design_wake_before_unsuspend = {
	.name = "wake-before-unsuspend",
	.desc = "BROKEN on purpose: srcu whose wake kicks before clearing suspended (woken, never ran)",
	.version = DESIGN_OPS_VERSION,
	.flags = DESIGN_F_BROKEN | DESIGN_F_GP,
	.suspend = design_srcu__suspend,
	.uninhibit = wbu__uninhibit,
};
