// SPDX-License-Identifier: MIT
/*
 * Validate once: the cross-field checks of one variant, and the names
 * (design, pressure, request, srcu_gp, race_points) resolved into struct
 * run_resolved, so nothing after options__check() looks a name up again.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "design.h"
#include "options.h"
#include "pressure.h"

int options__resolve(struct run_config *c, char *err, size_t len)
{
	struct run_resolved *r = &c->r;
	const struct design_ops *d = design__find(c->design);
	const struct pressure_ops *p = pressure__find(c->pressure);
	int races = race_points__parse(c->race_points);

	memset(r, 0, sizeof(*r));
	if (!d) {
		snprintf(err, len, "unknown design '%s'", c->design);
		return -EINVAL;
	}
	if (!p) {
		snprintf(err, len, "unknown pressure mode '%s'", c->pressure);
		return -EINVAL;
	}
	if (races < 0) {
		snprintf(err, len, "race-points '%s' is not valid", c->race_points);
		return -EINVAL;
	}
	r->design = d;
	r->pressure = p;
	r->request_unblock = !strcmp(c->request, "unblock");
	r->srcu_gp = !strcmp(c->srcu_gp, "vmm") ? CFG_GP_VMM :
		     !strcmp(c->srcu_gp, "kernel") ? CFG_GP_KERNEL : CFG_GP_VMM | CFG_GP_KERNEL;
	r->race_mask = (unsigned)races;
	return 0;
}

/* ---- cross-field checks ------------------------------------------------- */

int options__check(struct run_config *c, char *err, size_t len)
{
	if (!strcmp(c->workload, "mixed")) {
		unsigned touchers = run_config__touchers(c);
		unsigned long roles = (unsigned long)c->flushers + c->inhibitors + touchers;
		if (roles > c->vcpus) {
			snprintf(err, len, "flushers + inhibitors + touchers = %lu exceeds vcpus = %u",
				 roles, c->vcpus);
			return -EINVAL;
		}
		if (touchers >= c->vcpus && c->vcpus > 1) {
			snprintf(err, len, "touchers = %u leaves no vCPU to flush (vcpus = %u)",
				 touchers, c->vcpus);
			return -EINVAL;
		}
		if (touchers && c->touch_mb > c->mem_mb) {
			snprintf(err, len, "touch-mb = %u exceeds mem-mb = %u; raise mem-mb",
				 c->touch_mb, c->mem_mb);
			return -EINVAL;
		}
	}
	if ((unsigned long)c->completion_kb > (unsigned long)c->mem_mb * 1024) {
		snprintf(err, len, "completion-kb = %u exceeds mem-mb = %u MiB",
			 c->completion_kb, c->mem_mb);
		return -EINVAL;
	}
	if (options__resolve(c, err, len))
		return -EINVAL;
	if ((c->r.design->flags & DESIGN_F_BROKEN) && !c->allow_broken) {
		snprintf(err, len, "design '%s' is deliberately broken (it exists to test the "
			 "oracle); add --allow-broken to run it", c->design);
		return -EINVAL;
	}
	/* the plug-ins' own cross-field checks: the variant's design and mode
	 * only (another plug-in's knobs do not matter to this variant) */
	if (c->r.design->check && c->r.design->check(c, err, len))
		return -EINVAL;
	if (c->r.pressure->check && c->r.pressure->check(c, err, len))
		return -EINVAL;
	return 0;
}
