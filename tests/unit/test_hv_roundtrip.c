/* SPDX-License-Identifier: MIT */
/*
 * TLFS flush hypercalls built by the guest (guest/hv.c) and parsed by the
 * host (host/hv.c): builder -> parser round trips for every form, the
 * all-processors and full-flush cases, a failed parse leaves no targets,
 * and the builders' sparse layout and page bounds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hv_fixture.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_rt_space_ex),
		T(test_rt_list_ex),
		T(test_rt_space_and_list),
		T(test_all_processors),
		T(test_set_all),
		T(test_rep_16_full_flush),
		T(test_error_clears_mask),
		T(test_builder_sparse_layout),
		T(test_builder_bounds),
	};

	return cmocka_run_group_tests_name("hv_roundtrip", tests, NULL, NULL);
}
