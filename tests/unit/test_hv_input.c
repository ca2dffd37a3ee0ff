/* SPDX-License-Identifier: MIT */
/*
 * TLFS flush hypercall parser (host/hv.c), the input page: where it may be
 * read from (alignment, inside guest RAM, no overflow, one page) and how
 * the Ex forms' VP set is decoded (variable header, sparse banks, other
 * formats).  One test per validation rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hv_fixture.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_misaligned_gpa),
		T(test_gpa_outside_ram),
		T(test_gpa_overflow),
		T(test_input_crosses_end_of_ram),
		T(test_input_larger_than_page),
		T(test_varhead_popcount_mismatch),
		T(test_varhead_too_big),
		T(test_sparse_empty),
		T(test_other_format_is_all),
	};

	return cmocka_run_group_tests_name("hv_input", tests, NULL, NULL);
}
