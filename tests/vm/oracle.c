/* SPDX-License-Identifier: MIT */
/*
 * The oracle proves itself: each deliberately broken design (one per
 * failure kind, host/designs/broken/) is caught in EVERY one of N runs, and
 * the three correct designs never trip it while suspending at least
 * MIN_SUSPENDS times each, with race_delay_us applied at the named race
 * points and inhibit_hold_us above the delay (so suspensions are common).
 * Also: a flusher stuck before the measured window is a no-progress failure
 * naming its vCPU id; a grace period held open by a long reader is counted
 * as stalled suspensions, not as a failure.
 *
 * N = FB_ORACLE_RUNS (default 20; the "20 of 20").  All assertions
 * are counts; the only clocks are run lengths.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oracle.h"
#include "design.h"
#include "options.h"
#include "srcu.h"
#include "test_util.h"
#include "util.h"
#include "vm.h"

#define MIN_SUSPENDS 200
#define MAX_EXTRA_MS 5000       /* liveness bound for "until the oracle reports it" */

struct knobs {
	const char *design;
	unsigned vcpus, race_us, hold_us, touchers, think_us;
	const char *targets, *points;
	bool stress;
	unsigned warm_ms, ms;          /* warm-up before the window, window */
	bool warm_until_resume;        /* ... and on (up to MAX_EXTRA_MS) until a flusher resumed */
	unsigned stall_ms;             /* hold a VM SRCU reader at window start until a stalled
					* suspension is counted, at most this long */
	unsigned timeout_ms;           /* lost_timeout_ms (default 100) */
	int until_kind;                /* > 0: after ms, go on (up to MAX_EXTRA_MS) until reported */
	uint64_t until_suspends;       /* > 0: ... until this many suspensions */
	bool until_stalled;            /* ... until a stalled suspension was counted */
	uint64_t seed;
};

struct outcome {
	uint64_t suspends, resumes, pending, stalled;
	uint64_t wakeups, spurious;    /* wakeups issued; those that found nobody to resume */
	uint64_t n[ORACLE_NR_KINDS];
	uint64_t n_running[ORACLE_NR_KINDS];   /* reported before the VM was stopped */
	bool ok;
	int first_stuck;
};

static struct outcome run_case(const struct knobs *k)
{
	struct run_config cfg;
	struct run_metrics *m = NULL;
	char err[512];
	struct vm *vm;
	struct outcome o = { .first_stuck = -1 };

