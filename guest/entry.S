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

	.section .note.GNU-stack, "", @progbits
