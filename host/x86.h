/* SPDX-License-Identifier: MIT */
/* x86 state of the kvm backend's guest (host/x86.c). */
#ifndef FB_X86_H
#define FB_X86_H

#include <linux/kvm.h>
#include <stdint.h>

#define X86_NR_EXCEPTIONS 32        /* vectors 0-31 have IDT gates */

/* Identity page tables (first 4 GiB, 2 MiB pages), GDT + 64-bit TSS and the
 * IDT into guest memory at their backend-kvm.h addresses. */
void x86__build_tables(uint8_t *mem);
/* KVM_GET_SUPPORTED_CPUID, grown until it fits; NULL with *err = errno
 * (logged).  free() it. */
struct kvm_cpuid2 *x86__supported_cpuid(int kvm_fd, int *err);
/* vCPU id's CPUID (supported, with its APIC IDs), long-mode sregs and the
 * entry registers (RIP = _start, RSP and RDI from its vCPU page); -errno. */
int x86__vcpu_setup(int fd, unsigned id, const struct kvm_cpuid2 *supported);
/* "#PF" for 14, ..., "?" past 31. */
const char *x86__exception_name(uint64_t vector);

#endif
