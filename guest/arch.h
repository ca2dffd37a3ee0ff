/* SPDX-License-Identifier: MIT */
/*
 * The only per-backend part of the guest: how to exit, read the TSC, pause,
 * and touch an intercepted GPA.  Under KVM these are single instructions;
 * under the native backend they are calls into host/backend-native.c that
 * switch back to the vCPU loop (the analogue of a VM-exit).
 */
#ifndef FB_GUEST_ARCH_H
#define FB_GUEST_ARCH_H

#include "abi/abi.h"

#ifdef FB_GUEST_NATIVE
void native_guest_exit_io(uint16_t port, uint32_t value);
void native_guest_mmio_write(uint64_t gpa, uint64_t value);
void native_guest_poll_kick(void);

static inline void arch_out32(uint16_t port, uint32_t value) { native_guest_exit_io(port, value); }
static inline void arch_mmio_write(uint64_t gpa, uint64_t value) { native_guest_mmio_write(gpa, value); }
/* Guest wait loops call this: a kick must take a running vCPU out. */
static inline void arch_pause(void) { __asm__ volatile("pause" ::: "memory"); native_guest_poll_kick(); }
#else
static inline void arch_out32(uint16_t port, uint32_t value)
{
	__asm__ volatile("outl %0, %1" : : "a"(value), "Nd"(port) : "memory");
}
static inline void arch_mmio_write(uint64_t gpa, uint64_t value)
{
	*(volatile uint64_t *)(unsigned long)gpa = value;   /* unbacked: KVM_EXIT_MMIO */
}
static inline void arch_pause(void) { __asm__ volatile("pause" ::: "memory"); }
#endif

static inline uint64_t arch_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

#endif
