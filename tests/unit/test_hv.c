/* SPDX-License-Identifier: MIT */
/*
 * TLFS flush hypercall parser (host/hv.c) and guest builders (guest/hv.c):
 * one test per validation rule, and builder -> parser round trips for every
 * form.  Guest RAM is a heap buffer at GPA 0; gpa_range() is bounds-checked
 * and records every call so the tests can prove what the parser touched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hv.h"                 /* host/hv.h */
#include "../../guest/hv.h"

#define RAM_SIZE        (64 * 1024ull)
#define IN_GPA          0x1000ull
#define MAX_VCPUS       1024u
#define GUARD           0xa5a5a5a5a5a5a5a5ul
#define NLONGS          HV_BITS_TO_LONGS(MAX_VCPUS)

struct ram {
	uint8_t *buf;
	uint64_t size;
	unsigned calls;
	uint64_t last_gpa, last_len;
};

static const void *ram_range(void *ctx, uint64_t gpa, uint64_t len)
{
	struct ram *r = ctx;

	r->calls++;
	r->last_gpa = gpa;
	r->last_len = len;
	if (gpa >= r->size || len > r->size - gpa)
		return NULL;
	return r->buf + gpa;
}

struct fx {
	struct ram ram;
	struct hv_guest_mem mem;
	/* mask plus guard words on both sides: the parser must stay inside */
	unsigned long maskbuf[NLONGS + 2];
	struct hv_flush_req req;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	f->ram.buf = calloc(1, RAM_SIZE);
	f->ram.size = RAM_SIZE;
	f->mem.ctx = &f->ram;
	f->mem.gpa_range = ram_range;
	for (unsigned i = 0; i < NLONGS + 2; i++)
		f->maskbuf[i] = GUARD;
	f->req.vp_mask = &f->maskbuf[1];
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	free(f->ram.buf);
	free(f);
	return 0;
}

static uint8_t *in_page(struct fx *f) { return f->ram.buf + IN_GPA; }

static void put64(struct fx *f, uint64_t gpa, uint64_t v) { memcpy(f->ram.buf + gpa, &v, 8); }

static uint16_t parse(struct fx *f, uint64_t control, uint64_t gpa, unsigned nr_vcpus)
{
	/* garbage in, so the test sees that the parser clears the mask */
	for (unsigned i = 0; i < NLONGS + 2; i++)
		f->maskbuf[i] = GUARD;
	uint16_t st = hv__parse(&f->mem, control, gpa, nr_vcpus, &f->req);

	/* invariants that hold for every call */
	assert_true(hv__status_known(st));
	assert_int_equal(f->maskbuf[0], GUARD);
	/* words past BITS_TO_LONGS(nr_vcpus) untouched */
	for (unsigned i = HV_BITS_TO_LONGS(nr_vcpus); i < NLONGS + 1; i++)
		assert_int_equal(f->req.vp_mask[i], GUARD);
	unsigned pop = 0;
	for (unsigned i = 0; i < HV_BITS_TO_LONGS(nr_vcpus); i++)
		pop += __builtin_popcountl(f->req.vp_mask[i]);
	assert_int_equal(pop, f->req.nr_targets);
	assert_true(f->req.nr_targets <= nr_vcpus);
	if (st != HV_STATUS_SUCCESS)
		assert_int_equal(pop, 0);
	return st;
}

static bool targeted(struct fx *f, unsigned vp)
{
	return f->req.vp_mask[vp / HV_BITS_PER_LONG] & (1ul << (vp % HV_BITS_PER_LONG));
}

/* A valid HvCallFlushVirtualAddressSpace at IN_GPA targeting VP 1. */
static uint64_t valid_space(struct fx *f)
{
	return hv_build_flush_space(in_page(f), 0, 0x2);
}

/* ---- control value --------------------------------------------------------- */

