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

/*
 * One line per design, in the order bench info, docs and plots list them
 * (plot colours follow this index).  X(n) names `const struct design_ops
 * design_<n>`.  The broken ones (host/designs/broken/) need --allow-broken,
 * are never in a default scenario, and each exists so a test proves the
 * oracle catches one failure kind.
 */
#define FB_DESIGNS(X)                   \
	X(srcu)                         \
	X(srcu_private)                 \
	X(targeted)                     \
	X(srcu_nogp)                    \
	X(srcu_clear_late)              \
	X(srcu_wake_early)              \
	X(targeted_wake_one)            \
	X(wake_before_unsuspend)        \
	X(check_before_request)         \
	X(no_ack_wait)                  \
	X(wake_stray_request)           \
	/* a new design: one line above this one */

#define DESIGN_EXTERN(n) extern const struct design_ops design_##n;
#define DESIGN_ENTRY(n)  &design_##n,
FB_DESIGNS(DESIGN_EXTERN)

const struct design_ops *const designs[] = {
	FB_DESIGNS(DESIGN_ENTRY)
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
		char what[96];
		snprintf(what, sizeof(what), "design %s", d->name);
		if (option__check_list(what, d->options, d->options_size, why, len))
			return -EINVAL;
	}
	return 0;
}
