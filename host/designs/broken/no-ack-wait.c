/* SPDX-License-Identifier: MIT */
/*
 * no-ack-wait: DELIBERATELY BROKEN (failure kind: flush semantics).  srcu
 * with a flush that answers SUCCESS without waiting for the kicked targets
 * to leave guest mode (KVM_REQUEST_WAIT dropped): a target may still run
 * on the stale translation when the flusher goes on.
 */
#include "design.h"
#include "flush.h"
#include "vcpu.h"

#include "../design-srcu.h"

static int naw__flush(struct flush_op *op)
{
	flush__send_requests(op);
	if (flush__check_inhibits(op))
		return 1;
	flush__success(op);
	return 1;
}

const struct design_ops design_no_ack_wait = {
	.name = "no-ack-wait",
	.desc = "BROKEN on purpose: srcu, flush answers before kicked targets acknowledge (flush semantics)",
	.version = DESIGN_OPS_VERSION,
	.flags = DESIGN_F_BROKEN | DESIGN_F_GP,
	.suspend = design_srcu__suspend,
	.uninhibit = design_srcu__uninhibit,
	.flush = naw__flush,
};