static void check_reserved_field(void **state, uint64_t field_mask)
{
	struct fx *f = *state;
	uint64_t ctl = valid_space(f);

	assert_int_equal(parse(f, ctl, IN_GPA, 64), HV_STATUS_SUCCESS);
	for (unsigned b = 0; b < 64; b++) {
		if (!(field_mask & (1ull << b)))
			continue;
		assert_int_equal(parse(f, ctl | (1ull << b), IN_GPA, 64),
				 HV_STATUS_INVALID_HYPERCALL_INPUT);
		/* reserved bits are checked before the code (KVM order) */
		assert_int_equal(parse(f, (ctl & ~0xffffull) | 0x7777 | (1ull << b), IN_GPA, 64),
				 HV_STATUS_INVALID_HYPERCALL_INPUT);
		/* also for the no-input null call */
		assert_int_equal(parse(f, hv_build_null() | (1ull << b), 0, 64),
				 HV_STATUS_INVALID_HYPERCALL_INPUT);
	}
}

static void test_reserved_31_27(void **state) { check_reserved_field(state, HV_HYPERCALL_RSVD0_MASK); }
static void test_reserved_47_44(void **state) { check_reserved_field(state, HV_HYPERCALL_RSVD1_MASK); }
static void test_reserved_63_60(void **state) { check_reserved_field(state, HV_HYPERCALL_RSVD2_MASK); }

static void test_unknown_code(void **state)
{
	struct fx *f = *state;
	static const unsigned codes[] = { 0x0000, 0x0001, 0x0004, 0x0008, 0x0012, 0x0015,
					  0x0fb1, 0xffff };

	for (unsigned i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		assert_int_equal(parse(f, codes[i], IN_GPA, 64), HV_STATUS_INVALID_HYPERCALL_CODE);
		assert_int_equal(f->req.code, codes[i]);
	}
	/* a builder that refused its input returns 0: also an invalid code */
	assert_int_equal(parse(f, 0, IN_GPA, 64), HV_STATUS_INVALID_HYPERCALL_CODE);
}

