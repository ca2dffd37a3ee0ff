/* SPDX-License-Identifier: MIT */
/*
 * KVM's vCPU mode while a fault is served (issue: "truth on real KVM").
 *
 * KVM handles an EPT/NPT violation after the VM-exit, with the vCPU
 * OUTSIDE_GUEST_MODE: kvm_vcpu_kick() sends it no IPI, KVM_REQUEST_WAIT does
 * not wait for it, and a request made meanwhile is seen at its next entry.
 * Touchers fault through the userfaultfd pager (L = 2 ms) while flushers send
 * TLB-flush requests to every vCPU.  The pager marks a vCPU's fault as in
 * service from the userfaultfd message; the rule holds if:
 *   - flush requests did reach vCPUs whose fault was in service (else the
 *     test proves nothing: the tracking must actually see the faults);
 *   - no kick and no ack wait ever hit such a vCPU;
 *   - those vCPUs still processed their flush requests (acked on re-entry).
 * The same host code runs on both backends (native/ and kvm/).
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "options.h"
#include "pressure.h"
#include "test_util.h"
#include "util.h"
#include "vcpu.h"
#include "vm.h"

int main(void)
{
	struct run_config cfg;
	struct run_metrics *m = NULL;
	const struct pressure_ops *p = pressure__find("paging");
	char why[256];
	struct vm *vm;

	test_backend();
	TEST_REQUIRE(p->available(why, sizeof(why)), "paging: %s", why);
	TEST_ASSERT(!posix_memalign((void **)&m, 64, sizeof(*m)), "out of memory");
	options__defaults(&cfg);
	cfg.vcpus = 16;
	cfg.touchers = 8;
	cfg.touch_mb = 16;
	cfg.mem_mb = 32;
	cfg.resident_mb = 4;
	test_set_option(&cfg, "fault-latency-us", "2000");
	test_set_option(&cfg, "pager-threads", "2");
	snprintf(cfg.workload, sizeof(cfg.workload), "mixed");
	snprintf(cfg.targets, sizeof(cfg.targets), "all");
	snprintf(cfg.design, sizeof(cfg.design), "targeted");
	snprintf(cfg.pressure, sizeof(cfg.pressure), "paging");
	test_set_option(&cfg, "fault-latency", "fixed");
	vm = test_vm_start_pressure(&cfg, m, p);
	usleep(200000);
	vm__begin_measure(vm);
	/* long enough for requests to meet faults on a slow (nested kvm) host */
	for (int i = 0; i < 40 && M_READ(vm, requests_in_fault) < 20; i++)
		usleep(100000);
	int rc = vm__stop(vm);
	TEST_ASSERT(rc == 0, "vm__stop: %s", vm__error(vm) ? vm__error(vm) : "?");
	TEST_ASSERT(!vm->pressure_started, "vm__stop() left the pressure mode running");

	uint64_t touched_acks = 0;
	for (unsigned i = vm->first_toucher; i < vm->first_toucher + vm->nr_touchers; i++)
		touched_acks += vm->vcpus[i]->flushes_acked;
	printf("%s: faults=%lu flush_requests=%lu requests_in_fault=%lu kicks=%lu kicks_in_fault=%lu "
	       "ack_waits_in_fault=%lu fault_entry_exits=%lu toucher_acks=%lu\n", test_backend_name(),
	       (unsigned long)atomic_load(&m->faults), (unsigned long)atomic_load(&m->flush_requests),
	       (unsigned long)atomic_load(&m->requests_in_fault), (unsigned long)atomic_load(&m->kicks),
	       (unsigned long)atomic_load(&m->kicks_in_fault), (unsigned long)atomic_load(&m->acks_in_fault),
	       (unsigned long)atomic_load(&m->fault_entry_exits), (unsigned long)touched_acks);
	TEST_ASSERT(atomic_load(&m->faults) > 20, "only %lu faults: the touchers are not under pressure",
		    (unsigned long)atomic_load(&m->faults));
	TEST_ASSERT(atomic_load(&m->requests_in_fault) > 0,
		    "no flush request met a vCPU whose fault was in service: the mode tracking saw no fault");
	TEST_ASSERT_EQ(atomic_load(&m->kicks_in_fault), 0ull);
	TEST_ASSERT_EQ(atomic_load(&m->acks_in_fault), 0ull);
	TEST_ASSERT(touched_acks > 0, "touchers never processed a flush request");
	vm__destroy(vm);
	free(m);
	return 0;
}