	/* posix_memalign: C11 aligned_alloc wants size % 64 == 0 (ASan enforces it) */
	TEST_ASSERT(!posix_memalign((void **)&m, 64, sizeof(*m)), "out of memory");
	options__defaults(&cfg);
	cfg.vcpus = k->vcpus;
	cfg.mem_mb = 16;
	snprintf(cfg.workload, sizeof(cfg.workload), "mixed");
	snprintf(cfg.design, sizeof(cfg.design), "%s", k->design);
	snprintf(cfg.targets, sizeof(cfg.targets), "%s", k->targets ? k->targets : "inhibitors");
	snprintf(cfg.race_points, sizeof(cfg.race_points), "%s", k->points ? k->points : "all");
	cfg.touchers = k->touchers;
	cfg.touch_mb = 4;
	cfg.flush_think_us = k->think_us;
	cfg.allow_broken = true;
	cfg.race_delay_us = k->race_us;
	cfg.race_stress = k->stress;
	cfg.inhibit_hold_us = k->hold_us;
	cfg.lost_timeout_ms = k->timeout_ms ? k->timeout_ms : 100;
	/* the VMM's grace period only: the oracle is the same on both
	 * backends, and a kernel grace period per uninhibit (kvm backend)
	 * slows the cycle rate on a nested host to a few per window */
	snprintf(cfg.srcu_gp, sizeof(cfg.srcu_gp), "vmm");
	cfg.seed = k->seed;
	metrics__init(m);
	TEST_ASSERT(options__check(&cfg, err, sizeof(err)) == 0, "%s", err);   /* resolves the names */
	int r = __vm_create(&vm, &cfg, test_backend(), m, err, sizeof(err));
	TEST_ASSERT(r == 0, "%s: %s", k->design, err);
	TEST_ASSERT_EQ(vm__start(vm), 0);
	if (k->warm_ms)
		usleep(k->warm_ms * 1000);
	if (k->warm_until_resume) {
		/* ... and 200 ms more: the woken flusher is spinning by then */
		for (unsigned extra = 0; extra < MAX_EXTRA_MS && !atomic_load(&vm->all_resumes); extra += 20)
			usleep(20 * 1000);
		usleep(200 * 1000);
	}
	vm__begin_measure(vm);
	if (k->stall_ms) {
		/* a long reader of the VM domain (a vCPU faulting from a slow
		 * disk): the srcu design's grace periods wait for it */
		int slot = vm__srcu_helper_slot(vm);
		TEST_ASSERT(slot >= 0, "no helper SRCU slot");
		srcu__read_lock(&vm->srcu, (unsigned)slot);
		/* until a suspension behind it was counted (bounded) */
		for (unsigned t = 0; t < k->stall_ms && !atomic_load(&vm->stalled_suspensions); t += 20)
			usleep(20 * 1000);
		srcu__read_unlock(&vm->srcu, (unsigned)slot);
	}
	usleep(k->ms * 1000);
	/* a loaded machine may run few cycles in the window: a broken design
	 * runs on until the oracle reported it (or the bound) */
	for (unsigned extra = 0; extra < MAX_EXTRA_MS; extra += 20) {
		/* no progress is judged only at stop */
		bool more = (k->until_kind > 0 && k->until_kind != ORACLE_NO_PROGRESS &&
			     !atomic_load(&vm->oracle_counts[k->until_kind])) ||
			    atomic_load(&vm->all_suspends) < k->until_suspends ||
			    (k->until_stalled && !atomic_load(&vm->stalled_suspensions));
		if (!more)
			break;
		usleep(20 * 1000);
	}
	for (int i = 1; i < ORACLE_NR_KINDS; i++)
		o.n_running[i] = atomic_load(&vm->oracle_counts[i]);
	r = vm__stop(vm);
	TEST_ASSERT(r == 0, "%s: %s", k->design, vm__error(vm) ? vm__error(vm) : "?");
	if (getenv("FB_ORACLE_DEBUG"))
		for (unsigned i = 0; i < vm->nr_vcpus; i++) {
			struct vcpu *v = vm->vcpus[i];
			int t = atomic_load(&v->suspended_target);
			printf("  v%u role=%u susp=%d gen=%lu/%lu tgt=%d want=%lu ok=%lu", i, v->role,
			       (int)atomic_load(&v->suspended), (unsigned long)atomic_load(&v->susp_gen),
			       (unsigned long)atomic_load(&v->done_gen), t, (unsigned long)atomic_load(&v->waiting_seq),
			       (unsigned long)atomic_load(&v->flushes_ok));
			if (t >= 0)
				printf(" t.inh=%#lx t.unin=%lu/%lu", (unsigned long)atomic_load(&vm->vcpus[t]->inhibit),
				       (unsigned long)atomic_load(&vm->vcpus[t]->uninhibiting_seq),
				       (unsigned long)atomic_load(&vm->vcpus[t]->uninhibited_seq));
			printf("\n");
		}
	o.suspends = atomic_load(&vm->all_suspends);
	o.resumes = atomic_load(&vm->all_resumes);
	o.pending = atomic_load(&m->pending_at_stop);
	o.stalled = atomic_load(&vm->stalled_suspensions);
	o.wakeups = atomic_load(&m->wakeups);
	o.spurious = atomic_load(&m->spurious_wakeups);
	for (int i = 1; i < ORACLE_NR_KINDS; i++)
		o.n[i] = atomic_load(&vm->oracle_counts[i]);
	o.ok = oracle__ok(vm);
	printf("%-22s vcpus=%u race=%uus@%s%s hold=%uus: suspends=%lu resumes=%lu pending=%lu stalled=%lu "
	       "lost=%lu never-ran=%lu early=%lu flush-inh=%lu flush-unacked=%lu no-progress=%lu "
	       "wakeups=%lu spurious=%lu\n",
	       k->design, k->vcpus, k->race_us, k->points ? k->points : "all", k->stress ? "(stress)" : "",
	       k->hold_us,
	       (unsigned long)o.suspends, (unsigned long)o.resumes, (unsigned long)o.pending,
	       (unsigned long)o.stalled, (unsigned long)o.n[ORACLE_LOST_WAKEUP],
	       (unsigned long)o.n[ORACLE_WOKEN_NEVER_RAN], (unsigned long)o.n[ORACLE_EARLY_RESUME],
	       (unsigned long)o.n[ORACLE_FLUSH_INHIBITED], (unsigned long)o.n[ORACLE_FLUSH_UNACKED],
	       (unsigned long)o.n[ORACLE_NO_PROGRESS], (unsigned long)o.wakeups, (unsigned long)o.spurious);
	for (unsigned i = 0; i < vm->nr_oracle_events && i < 2; i++)
		printf("  event: vcpu %d target %d seq %lu: %s\n", vm->oracle_events[i].vcpu,
		       vm->oracle_events[i].target, (unsigned long)vm->oracle_events[i].seq,
		       vm->oracle_events[i].detail);
	for (unsigned i = 0; i < vm->nr_oracle_events; i++)
		if (vm->oracle_events[i].kind == ORACLE_NO_PROGRESS && o.first_stuck < 0)
			o.first_stuck = vm->oracle_events[i].vcpu;
	vm__destroy(vm);
	free(m);
	return o;
}

