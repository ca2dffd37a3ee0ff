/* SPDX-License-Identifier: MIT */
/*
 * Guest-side builders for the TLFS flush hypercalls (docs/HYPERCALLS.md).
 *
 * Freestanding: compiled into the KVM guest image (-ffreestanding -nostdlib
 * -mgeneral-regs-only) and into the host for the native backend.  No libc,
 * no global state.  Each builder fills the input block at `in` (the vCPU's
 * page-aligned input page, FB_VCPU_INPUT_OFF) and returns the control value
 * (RCX) to put in struct fb_hcall.control; input_gpa is the GPA of `in`.
 *
 * Builders write exactly what they are asked (a rep count of 0 included, so
 * tests can build invalid forms) but never more than FB_PAGE_SIZE bytes: an
 * input that would not fit one page is not written and 0 is returned, which
 * the host rejects as HV_STATUS_INVALID_HYPERCALL_CODE.  VP indexes >= 4096
 * (bank >= 64) cannot be expressed in a sparse set and are skipped.
 */
#ifndef FB_GUEST_HV_H
#define FB_GUEST_HV_H

#include "abi/abi.h"

/* GVA list entry: page address (bits 63:12) + number of ADDITIONAL pages. */
static inline uint64_t hv_gva_entry(uint64_t gva, unsigned extra_pages)
{
	return (gva & ~0xfffull) | (extra_pages & 0xfffu);
}

/* HvCallFlushVirtualAddressSpace: mask = processor_mask (VPs 0..63). */
uint64_t hv_build_flush_space(void *in, uint64_t flags, uint64_t mask);
/* HvCallFlushVirtualAddressList: n GVA entries, rep count n. */
uint64_t hv_build_flush_list(void *in, uint64_t flags, uint64_t mask,
			     const uint64_t *gvas, unsigned n);
/* HvCallFlushVirtualAddressSpaceEx: sparse VP set of vps[0..nvps) (any
 * order, duplicates allowed), or HV_GENERIC_SET_ALL if all != 0. */
uint64_t hv_build_flush_space_ex(void *in, uint64_t flags, const uint32_t *vps,
				 unsigned nvps, int all);
/* HvCallFlushVirtualAddressListEx: as above, then n GVA entries. */
uint64_t hv_build_flush_list_ex(void *in, uint64_t flags, const uint32_t *vps,
				unsigned nvps, int all, const uint64_t *gvas, unsigned n);
/* HVCALL_FB_NULL: no input. */
uint64_t hv_build_null(void);

/* Control value with the given code, var-header size and rep count. */
static inline uint64_t hv_control(unsigned code, unsigned var_cnt, unsigned rep_cnt)
{
	return (uint64_t)code |
	       (((uint64_t)var_cnt << HV_HYPERCALL_VARHEAD_OFFSET) & HV_HYPERCALL_VARHEAD_MASK) |
	       (((uint64_t)rep_cnt << HV_HYPERCALL_REP_COMP_OFFSET) & HV_HYPERCALL_REP_COMP_MASK);
}

#endif
