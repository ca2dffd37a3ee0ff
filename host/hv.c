/* SPDX-License-Identifier: MIT */
/*
 * TLFS flush hypercall input parser.  Mirrors Linux arch/x86/kvm/hyperv.c:
 * the control-value checks of kvm_hv_hypercall() and the input parsing of
 * kvm_hv_flush_tlb() / kvm_get_sparse_vp_set() / kvm_hv_get_tlb_flush_entries().
 * Rules and deviations: docs/HYPERCALLS.md.
 *
 * Untrusted input: the declared input size is computed from the control
 * value alone (bounded, cannot overflow), checked against HV_INPUT_MAX, then
 * fetched with ONE gpa_range() call; everything after that reads inside
 * that range only.  Each guest word is copied out exactly once, so a guest
 * rewriting its input page concurrently cannot make two reads disagree
 * (KVM gets the same from kvm_read_guest() into locals).
 */
#include <string.h>

#include "hv.h"

#define HV_HYPERCALL_RSVD_MASK \
	(HV_HYPERCALL_RSVD0_MASK | HV_HYPERCALL_RSVD1_MASK | HV_HYPERCALL_RSVD2_MASK)

#define HV_FLUSH_HDR_SIZE       sizeof(struct hv_tlb_flush)      /* 24 */
#define HV_FLUSH_EX_HDR_SIZE    sizeof(struct hv_tlb_flush_ex)   /* 32 */

