/* SPDX-License-Identifier: MIT */
/* srcu's pieces, shared with srcu-private and the deliberately broken
 * variants (each calls them with its one difference). */
#ifndef FB_DESIGN_SRCU_H
#define FB_DESIGN_SRCU_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

struct vm;
struct vcpu;

/* How a scan wakes flusher f suspended on t: flush__wake_flusher(), or a
 * broken design's own wrong one.  True if f was woken. */
typedef bool design_wake_fn(struct vcpu *f, struct vcpu *t, uint64_t seq);

int  design_srcu__init(struct vm *vm);
void design_srcu__exit(struct vm *vm);
json_t *design_srcu__report(struct vm *vm);
bool design_srcu__suspend(struct vcpu *f, struct vcpu *t, uint64_t seq);
/* The RFC's kvm_hv_vcpu_unsuspend_tlb_flush(): scan every vCPU, wake()
 * those suspended on t.  Returns how many were woken. */
unsigned design_srcu__scan(struct vcpu *t, uint64_t seq, design_wake_fn *wake);
/* srcu's uninhibit with the wake as a parameter: clear t's inhibit, wait
 * for a grace period if gp, scan with wake().  Counted in srcu's
 * design_stats when the VM runs a design with srcu's init. */
void design_srcu__unsuspend(struct vcpu *t, bool gp, design_wake_fn *wake);
void design_srcu__uninhibit(struct vcpu *t);

#endif