static void test_null_call_reads_no_input(void **state)
{
	struct fx *f = *state;

	/* no input: any GPA, even unaligned or outside RAM */
	assert_int_equal(parse(f, hv_build_null(), 0xdeadbeefull, 64), HV_STATUS_SUCCESS);
	assert_int_equal(f->req.code, HVCALL_FB_NULL);
	assert_int_equal(f->req.nr_targets, 0);
	assert_int_equal(f->ram.calls, 0);
	assert_int_equal(parse(f, hv_build_null() | HV_HYPERCALL_FAST_BIT, 0, 64), HV_STATUS_SUCCESS);
	assert_int_equal(parse(f, hv_control(HVCALL_FB_NULL, 1, 0), 0, 64),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(parse(f, hv_control(HVCALL_FB_NULL, 0, 1), 0, 64),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(parse(f, hv_build_null() | (1ull << HV_HYPERCALL_REP_START_OFFSET), 0, 64),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
}

#define REP_START(n) ((uint64_t)(n) << HV_HYPERCALL_REP_START_OFFSET)

static void test_list_rules(void **state)
{
	struct fx *f = *state;
	uint64_t gva = hv_gva_entry(0x400000, 0);
	uint64_t ctl = hv_build_flush_list(in_page(f), 0, 1, &gva, 1);

	assert_int_equal(parse(f, ctl, IN_GPA, 64), HV_STATUS_SUCCESS);
	/* var header must be 0 */
	assert_int_equal(parse(f, ctl | hv_control(0, 1, 0), IN_GPA, 64),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	/* rep count must not be 0 */
	assert_int_equal(parse(f, hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, 0, 0), IN_GPA, 64),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	/* rep start must be 0 */
	assert_int_equal(parse(f, ctl | REP_START(1), IN_GPA, 64),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(f->ram.calls, 1);   /* errors above touched no memory */
}

static void test_space_rules(void **state)
{
	struct fx *f = *state;
	uint64_t ctl = valid_space(f);

	assert_int_equal(parse(f, ctl | hv_control(0, 1, 0), IN_GPA, 64),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(parse(f, ctl | hv_control(0, 0, 1), IN_GPA, 64),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(parse(f, ctl | REP_START(1), IN_GPA, 64),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(f->ram.calls, 0);
}

static void test_list_ex_rules(void **state)
{
	struct fx *f = *state;
	uint32_t vp = 3;
	uint64_t gva = hv_gva_entry(0x400000, 0);
	uint64_t ctl = hv_build_flush_list_ex(in_page(f), 0, &vp, 1, 0, &gva, 1);

	assert_int_equal(parse(f, ctl, IN_GPA, 64), HV_STATUS_SUCCESS);
	assert_int_equal(parse(f, ctl & ~HV_HYPERCALL_REP_COMP_MASK, IN_GPA, 64),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(parse(f, ctl | REP_START(1), IN_GPA, 64),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
}

static void test_space_ex_rules(void **state)
{
	struct fx *f = *state;
	uint32_t vp = 3;
	uint64_t ctl = hv_build_flush_space_ex(in_page(f), 0, &vp, 1, 0);

	assert_int_equal(parse(f, ctl, IN_GPA, 64), HV_STATUS_SUCCESS);
	assert_int_equal(parse(f, ctl | hv_control(0, 0, 1), IN_GPA, 64),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(parse(f, ctl | REP_START(1), IN_GPA, 64),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
}

/* ---- input GPA ------------------------------------------------------------------ */

static void test_misaligned_gpa(void **state)
{
	struct fx *f = *state;
	uint64_t ctl = valid_space(f);

	for (unsigned off = 1; off < 8; off++)
		assert_int_equal(parse(f, ctl, IN_GPA + off, 64), HV_STATUS_INVALID_ALIGNMENT);
	/* alignment is checked before the range: misaligned and outside RAM */
	assert_int_equal(parse(f, ctl, RAM_SIZE * 4 + 4, 64), HV_STATUS_INVALID_ALIGNMENT);
	assert_int_equal(f->ram.calls, 0);
}

static void test_gpa_outside_ram(void **state)
{
	struct fx *f = *state;
	uint64_t ctl = valid_space(f);

	assert_int_equal(parse(f, ctl, RAM_SIZE, 64), HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(parse(f, ctl, 0x100000000ull, 64), HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(parse(f, ctl, FB_GPA_INTERCEPT, 64), HV_STATUS_INVALID_HYPERCALL_INPUT);
}

static void test_gpa_overflow(void **state)
{
	struct fx *f = *state;
	uint64_t ctl = valid_space(f);
	static const uint64_t gpas[] = { UINT64_MAX - 7, UINT64_MAX - 15, UINT64_MAX - 23,
					 UINT64_MAX - 4095 - 8 };

	for (unsigned i = 0; i < sizeof(gpas) / sizeof(gpas[0]); i++) {
		f->ram.calls = 0;
		assert_int_equal(parse(f, ctl, gpas[i], 64), HV_STATUS_INVALID_HYPERCALL_INPUT);
		/* if gpa_range was asked at all, the range did not wrap */
		if (f->ram.calls)
			assert_true(f->ram.last_gpa + f->ram.last_len >= f->ram.last_gpa);
	}
	/* List with the largest rep count that fits a page, at the top of the space */
	assert_int_equal(parse(f, hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, 0, 509),
			       UINT64_MAX - 4095, 64), HV_STATUS_INVALID_HYPERCALL_INPUT);
}

static void test_input_crosses_end_of_ram(void **state)
{
	struct fx *f = *state;
	uint32_t vps[] = { 1, 70 };     /* 2 banks: 32 + 16 = 48 bytes */
	uint64_t ctl = hv_build_flush_space_ex(f->ram.buf + RAM_SIZE - 48, 0, vps, 2, 0);

	assert_int_equal(parse(f, ctl, RAM_SIZE - 48, 128), HV_STATUS_SUCCESS);
	assert_int_equal(f->req.nr_targets, 2);
	assert_int_equal(f->ram.last_gpa, RAM_SIZE - 48);
	assert_int_equal(f->ram.last_len, 48);
	/* one more bank declared: the last 8 bytes are past the end */
	memmove(f->ram.buf + RAM_SIZE - 40, f->ram.buf + RAM_SIZE - 48, 40);
	assert_int_equal(parse(f, ctl, RAM_SIZE - 40, 128), HV_STATUS_INVALID_HYPERCALL_INPUT);
	/* header straddling the end */
	assert_int_equal(parse(f, valid_space(f), RAM_SIZE - 16, 64),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	/* GVA list straddling the end */
	uint64_t gvas[4] = { 0x1000, 0x2000, 0x3000, 0x4000 };
	uint64_t lctl = hv_build_flush_list(f->ram.buf + RAM_SIZE - 56, 0, 1, gvas, 4);
	assert_int_equal(parse(f, lctl, RAM_SIZE - 56, 64), HV_STATUS_SUCCESS);
	assert_int_equal(parse(f, lctl, RAM_SIZE - 48, 64), HV_STATUS_INVALID_HYPERCALL_INPUT);
}

static void test_input_larger_than_page(void **state)
{
	struct fx *f = *state;

	/* List: 24 + 8 * 509 = 4096 fits; 510 does not */
	assert_int_equal(parse(f, hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, 0, 509), IN_GPA, 64),
			 HV_STATUS_SUCCESS);
	assert_true(f->req.full_flush);
	assert_int_equal(f->ram.last_len, 4096);
	assert_int_equal(parse(f, hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, 0, 510), IN_GPA, 64),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(parse(f, hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, 0, 4095), IN_GPA, 64),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	/* ListEx: 32 + 8 * 1 bank + 8 * 507 = 4096 */
	put64(f, IN_GPA + 16, HV_GENERIC_SET_SPARSE_4K);
	put64(f, IN_GPA + 24, 1);
	assert_int_equal(parse(f, hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, 1, 507), IN_GPA, 64),
			 HV_STATUS_SUCCESS);
	assert_int_equal(parse(f, hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, 1, 508), IN_GPA, 64),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
}

/* ---- Ex VP set ---------------------------------------------------------------- */

static void test_varhead_popcount_mismatch(void **state)
{
	struct fx *f = *state;
	uint8_t *in = in_page(f);
	uint32_t vps[] = { 0, 64 };
	uint64_t ctl = hv_build_flush_space_ex(in, 0, vps, 2, 0);   /* 2 banks */

	assert_int_equal(parse(f, ctl, IN_GPA, 128), HV_STATUS_SUCCESS);
	uint64_t base = ctl & ~HV_HYPERCALL_VARHEAD_MASK;
	for (unsigned v = 0; v < 8; v++) {
		if (v == 2)
			continue;
		assert_int_equal(parse(f, base | hv_control(0, v, 0), IN_GPA, 128),
				 HV_STATUS_INVALID_HYPERCALL_INPUT);
	}
	/* also for format ALL (KVM checks var_cnt before looking at the format) */
	put64(f, IN_GPA + 16, HV_GENERIC_SET_ALL);
	assert_int_equal(parse(f, base, IN_GPA, 128), HV_STATUS_INVALID_HYPERCALL_INPUT);
	put64(f, IN_GPA + 24, 0);
	assert_int_equal(parse(f, base, IN_GPA, 128), HV_STATUS_SUCCESS);
	assert_true(f->req.all_vcpus);
}

static void test_varhead_too_big(void **state)
{
	struct fx *f = *state;

	/* 64 banks is the most a 64-bit valid_bank_mask can describe */
	put64(f, IN_GPA + 16, HV_GENERIC_SET_SPARSE_4K);
	put64(f, IN_GPA + 24, UINT64_MAX);
	assert_int_equal(parse(f, hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, 64, 0), IN_GPA, 64),
			 HV_STATUS_SUCCESS);
	assert_int_equal(parse(f, hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, 65, 0), IN_GPA, 64),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	/* 1023 banks (field maximum): 32 + 8184 bytes, larger than a page */
	assert_int_equal(parse(f, hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, 1023, 0), IN_GPA, 64),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(parse(f, hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, 1023, 4095), IN_GPA, 64),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
}

static void test_sparse_empty(void **state)
{
	struct fx *f = *state;
	uint64_t ctl = hv_build_flush_space_ex(in_page(f), 0, NULL, 0, 0);

	assert_int_equal(ctl, hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, 0, 0));
	assert_int_equal(parse(f, ctl, IN_GPA, 64), HV_STATUS_SUCCESS);
	assert_int_equal(f->req.nr_targets, 0);
	assert_false(f->req.all_vcpus);
}

static void test_other_format_is_all(void **state)
{
	struct fx *f = *state;
	uint64_t gva = hv_gva_entry(0x7000, 2);
	uint32_t vps[] = { 5, 300 };
	/* build a sparse ListEx with 2 banks, then change the format: KVM treats
	 * any format != SPARSE_4K as all and still skips the banks */
	uint64_t ctl = hv_build_flush_list_ex(in_page(f), 0, vps, 2, 0, &gva, 1);

	put64(f, IN_GPA + 16, 7);
	assert_int_equal(parse(f, ctl, IN_GPA, 512), HV_STATUS_SUCCESS);
	assert_true(f->req.all_vcpus);
	assert_int_equal(f->req.nr_targets, 512);
	assert_int_equal(f->req.nr_pages, 3);   /* entry read after the 2 banks */
}

/* ---- fast ---------------------------------------------------------------------- */

static void test_fast_calls_read_registers(void **state)
{
	struct fx *f = *state;
	uint64_t fast = HV_HYPERCALL_FAST_BIT;

	/* Space: RDX = address space, R8 = flags, processor_mask (XMM) = 0 -> all */
	uint16_t st = hv__parse_regs(&f->mem, HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE | fast,
				     0x1234000, HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY, 100, &f->req);
	assert_int_equal(st, HV_STATUS_SUCCESS);
	assert_true(f->req.fast);
	assert_true(f->req.all_vcpus);
	assert_true(f->req.full_flush);
	assert_int_equal(f->req.nr_targets, 100);
	assert_int_equal(f->req.address_space, 0x1234000);
	assert_int_equal(f->req.flags, HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY);
	assert_int_equal(f->ram.calls, 0);      /* registers only */
	/* RDX need not be a GPA: unaligned / outside RAM is fine */
	assert_int_equal(parse(f, HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE | fast, 0x3, 64), HV_STATUS_SUCCESS);
	/* the rep/var-header rules still apply first */
	assert_int_equal(parse(f, hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, 0, 1) | fast, 0, 64),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	/* forms that need XMM input are not representable */
	assert_int_equal(parse(f, hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, 0, 1) | fast, 0, 64),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(parse(f, hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, 0, 0) | fast, 0, 64),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(parse(f, hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, 0, 1) | fast, 0, 64),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(f->ram.calls, 0);
}

/* ---- round trips ------------------------------------------------------------- */

static const uint32_t rt_vps[] = { 0, 63, 64, 200, 1023 };
#define RT_NVPS (sizeof(rt_vps) / sizeof(rt_vps[0]))

static void check_rt_targets(struct fx *f, unsigned nr_vcpus)
{
	unsigned want = 0;

	for (unsigned i = 0; i < RT_NVPS; i++) {
		if (rt_vps[i] < nr_vcpus) {
			assert_true(targeted(f, rt_vps[i]));
			want++;
		}
	}
	assert_int_equal(f->req.nr_targets, want);
	assert_int_equal(f->req.nr_ignored_vps, RT_NVPS - want);
	assert_false(f->req.all_vcpus);
}

static void test_rt_space_ex(void **state)
{
	struct fx *f = *state;
	uint64_t ctl = hv_build_flush_space_ex(in_page(f), HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES,
					       rt_vps, RT_NVPS, 0);

	/* banks 0, 1, 3, 15 */
	assert_int_equal(ctl, hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, 4, 0));
	assert_int_equal(parse(f, ctl, IN_GPA, 1024), HV_STATUS_SUCCESS);
	assert_true(f->req.ex);
	assert_false(f->req.list);
	assert_true(f->req.full_flush);
	assert_int_equal(f->req.flags, HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES);
	check_rt_targets(f, 1024);
	assert_int_equal(parse(f, ctl, IN_GPA, 64), HV_STATUS_SUCCESS);
	check_rt_targets(f, 64);
	assert_int_equal(parse(f, ctl, IN_GPA, 201), HV_STATUS_SUCCESS);
	check_rt_targets(f, 201);
}

static void test_rt_list_ex(void **state)
{
	struct fx *f = *state;
	uint64_t gvas[3] = { hv_gva_entry(0x10000, 0), hv_gva_entry(0x20000, 4095),
			     hv_gva_entry(0xffffffffff000ull, 7) };
	uint64_t ctl = hv_build_flush_list_ex(in_page(f), 0, rt_vps, RT_NVPS, 0, gvas, 3);

	assert_int_equal(ctl, hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, 4, 3));
	assert_int_equal(parse(f, ctl, IN_GPA, 1024), HV_STATUS_SUCCESS);
	assert_true(f->req.ex);
	assert_true(f->req.list);
	assert_false(f->req.full_flush);
	assert_int_equal(f->req.nr_gva_ranges, 3);
	assert_int_equal(f->req.nr_pages, 1 + 4096 + 8);
	check_rt_targets(f, 1024);
	assert_int_equal(f->ram.last_len, 32 + 4 * 8 + 3 * 8);
	assert_int_equal(parse(f, ctl, IN_GPA, 64), HV_STATUS_SUCCESS);
	check_rt_targets(f, 64);
	assert_int_equal(hv__result(HV_STATUS_SUCCESS, f->req.nr_gva_ranges), 3ull << 32);
}

static void test_rt_space_and_list(void **state)
{
	struct fx *f = *state;
	uint64_t mask = (1ull << 0) | (1ull << 5) | (1ull << 63);
	uint64_t ctl = hv_build_flush_space(in_page(f), HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY, mask);

	assert_int_equal(ctl, HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE);
	assert_int_equal(parse(f, ctl, IN_GPA, 64), HV_STATUS_SUCCESS);
	assert_false(f->req.ex);
	assert_int_equal(f->req.nr_targets, 3);
	assert_true(targeted(f, 0) && targeted(f, 5) && targeted(f, 63));
	assert_int_equal(f->req.nr_ignored_vps, 0);
	assert_true(f->req.full_flush);
	assert_int_equal(f->req.nr_pages, 0);
	assert_int_equal(f->ram.last_len, 24);
	/* only 8 vCPUs: VP 63 has no vCPU */
	assert_int_equal(parse(f, ctl, IN_GPA, 8), HV_STATUS_SUCCESS);
	assert_int_equal(f->req.nr_targets, 2);
	assert_int_equal(f->req.nr_ignored_vps, 1);

	uint64_t gvas[2] = { hv_gva_entry(0x5000, 1), hv_gva_entry(0x9000, 0) };
	ctl = hv_build_flush_list(in_page(f), 0, mask, gvas, 2);
	assert_int_equal(ctl, hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, 0, 2));
	assert_int_equal(parse(f, ctl, IN_GPA, 1024), HV_STATUS_SUCCESS);
	assert_true(f->req.list);
	assert_int_equal(f->req.nr_gva_ranges, 2);
	assert_int_equal(f->req.nr_pages, 3);
	assert_false(f->req.full_flush);
	assert_int_equal(f->req.nr_targets, 3);
}

static void test_all_processors(void **state)
{
	struct fx *f = *state;

	/* flag wins over the mask */
	uint64_t ctl = hv_build_flush_space(in_page(f), HV_FLUSH_ALL_PROCESSORS, 0x1);
	assert_int_equal(parse(f, ctl, IN_GPA, 1024), HV_STATUS_SUCCESS);
	assert_true(f->req.all_vcpus);
	assert_int_equal(f->req.nr_targets, 1024);
	assert_int_equal(f->req.nr_ignored_vps, 0);
	/* processor_mask 0 is all too (KVM's WS2012 workaround) */
	ctl = hv_build_flush_space(in_page(f), 0, 0);
	assert_int_equal(parse(f, ctl, IN_GPA, 65), HV_STATUS_SUCCESS);
	assert_true(f->req.all_vcpus);
	assert_int_equal(f->req.nr_targets, 65);
	assert_true(targeted(f, 64));
	/* nr_vcpus 0 with no mask */
	f->req.vp_mask = NULL;
	assert_int_equal(hv__parse(&f->mem, ctl, IN_GPA, 0, &f->req), HV_STATUS_SUCCESS);
	assert_int_equal(f->req.nr_targets, 0);
	f->req.vp_mask = &f->maskbuf[1];
}

static void test_set_all(void **state)
{
	struct fx *f = *state;
	uint64_t gva = hv_gva_entry(0x3000, 0);

	uint64_t ctl = hv_build_flush_space_ex(in_page(f), 0, rt_vps, RT_NVPS, 1);
	assert_int_equal(ctl, hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, 0, 0));
	assert_int_equal(parse(f, ctl, IN_GPA, 1000), HV_STATUS_SUCCESS);
	assert_true(f->req.all_vcpus);
	assert_int_equal(f->req.nr_targets, 1000);
	ctl = hv_build_flush_list_ex(in_page(f), 0, NULL, 0, 1, &gva, 1);
	assert_int_equal(parse(f, ctl, IN_GPA, 3), HV_STATUS_SUCCESS);
	assert_int_equal(f->req.nr_targets, 3);
	assert_int_equal(f->req.nr_pages, 1);
}

static void test_rep_16_full_flush(void **state)
{
	struct fx *f = *state;
	uint64_t gvas[16];

	for (unsigned i = 0; i < 16; i++)
		gvas[i] = hv_gva_entry(0x100000 + i * 0x10000, 1);
	uint64_t ctl = hv_build_flush_list(in_page(f), 0, 1, gvas, 15);
	assert_int_equal(parse(f, ctl, IN_GPA, 64), HV_STATUS_SUCCESS);
	assert_false(f->req.full_flush);
	assert_int_equal(f->req.nr_pages, 30);
	ctl = hv_build_flush_list(in_page(f), 0, 1, gvas, 16);
	assert_int_equal(parse(f, ctl, IN_GPA, 64), HV_STATUS_SUCCESS);
	assert_true(f->req.full_flush);
	assert_int_equal(f->req.nr_pages, 0);
	assert_int_equal(f->req.nr_gva_ranges, 16);
	uint32_t vp = 1;
	ctl = hv_build_flush_list_ex(in_page(f), 0, &vp, 1, 0, gvas, 16);
	assert_int_equal(parse(f, ctl, IN_GPA, 64), HV_STATUS_SUCCESS);
	assert_true(f->req.full_flush);
	assert_int_equal(f->req.nr_targets, 1);
}

static void test_error_clears_mask(void **state)
{
	struct fx *f = *state;
	uint32_t vps[] = { 1, 2 };
	uint64_t ctl = hv_build_flush_space_ex(in_page(f), 0, vps, 2, 0);

	assert_int_equal(parse(f, ctl, IN_GPA, 64), HV_STATUS_SUCCESS);
	assert_int_equal(f->req.nr_targets, 2);
	/* bank mask no longer matches the var header */
	put64(f, IN_GPA + 24, 3);
	assert_int_equal(parse(f, ctl, IN_GPA, 64), HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(f->req.nr_targets, 0);
	assert_int_equal(f->req.vp_mask[0], 0);
}

/* ---- builders ------------------------------------------------------------------ */

static void test_builder_sparse_layout(void **state)
{
	struct fx *f = *state;
	uint32_t vps[] = { 200, 1023, 0, 64, 63, 200, 5000 /* bank 78: skipped */ };
	uint64_t ctl = hv_build_flush_space_ex(in_page(f), 0, vps, 7, 0);
	uint64_t w[8];

	memcpy(w, in_page(f), sizeof(w));
	assert_int_equal(ctl, hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, 4, 0));
	assert_int_equal(w[2], HV_GENERIC_SET_SPARSE_4K);
	assert_int_equal(w[3], (1ull << 0) | (1ull << 1) | (1ull << 3) | (1ull << 15));
	assert_int_equal(w[4], (1ull << 0) | (1ull << 63));    /* bank 0 */
	assert_int_equal(w[5], 1ull << 0);                     /* bank 1: VP 64 */
	assert_int_equal(w[6], 1ull << (200 - 192));           /* bank 3 */
	assert_int_equal(w[7], 1ull << 63);                    /* bank 15: VP 1023 */
	assert_int_equal(parse(f, ctl, IN_GPA, 1024), HV_STATUS_SUCCESS);
	assert_int_equal(f->req.nr_targets, 5);
	assert_int_equal(f->req.nr_ignored_vps, 0);
}

static void test_builder_bounds(void **state)
{
	struct fx *f = *state;
	static uint64_t gvas[600];
	uint8_t *in = in_page(f);

	memset(in + 4096, 0x5a, 4096);
	/* 3 + 509 words = one page: built; 510: refused, nothing written */
	assert_int_not_equal(hv_build_flush_list(in, 0, 1, gvas, 509), 0);
	memset(in, 0x77, 4096);
	assert_int_equal(hv_build_flush_list(in, 0, 1, gvas, 510), 0);
	assert_int_equal(in[0], 0x77);
	/* 64 banks + 4 header words + 444 entries = 512 words */
	uint32_t vps[64];
	for (unsigned i = 0; i < 64; i++)
		vps[i] = i * 64 + 1;
	uint64_t ctl = hv_build_flush_list_ex(in, 0, vps, 64, 0, gvas, 444);
	assert_int_equal(ctl, hv_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, 64, 444));
	assert_int_equal(parse(f, ctl, IN_GPA, 4096 > MAX_VCPUS ? MAX_VCPUS : 4096), HV_STATUS_SUCCESS);
	assert_int_equal(f->req.nr_targets, 16);
	assert_int_equal(f->req.nr_ignored_vps, 48);
	assert_int_equal(hv_build_flush_list_ex(in, 0, vps, 64, 0, gvas, 445), 0);
	assert_int_equal(hv_build_flush_list(in, 0, 1, gvas, 4096), 0);
	/* nothing was ever written past the input page */
	for (unsigned i = 4096; i < 8192; i++)
		assert_int_equal(in[i], 0x5a);
}

static void test_status_names(void **state)
{
	assert_string_equal(hv__status_name(HV_STATUS_SUCCESS), "SUCCESS");
	assert_string_equal(hv__status_name(HV_STATUS_INVALID_HYPERCALL_CODE), "INVALID_HYPERCALL_CODE");
	assert_string_equal(hv__status_name(HV_STATUS_INVALID_HYPERCALL_INPUT), "INVALID_HYPERCALL_INPUT");
	assert_string_equal(hv__status_name(HV_STATUS_INVALID_ALIGNMENT), "INVALID_ALIGNMENT");
	assert_string_equal(hv__status_name(HV_STATUS_FB_RETRY), "FB_RETRY");
	assert_string_equal(hv__status_name(0x1234), "UNKNOWN");
	assert_int_equal(hv__result(HV_STATUS_INVALID_HYPERCALL_INPUT, 0), 3);
	assert_int_equal(hv__result(HV_STATUS_SUCCESS, 4095), 0xfffull << 32);
	assert_int_equal(hv__result(HV_STATUS_SUCCESS, 4096), 0);   /* 12-bit field */
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_reserved_31_27),
		T(test_reserved_47_44),
		T(test_reserved_63_60),
		T(test_unknown_code),
		T(test_null_call_reads_no_input),
		T(test_list_rules),
		T(test_space_rules),
		T(test_list_ex_rules),
		T(test_space_ex_rules),
		T(test_misaligned_gpa),
		T(test_gpa_outside_ram),
		T(test_gpa_overflow),
		T(test_input_crosses_end_of_ram),
		T(test_input_larger_than_page),
		T(test_varhead_popcount_mismatch),
		T(test_varhead_too_big),
		T(test_sparse_empty),
		T(test_other_format_is_all),
		T(test_fast_calls_read_registers),
		T(test_rt_space_ex),
		T(test_rt_list_ex),
		T(test_rt_space_and_list),
		T(test_all_processors),
		T(test_set_all),
		T(test_rep_16_full_flush),
		T(test_error_clears_mask),
		T(test_builder_sparse_layout),
		T(test_builder_bounds),
		T(test_status_names),
	};

	return cmocka_run_group_tests_name("hv", tests, NULL, NULL);
}
