/* SPDX-License-Identifier: MIT */
/*
 * The data of one flush hypercall in flight, apart from the protocol that
 * runs it (host/flush.c): the oracle (host/oracle.c) reads it to check the
 * protocol, and must not depend on the code it checks.
 */
#ifndef FB_FLUSH_OP_H
#define FB_FLUSH_OP_H

#include <stdbool.h>
#include <stdint.h>

#include "hv.h"
#include "vm.h"

struct fb_hcall;

/*
 * One flush hypercall in flight.  flush__protocol() runs the steps in the
 * order the review settled on; a (broken) design may supply its own order
 * through design_ops.flush, from the same steps.  The oracle instruments
 * the steps, not the order: send_requests() records each target's inhibit
 * word once the requests are visible, success() checks against it.
 */
struct flush_op {
	struct vcpu *f;
	const struct hv_flush_req *req;
	struct fb_hcall *hc;
	unsigned nk;                  /* kicked targets (were IN_GUEST_MODE) */
	struct vcpu **kicked;
	uint64_t *snap;               /* their exit_seq when kicked */
	uint64_t *w_req;              /* [vcpu id] inhibit word once the requests were visible */
	uint64_t t0;                  /* FB_TEST_FLUSH_DELAY_PCT: when the flush began */
};
/* Is vCPU i a target of this flush (in the guest's mask, not the flusher)? */
static inline bool flush__is_target(const struct flush_op *op, unsigned i)
{
	return (op->req->vp_mask[i / HV_BITS_PER_LONG] & (1ul << (i % HV_BITS_PER_LONG))) && i != op->f->id;
}

#endif
