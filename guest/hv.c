/* SPDX-License-Identifier: MIT */
/*
 * TLFS flush hypercall input builders (see hv.h).
 *
 * Stores go through a volatile pointer: the host reads the page after the
 * exit, and it keeps the compiler from turning the zeroing loop into a
 * memset() call, which the freestanding image does not have.
 */
#include "hv.h"

#define HV_SPACE_HDR_WORDS      3   /* address_space, flags, processor_mask */
#define HV_EX_HDR_WORDS         4   /* address_space, flags, format, valid_bank_mask */
#define HV_PAGE_WORDS           (FB_PAGE_SIZE / 8)
#define HV_MAX_REP              0xfffu

/* No __builtin_popcountll: without -mpopcnt it calls libgcc. */
static unsigned popcount64(uint64_t x)
{
	unsigned n = 0;

	while (x) {
		x &= x - 1;
		n++;
	}
	return n;
}

static int fits(uint64_t words)
{
	return words <= HV_PAGE_WORDS;
}

static uint64_t build_list(void *in, unsigned code, uint64_t flags, uint64_t mask,
			   const uint64_t *gvas, unsigned n)
{
	volatile uint64_t *w = in;

	if (n > HV_MAX_REP || !fits(HV_SPACE_HDR_WORDS + (uint64_t)n))
		return 0;
	w[0] = 0;       /* address space: ignored by KVM, all spaces flushed */
	w[1] = flags;
	w[2] = mask;
	for (unsigned i = 0; i < n; i++)
		w[HV_SPACE_HDR_WORDS + i] = gvas[i];
	return hv_control(code, 0, n);
}

uint64_t hv_build_flush_space(void *in, uint64_t flags, uint64_t mask)
{
	return build_list(in, HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, flags, mask, 0, 0);
}

uint64_t hv_build_flush_list(void *in, uint64_t flags, uint64_t mask,
			     const uint64_t *gvas, unsigned n)
{
	return build_list(in, HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, flags, mask, gvas, n);
}

static uint64_t build_ex(void *in, unsigned code, uint64_t flags, const uint32_t *vps,
			 unsigned nvps, int all, const uint64_t *gvas, unsigned n)
{
	volatile uint64_t *w = in;
	uint64_t valid_bank_mask = 0;
	unsigned nbanks;

	if (!all)
		for (unsigned i = 0; i < nvps; i++)
			if (vps[i] / 64 < HV_MAX_SPARSE_VCPU_BANKS)
				valid_bank_mask |= 1ull << (vps[i] / 64);
	nbanks = popcount64(valid_bank_mask);
	if (n > HV_MAX_REP || !fits(HV_EX_HDR_WORDS + (uint64_t)nbanks + n))
		return 0;

	w[0] = 0;
	w[1] = flags;
	w[2] = all ? HV_GENERIC_SET_ALL : HV_GENERIC_SET_SPARSE_4K;
	w[3] = valid_bank_mask;
	for (unsigned i = 0; i < nbanks; i++)
		w[HV_EX_HDR_WORDS + i] = 0;
	if (!all) {
		for (unsigned i = 0; i < nvps; i++) {
			unsigned bank = vps[i] / 64;

			if (bank >= HV_MAX_SPARSE_VCPU_BANKS)
				continue;
			/* only non-empty banks are stored, in bank order */
			unsigned slot = popcount64(valid_bank_mask & ((1ull << bank) - 1));
			w[HV_EX_HDR_WORDS + slot] |= 1ull << (vps[i] % 64);
		}
	}
	for (unsigned i = 0; i < n; i++)
		w[HV_EX_HDR_WORDS + nbanks + i] = gvas[i];
	return hv_control(code, nbanks, n);
}

uint64_t hv_build_flush_space_ex(void *in, uint64_t flags, const uint32_t *vps,
				 unsigned nvps, int all)
{
	return build_ex(in, HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, flags, vps, nvps, all, 0, 0);
}

uint64_t hv_build_flush_list_ex(void *in, uint64_t flags, const uint32_t *vps,
				unsigned nvps, int all, const uint64_t *gvas, unsigned n)
{
	return build_ex(in, HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, flags, vps, nvps, all, gvas, n);
}

uint64_t hv_build_null(void)
{
	return hv_control(HVCALL_FB_NULL, 0, 0);
}
