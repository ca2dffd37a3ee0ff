// SPDX-License-Identifier: MIT
/* Unit tests: the option table (bench/scenario/options.c). */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "abi/abi.h"
#include "design.h"
#include "options.h"
#include "suggest.h"
#include "pressure.h"

/* The registries: tests/unit/lib/stub_registries.c (weak stand-ins of the
 * designs), the real pressure modes. */

/* Option @key of c as text (plug-in knobs have no run_config field). */
static const char *val(const struct run_config *c, const char *key)
{
	static char buf[512];
	const struct bench_option *o = options__find(key);
	assert_non_null(o);
	options__format(c, o, buf, sizeof(buf));
	return buf;
}

static void test_defaults_are_documented_and_valid(void **state)
{
	struct run_config c;
	options__defaults(&c);
	assert_int_equal(c.vcpus, 64);
	assert_int_equal(c.mem_mb, 256);
	assert_string_equal(c.backend, "auto");
	assert_string_equal(c.workload, "mixed");
	assert_int_equal(c.flushers, 0);
	assert_int_equal(c.inhibitors, 0);
	assert_int_equal(c.touchers, 0);
	assert_string_equal(c.flush_kind, "mix");
	assert_string_equal(c.targets, "sparse");
	assert_int_equal(c.target_count, 4);
	assert_int_equal(c.gva_count, 4);
	assert_int_equal(c.flush_think_us, 200);
	assert_int_equal(c.inhibit_period_us, 1000);
	assert_int_equal(c.completion_kb, 16);
	assert_int_equal(c.touch_mb, 64);
	assert_int_equal(c.touch_batch, 64);
	assert_int_equal(c.touch_think_us, 100);
	assert_false(c.touch_verify);
	assert_string_equal(c.design, "srcu");
	assert_string_equal(c.request, "event");
	assert_false(c.allow_broken);
	assert_int_equal(c.race_delay_us, 0);
	assert_int_equal(c.halt_poll_ns, 0);
	assert_string_equal(c.srcu_gp, "auto");
	assert_int_equal(c.lost_timeout_ms, 1000);
	assert_string_equal(c.pressure, "none");
	assert_int_equal(c.resident_mb, 32);
	/* the paging mode's own knobs (host/pressure/paging.c), by name */
	assert_string_equal(val(&c, "fault-latency"), "fixed");
	assert_string_equal(val(&c, "fault-latency-us"), "500");
	assert_string_equal(val(&c, "fault-latency-max-us"), "5000");
	assert_string_equal(val(&c, "fault-latency-sigma"), "0.5");
	assert_string_equal(val(&c, "pager-threads"), "2");
	assert_string_equal(val(&c, "pager-rt"), "true");
	assert_string_equal(val(&c, "backing-file"), "");
	assert_string_equal(val(&c, "backing-direct"), "false");
	/* the swap mode's own knobs (host/pressure/swap.c), by name */
	assert_string_equal(val(&c, "zram-mb"), "512");
	assert_string_equal(val(&c, "memcg-limit-mb"), "0");
	assert_string_equal(val(&c, "pageout-churn"), "false");
	assert_string_equal(c.kernel_ref, "auto");
	assert_int_equal(c.kernel_ref_period_ms, 5);
	assert_true(c.duration_s == 3.0);
	assert_true(c.warmup_s == 0.5);
	assert_int_equal(c.repeat, 1);
	assert_int_equal(c.seed, 1);
	assert_string_equal(c.perf, "none");
	assert_string_equal(c.perf_events, "");
	assert_string_equal(c.pin, "none");
	assert_string_equal(c.mem_node, "");
	char err[256];
	assert_int_equal(options__check(&c, err, sizeof(err)), 0);
}

