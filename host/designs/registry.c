/* SPDX-License-Identifier: MIT */
/*
 * The design registry: adding a design is one file in host/designs/ and one
 * line here.  (A static list, not constructor registration: objects in a
 * static archive that are only referenced by a constructor get dropped.)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "design.h"

extern const struct design_ops design_srcu;
extern const struct design_ops design_srcu_private;
extern const struct design_ops design_targeted;
/* deliberately broken (host/designs/broken/): need --allow-broken, never
 * in a default scenario; each exists so a test proves the oracle catches
 * one failure kind */
extern const struct design_ops design_srcu_nogp;
extern const struct design_ops design_srcu_clear_late;
extern const struct design_ops design_srcu_wake_early;
extern const struct design_ops design_targeted_wake_one;
extern const struct design_ops design_wake_before_unsuspend;
extern const struct design_ops design_check_before_request;
extern const struct design_ops design_no_ack_wait;

const struct design_ops *const designs[] = {
	&design_srcu,
	&design_srcu_private,
	&design_targeted,
	&design_srcu_nogp,
	&design_srcu_clear_late,
	&design_srcu_wake_early,
	&design_targeted_wake_one,
	&design_wake_before_unsuspend,
	&design_check_before_request,
	&design_no_ack_wait,
	NULL,
};

const struct design_ops *design__find(const char *name)
{
	for (unsigned i = 0; designs[i]; i++)
		if (!strcmp(designs[i]->name, name))
			return designs[i];
	return NULL;
}

int design__check_all(char *why, size_t len)
{
	for (unsigned i = 0; designs[i]; i++) {
		const struct design_ops *d = designs[i];
		if (!d->name || !*d->name) {
			snprintf(why, len, "design #%u has no name", i);
			return -EINVAL;
		}
		if (d->version != DESIGN_OPS_VERSION) {
			snprintf(why, len, "design %s: ops version %u, expected %u", d->name, d->version,
				 (unsigned)DESIGN_OPS_VERSION);
			return -EINVAL;
		}
		if (d->flush && !(d->flags & DESIGN_F_BROKEN)) {
			snprintf(why, len, "design %s: only broken designs may reorder the flush protocol", d->name);
			return -EINVAL;
		}
		if (!d->suspend || !d->uninhibit || !d->desc) {
			snprintf(why, len, "design %s: missing a required hook (desc, suspend, uninhibit)", d->name);
			return -EINVAL;
		}
		for (unsigned j = 0; j < i; j++)
			if (!strcmp(designs[j]->name, d->name)) {
				snprintf(why, len, "design name %s registered twice", d->name);
				return -EINVAL;
			}
	}
	return 0;
}
