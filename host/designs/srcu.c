/* SPDX-License-Identifier: MIT */
/*
 * srcu: the RFC's design (KVM_HYPERV_SET_TLB_FLUSH_INHIBIT v1).
 *
 * Flusher, inside the VM SRCU read side: saw inhibit set -> publish
 * waiting_on + suspended.  Uninhibit: clear the flag, synchronize the
 * VM-wide SRCU so every flusher that saw it set has published (it was a
 * pre-existing reader), then scan ALL vCPUs for those waiting on us.
 * Cost: the grace period waits for every reader of the VM domain - any vCPU
 * handling an exit or faulting memory - and the scan is O(nr_vcpus).
 */
#include <stdatomic.h>

#include "design.h"
#include "flush.h"
#include "vcpu.h"

bool design_srcu__suspend(struct vcpu *f, struct vcpu *t, uint64_t seq)
{
	/* The caller read inhibit=set inside our read side; the grace period
	 * in uninhibit covers the window until this publish. */
	design__race(f->vm, RACE_PUBLISH);
	flush__publish_suspend(f, t, seq);
	return true;
}

/* Scan every vCPU: the RFC's kvm_hv_vcpu_unsuspend_tlb_flush(). */
void design_srcu__scan_and_wake(struct vcpu *t, uint64_t seq)
{
	struct vm *vm = t->vm;

	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *f = vm->vcpus[i];
		if (atomic_load_explicit(&f->suspended, memory_order_acquire) &&
		    atomic_load_explicit(&f->waiting_on, memory_order_relaxed) == (int)t->id)
			flush__wake_flusher(f, t, seq);
	}
	M_HIST(vm, scanned, vm->nr_vcpus);
}

void design_srcu__uninhibit(struct vcpu *t)
{
	uint64_t seq = flush__clear_inhibit(t);

	design__race(t->vm, RACE_SCAN);
	flush__grace_period(t->vm);
	design_srcu__scan_and_wake(t, seq);
}

const struct design_ops design_srcu = {
	.name = "srcu",
	.desc = "RFC: clear inhibit, synchronize the VM-wide SRCU, scan all vCPUs",
	.version = DESIGN_OPS_VERSION,
	.flags = DESIGN_F_GP,
	.suspend = design_srcu__suspend,
	.uninhibit = design_srcu__uninhibit,
};
