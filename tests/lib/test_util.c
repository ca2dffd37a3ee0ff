/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "metrics.h"
#include "options.h"
#include "pressure.h"
#include "test_util.h"
#include "vm.h"

void test_assert(int exp, const char *exp_str, const char *file, unsigned int line,
		 const char *fmt, ...)
{
	if (exp)
		return;
	int err = errno;
	fprintf(stderr, "==== Test Assertion Failure ====\n  %s:%u: %s\n  pid=%d tid=%ld errno=%d - %s\n  ",
		file, line, exp_str, (int)getpid(), (long)syscall(SYS_gettid), err, strerror(err));
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void test_skip(const char *fmt, ...)
{
	va_list ap;
	fputs("SKIP: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	exit(KSFT_SKIP);
}

void test_set_option(struct run_config *cfg, const char *key, const char *fmt, ...)
{
	char v[512], err[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	const struct bench_option *o = options__find(key);
	TEST_ASSERT(o, "no option '%s'", key);
	TEST_ASSERT(options__set(cfg, o, v, err, sizeof(err)) == 0, "%s", err);
}

const char *test_backend_name(void)
{
	const char *b = getenv("FB_TEST_BACKEND");
	return b && *b ? b : "native";
}

const struct backend_ops *test_backend(void)
{
	const char *b = test_backend_name();
	if (!strcmp(b, "native"))
		return &backend_native;
	if (!strcmp(b, "kvm")) {
		char why[256];
		if (!backend_kvm_probe(why, sizeof(why)))
			test_skip("kvm backend unavailable: %s", why);
		return &backend_kvm;
	}
	test_skip("unknown FB_TEST_BACKEND '%s' (kvm|native)", b);
}

struct vm *test_vm_start_pressure(struct run_config *cfg, struct run_metrics *m,
				  const struct pressure_ops *p)
{
	struct vm *vm;
	char err[512];

	metrics__init(m);
	TEST_ASSERT(options__check(cfg, err, sizeof(err)) == 0, "%s", err);   /* resolves the names */
	TEST_ASSERT(__vm_create(&vm, cfg, test_backend(), m, err, sizeof(err)) == 0, "%s", err);
	/* __vm_create() set the mode up and started it (VM levels); vm__stop()
	 * stops it, vm__destroy() tears it down */
	TEST_ASSERT(vm->pressure == p && vm->pressure_started, "%s: pressure level not up", p->name);
	TEST_ASSERT_EQ(vm__start(vm), 0);
	return vm;
}
