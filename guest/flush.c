/* SPDX-License-Identifier: MIT */
/*
 * Flush workload: TLFS flush hypercalls at a chosen target set.  A call that
 * targets an inhibited vCPU suspends this vCPU in the host; when resumed the
 * host answers HV_STATUS_FB_RETRY and the call is issued again, as KVM
 * re-executes the hypercall instruction.  The latency sample covers the
 * whole call including suspension and retries.
 */
#include "guest.h"
#include "hv.h"

#define MAX_TARGETS 64

static unsigned pick_targets(struct gctx *g, uint32_t *vps)
{
	struct fb_vcpu_page *p = g->page;
	unsigned k = p->targets, n = 0;
	uint32_t self = p->vcpu_id, pool_first = 0, pool = p->nr_vcpus;

	if (k > MAX_TARGETS)
		k = MAX_TARGETS;
	if (p->target_mode == FB_TARGET_INHIBITORS && p->nr_inhibitors) {
		pool_first = p->first_inhibitor;
		pool = p->nr_inhibitors;
	}
	if (k > pool)
		k = pool;
	if (p->target_mode == FB_TARGET_NEIGHBOURS) {
		for (unsigned i = 1; n < k && i < p->nr_vcpus; i++)
			vps[n++] = (self + i) % p->nr_vcpus;
		return n;
	}
	/* distinct random picks; small k, so rejection is cheap */
	for (unsigned tries = 0; n < k && tries < 8 * MAX_TARGETS; tries++) {
		uint32_t v = pool_first + (uint32_t)g_rand_below(g, pool);
		int dup = v == self;
		for (unsigned j = 0; j < n && !dup; j++)
			dup = vps[j] == v;
		if (!dup)
			vps[n++] = v;
	}
	return n;
}

static uint64_t build(struct gctx *g, unsigned kind, void *in)
{
	struct fb_vcpu_page *p = g->page;
	uint32_t vps[MAX_TARGETS];
	uint64_t gvas[16];
	unsigned ngva = p->gva_count > 16 ? 16 : p->gva_count;
	int all = p->target_mode == FB_TARGET_ALL;
	unsigned nvps = all ? 0 : pick_targets(g, vps);

	if (!all && !nvps)
		return 0;      /* a non-Ex mask of 0 would mean "all vCPUs" */
	uint64_t mask = 0;
	int fits_mask = 1;

	for (unsigned i = 0; i < ngva; i++)   /* page i of the data area, 1 extra page */
		gvas[i] = ((FB_GPA_DATA >> 12) + g_rand_below(g, 4096)) << 12 | 1;
	for (unsigned i = 0; i < nvps; i++) {
		if (vps[i] >= 64)
			fits_mask = 0;
		else
			mask |= 1ull << vps[i];
	}
	/* Non-Ex forms can only name VPs 0..63: use the Ex form otherwise,
	 * as Linux's hyperv_flush_tlb_multi() does. */
	if (!fits_mask && kind == FB_FLUSH_SPACE)
		kind = FB_FLUSH_SPACE_EX;
	if (!fits_mask && kind == FB_FLUSH_LIST)
		kind = FB_FLUSH_LIST_EX;
	if (!ngva && kind == FB_FLUSH_LIST)
		kind = FB_FLUSH_SPACE;
	if (!ngva && kind == FB_FLUSH_LIST_EX)
		kind = FB_FLUSH_SPACE_EX;

	uint64_t flags = all ? HV_FLUSH_ALL_PROCESSORS : 0;
	switch (kind) {
	case FB_FLUSH_SPACE:
		return hv_build_flush_space(in, flags | HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES, mask);
	case FB_FLUSH_LIST:
		return hv_build_flush_list(in, flags, mask, gvas, ngva);
	case FB_FLUSH_SPACE_EX:
		return hv_build_flush_space_ex(in, HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES, vps, nvps, all);
	default:
		return hv_build_flush_list_ex(in, 0, vps, nvps, all, gvas, ngva);
	}
}

void wl_flush(struct gctx *g)
{
	struct fb_vcpu_page *p = g->page;
	uint8_t *area = (uint8_t *)p;
	void *in = area + FB_VCPU_INPUT_OFF;
	uint64_t in_gpa = g_gpa(g, in), out_gpa = g_gpa(g, area + FB_VCPU_OUTPUT_OFF);
	unsigned rot = 0;

	while (!g_stop(g)) {
		unsigned kind = p->flush_kind == FB_FLUSH_MIX ? rot++ % 4 : p->flush_kind;
		uint64_t control = build(g, kind, in);
		if (!control) {      /* empty target set (e.g. 1 vCPU): nothing to flush */
			g_sleep_ns(g, p->think_ns ? p->think_ns : 1000000);
			continue;
		}
		uint64_t t0 = arch_rdtsc(), r;

		for (;;) {
			r = g_hypercall(g, control, in_gpa, out_gpa);
			if ((r & HV_HYPERCALL_RESULT_MASK) != HV_STATUS_FB_RETRY || g_stop(g))
				break;
			p->retries++;
		}
		uint64_t status = r & HV_HYPERCALL_RESULT_MASK;
		p->hypercalls++;
		if (status == HV_STATUS_SUCCESS) {
			p->flushes++;
			g_sample(g, arch_rdtsc() - t0);
		} else if (status != HV_STATUS_FB_RETRY) {
			p->hypercall_errors++;
		}
		g_iteration(p);
		g_sleep_ns(g, p->think_ns);
	}
}
