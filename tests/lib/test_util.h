/* SPDX-License-Identifier: MIT */
/*
 * KVM-selftests-style assertions for the integration tests in tests/host/, tests/vm/ and tests/kvm/.
 * TEST_ASSERT prints file:line, the failing expression, errno and a message,
 * then exits 1; TEST_REQUIRE / TEST_SKIP exit 4 (ctest SKIP_RETURN_CODE) with
 * the reason, so a missing /dev/kvm or root is a visible skip, never a pass.
 */
#ifndef FB_TEST_UTIL_H
#define FB_TEST_UTIL_H

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KSFT_SKIP 4

void test_assert(int exp, const char *exp_str, const char *file, unsigned int line,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#define TEST_ASSERT(e, fmt, ...) \
	test_assert(!!(e), #e, __FILE__, __LINE__, fmt, ##__VA_ARGS__)

#define TEST_ASSERT_EQ(a, b) do { \
	__typeof__(a) __a = (a); __typeof__(b) __b = (b); \
	test_assert(__a == __b, #a " == " #b, __FILE__, __LINE__, \
		    "%#" PRIx64 " != %#" PRIx64 " (%s = %" PRIu64 ", %s = %" PRIu64 ")", \
		    (uint64_t)__a, (uint64_t)__b, #a, (uint64_t)__a, #b, (uint64_t)__b); \
} while (0)

#define TEST_REQUIRE(e, fmt, ...) do { if (!(e)) test_skip(fmt, ##__VA_ARGS__); } while (0)
#define TEST_SKIP(fmt, ...) test_skip(fmt, ##__VA_ARGS__)
#define TEST_FAIL(fmt, ...) TEST_ASSERT(0, fmt, ##__VA_ARGS__)

/* Pick the execution backend for a VM test from FB_TEST_BACKEND (kvm|native,
 * default native) and SKIP when it is not usable here. */
struct backend_ops;
const struct backend_ops *test_backend(void);
const char *test_backend_name(void);

/* A VM for cfg (names resolved by options__check() here) on the test
 * backend, metrics m initialised, with pressure
 * mode p (cfg's) set up and started by the VM's levels, vCPUs started. */
struct run_config;
struct run_metrics;
struct pressure_ops;
struct vm *test_vm_start_pressure(struct run_config *cfg, struct run_metrics *m,
				  const struct pressure_ops *p);

/* Set option @key (any spelling; a core field or a plug-in's knob) of cfg
 * to the printf-formatted value, through the option table; asserts. */
void test_set_option(struct run_config *cfg, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
