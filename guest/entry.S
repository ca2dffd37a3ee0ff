/* SPDX-License-Identifier: MIT */
/*
 * Guest entry (kvm image only; the native backend calls guest_main directly).
 *
 * The host enters here in 64-bit long mode, CPL 0, IF=0, paging on with the
 * identity map (GVA == GPA), RSP = top of this vCPU's stack and RDI = GPA of
 * this vCPU's struct fb_vcpu_page (host/backend-kvm.c, vcpu_init).  The
 * linker script puts .text.entry first, so _start is at FB_GPA_CODE.
 */
	.code64
	.section .text.entry, "ax", @progbits
	.global _start
	.type _start, @function
_start:
	xorl	%ebp, %ebp		/* terminate frame-pointer chains */
	andq	$-16, %rsp		/* SysV: RSP+8 is 16-aligned at function entry */
	call	guest_main		/* RDI (the vCPU page) is the first argument */
	/* guest_main never returns; if it does, park.  An HLT with IF=0 and no
	 * in-kernel irqchip exits as KVM_EXIT_HLT, which the host reports. */
1:	hlt
	jmp	1b
	.size _start, . - _start

/*
 * Exception stubs for vectors 0-31, 16 bytes each at FB_GPA_CODE + 0x100
 * (guest.lds asserts it): the host builds the IDT from that fixed address
 * (host/backend-kvm.c, KVM_EXC_STUBS).  Without them any exception is a
 * triple fault, which SVM answers with a vCPU reset: the faulting state
 * would be lost.  Each stub makes the frame uniform (a 0 error code where
 * the CPU pushes none), pushes the vector and goes to fb_exception()
 * (guest/exception.c), which reports through FB_UCALL_ABORT and never
 * returns.
 */
	.org	0x100
	.global fb_exc_stubs
fb_exc_stubs:
	.irp	vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.balign	16
	/* vectors with a CPU-pushed error code: #DF #TS #NP #SS #GP #PF #AC #CP #VC #SX */
	.if	(\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	pushq	$0
	.endif
	pushq	$\vec
	jmp	fb_exc_common
	.endr
	.balign	16
	.global fb_exc_stubs_end
fb_exc_stubs_end:

fb_exc_common:
	movq	%rsp, %rdi		/* struct fb_exc_frame *: vector, error, RIP, CS, RFLAGS, RSP, SS */
	andq	$-16, %rsp
	call	fb_exception		/* never returns */
2:	hlt
	jmp	2b

	.section .note.GNU-stack, "", @progbits