static uint64_t rd64(const uint8_t *p, uint64_t off)
{
	uint64_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static void set_target(struct hv_flush_req *out, unsigned nr_vcpus, unsigned vp)
{
	/* KVM: sparse_set_to_vcpu_mask() drops VP indexes with no vCPU. */
	if (vp >= nr_vcpus) {
		out->nr_ignored_vps++;
		return;
	}
	unsigned long bit = 1ul << (vp % HV_BITS_PER_LONG);
	unsigned long *w = &out->vp_mask[vp / HV_BITS_PER_LONG];

	if (!(*w & bit)) {
		*w |= bit;
		out->nr_targets++;
	}
}

static void set_bank(struct hv_flush_req *out, unsigned nr_vcpus, unsigned bank,
		     uint64_t contents)
{
	while (contents) {
		unsigned b = (unsigned)__builtin_ctzll(contents);

		contents &= contents - 1;
		set_target(out, nr_vcpus, bank * 64 + b);
	}
}

static void set_all(struct hv_flush_req *out, unsigned nr_vcpus)
{
	out->all_vcpus = true;
	for (unsigned i = 0; i < nr_vcpus / HV_BITS_PER_LONG; i++)
		out->vp_mask[i] = ~0ul;
	if (nr_vcpus % HV_BITS_PER_LONG)
		out->vp_mask[nr_vcpus / HV_BITS_PER_LONG] =
			(1ul << (nr_vcpus % HV_BITS_PER_LONG)) - 1;
	out->nr_targets = nr_vcpus;
}

/*
 * Fast (register) form.  Our exit ABI carries RCX/RDX/R8 but no XMM
 * registers, so only HvCallFlushVirtualAddressSpace is representable:
 * address space = RDX, flags = R8, processor_mask (XMM0 low) reads as 0,
 * which KVM treats as "all processors".  The other three need bank or GVA
 * data from XMM and are refused.
 */
static uint16_t parse_fast(uint64_t input_gpa, uint64_t output_gpa,
			   unsigned nr_vcpus, struct hv_flush_req *out)
{
	if (out->code != HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	out->address_space = input_gpa;
	out->flags = output_gpa;
	out->full_flush = true;
	set_all(out, nr_vcpus);
	return HV_STATUS_SUCCESS;
}

static uint16_t parse_slow(const struct hv_guest_mem *mem, uint64_t input_gpa,
			   unsigned var_cnt, unsigned rep_cnt, unsigned nr_vcpus,
			   struct hv_flush_req *out)
{
	/* TLFS: input GPA 8-byte aligned (KVM does not check; deviation). */
	if (input_gpa & 7)
		return HV_STATUS_INVALID_ALIGNMENT;

	/* var_cnt <= 1023 and rep_cnt <= 4095 (field widths): no overflow. */
	uint64_t hdr = out->ex ? HV_FLUSH_EX_HDR_SIZE : HV_FLUSH_HDR_SIZE;
	uint64_t size = hdr + 8ull * var_cnt + (out->list ? 8ull * rep_cnt : 0);

	if (size > HV_INPUT_MAX)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (input_gpa > UINT64_MAX - size)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	/* KVM: kvm_vcpu_read_guest() failure -> INVALID_HYPERCALL_INPUT. */
	const uint8_t *p = mem->gpa_range(mem->ctx, input_gpa, size);
	if (!p)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;

	out->address_space = rd64(p, 0);
	out->flags = rd64(p, 8);

	if (!out->ex) {
		uint64_t processor_mask = rd64(p, 16);

		/* KVM: processor_mask == 0 is "all" (WS2012 workaround). */
		if ((out->flags & HV_FLUSH_ALL_PROCESSORS) || !processor_mask)
			set_all(out, nr_vcpus);
		else
			set_bank(out, nr_vcpus, 0, processor_mask);
	} else {
		uint64_t format = rd64(p, 16);
		uint64_t valid_bank_mask = rd64(p, 24);

		if (var_cnt != (unsigned)__builtin_popcountll(valid_bank_mask))
			return HV_STATUS_INVALID_HYPERCALL_INPUT;
		/* KVM: any format other than SPARSE_4K means all vCPUs, and the
		 * banks are still skipped over to reach the GVA list. */
		if (format != HV_GENERIC_SET_SPARSE_4K) {
			set_all(out, nr_vcpus);
		} else {
			uint64_t m = valid_bank_mask;

			for (unsigned i = 0; m; i++) {
				unsigned bank = (unsigned)__builtin_ctzll(m);

				m &= m - 1;
				set_bank(out, nr_vcpus, bank, rd64(p, hdr + 8ull * i));
			}
		}
	}

	if (!out->list) {
		out->full_flush = true;
		return HV_STATUS_SUCCESS;
	}

	out->nr_gva_ranges = rep_cnt;
	/* KVM: more entries than fit the per-vCPU fifo -> flush everything. */
	if (rep_cnt > HV_TLB_FLUSH_MAX_ENTRIES) {
		out->full_flush = true;
		return HV_STATUS_SUCCESS;
	}
	uint64_t off = hdr + 8ull * var_cnt;
	for (unsigned i = 0; i < rep_cnt; i++)
		out->nr_pages += (rd64(p, off + 8ull * i) & HV_GVA_EXTRA_MASK) + 1;
	return HV_STATUS_SUCCESS;
}

uint16_t hv__parse_regs(const struct hv_guest_mem *mem, uint64_t control,
			uint64_t input_gpa, uint64_t output_gpa,
			unsigned nr_vcpus, struct hv_flush_req *out)
{
	unsigned long *vp_mask = out->vp_mask;

	memset(out, 0, sizeof(*out));
	out->vp_mask = vp_mask;
	if (nr_vcpus)
		memset(vp_mask, 0, HV_BITS_TO_LONGS(nr_vcpus) * sizeof(*vp_mask));

	unsigned code = control & HV_HYPERCALL_CODE_MASK;
	unsigned var_cnt = (control & HV_HYPERCALL_VARHEAD_MASK) >> HV_HYPERCALL_VARHEAD_OFFSET;
	unsigned rep_cnt = (control & HV_HYPERCALL_REP_COMP_MASK) >> HV_HYPERCALL_REP_COMP_OFFSET;
	unsigned rep_idx = (control & HV_HYPERCALL_REP_START_MASK) >> HV_HYPERCALL_REP_START_OFFSET;
	bool rep = rep_cnt || rep_idx;

	out->code = (uint16_t)code;
	out->fast = !!(control & HV_HYPERCALL_FAST_BIT);

	/* kvm_hv_hypercall(): reserved bits first (bit 31, "nested", included:
	 * KVM's HV_HYPERCALL_RSVD_MASK covers 31:27), before the code is looked at. */
	if (control & HV_HYPERCALL_RSVD_MASK)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;

	switch (code) {
	case HVCALL_FB_NULL:
		/* No input; shaped like KVM's HVCALL_NOTIFY_LONG_SPIN_WAIT. */
		if (rep || var_cnt)
			return HV_STATUS_INVALID_HYPERCALL_INPUT;
		return HV_STATUS_SUCCESS;
	case HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST:
		if (var_cnt)
			return HV_STATUS_INVALID_HYPERCALL_INPUT;
		/* fallthrough */
	case HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX:
		if (!rep_cnt || rep_idx)
			return HV_STATUS_INVALID_HYPERCALL_INPUT;
		out->list = true;
		break;
	case HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE:
		if (var_cnt)
			return HV_STATUS_INVALID_HYPERCALL_INPUT;
		/* fallthrough */
	case HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX:
		if (rep)
			return HV_STATUS_INVALID_HYPERCALL_INPUT;
		break;
	default:
		return HV_STATUS_INVALID_HYPERCALL_CODE;
	}
	out->ex = code == HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX ||
		  code == HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX;

	/* Targets are written only after the last check that can fail, so on
	 * error vp_mask is still all zero (fuzz_hv.c checks this). */
	if (out->fast)
		return parse_fast(input_gpa, output_gpa, nr_vcpus, out);
	return parse_slow(mem, input_gpa, var_cnt, rep_cnt, nr_vcpus, out);
}

uint16_t hv__parse(const struct hv_guest_mem *mem, uint64_t control,
		   uint64_t input_gpa, unsigned nr_vcpus, struct hv_flush_req *out)
{
	return hv__parse_regs(mem, control, input_gpa, 0, nr_vcpus, out);
}

uint64_t hv__result(uint16_t status, unsigned reps_completed)
{
	return (uint64_t)status |
	       (((uint64_t)reps_completed << HV_HYPERCALL_REP_COMP_OFFSET) &
		HV_HYPERCALL_REP_COMP_MASK);
}

static const struct {
	uint16_t status;
	const char *name;
} hv_status_names[] = {
	{ HV_STATUS_SUCCESS,                 "SUCCESS" },
	{ HV_STATUS_INVALID_HYPERCALL_CODE,  "INVALID_HYPERCALL_CODE" },
	{ HV_STATUS_INVALID_HYPERCALL_INPUT, "INVALID_HYPERCALL_INPUT" },
	{ HV_STATUS_INVALID_ALIGNMENT,       "INVALID_ALIGNMENT" },
	{ HV_STATUS_INVALID_PARAMETER,       "INVALID_PARAMETER" },
	{ HV_STATUS_ACCESS_DENIED,           "ACCESS_DENIED" },
	{ HV_STATUS_OPERATION_DENIED,        "OPERATION_DENIED" },
	{ HV_STATUS_INVALID_VP_INDEX,        "INVALID_VP_INDEX" },
	{ HV_STATUS_FB_RETRY,                "FB_RETRY" },
};

const char *hv__status_name(uint16_t status)
{
	for (unsigned i = 0; i < sizeof(hv_status_names) / sizeof(hv_status_names[0]); i++)
		if (hv_status_names[i].status == status)
			return hv_status_names[i].name;
	return "UNKNOWN";
}

bool hv__status_known(uint16_t status)
{
	return status == HV_STATUS_SUCCESS ||
	       status == HV_STATUS_INVALID_HYPERCALL_CODE ||
	       status == HV_STATUS_INVALID_HYPERCALL_INPUT ||
	       status == HV_STATUS_INVALID_ALIGNMENT;
}
