// SPDX-License-Identifier: MIT
/* host/tsc.c: CPUID 0x15 parsing and the once-per-process cache; host/vcpu.c
 * vcpu__tsc_to_ns(), TSC cycles to ns without overflow. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "tsc.h"
#include "vcpu.h"

static void test_khz_from_cpuid_leaf15(void **state)
{
	(void)state;
	/* 24 MHz crystal, TSC = crystal * 176 / 2 = 2112 MHz */
	assert_int_equal(tsc__khz_from_leaf15(2, 176, 24000000), 2112000);
	/* 25 MHz crystal, ratio 84/1 */
	assert_int_equal(tsc__khz_from_leaf15(1, 84, 25000000), 2100000);
	/* not enumerated: any zero field means "unknown", never 0 kHz silently used */
	assert_int_equal(tsc__khz_from_leaf15(0, 176, 24000000), 0);
	assert_int_equal(tsc__khz_from_leaf15(2, 0, 24000000), 0);
	assert_int_equal(tsc__khz_from_leaf15(2, 176, 0), 0);
}

static void test_khz_same_answer_and_source_twice(void **state)
{
	const char *src1, *src2;
	(void)state;
	uint64_t a = tsc__khz(&src1);
	uint64_t b = tsc__khz(&src2);

	assert_true(a > 0);
	assert_int_equal(a, b);                 /* same answer, same source */
	assert_string_equal(src1, src2);
	assert_true(!strcmp(src1, "sysfs") || !strcmp(src1, "cpuid-0x15") ||
		    !strcmp(src1, "cpuid-0x40000010") || !strcmp(src1, "calibrated"));
	/* a second calibration would differ in the last digits: equal means cached */
}

static void test_tsc_to_ns(void **state)
{
	struct vm vm;

	(void)state;
	memset(&vm, 0, sizeof(vm));
	assert_int_equal(vcpu__tsc_to_ns(&vm, 12345), 12345);    /* unknown: cycles */
	vm.tsc_khz = 2000000;                                     /* 2 GHz */
	assert_int_equal(vcpu__tsc_to_ns(&vm, 2000), 1000);
	assert_int_equal(vcpu__tsc_to_ns(&vm, 2000000000000ull), 1000000000000ull);
	/* no overflow in the intermediate product */
	vm.tsc_khz = 3000000;
	assert_int_equal(vcpu__tsc_to_ns(&vm, UINT64_MAX / 2), (uint64_t)((unsigned __int128)(UINT64_MAX / 2) * 1000000u / 3000000u));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_khz_from_cpuid_leaf15),
		cmocka_unit_test(test_khz_same_answer_and_source_twice),
		cmocka_unit_test(test_tsc_to_ns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