/* Every field of struct run_config has exactly one table entry, sane metadata. */
static void test_table_consistent(void **state)
{
	size_t covered = 0;
	unsigned n = 0;
	for (const struct bench_option *o = options__table(); o->name; o++, n++) {
		char k[64];
		snprintf(k, sizeof(k), "%s", o->name);
		for (char *p = k; *p; p++)
			if (*p == '-')
				*p = '_';
		assert_string_equal(k, o->key);          /* dashed name == field name */
		assert_non_null(o->help);
		assert_true(strlen(o->help) > 10);
		assert_non_null(o->def);
		bool sec = false;
		for (unsigned s = 0; options_sections[s]; s++)
			sec |= !strcmp(options_sections[s], o->section);
		assert_true(sec);
		assert_ptr_equal(options__find(o->name), o);
		assert_ptr_equal(options__find(o->key), o);
		for (const struct bench_option *p = options__table(); p < o; p++) {
			assert_string_not_equal(p->name, o->name);
			/* no two entries for the same field */
			assert_true(p->offset != o->offset);
		}
		covered += o->size;
		/* the default is a valid value */
		struct run_config c;
		char err[256];
		memset(&c, 0, sizeof(c));
		if (options__set(&c, o, o->def, err, sizeof(err)))
			fail_msg("default of %s rejected: %s", o->name, err);
	}
	assert_true(n >= 40);
	/* all field bytes covered (padding aside): catches a field without an
	 * entry; the plug-ins' blocks count as their options structs */
	size_t core = offsetof(struct run_config, plugin_opts), plugins = 0;
	for (unsigned i = 0; designs[i]; i++)
		plugins += designs[i]->options_size;
	for (unsigned i = 0; pressures[i]; i++)
		plugins += pressures[i]->options_size;
	assert_true(covered <= core + plugins);
	assert_true(covered + 8 * 8 >= core + plugins);
}

static void test_find_accepts_dash_and_underscore(void **state)
{
	assert_non_null(options__find("flush-think-us"));
	assert_ptr_equal(options__find("flush_think_us"), options__find("flush-think-us"));
	/* an alias of the table, not an argv rewrite: --duration is duration-s */
	assert_ptr_equal(options__find("duration"), options__find("duration-s"));
	assert_ptr_equal(options__find("warmup"), options__find("warmup_s"));
	assert_null(options__find("durations"));
	assert_ptr_equal(options__find("flush_think-us"), options__find("flush-think-us"));
	assert_null(options__find("flush-think"));
	assert_null(options__find(""));
	assert_null(options__find(NULL));
}

static void expect_err(const char *name, const char *value, const char *msg)
{
	struct run_config c;
	char err[512] = "";
	options__defaults(&c);
	const struct bench_option *o = options__find(name);
	assert_non_null(o);
	assert_int_equal(options__set(&c, o, value, err, sizeof(err)), -EINVAL);
	if (strcmp(err, msg))
		fail_msg("set %s=%s: got \"%s\", want \"%s\"", name, value, err, msg);
}

static void test_set_errors(void **state)
{
	expect_err("vcpus", "0", "vcpus: 0 is out of range (1..1024)");
	expect_err("vcpus", "1025", "vcpus: 1025 is out of range (1..1024)");
	expect_err("vcpus", "-1", "vcpus: '-1' is not a non-negative integer");
	expect_err("vcpus", "12abc", "vcpus: '12abc' is not a non-negative integer");
	expect_err("vcpus", "", "vcpus: '' is not a non-negative integer");
	expect_err("vcpus", "99999999999999999999999",
		   "vcpus: 99999999999999999999999 is out of range (1..1024)");
	expect_err("memcg-limit-mb", "4294967296",
		   "memcg-limit-mb: 4294967296 is out of range (0..1048576)");
	expect_err("duration-s", "abc", "duration-s: 'abc' is not a number");
	expect_err("duration-s", "nan", "duration-s: nan is out of range (0.01..86400)");
	expect_err("duration-s", "0", "duration-s: 0 is out of range (0.01..86400)");
	expect_err("touch-verify", "maybe", "touch-verify: 'maybe' is not a boolean (true or false)");
	expect_err("request", "evnt",
		   "request: 'evnt' is not one of event, unblock; did you mean 'event'?");
	expect_err("backend", "qemu", "backend: 'qemu' is not one of auto, kvm, native");
	expect_err("design", "nope",
		   "design: unknown design 'nope' (registered: srcu, srcu-private, targeted, srcu-nogp)");
	expect_err("pressure", "zswap",
		   "pressure: unknown pressure mode 'zswap' (registered: none, paging, swap)");
	expect_err("mem-node", "far",
		   "mem-node: 'far' is not a NUMA node number, 'interleave', 'local' or empty");
	char longv[300];
	memset(longv, 'x', sizeof(longv) - 1);
	longv[sizeof(longv) - 1] = '\0';
	struct run_config c;
	char err[512];
	options__defaults(&c);
	assert_int_equal(options__set(&c, options__find("backing-file"), longv, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "too long (at most 255 characters)"));
	/* a failed set leaves the field alone */
	assert_int_equal(c.vcpus, 64);
	assert_string_equal(val(&c, "backing-file"), "");
}

