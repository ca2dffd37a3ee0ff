/* SPDX-License-Identifier: MIT */
/*
 * wake-stray-request: DELIBERATELY BROKEN (failure kind: no progress, a
 * livelock).  srcu, but the wake makes a request that no handler consumes
 * (a request number the vCPU loop does not know, like a kvm_make_request()
 * whose kvm_check_request() was forgotten).  The woken flusher resumes, and
 * from then on every entry is cancelled (kvm_vcpu_exit_request() stays
 * true): it spins outside the guest, never flushes again, and never reaches
 * the guest's stop check.  The oracle reports it as no progress; stopping
 * the VM (Ctrl-C, SIGTERM) must still end it (tests/cli/stuck_flushers.sh).
 */
#include <pthread.h>

#include "design.h"
#include "flush.h"
#include "vcpu.h"

#define REQ_STRAY 21                  /* bit 21, not in enum vcpu_req: nobody checks it */

#include "../design-srcu.h"

static bool wsr__wake(struct vcpu *f, struct vcpu *t, uint64_t seq)
{
	struct vm *vm = f->vm;

	design__race(vm, RACE_WAKE);
	pthread_mutex_lock(&f->wake_lock);
	if (!flush__wake_begin(f, t, seq)) {
		pthread_mutex_unlock(&f->wake_lock);
		return false;
	}
	flush__wake_unsuspend(f);
	pthread_mutex_unlock(&f->wake_lock);
	vcpu__make_vcpu_request(f, REQ_STRAY, NULL);   /* the bug (before the wake: the
						 * flusher spins from its first entry) */
	vcpu__make_vcpu_request(f, vm->wake_req, NULL);
	return true;
}

static void wsr__uninhibit(struct vcpu *t)
{
	design_srcu__unsuspend(t, true, wsr__wake);
}

const struct design_ops design_wake_stray_request = {
	.name = "wake-stray-request",
	.desc = "BROKEN on purpose: srcu whose wake makes a request nobody consumes (woken flusher livelocks)",
	.version = DESIGN_OPS_VERSION,
	.flags = DESIGN_F_BROKEN | DESIGN_F_GP,
	.suspend = design_srcu__suspend,
	.uninhibit = wsr__uninhibit,
};
