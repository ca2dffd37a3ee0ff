/* SPDX-License-Identifier: MIT */
/*
 * VM smoke test (selftests style): 1, 2 and 64 vCPU VMs run the guest; every
 * vCPU completes hypercalls; host and guest per-vCPU counts agree exactly;
 * a guest that passes an input GPA outside RAM gets an error status and the
 * host carries on.  Runs on the backend named by FB_TEST_BACKEND.
 */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "design.h"
#include "options.h"
#include "pressure.h"
#include "test_util.h"
#include "util.h"
#include "vm.h"

static void run_vm(unsigned nr, const char *workload)
{
	struct run_config cfg;
	struct run_metrics *m = NULL;
	char err[512];
	struct vm *vm;

	/* posix_memalign: C11 aligned_alloc wants size % 64 == 0 (ASan enforces it) */
	TEST_ASSERT(!posix_memalign((void **)&m, 64, sizeof(*m)), "out of memory");
	options__defaults(&cfg);
	cfg.vcpus = nr;
	snprintf(cfg.workload, sizeof(cfg.workload), "%s", workload);
	cfg.mem_mb = 16;
	metrics__init(m);
	TEST_ASSERT(options__check(&cfg, err, sizeof(err)) == 0, "%s", err);   /* resolves the names */
	int r = __vm_create(&vm, &cfg, test_backend(), m, err, sizeof(err));
	TEST_ASSERT(r == 0, "__vm_create(%u vCPUs, %s): %s", nr, workload, err);
	vm->vcpus[0]->page->bad_input_every = 7;

	/* measure from the first entry: host counters (kept only inside the
	 * window) then cover every exit the guest counted, even if this
	 * thread is descheduled right after the start on a loaded host */
	vm__begin_measure(vm);
	TEST_ASSERT_EQ(vm__start(vm), 0);
	/* Liveness, not speed: 64 always-runnable vCPUs on 2 host CPUs get
	 * scheduled unevenly, so wait until every vCPU made progress. */
	for (unsigned t = 0; t < 1200; t++) {
		unsigned done = 0;
		for (unsigned i = 0; i < nr; i++)
			done += __atomic_load_n(&vm->vcpus[i]->page->iterations, __ATOMIC_RELAXED) >= 30;
		if (done == nr && t >= 4)
			break;
		usleep(50000);
	}
	r = vm__stop(vm);
	TEST_ASSERT(r == 0, "%u vCPUs %s: %s", nr, workload, vm__error(vm) ? vm__error(vm) : "?");

	for (unsigned i = 0; i < nr; i++) {
		struct vcpu *v = vm->vcpus[i];
		struct fb_vcpu_page *p = v->page;
		TEST_ASSERT(p->iterations > 0, "vCPU %u/%u made no progress", i, nr);
		if (!strcmp(workload, "hypercall")) {
			TEST_ASSERT(p->hypercalls > 0, "vCPU %u did no hypercall", i);
			/* every guest exit is handled exactly once by the host */
			TEST_ASSERT_EQ(v->hypercalls, p->hypercalls + p->retries);
			if (i == 0) {
				TEST_ASSERT(p->hypercall_errors > 0, "bad input GPA never rejected");
				uint64_t want = p->iterations / 7;
				TEST_ASSERT(p->hypercall_errors == want,
					    "vCPU 0: %lu errors for %lu calls (want %lu)",
					    (unsigned long)p->hypercall_errors, (unsigned long)p->iterations,
					    (unsigned long)want);
			} else {
				TEST_ASSERT_EQ(p->hypercall_errors, 0ull);
			}
		}
	}
	if (!strcmp(workload, "hypercall"))
		TEST_ASSERT(atomic_load(&m->hypercall_errors) > 0, "host counted no rejected hypercall (host hypercalls %lu, guest errors %lu, vcpu0 host hcalls %lu)", (unsigned long)atomic_load(&m->hypercalls), (unsigned long)vm->vcpus[0]->page->hypercall_errors, (unsigned long)vm->vcpus[0]->hypercalls);
	printf("ok: %u vCPUs, %s, backend %s\n", nr, workload, test_backend_name());
	vm__destroy(vm);
	free(m);
}

/* The levels: a VM that is created and destroyed without ever starting
 * releases its parked vCPU threads (threads level), and a create that fails
 * at a level unwinds only the levels below it. */
static void levels(void)
{
	struct run_config cfg;
	struct run_metrics *m = NULL;
	char err[512];
	struct vm *vm;

	TEST_ASSERT(design__check_all(err, sizeof(err)) == 0, "design registry: %s", err);
	TEST_ASSERT(pressure__check_all(err, sizeof(err)) == 0, "pressure registry: %s", err);
	TEST_ASSERT(!posix_memalign((void **)&m, 64, sizeof(*m)), "out of memory");
	options__defaults(&cfg);
	cfg.vcpus = 4;
	cfg.mem_mb = 16;
	metrics__init(m);
	/* no options__check(): the VM refuses unresolved names */
	TEST_ASSERT(__vm_create(&vm, &cfg, test_backend(), m, err, sizeof(err)) == -EINVAL && !vm,
		    "an unresolved config was accepted");
	TEST_ASSERT(options__check(&cfg, err, sizeof(err)) == 0, "%s", err);
	TEST_ASSERT(__vm_create(&vm, &cfg, test_backend(), m, err, sizeof(err)) == 0, "%s", err);
	TEST_ASSERT(vm->level == VM_NR_LEVELS && vm->pressure_started, "level %u after create", vm->level);
	vm__destroy(vm);                /* never started: parked threads released and joined */
	/* memory level refuses: completion buffers larger than the data region */
	cfg.completion_kb = 64 * 1024;
	TEST_ASSERT(__vm_create(&vm, &cfg, test_backend(), m, err, sizeof(err)) == -EINVAL && !vm,
		    "mem-mb too small was accepted");
	TEST_ASSERT(strstr(err, "too small"), "unexpected error: %s", err);
	free(m);
	printf("ok: levels (create+destroy unstarted, failure at the memory level)\n");
}

int main(void)
{
	test_backend();
	levels();
	unsigned sizes[] = { 1, 2, 64 };
	for (unsigned i = 0; i < 3; i++) {
		run_vm(sizes[i], "hypercall");
		run_vm(sizes[i], "null");
	}
	return 0;
}