static void test_set_parses_each_type(void **state)
{
	struct run_config c;
	char err[256];
	options__defaults(&c);
	assert_int_equal(options__set(&c, options__find("vcpus"), " 1024 ", err, sizeof(err)), 0);
	assert_int_equal(c.vcpus, 1024);
	assert_int_equal(options__set(&c, options__find("touch_verify"), "YES", err, sizeof(err)), 0);
	assert_true(c.touch_verify);
	assert_int_equal(options__set(&c, options__find("seed"), "18446744073709551615", err,
				      sizeof(err)), 0);
	assert_true(c.seed == UINT64_MAX);
	assert_int_equal(options__set(&c, options__find("duration-s"), "1e-1", err, sizeof(err)), 0);
	assert_true(c.duration_s == 0.1);
	assert_int_equal(options__set(&c, options__find("mem-node"), "1", err, sizeof(err)), 0);
	assert_string_equal(c.mem_node, "1");
	assert_int_equal(options__set(&c, options__find("perf-events"), "cycles,instructions",
				      err, sizeof(err)), 0);
	assert_string_equal(c.perf_events, "cycles,instructions");
	assert_int_equal(options__set(&c, options__find("design"), "targeted", err, sizeof(err)), 0);
	assert_string_equal(c.design, "targeted");
}

