/* SPDX-License-Identifier: MIT */
/*
 * The host TSC frequency for the native backend (the kvm backend asks KVM:
 * KVM_GET_TSC_KHZ).  Found once per process and cached: the kernel's
 * /sys/devices/system/cpu/cpu0/tsc_freq_khz, else CPUID leaf 0x15 (TSC /
 * crystal ratio), else the hypervisor timing leaf 0x40000010, else a 20 ms
 * calibration against CLOCK_MONOTONIC.  bench run calls tsc__khz() before
 * the first VM so that no VM's setup time contains the calibration.
 */
#ifndef FB_TSC_H
#define FB_TSC_H

#include <stdint.h>

/* kHz (never 0); *source (may be NULL) names where it came from. */
uint64_t tsc__khz(const char **source);

/* Pure parsers, unit-tested: CPUID 0x15 (eax = denominator, ebx = numerator,
 * ecx = crystal Hz) and 0x40000010 (eax = TSC kHz).  0 when not given. */
uint64_t tsc__khz_from_leaf15(uint32_t eax, uint32_t ebx, uint32_t ecx);

#endif
