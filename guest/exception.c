/* SPDX-License-Identifier: MIT */
/*
 * CPU exception report (kvm image only, like KVM selftests' route_exception):
 * the stubs in guest/entry.S land here with the vector, error code and the
 * CPU's interrupt frame, and we turn it into FB_UCALL_ABORT with msg
 * "exception" and args[0] = vector, [1] = error code, [2] = RIP, [3] = CR2,
 * [4] = RSP, [5] = RFLAGS, [6] = CS.  The native backend never takes CPU
 * exceptions (a fault there is a host SIGSEGV), so this file is empty there.
 */
#include "guest.h"

#ifndef FB_GUEST_NATIVE

#define MSR_GS_BASE 0xc0000101u

struct fb_exc_frame {
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;    /* pushed by the CPU */
};

void fb_exception(struct fb_exc_frame *f) __attribute__((noreturn, used));

void fb_exception(struct fb_exc_frame *f)
{
	static const char msg[] = "exception";
	struct fb_vcpu_page *page;
	struct fb_ucall *uc;
	uint64_t cr2;
	uint32_t lo, hi;

	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	/* The host sets GS.base to this vCPU's page (host/backend-kvm.c): the
	 * faulting RSP or registers may be garbage, the MSR is not. */
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(MSR_GS_BASE));
	page = (struct fb_vcpu_page *)(guest_uptr)(((uint64_t)hi << 32) | lo);
	uc = &page->ucall;
	for (unsigned i = 0; i < sizeof(msg); i++)
		uc->msg[i] = msg[i];
	uc->cmd = FB_UCALL_ABORT;
	uc->args[0] = f->vector;
	uc->args[1] = f->error;
	uc->args[2] = f->rip;
	uc->args[3] = cr2;
	uc->args[4] = f->rsp;
	uc->args[5] = f->rflags;
	uc->args[6] = f->cs;
	for (;;)
		arch_out32(FB_PORT_UCALL, (uint32_t)(guest_uptr)uc);
}

#else
typedef int fb_exception_native_empty;   /* ISO C: no empty translation unit */
#endif
