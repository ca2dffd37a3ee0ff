/* SPDX-License-Identifier: MIT */
/*
 * TLFS flush hypercall input parser (host side).
 *
 * The input is guest-controlled and untrusted.  hv__parse() validates the
 * control value (RCX) and the input block at input_gpa (RDX) the way KVM's
 * kvm_hv_hypercall() + kvm_hv_flush_tlb() (Linux arch/x86/kvm/hyperv.c) do,
 * and returns the TLFS status KVM would return.  It only reads guest memory
 * through hv_guest_mem::gpa_range() and only writes *out and out->vp_mask.
 * Every rule, its status and the deviations from KVM: docs/HYPERCALLS.md.
 *
 * Pure function: no locks, no allocation, no global state; safe to call from
 * any vCPU thread (inside the VM SRCU read side, as KVM parses inside
 * kvm->srcu).
 */
#ifndef FB_HOST_HV_H
#define FB_HOST_HV_H

#include <stdbool.h>
#include <stdint.h>

#include "abi/abi.h"

/* Guest RAM accessor.  gpa_range() returns the host address of GPA gpa, or
 * NULL unless [gpa, gpa+len) lies entirely inside guest RAM (must not wrap).
 * The VMM passes a wrapper around vm__gpa_range(). */
struct hv_guest_mem {
	void *ctx;
	const void *(*gpa_range)(void *ctx, uint64_t gpa, uint64_t len);
};

/* GVA list entries: bits 63:12 page address, 11:0 additional pages. */
#define HV_GVA_PAGE_MASK        (~0xfffull)
#define HV_GVA_EXTRA_MASK       0xfffull
/* KVM_HV_TLB_FLUSH_FIFO_SIZE - 1: more GVA entries than this is a full flush. */
#define HV_TLB_FLUSH_MAX_ENTRIES 15u
/* Our ABI gives the guest one input page; larger declared inputs are refused. */
#define HV_INPUT_MAX            FB_PAGE_SIZE

#define HV_BITS_PER_LONG        (8 * sizeof(unsigned long))
#define HV_BITS_TO_LONGS(n)     (((n) + HV_BITS_PER_LONG - 1) / HV_BITS_PER_LONG)

struct hv_flush_req {
	uint16_t code;            /* HVCALL_* */
	bool ex, list, fast;      /* Ex form (sparse VP set), List form, fast call */
	uint64_t address_space, flags;
	bool all_vcpus;           /* ALL_PROCESSORS, processor_mask 0, or format != SPARSE_4K */
	unsigned nr_gva_ranges;   /* rep count of List forms, 0 for Space forms */
	uint64_t nr_pages;        /* sum of (extra + 1) over GVA entries, 0 for full flush */
	bool full_flush;          /* Space forms, or rep count > HV_TLB_FLUSH_MAX_ENTRIES */
	unsigned long *vp_mask;   /* caller-provided, HV_BITS_TO_LONGS(nr_vcpus) longs */
	unsigned nr_targets;      /* bits set in vp_mask */
	unsigned nr_ignored_vps;  /* VP indexes >= nr_vcpus named in a sparse set */
};

/*
 * Parse one hypercall.  control/input_gpa/output_gpa are RCX/RDX/R8 (the
 * fields of struct fb_hcall).  nr_vcpus: VP index i == vCPU i, for
 * i < nr_vcpus.  out->vp_mask must be set by the caller (may be NULL only if
 * nr_vcpus == 0); every other field of *out is overwritten.  vp_mask is
 * cleared first and holds the targets only on success.
 * Returns a TLFS status (HV_STATUS_*).
 */
uint16_t hv__parse_regs(const struct hv_guest_mem *mem, uint64_t control,
			uint64_t input_gpa, uint64_t output_gpa,
			unsigned nr_vcpus, struct hv_flush_req *out);

/* hv__parse_regs() with output_gpa = 0 (only fast calls look at R8). */
uint16_t hv__parse(const struct hv_guest_mem *mem, uint64_t control,
		   uint64_t input_gpa, unsigned nr_vcpus, struct hv_flush_req *out);

/* The RAX value: status 15:0 | reps completed 43:32 (reps masked to 12 bits). */
uint64_t hv__result(uint16_t status, unsigned reps_completed);

/* "SUCCESS", "INVALID_HYPERCALL_INPUT", ...; "UNKNOWN" for other values. */
const char *hv__status_name(uint16_t status);

/* True for every status hv__parse() can return. */
bool hv__status_known(uint16_t status);

#endif