/* One broken design per failure kind, and the kind the oracle must report. */
static const struct broken_case {
	struct knobs k;
	int kind;
} broken[] = {
	{ { .design = "srcu-nogp", .vcpus = 16, .race_us = 100, .hold_us = 300, .points = "publish", .ms = 200 },
	  ORACLE_LOST_WAKEUP },
	{ { .design = "srcu-clear-late", .vcpus = 16, .race_us = 100, .hold_us = 300, .points = "publish",
	    .ms = 200 }, ORACLE_LOST_WAKEUP },
	{ { .design = "srcu-wake-early", .vcpus = 16, .race_us = 100, .hold_us = 300, .points = "scan",
	    .ms = 200 }, ORACLE_EARLY_RESUME },
	{ { .design = "targeted-wake-one", .vcpus = 16, .race_us = 0, .hold_us = 300, .ms = 200 },
	  ORACLE_LOST_WAKEUP },
	{ { .design = "wake-before-unsuspend", .vcpus = 16, .race_us = 100, .hold_us = 300, .points = "wake",
	    .ms = 200 }, ORACLE_WOKEN_NEVER_RAN },
	{ { .design = "check-before-request", .vcpus = 16, .race_us = 100, .hold_us = 300, .points = "request",
	    .ms = 200 }, ORACLE_FLUSH_INHIBITED },
	{ { .design = "no-ack-wait", .vcpus = 16, .touchers = 4, .targets = "all", .hold_us = 300, .ms = 200 },
	  ORACLE_FLUSH_UNACKED },
	/* its woken flushers livelock (every entry cancelled); one woken in the
	 * warm-up makes no progress in the window */
	{ { .design = "wake-stray-request", .vcpus = 16, .race_us = 100, .hold_us = 300, .points = "publish",
	    .warm_ms = 100, .warm_until_resume = true, .ms = 600 }, ORACLE_NO_PROGRESS },
};

