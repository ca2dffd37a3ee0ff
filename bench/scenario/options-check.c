// SPDX-License-Identifier: MIT
/*
 * Validate once: the cross-field checks of one variant, and the names
 * (design, pressure, backend, workload, flush_kind, targets, request,
 * srcu_gp, srcu_gp_ioctl, kernel_ref, race_points, perf, pin) resolved into struct
 * run_resolved, so nothing after options__check() looks a name up again.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "design.h"
#include "options.h"
#include "pressure.h"

/* Index of @v among the choices of option @opt, or -1.  The option table
 * lists them in the enum's order (host/config.h, include/abi/abi.h);
 * unit/options test_resolve_choices holds the two together. */
static int choice(const char *opt, const char *v)
{
	const struct bench_option *o = options__find(opt);
	const char *name;

	for (unsigned i = 0; o && (name = options__choice(o, i)); i++)
		if (!strcmp(v, name))
			return (int)i;
	return -1;
}

#define CHOICE(field, opt) ({							\
	int i_ = choice(opt, c->field);						\
	if (i_ < 0) {								\
		snprintf(err, len, #field " '%s' is not valid", c->field);	\
		return -EINVAL;							\
	}									\
	i_; })

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
	r->backend = CHOICE(backend, "backend");
	r->workload = CHOICE(workload, "workload");
	r->flush_kind = (unsigned)CHOICE(flush_kind, "flush-kind");
	r->target_mode = (unsigned)CHOICE(targets, "targets");
	r->request_unblock = CHOICE(request, "request") == 1;
	switch (CHOICE(srcu_gp, "srcu-gp")) {
	case 0: r->srcu_gp = CFG_GP_VMM | CFG_GP_KERNEL; r->srcu_gp_auto = true; break;
	case 1: r->srcu_gp = CFG_GP_VMM; break;
	case 2: r->srcu_gp = CFG_GP_KERNEL; break;
	default: r->srcu_gp = CFG_GP_VMM | CFG_GP_KERNEL; break;
	}
	/* "" (a config from before the key existed) = the default */
	r->srcu_gp_ioctl = c->srcu_gp_ioctl[0] ? CHOICE(srcu_gp_ioctl, "srcu-gp-ioctl") : CFG_GP_IOCTL_IOEVENTFD;
	(void)CHOICE(kernel_ref, "kernel-ref");          /* none | auto | an ioctl name */
	r->kernel_ref = strcmp(c->kernel_ref, "none") != 0;
	/* kernel_ref=auto = msr-filter: a plain synchronize_srcu(), like the RFC's ioctl */
	int k = choice("srcu-gp-ioctl", c->kernel_ref);
	r->kernel_ref_ioctl = k < 0 ? CFG_GP_IOCTL_MSR_FILTER : (enum cfg_gp_ioctl)k;
	r->race_mask = (unsigned)races;
	r->perf = CHOICE(perf, "perf");
	r->pin = CHOICE(pin, "pin");
	return 0;
}

/* ---- cross-field checks ------------------------------------------------- */

int options__check(struct run_config *c, char *err, size_t len)
{
	if (options__resolve(c, err, len))
		return -EINVAL;
	if (c->r.workload == CFG_WORKLOAD_MIXED) {
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
