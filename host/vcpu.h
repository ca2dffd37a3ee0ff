/* SPDX-License-Identifier: MIT */
/* vCPU run loop internals shared by vcpu.c, flush.c and the designs. */
#ifndef FB_VCPU_H
#define FB_VCPU_H

#include <stdatomic.h>
#include "vm.h"

/* kvm_vcpu_running(): not suspended on an inhibited flush target (the RFC
 * adds !kvm_hv_vcpu_suspended() to it). */
static inline bool vcpu__running(struct vcpu *vcpu)
{
	return !atomic_load_explicit(&vcpu->suspended, memory_order_acquire);
}
/* vcpu_block() of a vCPU that is not vcpu__running(), outside the read
 * side: halt-polls for cfg->halt_poll_ns (kvm_vcpu_halt()), then sleeps
 * (kvm_vcpu_block()) until kvm_vcpu_check_block() holds: the vCPU runs
 * again, the VM stops, or a REQ_UNBLOCK came (consumed; the vCPU may still
 * not be running, the caller re-checks). */
void vcpu__block(struct vcpu *vcpu);
/* A timed guest HLT (FB_UCALL_SLEEP), outside the read side, no polling:
 * returns after timeout_ns, when the VM stops, on REQ_UNBLOCK, or when
 * anyone wakes the vCPU (vcpu__wake_up()).  0 = return at once. */
void vcpu__timed_halt(struct vcpu *vcpu, uint64_t timeout_ns);
/* SRCU read side of the calling vCPU thread (kvm_vcpu_srcu_read_lock). */
void vcpu__srcu_lock(struct vcpu *vcpu);
void vcpu__srcu_unlock(struct vcpu *vcpu);
uint64_t vcpu__tsc_to_ns(const struct vm *vm, uint64_t cycles);
/* A guest-memory fault of this vCPU is being served (pager, on either
 * backend): the vCPU counts as outside guest mode, as in KVM, so it is not
 * kicked or waited for; a request made meanwhile is delivered when the fault
 * ends.  Returns a token for vcpu__fault_end() (the fault's serial and the
 * mode to restore; -1: nothing to restore).  End restores the mode only if
 * the token is still the vCPU's current fault. */
int  vcpu__fault_begin(struct vcpu *vcpu);
void vcpu__fault_end(struct vcpu *vcpu, int token);
/* After the page is in: deliver requests made during the fault. */
void vcpu__fault_resume(struct vcpu *vcpu);

#endif