int main(void)
{
	const char *env = getenv("FB_ORACLE_RUNS");
	/* the kvm backend on a nested 2-core host cycles ~10x slower: fewer,
	 * longer runs there (FB_ORACLE_RUNS overrides both) */
	bool kvm = !strcmp(test_backend_name(), "kvm");
	unsigned runs = env && atoi(env) > 0 ? (unsigned)atoi(env) : kvm ? 3 : 20;
	unsigned good_ms = kvm ? 3000 : 1000;

	setvbuf(stdout, NULL, _IOLBF, 0);     /* interleave with assertion messages */
	test_backend();
	/* every broken design is caught, in every run, for the right reason */
	for (unsigned b = 0; b < sizeof(broken) / sizeof(broken[0]); b++) {
		unsigned caught = 0;
		for (unsigned i = 0; i < runs; i++) {
			struct knobs k = broken[b].k;
			k.seed = 1 + i;
			k.until_kind = broken[b].kind;
			k.until_suspends = 1;
			struct outcome o = run_case(&k);
			TEST_ASSERT(o.suspends > 0, "%s run %u: no suspension at all, test is vacuous", k.design, i);
			/* reported while the run went on (the watchdog, the
			 * checks at resume and at SUCCESS), not only by the
			 * check at stop; no progress is judged at stop */
			caught += o.n[broken[b].kind] > 0 && !o.ok &&
				  (broken[b].kind == ORACLE_NO_PROGRESS || o.n_running[broken[b].kind] > 0);
		}
		printf("%s: caught in %u of %u runs\n", broken[b].k.design, caught, runs);
		TEST_ASSERT(caught == runs, "%s: oracle caught it in only %u of %u runs", broken[b].k.design,
			    caught, runs);
	}

	/* correct designs never trip it, with every race point widened (fixed
	 * delay) and under seeded random delays/yields, and suspend often */
	/* every correct design in the registry: a new one is tested as it lands */
	/* widened: only the flusher's inhibit read -> publish window (what a
	 * missing grace period or barrier exposes), every point, every point
	 * with seeded random delays/yields */
	static const struct { const char *points; bool stress; } modes[] = {
		{ "publish", false }, { "all", false }, { "all", true },
	};
	for (unsigned i = 0; designs[i]; i++) {
		if (designs[i]->flags & DESIGN_F_BROKEN)
			continue;
		for (unsigned md = 0; md < 3; md++) {
			/* a generous lost_timeout_ms: 32 vCPU threads share 2
			 * CPUs with the rest of the machine */
			struct knobs k = { .design = designs[i]->name, .vcpus = kvm ? 16 : 32, .race_us = 100,
					   .hold_us = 300, .points = modes[md].points, .stress = modes[md].stress,
					   .ms = good_ms, .seed = 7 + md, .timeout_ms = 500,
					   .until_suspends = MIN_SUSPENDS };
			struct outcome o = run_case(&k);
			TEST_ASSERT(o.suspends >= MIN_SUSPENDS, "%s: only %lu suspensions (want >= %u): vacuous",
				    designs[i]->name, (unsigned long)o.suspends, MIN_SUSPENDS);
			for (int kd = 1; kd < ORACLE_NR_KINDS; kd++)
				TEST_ASSERT(o.n[kd] == 0, "%s: oracle failure kind %d x %lu", designs[i]->name, kd,
					    (unsigned long)o.n[kd]);
			TEST_ASSERT(o.suspends == o.resumes + o.pending, "%s: %lu suspends != %lu resumes + %lu pending",
				    designs[i]->name, (unsigned long)o.suspends, (unsigned long)o.resumes,
				    (unsigned long)o.pending);
			TEST_ASSERT(o.ok, "%s: oracle not ok", designs[i]->name);
			/* each design wakes the flushers suspended on the target
			 * it uninhibits: a wakeup that finds nobody suspended on
			 * it (spurious_wakeups, a reported metric) is a rare race,
			 * not the rule */
			TEST_ASSERT(o.wakeups > 0 && o.spurious <= 1 + o.wakeups / 20,
				    "%s: %lu of %lu wakeups found no flusher suspended on the target", designs[i]->name,
				    (unsigned long)o.spurious, (unsigned long)o.wakeups);
		}
	}

	/* liveness: flushers stuck during warm-up made no progress in the
	 * window; the failure names them */
	{
		struct knobs k = { .design = "wake-before-unsuspend", .vcpus = 8, .race_us = 200, .hold_us = 300,
				   .points = "wake", .warm_ms = 400, .ms = 300, .seed = 3 };
		struct outcome o = run_case(&k);
		TEST_ASSERT(o.n[ORACLE_NO_PROGRESS] > 0 && o.first_stuck >= 0,
			    "stuck flushers not reported as no-progress");
	}

	/* a grace period held open by a long reader (until the watchdog counted
	 * a suspension behind it, at most 5 s): stalled, not a failure */
	{
		/* inhibit held 5 ms: flushers suspend during the hold, then the
		 * clear's grace period waits for the reader */
		struct knobs k = { .design = "srcu", .vcpus = 8, .hold_us = 5000, .warm_ms = 200,
				   .stall_ms = 5000, .ms = 300, .seed = 5, .timeout_ms = 300 };
		struct outcome o = run_case(&k);
		TEST_ASSERT(o.stalled > 0, "a grace period held 5 s was not counted as stalled");
		TEST_ASSERT(o.ok, "a stalled grace period was reported as an oracle failure");
	}
	return 0;
}
