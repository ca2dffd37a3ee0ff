/* SPDX-License-Identifier: MIT */
/* Guest entry: say hello (ABI version), run this vCPU's workload, say done. */
#include "guest.h"

void g_ucall(struct gctx *g, uint64_t cmd, uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct fb_ucall *uc = &g->page->ucall;

	uc->cmd = cmd;
	uc->args[0] = a0;
	uc->args[1] = a1;
	uc->args[2] = a2;
	arch_out32(FB_PORT_UCALL, (uint32_t)g_gpa(g, uc));
}

uint64_t g_hypercall(struct gctx *g, uint64_t control, uint64_t in_gpa, uint64_t out_gpa)
{
	struct fb_hcall *hc = &g->page->hcall;

	hc->control = control;
	hc->input_gpa = in_gpa;
	hc->output_gpa = out_gpa;
	hc->result = ~0ull;
	arch_out32(FB_PORT_HCALL, (uint32_t)g_gpa(g, hc));
	return hc->result;
}

/* HLT with a timer, as a ucall: the host blocks this vCPU (outside the SRCU
 * read side, like kvm_vcpu_halt()) for ns or until woken. */
void g_sleep_ns(struct gctx *g, uint64_t ns)
{
	if (ns)
		g_ucall(g, FB_UCALL_SLEEP, ns, 0, 0);
}

void g_abort(struct gctx *g, const char *file, int line, uint64_t a, uint64_t b)
{
	struct fb_ucall *uc = &g->page->ucall;
	unsigned i = 0;

	for (; file[i] && i < sizeof(uc->msg) - 1; i++)
		uc->msg[i] = file[i];
	uc->msg[i] = 0;
	for (;;)
		g_ucall(g, FB_UCALL_ABORT, (uint64_t)line, a, b);
}

void wl_idle(struct gctx *g)
{
	while (!g_stop(g))
		g_sleep_ns(g, 10ull * 1000 * 1000);
}

/* Test hook (FB_STOP_TEST_SHUTDOWN): die the way a broken guest does. */
static void g_test_shutdown(struct gctx *g)
{
#ifndef FB_GUEST_NATIVE
	/* an empty IDT: ud2 -> #UD -> #GP -> #DF -> triple fault (shutdown) */
	struct __attribute__((packed)) { uint16_t limit; uint64_t base; } idt = { 0, 0 };

	__asm__ volatile("lidt %0\n\tud2" : : "m"(idt) : "memory");
#endif
	g_abort(g, "test hook: guest shutdown", 0, 0, 0);
}

void guest_main(struct fb_vcpu_page *page)
{
	struct gctx g = {
		.page = page,
		.base = page->guest_base,
		.rng = page->seed * 0x9e3779b97f4a7c15ull + page->vcpu_id + 1,
	};

	g_ucall(&g, FB_UCALL_HELLO, FB_ABI_VERSION, page->vcpu_id, 0);
	switch (page->workload) {
	case FB_WL_NULL:      wl_null(&g); break;
	case FB_WL_HYPERCALL: wl_hypercall(&g); break;
	case FB_WL_FLUSH:     wl_flush(&g); break;
	case FB_WL_INHIBIT:   wl_inhibit(&g); break;
	case FB_WL_TOUCH:     wl_touch(&g); break;
	case FB_WL_IDLE:      wl_idle(&g); break;
	default:
		GUEST_ASSERT(&g, 0, page->workload, FB_WL_MAX);
	}
	if (__atomic_load_n(&page->stop, __ATOMIC_RELAXED) == FB_STOP_TEST_SHUTDOWN)
		g_test_shutdown(&g);
	for (;;)
		g_ucall(&g, FB_UCALL_DONE, page->iterations, 0, 0);
}
