/* SPDX-License-Identifier: MIT */
/* Guest workloads other than flush: exit floor, null hypercall, inhibit, toucher. */
#include "guest.h"
#include "hv.h"

/*
 * The exit-floor loops are kept lean: on a host whose KVM emulates the guest's
 * instructions after an exit (kvm_pvm), every instruction and memory operand
 * between two exits is paid for in software (docs/KVM-BACKEND.md).  Loop
 * state lives in registers; the page gets plain stores only.
 */

/* Bare port-I/O exit loop: the physical floor of an exit round trip. */
void wl_null(struct gctx *g)
{
	struct fb_vcpu_page *p = g->page;
	uint64_t n = p->iterations;

	while (!__atomic_load_n(&p->stop, __ATOMIC_RELAXED)) {   /* g_stop() */
		uint64_t t0 = arch_rdtsc();
		arch_out32(FB_PORT_NULL, (uint32_t)n);
		uint64_t dt = arch_rdtsc() - t0;
		p->lat_sample_tsc = dt ? dt : 1;           /* g_sample() */
		__atomic_store_n(&p->iterations, ++n, __ATOMIC_RELAXED);   /* read by the host */
	}
}

/* One null hypercall per iteration, nothing else: the parameter block is
 * written once (the host only writes the result), each call stores the "no
 * answer" marker, exits and reads the result. */
static void wl_hypercall_lean(struct fb_vcpu_page *p, uint32_t hc_gpa)
{
	struct fb_hcall *hc = &p->hcall;
	uint64_t n = p->iterations, errors = p->hypercall_errors;

	while (!__atomic_load_n(&p->stop, __ATOMIC_RELAXED)) {   /* g_stop() */
		uint64_t t0 = arch_rdtsc();
		hc->result = ~0ull;
		arch_out32(FB_PORT_HCALL, hc_gpa);
		uint64_t r = hc->result, dt = arch_rdtsc() - t0;
		p->lat_sample_tsc = dt ? dt : 1;           /* g_sample() */
		if (__builtin_expect((r & HV_HYPERCALL_RESULT_MASK) != HV_STATUS_SUCCESS, 0))
			p->hypercall_errors = ++errors;
		p->hypercalls = ++n;
		__atomic_store_n(&p->iterations, n, __ATOMIC_RELAXED);
	}
}

/* A null TLFS hypercall through the full ABI (fb_hcall, parser, result). */
void wl_hypercall(struct gctx *g)
{
	struct fb_vcpu_page *p = g->page;
	uint64_t control = hv_build_null();

	if (!p->bad_input_every && p->hypercalls == p->iterations) {
		p->hcall.control = control;
		p->hcall.input_gpa = 0;
		p->hcall.output_gpa = 0;
		wl_hypercall_lean(p, (uint32_t)g_gpa(g, &p->hcall));
		return;
	}
	while (!g_stop(g)) {
		uint64_t t0 = arch_rdtsc(), r;
		if (p->bad_input_every && p->iterations % p->bad_input_every == p->bad_input_every - 1)
			/* untrusted-input check: a flush whose input block lies outside RAM */
			r = g_hypercall(g, HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, 0xffffffff000ull, 0);
		else
			r = g_hypercall(g, control, 0, 0);
		g_sample(g, arch_rdtsc() - t0);
		p->hypercalls++;
		if ((r & HV_HYPERCALL_RESULT_MASK) != HV_STATUS_SUCCESS)
			p->hypercall_errors++;
		g_iteration(p);
	}
}

/* Memory intercept: a store to an unbacked GPA.  The VMM sets this vCPU's
 * TlbFlushInhibit, performs instruction completion, then uninhibits through
 * the design under test before the store "retires". */
void wl_inhibit(struct gctx *g)
{
	struct fb_vcpu_page *p = g->page;
	uint64_t seq = 0;

	while (!g_stop(g)) {
		g_sleep_ns(g, p->inhibit_period_ns);
		if (g_stop(g))
			break;
		arch_mmio_write(FB_GPA_INTERCEPT + 8ull * p->vcpu_id, ++seq);
		p->intercepts++;
		g_iteration(p);
	}
}

static uint64_t touch_pattern(uint64_t gpa, uint64_t seed)
{
	return (gpa * 0x9e3779b97f4a7c15ull) ^ seed;
}

/* Stream through this vCPU's slice of the working set, one word per page.
 * With touch_verify, each visit checks the value the previous visit wrote,
 * so a page lost or corrupted by eviction/re-fault is reported. */
void wl_touch(struct gctx *g)
{
	struct fb_vcpu_page *p = g->page;
	uint64_t pages = p->touch_bytes / FB_PAGE_SIZE;
	unsigned batch = p->touch_batch ? p->touch_batch : 64;
	uint64_t pass = 0;

	if (!pages) {
		wl_idle(g);
		return;
	}
	while (!g_stop(g)) {
		for (uint64_t i = 0; i < pages && !g_stop(g); i++) {
			uint64_t gpa = p->touch_gpa + i * FB_PAGE_SIZE;
			volatile uint64_t *w = g_ptr(g, gpa);
			if (p->touch_verify) {
				uint64_t want = touch_pattern(gpa, p->seed + pass - 1);
				uint64_t got = *w;
				if (pass && got != want) {
					p->verify_failures++;
					g_ucall(g, FB_UCALL_VERIFY_FAIL, gpa, want, got);
				}
				*w = touch_pattern(gpa, p->seed + pass);
			} else {
				*w = *w + 1;
			}
			p->pages_touched++;
			if ((i + 1) % batch == 0) {
				if (p->touch_think_ns)
					g_sleep_ns(g, p->touch_think_ns);
				else
					arch_pause();
			}
		}
		pass++;
		g_iteration(p);
	}
}
