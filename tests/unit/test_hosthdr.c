// SPDX-License-Identifier: MIT
/*
 * bench/run/hosthdr.c: the overcommit and nested/software-assisted warnings
 * (printed and kept in env.warnings), and env.exit_floor from the runs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hosthdr.h"

static json_t *env_with(long cpus, const char *host_json)
{
	json_t *env = json_pack("{s:I,s:{s:b}}", "host_cpus", (json_int_t)cpus, "kvm", "available", 1);
	json_object_set_new(json_object_get(env, "kvm"), "host", json_loads(host_json, 0, NULL));
	return env;
}

static char *print(json_t *env, const char *backend, unsigned vcpus)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	hosthdr__print(f, env, backend, vcpus);
	fclose(f);
	return buf;
}

static const char *pvm = "{\"module\":\"kvm_pvm\",\"dev_kvm\":true,\"nested\":true,\"tdp\":false,"
	"\"software_assisted\":true,\"software_assisted_why\":\"kvm_pvm: emulated\",\"emulation\":\"pvm_emul_batch=1024\"}";
static const char *intel = "{\"module\":\"kvm_intel\",\"dev_kvm\":true,\"nested\":false,\"tdp\":true,"
	"\"software_assisted\":false,\"emulation\":\"\"}";

static void test_header_warns_overcommit_and_pvm(void **state)
{
	(void)state;
	assert_true(hosthdr__overcommit(64, 2) == 32.0);
	assert_true(hosthdr__overcommit(2, 2) == 0);
	assert_true(hosthdr__overcommit(4, 0) == 0);          /* unknown CPU count: no claim */

	json_t *env = env_with(2, pvm);
	char *out = print(env, "kvm", 64);
	assert_non_null(strstr(out, "host: 2 CPUs; KVM: kvm_pvm, nested yes, TDP off"));
	assert_non_null(strstr(out, "warning: 64 vCPUs on 2 host CPUs: overcommitted 32x"));
	assert_non_null(strstr(out, "absolute times are not representative of hardware-assisted KVM; compare ratios"));
	assert_int_equal(json_array_size(json_object_get(env, "warnings")), 2);
	free(out);
	/* native backend: the KVM warning does not apply, overcommit does */
	out = print(env, "native", 64);
	assert_null(strstr(out, "compare ratios"));
	assert_int_equal(json_array_size(json_object_get(env, "warnings")), 1);
	free(out);
	json_decref(env);

	/* bare-metal EPT host, vCPUs <= CPUs: no warning at all */
	env = env_with(64, intel);
	out = print(env, "kvm", 64);
	assert_null(strstr(out, "warning"));
	assert_int_equal(json_array_size(json_object_get(env, "warnings")), 0);
	free(out);
	json_decref(env);
}

static json_t *rtt_run(const char *workload, const char *metric, double p50)
{
	return json_pack("{s:s,s:s,s:{s:{s:f}}}", "workload", workload, "key", workload,
			 "metrics", metric, "p50", p50);
}

static void test_exit_floor(void **state)
{
	(void)state;
	json_t *env = env_with(2, pvm), *runs = json_array();
	json_object_set_new(env, "backend", json_string("kvm"));
	json_array_append_new(runs, rtt_run("hypercall", "hypercall_rtt", 24000));
	json_array_append_new(runs, rtt_run("null", "exit_rtt", 7000));
	json_object_set_new(json_array_get(runs, 1), "kvm_emulation", json_pack("{s:b,s:f}", "counted", 1,
			    "insns_per_exit", 24.0));
	hosthdr__exit_floor(NULL, env, runs);
	json_t *ef = json_object_get(env, "exit_floor");
	assert_true(json_is_true(json_object_get(ef, "measured")));
	assert_true(json_real_value(json_object_get(ef, "null_exit_p50_ns")) == 7000);
	assert_true(json_real_value(json_object_get(ef, "hypercall_over_null")) > 3.42 &&
		    json_real_value(json_object_get(ef, "hypercall_over_null")) < 3.43);
	assert_true(json_real_value(json_object_get(json_object_get(env, "kvm"), "exit_floor_ns")) == 7000);
	assert_true(json_real_value(json_object_get(ef, "null_emulated_insns_per_exit")) == 24.0);
	assert_null(json_object_get(ef, "hypercall_emulated_insns_per_exit"));    /* not counted: absent */
	json_decref(runs);

	/* a mixed-only run did not measure it and says so (no 0) */
	runs = json_array();
	json_array_append_new(runs, json_pack("{s:s,s:{}}", "workload", "mixed", "metrics"));
	hosthdr__exit_floor(NULL, env, runs);
	ef = json_object_get(env, "exit_floor");
	assert_true(json_is_false(json_object_get(ef, "measured")));
	assert_null(json_object_get(ef, "null_exit_p50_ns"));
	assert_true(json_is_null(json_object_get(json_object_get(env, "kvm"), "exit_floor_ns")));
	json_decref(runs);
	json_decref(env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_warns_overcommit_and_pvm),
		cmocka_unit_test(test_exit_floor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
