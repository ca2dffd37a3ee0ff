/* SPDX-License-Identifier: MIT */
/*
 * TLFS flush hypercall parser (host/hv.c), the control value: reserved
 * fields, unknown codes, the rep count / variable header rules of each
 * form, fast (register) calls, and the status names and result words.
 * One test per validation rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hv_fixture.h"

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
		T(test_fast_calls_read_registers),
		T(test_status_names),
	};

	return cmocka_run_group_tests_name("hv_control", tests, NULL, NULL);
}
