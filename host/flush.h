/* SPDX-License-Identifier: MIT */
/*
 * The TLB-flush / inhibit protocol that every design plugs into.
 *
 * Flusher (hypercall exit, inside the VM SRCU read side):
 *   parse input -> send REQ_TLB_FLUSH to every target (+ kick those in guest
 *   mode) -> THEN check each target's inhibit (review: send requests first,
 *   the inhibit may flip in between) -> inhibited: design->suspend(), answer
 *   HV_STATUS_FB_RETRY, block until woken -> not inhibited: wait until the
 *   kicked targets left guest mode (KVM_REQUEST_WAIT semantics), answer
 *   SUCCESS.
 * Inhibitor (memory-intercept exit): set inhibit (inside the read side),
 *   instruction completion (guest memory, may fault), leave the read side,
 *   design->uninhibit() (the KVM_HYPERV_SET_TLB_FLUSH_INHIBIT ioctl path).
 */
#ifndef FB_FLUSH_H
#define FB_FLUSH_H

#include <stdbool.h>
#include <stdint.h>

struct vm;
struct vcpu;

int  flush__handle_hcall(struct vcpu *vcpu, uint64_t hcall_gpa);
int  flush__handle_intercept(struct vcpu *vcpu, uint64_t gpa);

/* For designs. */
uint64_t flush__clear_inhibit(struct vcpu *target);      /* returns the cleared seq */
void     flush__grace_period(struct vm *vm);             /* per srcu_gp: vmm|kernel|both */
void     flush__record_gp(struct vm *vm, uint64_t ns);   /* histogram + time series */
/* Wake flusher f if it is suspended on target t (KVM: clear suspended,
 * kvm_make_vcpus_request_mask(wake_req)).  true if it was a useful wake. */
bool     flush__wake_flusher(struct vcpu *f, struct vcpu *t, uint64_t seq);
/* Publish "f waits on t (seq)" and mark f suspended (release ordering). */
void     flush__publish_suspend(struct vcpu *f, struct vcpu *t, uint64_t seq);
/* Flusher side, after block() returned runnable: oracle + latency records. */
void     flush__resumed(struct vcpu *f);
/* Debug knob race_delay_us: widen the check -> publish window. */
void     flush__race_delay(struct vm *vm);

static inline bool inhibit_word_set(uint64_t w) { return w & 1; }
static inline uint64_t inhibit_word_seq(uint64_t w) { return w >> 1; }

#endif
