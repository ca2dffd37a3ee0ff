/* SPDX-License-Identifier: MIT */
/*
 * design_stats (design_ops.report()): every correct design of the registry
 * that reports runs a mixed VM until flushers were suspended, and its
 * figures must balance with what the generic protocol counted on its own
 * (vm->all_suspends: suspend() returned true):
 *   targeted      registrations = suspensions + retracted, and every
 *                 registration left its list exactly once (taken by an
 *                 uninhibit, retracted, unlinked at resume, or still listed)
 *   srcu-private  read sections = suspensions + stale reads
 *   srcu          vCPUs scanned = uninhibits x vCPUs, one VMM grace period
 *                 per uninhibit (srcu_gp=vmm)
 * A design whose report() miscounts, or counts another design's state,
 * fails here.  Runs on the backend named by FB_TEST_BACKEND.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "design.h"
#include "options.h"
#include "pressure.h"
#include "test_util.h"
#include "util.h"
#include "vm.h"

#define NR_VCPUS 6

static uint64_t num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	TEST_ASSERT(json_is_integer(v), "design_stats.%s missing or not an integer", key);
	return (uint64_t)json_integer_value(v);
}

static void check(const struct design_ops *d, json_t *o, uint64_t suspends, unsigned nr)
{
	if (!strcmp(d->name, "targeted")) {
		uint64_t reg = num(o, "registrations"), ret = num(o, "retracted");
		TEST_ASSERT(reg == suspends + ret, "targeted: %lu registrations != %lu suspensions + %lu retracted",
			    (unsigned long)reg, (unsigned long)suspends, (unsigned long)ret);
		uint64_t left = num(o, "taken_by_uninhibit") + ret + num(o, "unlinked_at_resume") +
				num(o, "listed_at_stop");
		TEST_ASSERT(reg == left, "targeted: %lu registrations, %lu left a list", (unsigned long)reg,
			    (unsigned long)left);
		uint64_t max = num(o, "max_waiters_per_target");
		TEST_ASSERT(max >= 1 && max < nr, "targeted: max waiters on one target %lu (vCPUs %u)",
			    (unsigned long)max, nr);
	} else if (!strcmp(d->name, "srcu-private")) {
		uint64_t rs = num(o, "read_sections"), st = num(o, "stale_reads");
		TEST_ASSERT(rs == suspends + st, "srcu-private: %lu read sections != %lu suspensions + %lu stale",
			    (unsigned long)rs, (unsigned long)suspends, (unsigned long)st);
		TEST_ASSERT(num(o, "grace_periods") > 0 && json_is_real(json_object_get(o, "grace_period_mean_ns")),
			    "srcu-private: no grace period of its own domain");
		TEST_ASSERT(num(o, "woken") <= suspends, "srcu-private: more woken than suspended");
	} else if (!strcmp(d->name, "srcu")) {
		uint64_t u = num(o, "uninhibits");
		TEST_ASSERT(u > 0, "srcu: no uninhibit counted");
		TEST_ASSERT_EQ(num(o, "vcpus_scanned"), u * nr);
		TEST_ASSERT_EQ(num(o, "grace_periods"), u);
		TEST_ASSERT(num(o, "woken") <= suspends, "srcu: more woken than suspended");
	}
	/* never a 0 for a ratio without samples */
	json_t *spw = json_object_get(o, "scanned_per_wake");
	TEST_ASSERT(!spw || json_real_value(spw) > 0, "%s: scanned_per_wake %g", d->name, json_real_value(spw));
}

static void run_design(const struct design_ops *d)
{
	struct run_config cfg;
	struct run_metrics *m = NULL;
	struct vm *vm;

	TEST_ASSERT(!posix_memalign((void **)&m, 64, sizeof(*m)), "out of memory");
	options__defaults(&cfg);
	cfg.vcpus = NR_VCPUS;
	cfg.mem_mb = 16;
	cfg.completion_kb = 16;
	snprintf(cfg.workload, sizeof(cfg.workload), "mixed");
	snprintf(cfg.targets, sizeof(cfg.targets), "inhibitors");   /* every flush meets an inhibitor */
	snprintf(cfg.design, sizeof(cfg.design), "%s", d->name);
	snprintf(cfg.srcu_gp, sizeof(cfg.srcu_gp), "vmm");
	cfg.flush_think_us = 50;
	cfg.inhibit_hold_us = 300;       /* long inhibits: flushers meet them */
	cfg.inhibit_period_us = 200;
	/* widen "inhibit read -> publish": uninhibits land inside it, so
	 * targeted retracts and srcu-private reads stale state too */
	cfg.race_delay_us = 100;
	snprintf(cfg.race_points, sizeof(cfg.race_points), "publish");
	vm = test_vm_start_pressure(&cfg, m, pressure__find("none"));
	for (unsigned t = 0; t < 300 && atomic_load(&vm->all_suspends) < 50; t++)
		usleep(20 * 1000);
	TEST_ASSERT(vm__stop(vm) == 0, "%s: %s", d->name, vm__error(vm) ? vm__error(vm) : "?");
	uint64_t suspends = atomic_load(&vm->all_suspends);
	TEST_ASSERT(suspends > 0, "%s: no flusher was ever suspended: nothing to check", d->name);

	json_t *o = d->report(vm);
	TEST_ASSERT(json_is_object(o), "%s: report() is not a JSON object", d->name);
	char *text = json_dumps(o, JSON_COMPACT);
	printf("%s/%s: suspends=%lu design_stats=%s\n", test_backend_name(), d->name, (unsigned long)suspends, text);
	free(text);
	check(d, o, suspends, NR_VCPUS);
	json_decref(o);
	vm__destroy(vm);
	free(m);
}

int main(void)
{
	unsigned n = 0;

	test_backend();
	for (unsigned i = 0; designs[i]; i++) {
		if (!designs[i]->report || (designs[i]->flags & DESIGN_F_BROKEN))
			continue;
		run_design(designs[i]);
		n++;
	}
	/* the three the check above knows must be among them */
	TEST_ASSERT(n >= 3, "only %u designs report design_stats", n);
	return 0;
}