static void test_json_roundtrip(void **state)
{
	struct run_config a, b;
	char err[256];
	options__defaults(&a);
	json_t *j = options__to_json(&a);
	assert_non_null(j);
	unsigned n = 0;
	for (const struct bench_option *o = options__table(); o->name; o++, n++)
		assert_non_null(json_object_get(j, o->key));
	assert_int_equal(json_object_size(j), n);
	/* typed values */
	assert_int_equal(json_integer_value(json_object_get(j, "vcpus")), 64);
	assert_true(json_is_real(json_object_get(j, "duration_s")));
	assert_true(json_is_false(json_object_get(j, "touch_verify")));
	assert_string_equal(json_string_value(json_object_get(j, "design")), "srcu");

	memset(&b, 0, sizeof(b));
	assert_int_equal(options__from_json(&b, j, err, sizeof(err)), 0);
	/* the names travel, the resolved pointers are derived again on load */
	assert_null(a.r.design);
	assert_non_null(b.r.design);
	assert_string_equal(b.r.design->name, "srcu");
	assert_string_equal(b.r.pressure->name, "none");
	assert_int_equal(options__resolve(&a, err, sizeof(err)), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	json_decref(j);

	/* non-default values survive a trip through JSON text too */
	assert_int_equal(options__set(&a, options__find("vcpus"), "7", err, sizeof(err)), 0);
	assert_int_equal(options__set(&a, options__find("fault-latency-sigma"), "0.1", err,
				      sizeof(err)), 0);
	assert_int_equal(options__set(&a, options__find("seed"), "18446744073709551615", err,
				      sizeof(err)), 0);
	assert_int_equal(options__set(&a, options__find("backing-file"), "/tmp/x,y", err,
				      sizeof(err)), 0);
	j = options__to_json(&a);
	char *text = json_dumps(j, 0);
	json_decref(j);
	j = json_loads(text, 0, NULL);
	free(text);
	memset(&b, 0, sizeof(b));
	assert_int_equal(options__from_json(&b, j, err, sizeof(err)), 0);
	assert_int_equal(options__resolve(&a, err, sizeof(err)), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	json_decref(j);

	j = json_pack("{s:i}", "vcpu", 3);
	assert_int_equal(options__from_json(&b, j, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "unknown key 'vcpu'");
	json_decref(j);
	j = json_pack("{s:i}", "vcpus", 0);
	assert_int_equal(options__from_json(&b, j, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "vcpus: 0 is out of range (1..1024)");
	json_decref(j);
}

/* set(format(x)) == x for every option, at defaults. */
static void test_format_roundtrip(void **state)
{
	struct run_config a, b;
	char buf[512], err[256];
	options__defaults(&a);
	options__defaults(&b);
	for (const struct bench_option *o = options__table(); o->name; o++) {
		options__format(&a, o, buf, sizeof(buf));
		memset((char *)&b + o->offset, 0x5a, o->size);
		assert_int_equal(options__set(&b, o, buf, err, sizeof(err)), 0);
		if (o->kind == OPT_KIND_STRING || o->kind == OPT_KIND_CHOICE)
			assert_string_equal((char *)&a + o->offset, (char *)&b + o->offset);
		else
			assert_memory_equal((char *)&a + o->offset, (char *)&b + o->offset, o->size);
	}
}

static void test_suggest_closest_key(void **state)
{
	assert_string_equal(options__suggest("vcpu"), "vcpus");
	assert_string_equal(options__suggest("VCPUS_"), "vcpus");
	assert_string_equal(options__suggest("flush_think"), "flush-think-us");
	assert_string_equal(options__suggest("duration"), "duration-s");
	assert_string_equal(options__suggest("desing"), "design");
	assert_string_equal(options__suggest("presure"), "pressure");
	assert_null(options__suggest("xyzzy"));
	assert_null(options__suggest(""));
	assert_null(options__suggest("vcpus"));   /* exact: nothing to suggest */
	const char *names[] = { "out", "quiet", "scenario" };
	assert_string_equal(suggest__closest("scenraio", names, 3), "scenario");
	assert_null(suggest__closest("zzzzzz", names, 3));
}

static void test_cross_field_checks(void **state)
{
	struct run_config c;
	char err[256];
	options__defaults(&c);
	c.vcpus = 8;
	c.flushers = 4;
	c.inhibitors = 4;
	c.touchers = 1;
	assert_int_equal(options__check(&c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "flushers + inhibitors + touchers = 9 exceeds vcpus = 8");
	c.touchers = 0;
	assert_int_equal(options__check(&c, err, sizeof(err)), 0);

	options__defaults(&c);
	c.touchers = 1;
	c.touch_mb = 512;
	assert_int_equal(options__check(&c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "touch-mb = 512 exceeds mem-mb = 256; raise mem-mb");

	/* the paging mode's own check (host/pressure/paging.c), for its variants */
	options__defaults(&c);
	assert_int_equal(options__set(&c, options__find("fault-latency"), "uniform", err, sizeof(err)), 0);
	assert_int_equal(options__set(&c, options__find("fault-latency-max-us"), "10", err, sizeof(err)), 0);
	assert_int_equal(options__check(&c, err, sizeof(err)), 0);     /* pressure = none */
	snprintf(c.pressure, sizeof(c.pressure), "paging");
	assert_int_equal(options__check(&c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "fault_latency=uniform needs fault_latency_max_us (10) >= fault_latency_us (500)");
	/* lognormal: max 0 is "no clamp" (docs/PRESSURE.md), sigma must be > 0 */
	assert_int_equal(options__set(&c, options__find("fault-latency"), "lognormal", err, sizeof(err)), 0);
	assert_int_equal(options__set(&c, options__find("fault-latency-max-us"), "0", err, sizeof(err)), 0);
	assert_int_equal(options__check(&c, err, sizeof(err)), 0);
	assert_int_equal(options__set(&c, options__find("fault-latency-sigma"), "0", err, sizeof(err)), 0);
	assert_int_equal(options__check(&c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "fault_latency=lognormal needs fault_latency_sigma > 0 (got 0)");

	options__defaults(&c);
	snprintf(c.design, sizeof(c.design), "srcu-nogp");
	assert_int_equal(options__check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "add --allow-broken"));
	c.allow_broken = true;
	assert_int_equal(options__check(&c, err, sizeof(err)), 0);
	/* options__check() resolved every name once */
	assert_string_equal(c.r.design->name, "srcu-nogp");
	assert_string_equal(c.r.pressure->name, "none");
	assert_false(c.r.request_unblock);
	assert_int_equal(c.r.srcu_gp, CFG_GP_VMM | CFG_GP_KERNEL);     /* auto */
	snprintf(c.request, sizeof(c.request), "unblock");
	snprintf(c.srcu_gp, sizeof(c.srcu_gp), "vmm");
	snprintf(c.race_points, sizeof(c.race_points), "none");
	assert_int_equal(options__check(&c, err, sizeof(err)), 0);
	assert_true(c.r.request_unblock);
	assert_int_equal(c.r.srcu_gp, CFG_GP_VMM);
	assert_int_equal(c.r.race_mask, 0);
}

/* Every choice field a run acts on is resolved to its enum (the guest ABI's
 * for flush_kind and targets): a name mapped to the wrong value would run
 * another workload than the one the results name. */
static void test_resolve_choices(void **state)
{
	static const struct { const char *key, *value; size_t off; unsigned want; } cases[] = {
#define R(k, v, f, w) { k, v, offsetof(struct run_resolved, f), (unsigned)(w) }
		R("backend", "auto", backend, CFG_BACKEND_AUTO),
		R("backend", "kvm", backend, CFG_BACKEND_KVM),
		R("backend", "native", backend, CFG_BACKEND_NATIVE),
		R("workload", "null", workload, CFG_WORKLOAD_NULL),
		R("workload", "hypercall", workload, CFG_WORKLOAD_HYPERCALL),
		R("workload", "mixed", workload, CFG_WORKLOAD_MIXED),
		R("flush-kind", "space", flush_kind, FB_FLUSH_SPACE),
		R("flush-kind", "list", flush_kind, FB_FLUSH_LIST),
		R("flush-kind", "space-ex", flush_kind, FB_FLUSH_SPACE_EX),
		R("flush-kind", "list-ex", flush_kind, FB_FLUSH_LIST_EX),
		R("flush-kind", "mix", flush_kind, FB_FLUSH_MIX),
		R("targets", "all", target_mode, FB_TARGET_ALL),
		R("targets", "sparse", target_mode, FB_TARGET_SPARSE),
		R("targets", "neighbours", target_mode, FB_TARGET_NEIGHBOURS),
		R("targets", "inhibitors", target_mode, FB_TARGET_INHIBITORS),
		R("srcu-gp-ioctl", "ioeventfd", srcu_gp_ioctl, CFG_GP_IOCTL_IOEVENTFD),
		R("srcu-gp-ioctl", "msr-filter", srcu_gp_ioctl, CFG_GP_IOCTL_MSR_FILTER),
		R("srcu-gp-ioctl", "memslot", srcu_gp_ioctl, CFG_GP_IOCTL_MEMSLOT),
		R("kernel-ref", "auto", kernel_ref_ioctl, CFG_GP_IOCTL_MSR_FILTER),
		R("kernel-ref", "ioeventfd", kernel_ref_ioctl, CFG_GP_IOCTL_IOEVENTFD),
		R("kernel-ref", "msr-filter", kernel_ref_ioctl, CFG_GP_IOCTL_MSR_FILTER),
		R("kernel-ref", "memslot", kernel_ref_ioctl, CFG_GP_IOCTL_MEMSLOT),
		R("perf", "none", perf, CFG_PERF_NONE),
		R("perf", "record", perf, CFG_PERF_RECORD),
		R("perf", "stat", perf, CFG_PERF_STAT),
		R("pin", "none", pin, CFG_PIN_NONE),
		R("pin", "compact", pin, CFG_PIN_COMPACT),
		R("pin", "scatter", pin, CFG_PIN_SCATTER),
#undef R
	};
	struct run_config c;
	char err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		options__defaults(&c);
		assert_int_equal(options__set(&c, options__find(cases[i].key), cases[i].value, err, sizeof(err)), 0);
		assert_int_equal(options__resolve(&c, err, sizeof(err)), 0);
		unsigned got;   /* every resolved choice is an enum or unsigned */
		memcpy(&got, (char *)&c.r + cases[i].off, sizeof(got));
		if (got != cases[i].want)
			fail_msg("%s=%s resolved to %u, want %u", cases[i].key, cases[i].value, got, cases[i].want);
	}
	/* every value the table offers resolves (no name only the table knows) */
	static const char *const keys[] = { "backend", "workload", "flush-kind", "targets", "request",
					    "srcu-gp", "srcu-gp-ioctl", "kernel-ref", "perf", "pin" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct bench_option *o = options__find(keys[i]);
		for (unsigned n = 0; o->choices[n]; n++) {
			options__defaults(&c);
			assert_int_equal(options__set(&c, o, o->choices[n], err, sizeof(err)), 0);
			if (options__resolve(&c, err, sizeof(err)))
				fail_msg("%s=%s: %s", keys[i], o->choices[n], err);
		}
	}
	options__defaults(&c);
	assert_int_equal(options__set(&c, options__find("kernel-ref"), "none", err, sizeof(err)), 0);
	assert_int_equal(options__resolve(&c, err, sizeof(err)), 0);
	assert_false(c.r.kernel_ref);
	assert_int_equal(options__set(&c, options__find("srcu-gp"), "auto", err, sizeof(err)), 0);
	assert_int_equal(options__resolve(&c, err, sizeof(err)), 0);
	assert_true(c.r.srcu_gp_auto);
	assert_int_equal(options__set(&c, options__find("srcu-gp"), "both", err, sizeof(err)), 0);
	assert_int_equal(options__resolve(&c, err, sizeof(err)), 0);
	assert_false(c.r.srcu_gp_auto);
	assert_int_equal(c.r.srcu_gp, CFG_GP_VMM | CFG_GP_KERNEL);
}

static char *capture(const char *format, int *ret)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	*ret = options__print_doc(f, format);
	fclose(f);
	return buf;
}

static void test_reference_lists_every_key(void **state)
{
	int r;
	char *md = capture("markdown", &r);
	assert_int_equal(r, 0);
	for (const struct bench_option *o = options__table(); o->name; o++) {
		char cell[80];
		snprintf(cell, sizeof(cell), "| `%s` |", o->key);
		assert_non_null(strstr(md, cell));
	}
	for (unsigned s = 0; options_sections[s]; s++) {
		char h[40];
		snprintf(h, sizeof(h), "## [%s]", options_sections[s]);
		assert_non_null(strstr(md, h));
	}
	assert_non_null(strstr(md, "srcu, srcu-private, targeted"));
	free(md);

	char *js = capture("json", &r);
	assert_int_equal(r, 0);
	json_error_t je;
	json_t *j = json_loads(js, 0, &je);
	assert_non_null(j);
	unsigned n = 0;
	for (const struct bench_option *o = options__table(); o->name; o++)
		n++;
	assert_int_equal(json_array_size(j), n);
	json_decref(j);
	free(js);

	char *txt = capture("text", &r);
	assert_int_equal(r, 0);
	assert_non_null(strstr(txt, "flush_think_us"));
	free(txt);

	free(capture("yaml", &r));
	assert_int_equal(r, -EINVAL);

	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	options__print_help(f, "design");
	fclose(f);
	assert_non_null(strstr(buf, "--[no-]allow-broken"));
	assert_null(strstr(buf, "--vcpus"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_are_documented_and_valid),
		cmocka_unit_test(test_table_consistent),
		cmocka_unit_test(test_find_accepts_dash_and_underscore),
		cmocka_unit_test(test_set_errors),
		cmocka_unit_test(test_set_parses_each_type),
		cmocka_unit_test(test_json_roundtrip),
		cmocka_unit_test(test_format_roundtrip),
		cmocka_unit_test(test_suggest_closest_key),
		cmocka_unit_test(test_cross_field_checks),
		cmocka_unit_test(test_resolve_choices),
		cmocka_unit_test(test_reference_lists_every_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
