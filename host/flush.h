/* SPDX-License-Identifier: MIT */
/*
 * The TLB-flush / inhibit protocol that every design plugs into.
 *
 * Flusher (hypercall exit, inside the VM SRCU read side):
 *   parse input -> send REQ_HV_TLB_FLUSH to every target (+ kick those in guest
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

#include "flush-op.h"

struct vm;
struct vcpu;

int  flush__handle_hcall(struct vcpu *vcpu, uint64_t hcall_gpa);
int  flush__handle_intercept(struct vcpu *vcpu, uint64_t gpa);

/* For designs. */
uint64_t flush__clear_inhibit(struct vcpu *target);      /* returns the cleared seq */
unsigned flush__grace_period(struct vm *vm);             /* per srcu_gp: vmm|kernel|both; how many completed */
void     flush__record_gp(struct vm *vm, uint64_t ns);   /* histogram + time series */
/* Wake flusher f if it is suspended on target t (KVM: clear suspended,
 * kvm_make_vcpus_request_mask(wake_req)).  true if it was a useful wake. */
bool     flush__wake_flusher(struct vcpu *f, struct vcpu *t, uint64_t seq);
/* Publish "f waits on t (seq)" and mark f suspended (release ordering). */
void     flush__publish_suspend(struct vcpu *f, struct vcpu *t, uint64_t seq);
/* Flusher side, after block() returned runnable: oracle + latency records. */
void     flush__resumed(struct vcpu *f);
/* Targeted-style designs: take back a suspension that never blocked
 * (the inhibit was cleared before we registered): not a suspension. */
void     flush__retract_suspend(struct vcpu *f);

void flush__send_requests(struct flush_op *op);
int  flush__check_inhibits(struct flush_op *op);    /* 1: suspended (answered RETRY) */
void flush__wait_acks(struct flush_op *op);          /* KVM_REQUEST_WAIT */
void flush__success(struct flush_op *op);            /* answer SUCCESS */
int  flush__protocol(struct flush_op *op);
/* flush__wake_flusher() in steps, for designs that wake differently. */
bool flush__wake_begin(struct vcpu *f, struct vcpu *t, uint64_t seq);  /* under f->wake_lock */
void flush__wake_unsuspend(struct vcpu *f);                            /* under f->wake_lock */

#endif
