// SPDX-License-Identifier: MIT
/*
 * host/kvmhost.c on fixture sysfs trees: the vendor module, nested from the
 * CPUID hypervisor bit / kvm_pvm / /sys/hypervisor, TDP from ept / npt
 * (kernel bool and int spellings), the emulation settings line, a loaded
 * module without /dev/kvm, and no KVM at all.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kvmhost.h"
#include "util.h"

static char root[256];

static void put(const char *rel, const char *content)
{
	char p[1024], dir[1024];

	snprintf(p, sizeof(p), "%s%s", root, rel);
	snprintf(dir, sizeof(dir), "%s", p);
	*strrchr(dir, '/') = '\0';
	assert_int_equal(mkdir_p(dir), 0);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/fb-kvmhost.XXXXXX");
	return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static const struct kvmhost_cpuid bare = { .valid = true, .hypervisor = false };
static const struct kvmhost_cpuid guest = { .valid = true, .hypervisor = true, .signature = "KVMKVMKVM" };

/* The evidence host: kvm_pvm, PVM guest kernel, shadow paging. */
static void test_probe_pvm_shadow_paging(void **state)
{
	struct kvmhost h;
	(void)state;
	put("/sys/module/kvm/parameters/tdp_mmu", "N\n");
	put("/sys/module/kvm/parameters/halt_poll_ns", "200000\n");
	put("/sys/module/kvm_pvm/parameters/pvm_emul_batch", "1024\n");
	put("/sys/module/kvm_pvm/parameters/pvm_native", "Y\n");
	put("/dev/kvm", "");
	kvmhost__probe(&h, root, &guest);
	assert_string_equal(h.vendor, "kvm_pvm");
	assert_true(h.kvm_loaded && h.dev_kvm);
	assert_int_equal(h.nested, 1);
	assert_non_null(strstr(h.nested_why, "KVMKVMKVM"));
	assert_int_equal(h.tdp, 0);
	assert_non_null(strstr(h.tdp_why, "shadow paging"));
	assert_non_null(strstr(h.tdp_why, "tdp_mmu=N"));
	assert_true(h.software_assisted);
	assert_non_null(strstr(h.assist_why, "pvm_emul_batch=1024"));
	assert_string_equal(h.emulation, "pvm_emul_batch=1024 pvm_native=Y");
	assert_string_equal(kvmhost__param(&h, "kvm", "halt_poll_ns"), "200000");
	assert_null(kvmhost__param(&h, "kvm_pvm", "halt_poll_ns"));

	/* without CPUID answers, kvm_pvm alone says nested */
	kvmhost__probe(&h, root, NULL);
	assert_int_equal(h.nested, 1);
	assert_non_null(strstr(h.nested_why, "kvm_pvm"));

	json_t *j = kvmhost__json(&h);
	assert_string_equal(json_string_value(json_object_get(j, "module")), "kvm_pvm");
	assert_true(json_is_true(json_object_get(j, "nested")));
	assert_true(json_is_false(json_object_get(j, "tdp")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(j, "params"),
			"kvm_pvm"), "pvm_emul_batch")), "1024");
	json_decref(j);
}

/* Bare-metal Intel with EPT; then EPT off (shadow paging = software-assisted). */
static void test_probe_intel_ept_on_and_off(void **state)
{
	struct kvmhost h;
	char line[512];
	(void)state;
	put("/sys/module/kvm/parameters/tdp_mmu", "Y\n");
	put("/sys/module/kvm_intel/parameters/ept", "Y\n");
	put("/sys/module/kvm_intel/parameters/unrestricted_guest", "Y\n");
	put("/sys/module/kvm_intel/parameters/nested", "Y\n");   /* nesting OF guests: not "host is a guest" */
	put("/dev/kvm", "");
	kvmhost__probe(&h, root, &bare);
	assert_string_equal(h.vendor, "kvm_intel");
	assert_int_equal(h.nested, 0);
	assert_int_equal(h.tdp, 1);
	assert_false(h.software_assisted);
	assert_string_equal(h.emulation, "unrestricted_guest=Y");
	kvmhost__summary(&h, line, sizeof(line));
	assert_string_equal(line, "kvm_intel (/dev/kvm present), nested: no, TDP: on (kvm_intel ept=Y; kvm tdp_mmu=Y)");

	put("/sys/module/kvm_intel/parameters/ept", "N\n");
	kvmhost__probe(&h, root, &guest);
	assert_int_equal(h.nested, 1);
	assert_int_equal(h.tdp, 0);
	assert_true(h.software_assisted);
	assert_non_null(strstr(h.assist_why, "ept=N"));
}

/* AMD spells npt as an int; a Xen guest says so in /sys/hypervisor. */
static void test_probe_amd_npt_and_xen_guest(void **state)
{
	struct kvmhost h;
	(void)state;
	put("/sys/module/kvm/parameters/tdp_mmu", "Y\n");
	put("/sys/module/kvm_amd/parameters/npt", "1\n");
	put("/sys/hypervisor/type", "xen\n");
	kvmhost__probe(&h, root, NULL);
	assert_string_equal(h.vendor, "kvm_amd");
	assert_false(h.dev_kvm);
	assert_int_equal(h.tdp, 1);
	assert_int_equal(h.nested, 1);
	assert_non_null(strstr(h.nested_why, "xen"));
	put("/sys/module/kvm_amd/parameters/npt", "0\n");
	kvmhost__probe(&h, root, &bare);
	assert_int_equal(h.tdp, 0);
	assert_int_equal(h.nested, 1);       /* /sys/hypervisor still says Xen */
}

static void test_probe_without_kvm(void **state)
{
	struct kvmhost h;
	char line[512];
	(void)state;
	kvmhost__probe(&h, root, &bare);
	assert_string_equal(h.vendor, "");
	assert_false(h.kvm_loaded);
	assert_false(h.dev_kvm);
	assert_int_equal(h.tdp, -1);
	assert_int_equal(h.nr_params, 0);
	assert_int_equal(h.nested, 0);
	kvmhost__summary(&h, line, sizeof(line));
	assert_string_equal(line, "no KVM module, nested: no, TDP: unknown (no KVM vendor module loaded)");
	json_t *j = kvmhost__json(&h);
	assert_true(json_is_null(json_object_get(j, "module")));
	assert_true(json_is_null(json_object_get(j, "tdp")));
	json_decref(j);
	assert_int_equal(kvmhost__bool("Y"), 1);
	assert_int_equal(kvmhost__bool("0"), 0);
	assert_int_equal(kvmhost__bool("maybe"), -1);
	assert_int_equal(kvmhost__bool(NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_probe_pvm_shadow_paging, setup, teardown),
		cmocka_unit_test_setup_teardown(test_probe_intel_ept_on_and_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_probe_amd_npt_and_xen_guest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_probe_without_kvm, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
