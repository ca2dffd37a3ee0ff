/* SPDX-License-Identifier: MIT */
/*
 * check-before-request: DELIBERATELY BROKEN (failure kind: flush
 * semantics).  srcu with the flush protocol in the order the review
 * rejected: check the inhibit, THEN send the requests.  A target that
 * inhibits in between gets a flush answered SUCCESS although it was
 * inhibited when the requests became visible.
 */
#include "design.h"
#include "flush.h"
#include "vcpu.h"

#include "../design-srcu.h"

static int cbr__flush(struct flush_op *op)
{
	if (flush__check_inhibits(op))
		return 1;
	design__race(op->f->vm, RACE_REQUEST);
	flush__send_requests(op);
	flush__wait_acks(op);
	flush__success(op);
	return 1;
}

const struct design_ops design_check_before_request = {
	.name = "check-before-request",
	.desc = "BROKEN on purpose: srcu, flush checks the inhibit before sending requests (flush semantics)",
	.version = DESIGN_OPS_VERSION,
	.flags = DESIGN_F_BROKEN | DESIGN_F_GP,
	.suspend = design_srcu__suspend,
	.uninhibit = design_srcu__uninhibit,
	.flush = cbr__flush,
};
