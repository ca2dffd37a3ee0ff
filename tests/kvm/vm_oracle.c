/* SPDX-License-Identifier: MIT */
/*
 * The oracle catches a broken design and stays silent for correct ones.
 *
 * srcu-nogp (the RFC without its grace period) with race_delay_us widening
 * the flusher's "saw inhibit -> published waiting_on" window must produce
 * lost wakeups in every run; srcu, srcu-private and targeted with the same
 * window at 64 vCPUs must produce none, no early resume, and every
 * suspension must end in a resume or be pending at stop.
 */
#include <stdatomic.h>
#include <unistd.h>

#include "options.h"
#include "test_util.h"
#include "util.h"
#include "vm.h"

struct outcome {
	uint64_t suspends, resumes, pending, lost, early;
};

static struct outcome run_design(const char *design, unsigned vcpus, unsigned race_us, unsigned ms)
{
	struct run_config cfg;
	struct run_metrics *m = NULL;
	char err[512];
	struct vm *vm;
	struct outcome o;

	/* posix_memalign: C11 aligned_alloc wants size % 64 == 0 (ASan enforces it) */
	TEST_ASSERT(!posix_memalign((void **)&m, 64, sizeof(*m)), "out of memory");
	options__defaults(&cfg);
	cfg.vcpus = vcpus;
	cfg.mem_mb = 16;
	snprintf(cfg.workload, sizeof(cfg.workload), "mixed");
	snprintf(cfg.design, sizeof(cfg.design), "%s", design);
	snprintf(cfg.targets, sizeof(cfg.targets), "inhibitors");   /* every flush meets an inhibitor */
	cfg.allow_broken = true;
	cfg.race_delay_us = race_us;
	cfg.lost_timeout_ms = 200;
	metrics__init(m);
	int r = __vm_create(&vm, &cfg, test_backend(), m, err, sizeof(err));
	TEST_ASSERT(r == 0, "%s: %s", design, err);
	TEST_ASSERT_EQ(vm__start(vm), 0);
	vm__begin_measure(vm);
	usleep(ms * 1000);
	r = vm__stop(vm);
	TEST_ASSERT(r == 0, "%s: %s", design, vm__error(vm) ? vm__error(vm) : "?");
	o.suspends = atomic_load(&vm->all_suspends);
	o.resumes = atomic_load(&vm->all_resumes);
	o.pending = atomic_load(&m->pending_at_stop);
	o.lost = atomic_load(&m->lost_wakeups);
	o.early = atomic_load(&m->early_resumes);
	printf("%-13s vcpus=%u race=%uus: suspends=%lu resumes=%lu pending=%lu lost=%lu early=%lu\n",
	       design, vcpus, race_us, (unsigned long)o.suspends, (unsigned long)o.resumes,
	       (unsigned long)o.pending, (unsigned long)o.lost, (unsigned long)o.early);
	for (unsigned i = 0; i < vm->nr_oracle_events && i < 3; i++)
		printf("  event: vcpu %d target %d seq %lu: %s\n", vm->oracle_events[i].vcpu,
		       vm->oracle_events[i].target, (unsigned long)vm->oracle_events[i].seq,
		       vm->oracle_events[i].detail);
	vm__destroy(vm);
	free(m);
	return o;
}

int main(void)
{
	test_backend();
	/* the broken design is caught, every time */
	for (unsigned i = 0; i < 3; i++) {
		struct outcome o = run_design("srcu-nogp", 16, 300, 1500);
		TEST_ASSERT(o.suspends > 0, "srcu-nogp run %u: no suspension at all, test is vacuous", i);
		TEST_ASSERT(o.lost > 0, "srcu-nogp run %u: oracle missed the lost wakeups (%lu suspends)",
			    i, (unsigned long)o.suspends);
	}
	/* correct designs never trip it, with the same widened window */
	const char *good[] = { "srcu", "srcu-private", "targeted" };
	for (unsigned i = 0; i < 3; i++) {
		struct outcome o = run_design(good[i], 64, 300, 1500);
		TEST_ASSERT(o.suspends > 0, "%s: no suspension at all, test is vacuous", good[i]);
		TEST_ASSERT(o.lost == 0, "%s: %lu lost wakeups", good[i], (unsigned long)o.lost);
		TEST_ASSERT(o.early == 0, "%s: %lu early resumes", good[i], (unsigned long)o.early);
		TEST_ASSERT(o.suspends == o.resumes + o.pending, "%s: %lu suspends != %lu resumes + %lu pending",
			    good[i], (unsigned long)o.suspends, (unsigned long)o.resumes, (unsigned long)o.pending);
	}
	return 0;
}
