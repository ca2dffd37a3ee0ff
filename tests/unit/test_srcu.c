// SPDX-License-Identifier: MIT
/*
 * host/srcu.c, the VMM's SRCU domain: grace-period accounting, waiting for
 * pre-existing readers (and only for them), nesting (also inside a running
 * grace period), behalf/blocker reporting, independence of domains, and a
 * classic publish / synchronize / poison stress run.  Assertions are about ordering and counts; the only
 * clocks are liveness bounds (a timed join, a per-test SIGALRM watchdog) so
 * a broken grace period fails instead of hanging.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "srcu.h"
#include "util.h"

#define HOLD_US 50000          /* how long a reader lingers after signalling */
#define LIVENESS_S 10          /* generous bound for "must return" */

static void watchdog_fired(int sig)
{
	static const char msg[] = "test_srcu: watchdog: a test hung for 30 s "
		"(a grace period never ended or a reader was never woken)\n";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0) { /* nothing more to do */ }
	_exit(1);
}

static int watchdog_on(void **state)
{
	(void)state;
	signal(SIGALRM, watchdog_fired);
	alarm(30);
	return 0;
}
static int watchdog_off(void **state) { (void)state; alarm(0); return 0; }

static void wait_for(_Atomic int *v, int want)
{
	while (atomic_load(v) < want)
		sched_yield();
}

static bool join_within(pthread_t t, int seconds)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += seconds;
	return pthread_timedjoin_np(t, NULL, &ts) == 0;
}

/* ---- a synchronize running on its own thread ---- */
struct async_gp {
	struct srcu_struct *sp;
	pthread_t t;
	int blocker;
	_Atomic bool returned;
	_Atomic bool *watch;        /* optional: sampled right after the return */
	bool watch_at_return;
};

static void *async_gp_fn(void *arg)
{
	struct async_gp *g = arg;

	srcu__synchronize(g->sp, &g->blocker);
	if (g->watch)
		g->watch_at_return = atomic_load(g->watch);
	atomic_store(&g->returned, true);
	return NULL;
}

static void async_gp_start(struct async_gp *g, struct srcu_struct *sp, _Atomic bool *watch)
{
	g->sp = sp;
	g->blocker = -2;
	g->watch = watch;
	g->watch_at_return = false;
	atomic_store(&g->returned, false);
	assert_int_equal(pthread_create(&g->t, NULL, async_gp_fn, g), 0);
}

/* Wait until the writer has announced itself on slot (it is inside its
 * grace period and found that slot's reader pre-existing).  false if it
 * returned without doing so. */
static bool wait_writer_on(struct srcu_struct *sp, unsigned slot, struct async_gp *g)
{
	while (!atomic_load(&sp->slots[slot].waiters)) {
		if (atomic_load(&g->returned))
			return false;
		sched_yield();
	}
	return true;
}

/* ---- a reader thread driven through stages ----
 * stage 1: read side taken (nest deep, behalf set); then either lingers
 * HOLD_US and sets done right before the final unlock (linger), or waits
 * for release.  stage 2: fully unlocked. */
struct reader {
	struct srcu_struct *sp;
	unsigned slot;
	int behalf;               /* -2: plain read_lock */
	int nest;                 /* read_lock depth; one unlock before stage 1 if > 1 */
	bool linger;
	pthread_t t;
	_Atomic int stage;
	_Atomic bool release, done;
	bool held_at_stage1, held_after;
};

static void *reader_fn(void *arg)
{
	struct reader *r = arg;

	for (int i = 0; i < r->nest; i++) {
		if (r->behalf == -2)
			srcu__read_lock(r->sp, r->slot);
		else
			srcu__read_lock_behalf(r->sp, r->slot, r->behalf);
	}
	if (r->nest > 1)
		srcu__read_unlock(r->sp, r->slot);      /* still nested once more */
	r->held_at_stage1 = srcu__read_held(r->sp, r->slot);
	atomic_store(&r->stage, 1);
	if (r->linger)
		usleep(HOLD_US);
	else
		while (!atomic_load(&r->release))
			sched_yield();
	for (int i = r->nest > 1 ? 1 : 0; i < r->nest; i++) {
		if (i == r->nest - 1)
			atomic_store(&r->done, true);   /* last thing inside the section */
		srcu__read_unlock(r->sp, r->slot);
	}
	r->held_after = srcu__read_held(r->sp, r->slot);
	atomic_store(&r->stage, 2);
	return NULL;
}

static void reader_start(struct reader *r, struct srcu_struct *sp, unsigned slot,
			 int nest, bool linger)
{
	memset(r, 0, sizeof(*r));
	r->sp = sp;
	r->slot = slot;
	r->behalf = -2;
	r->nest = nest;
	r->linger = linger;
	assert_int_equal(pthread_create(&r->t, NULL, reader_fn, r), 0);
	wait_for(&r->stage, 1);
}

static void reader_finish(struct reader *r)
{
	atomic_store(&r->release, true);
	pthread_join(r->t, NULL);
}

/* (a) no readers: returns at once, one grace period accounted each time */
static void test_no_readers(void **state)
{
	struct srcu_struct sp;
	int blocker = 99;

	(void)state;
	assert_int_equal(srcu__init(&sp, "t", 4), 0);
	uint32_t e0 = atomic_load(&sp.gp_epoch);
	srcu__synchronize(&sp, &blocker);
	assert_int_equal(blocker, -1);
	assert_int_equal(atomic_load(&sp.nr_gp), 1);
	assert_int_equal(atomic_load(&sp.gp_ns.count), 1);
	assert_true(atomic_load(&sp.gp_epoch) != e0);
	srcu__synchronize(&sp, NULL);
	assert_int_equal(atomic_load(&sp.nr_gp), 2);
	assert_int_equal(atomic_load(&sp.gp_ns.count), 2);
	/* a finished reader does not hold anyone up either */
	srcu__read_lock(&sp, 2);
	srcu__read_unlock(&sp, 2);
	srcu__synchronize(&sp, &blocker);
	assert_int_equal(blocker, -1);
	assert_int_equal(atomic_load(&sp.nr_gp), 3);
	srcu__exit(&sp);
}

/* (b) a grace period waits for a reader that was inside when it began */
static void test_waits_for_preexisting(void **state)
{
	struct srcu_struct sp;
	struct reader r;

	(void)state;
	assert_int_equal(srcu__init(&sp, "t", 4), 0);
	for (unsigned slot = 0; slot < 4; slot += 3) {
		int blocker = 99;
		reader_start(&r, &sp, slot, 1, true);
		srcu__synchronize(&sp, &blocker);
		bool done = atomic_load(&r.done);
		reader_finish(&r);
		assert_true(done);
		assert_int_equal(blocker, (int)slot);
		assert_true(r.held_at_stage1);
		assert_false(r.held_after);
	}
	assert_int_equal(atomic_load(&sp.nr_gp), 2);
	srcu__exit(&sp);
}

/* (c) ...and not for one that entered after it began: R0 (slot 0) holds the
 * writer inside its grace period, R1 (slot 1, scanned later) then enters and
 * stays; once R0 leaves, the writer must return while R1 is still inside. */
static void test_ignores_new_reader(void **state)
{
	struct srcu_struct sp;
	struct reader r0, r1;
	struct async_gp g;

	(void)state;
	assert_int_equal(srcu__init(&sp, "t", 2), 0);
	reader_start(&r0, &sp, 0, 1, false);
	async_gp_start(&g, &sp, NULL);
	bool waited = wait_writer_on(&sp, 0, &g);
	reader_start(&r1, &sp, 1, 1, false);
	bool early = atomic_load(&g.returned);
	reader_finish(&r0);
	bool ok = join_within(g.t, LIVENESS_S);
	bool r1_inside = atomic_load(&r1.stage) == 1;
	reader_finish(&r1);
	if (!ok)
		pthread_join(g.t, NULL);
	assert_true(waited);
	assert_false(early);
	assert_true(ok);         /* returned although R1 was (and is) inside */
	assert_true(r1_inside);
	assert_int_equal(g.blocker, 0);
	srcu__exit(&sp);
}

/* (c') liveness: grace periods keep completing while another slot locks and
 * unlocks in a tight loop (including nested sections). */
struct spinner {
	struct srcu_struct *sp;
	unsigned slot;
	_Atomic bool stop;
	_Atomic uint64_t sections;
};

static void *spinner_fn(void *arg)
{
	struct spinner *s = arg;

	while (!atomic_load_explicit(&s->stop, memory_order_relaxed)) {
		srcu__read_lock(s->sp, s->slot);
		if (s->sections & 1) {
			srcu__read_lock(s->sp, s->slot);
			srcu__read_unlock(s->sp, s->slot);
		}
		srcu__read_unlock(s->sp, s->slot);
		atomic_fetch_add_explicit(&s->sections, 1, memory_order_relaxed);
	}
	return NULL;
}

static void test_liveness_under_readers(void **state)
{
	struct srcu_struct sp;
	struct spinner s[2];
	pthread_t t[2];

	(void)state;
	assert_int_equal(srcu__init(&sp, "t", 3), 0);
	for (unsigned i = 0; i < 2; i++) {
		s[i] = (struct spinner){ .sp = &sp, .slot = i * 2 };
		assert_int_equal(pthread_create(&t[i], NULL, spinner_fn, &s[i]), 0);
	}
	for (unsigned i = 0; i < 2; i++)
		while (!atomic_load(&s[i].sections))
			sched_yield();
	for (int i = 0; i < 100; i++)
		srcu__synchronize(&sp, NULL);     /* the alarm catches a hang */
	for (unsigned i = 0; i < 2; i++) {
		atomic_store(&s[i].stop, true);
		pthread_join(t[i], NULL);
	}
	assert_int_equal(atomic_load(&sp.nr_gp), 100);
	assert_int_equal(atomic_load(&sp.gp_ns.count), 100);
	srcu__exit(&sp);
}

/* (d) nesting: lock twice, unlock once -> still a reader the writer waits for */
static void test_nesting(void **state)
{
	struct srcu_struct sp;
	struct reader r;
	int blocker = 99;

	(void)state;
	assert_int_equal(srcu__init(&sp, "t", 3), 0);

	/* single thread: held until the outermost unlock */
	for (int i = 0; i < 3; i++)
		srcu__read_lock(&sp, 1);
	for (int i = 0; i < 3; i++) {
		assert_true(srcu__read_held(&sp, 1));
		assert_int_not_equal(atomic_load(&sp.slots[1].epoch), 0);
		srcu__read_unlock(&sp, 1);
	}
	assert_false(srcu__read_held(&sp, 1));
	assert_int_equal(atomic_load(&sp.slots[1].epoch), 0);

	/* another thread's grace period waits for the outer unlock */
	reader_start(&r, &sp, 2, 2, true);
	srcu__synchronize(&sp, &blocker);
	bool done = atomic_load(&r.done);
	reader_finish(&r);
	assert_true(done);
	assert_int_equal(blocker, 2);
	assert_true(r.held_at_stage1);
	assert_false(r.held_after);
	srcu__exit(&sp);
}

/* (d') a nested lock/unlock inside a section that pre-dates a grace period
 * must not make that section look new, even when it happens after the
 * grace period began and before the writer looks at the slot: R0 (slot 0)
 * keeps the writer busy while R1 (slot 1, outer section older than the
 * grace period) takes and drops a nested lock; then R0 leaves and R1
 * lingers before its outer unlock, which the writer must wait for. */
struct inner_reader {
	struct srcu_struct *sp;
	unsigned slot;
	_Atomic int stage;
	_Atomic bool go, done;
};

static void *inner_reader_fn(void *arg)
{
	struct inner_reader *r = arg;

	srcu__read_lock(r->sp, r->slot);
	atomic_store(&r->stage, 1);
	while (!atomic_load(&r->go))
		sched_yield();
	srcu__read_lock(r->sp, r->slot);
	srcu__read_unlock(r->sp, r->slot);
	atomic_store(&r->stage, 2);
	usleep(HOLD_US);
	atomic_store(&r->done, true);
	srcu__read_unlock(r->sp, r->slot);
	return NULL;
}

static void test_nesting_during_grace_period(void **state)
{
	struct srcu_struct sp;
	struct inner_reader r1 = { .sp = &sp, .slot = 1 };
	struct reader r0;
	struct async_gp g;
	pthread_t t;

	(void)state;
	assert_int_equal(srcu__init(&sp, "t", 2), 0);
	assert_int_equal(pthread_create(&t, NULL, inner_reader_fn, &r1), 0);
	wait_for(&r1.stage, 1);
	reader_start(&r0, &sp, 0, 1, false);
	async_gp_start(&g, &sp, &r1.done);
	bool waited = wait_writer_on(&sp, 0, &g);
	atomic_store(&r1.go, true);
	wait_for(&r1.stage, 2);
	reader_finish(&r0);
	pthread_join(t, NULL);
	pthread_join(g.t, NULL);
	assert_true(waited);
	assert_true(g.watch_at_return);     /* R1's whole outer section was waited for */
	assert_true(g.blocker == 0 || g.blocker == 1);
	srcu__exit(&sp);
}

/* (e) behalf is recorded; the blocker names the slot that was waited on */
static void test_behalf_and_blocker(void **state)
{
	struct srcu_struct sp;
	struct reader r;
	struct async_gp g;

	(void)state;
	assert_int_equal(srcu__init(&sp, "t", 5), 0);
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(sp.slots[i].behalf, -1);

	memset(&r, 0, sizeof(r));
	r.sp = &sp;
	r.slot = 3;
	r.behalf = 7;
	r.nest = 1;
	assert_int_equal(pthread_create(&r.t, NULL, reader_fn, &r), 0);
	wait_for(&r.stage, 1);
	assert_int_equal(sp.slots[3].behalf, 7);
	assert_true(sp.slots[3].since_ns != 0);
	async_gp_start(&g, &sp, &r.done);
	bool waited = wait_writer_on(&sp, 3, &g);
	reader_finish(&r);
	assert_true(join_within(g.t, LIVENESS_S));
	assert_true(waited);
	assert_true(g.watch_at_return);
	assert_int_equal(g.blocker, 3);

	/* a plain read_lock works for nobody */
	reader_start(&r, &sp, 3, 1, false);
	assert_int_equal(sp.slots[3].behalf, -1);
	reader_finish(&r);

	/* nothing held: no blocker */
	async_gp_start(&g, &sp, NULL);
	assert_true(join_within(g.t, LIVENESS_S));
	assert_int_equal(g.blocker, -1);
	srcu__exit(&sp);
}

/* (f) domains are independent: a reader of A holds up A only */
static void test_independent_domains(void **state)
{
	struct srcu_struct a, b;
	struct reader r;
	struct async_gp g;

	(void)state;
	assert_int_equal(srcu__init(&a, "a", 2), 0);
	assert_int_equal(srcu__init(&b, "b", 2), 0);
	reader_start(&r, &a, 0, 1, false);

	async_gp_start(&g, &b, NULL);
	bool ok = join_within(g.t, LIVENESS_S);
	if (!ok) {
		reader_finish(&r);
		pthread_join(g.t, NULL);
	}
	assert_true(ok);
	assert_int_equal(g.blocker, -1);
	assert_int_equal(atomic_load(&b.nr_gp), 1);
	assert_int_equal(atomic_load(&a.nr_gp), 0);

	/* ... while A's own grace period does wait for it */
	async_gp_start(&g, &a, &r.done);
	bool waited = wait_writer_on(&a, 0, &g);
	reader_finish(&r);
	assert_true(join_within(g.t, LIVENESS_S));
	assert_true(waited);
	assert_true(g.watch_at_return);
	assert_int_equal(g.blocker, 0);
	assert_int_equal(atomic_load(&a.nr_gp), 1);
	assert_int_equal(atomic_load(&b.nr_gp), 1);
	srcu__exit(&a);
	srcu__exit(&b);
}


/* ---- several writers at once ---- */

/* (h) three writers start while one reader is inside: all three find it
 * pre-existing (the slot counts three waiters), none returns before it
 * leaves, all three return after, and three grace periods are accounted. */
static void test_concurrent_writers_one_reader(void **state)
{
	struct srcu_struct sp;
	struct reader r;
	struct async_gp g[3];

	(void)state;
	assert_int_equal(srcu__init(&sp, "t", 2), 0);
	reader_start(&r, &sp, 1, 1, false);
	for (unsigned i = 0; i < 3; i++)
		async_gp_start(&g[i], &sp, NULL);
	while (atomic_load(&sp.slots[1].waiters) < 3)
		sched_yield();
	unsigned early = 0;
	for (unsigned i = 0; i < 3; i++)
		early += atomic_load(&g[i].returned);
	reader_finish(&r);
	unsigned ok = 0;
	for (unsigned i = 0; i < 3; i++)
		ok += join_within(g[i].t, LIVENESS_S);
	assert_int_equal(early, 0);
	assert_int_equal(ok, 3);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(g[i].blocker, 1);
	assert_int_equal(atomic_load(&sp.nr_gp), 3);
	assert_int_equal(atomic_load(&sp.slots[1].waiters), 0);
	srcu__exit(&sp);
}

/* (i) a long reader spans other grace periods: A is inside, writer W1
 * starts (waits for A); B enters (new for W1), writer W2 starts (waits for
 * A and B).  A leaves: W1 returns although B is inside; W2 does not.  B
 * leaves: W2 returns.  Repeated with the roles of the slots swapped. */
static void test_long_reader_spans_grace_periods(void **state)
{
	(void)state;
	for (unsigned swap = 0; swap < 2; swap++) {
		struct srcu_struct sp;
		struct reader a, b;
		struct async_gp w1, w2;
		unsigned sa = swap ? 2 : 0, sb = swap ? 0 : 2;

		assert_int_equal(srcu__init(&sp, "t", 3), 0);
		reader_start(&a, &sp, sa, 1, false);
		async_gp_start(&w1, &sp, NULL);
		assert_true(wait_writer_on(&sp, sa, &w1));
		reader_start(&b, &sp, sb, 2, false);
		async_gp_start(&w2, &sp, NULL);
		/* W2 scans slot 0 first: it is A (already waited on by W1) or B */
		while (atomic_load(&sp.slots[0].waiters) < (swap ? 1u : 2u) && !atomic_load(&w2.returned))
			sched_yield();
		reader_finish(&a);
		bool w1_ok = join_within(w1.t, LIVENESS_S);
		bool w2_early = atomic_load(&w2.returned);
		bool b_inside = atomic_load(&b.stage) == 1;
		reader_finish(&b);
		bool w2_ok = join_within(w2.t, LIVENESS_S);
		assert_true(w1_ok);
		assert_true(b_inside);
		assert_false(w2_early);
		assert_true(w2_ok);
		assert_int_equal(w1.blocker, (int)sa);
		assert_int_equal(atomic_load(&sp.nr_gp), 2);
		srcu__exit(&sp);
	}
}

/* (g) publish / synchronize / poison.  The writer swaps in a fresh object,
 * waits a grace period and poisons the old one (then reuses it); readers
 * dereference inside (possibly nested) read sections and must never see
 * poison. */
#define STRESS_READERS 8
#define STRESS_ITERS 20000
#define STRESS_BUDGET_NS 8000000000ull   /* fewer iterations on a loaded machine */
#define MAGIC  0x600dcafeu
#define POISON 0xdeadbeefu

struct obj { _Atomic uint32_t val; };

#define STRESS_WRITERS 3          /* concurrent writers, one object each */

struct stress {
	struct srcu_struct sp;
	_Atomic(struct obj *) cur;
	_Atomic(struct obj *) wcur[STRESS_WRITERS];
	_Atomic uint64_t wgps;           /* grace periods of the extra writers */
	_Atomic bool stop;
	_Atomic int started;
	_Atomic uint64_t progress;       /* read sections so far, all readers */
	_Atomic uint64_t poisoned_reads, sections;
};

struct stress_reader {
	struct stress *s;
	unsigned slot;
	uint64_t rng;
};

static uint32_t xs(uint64_t *r)
{
	uint64_t x = *r;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*r = x;
	return (uint32_t)(x >> 32);
}

static bool bad(struct obj *p)
{
	return atomic_load_explicit(&p->val, memory_order_relaxed) != MAGIC;
}

static void *stress_reader_fn(void *arg)
{
	struct stress_reader *sr = arg;
	struct stress *s = sr->s;
	uint64_t bads = 0, n = 0;

	atomic_fetch_add(&s->started, 1);
	while (!atomic_load_explicit(&s->stop, memory_order_relaxed)) {
		uint32_t r = xs(&sr->rng);

		srcu__read_lock(&s->sp, sr->slot);
		struct obj *p = atomic_load_explicit(&s->cur, memory_order_acquire);
		struct obj *q = atomic_load_explicit(&s->wcur[r % STRESS_WRITERS], memory_order_acquire);
		bads += bad(p) + bad(q);
		if (r & 1) {              /* a nested section must not end the outer one */
			srcu__read_lock(&s->sp, sr->slot);
			bads += bad(p);
			srcu__read_unlock(&s->sp, sr->slot);
		}
		for (unsigned i = (r >> 1) & 63; i; i--)
			cpu_relax();
		bads += bad(p) + bad(q);
		srcu__read_unlock(&s->sp, sr->slot);
		n++;
		atomic_fetch_add_explicit(&s->progress, 1, memory_order_relaxed);
		/* mostly outside the CPU between sections: 9 threads share 2
		 * CPUs, and a reader preempted inside a section stretches the
		 * grace period to a time slice */
		if (!((r >> 8) & 3))
			usleep(20);
	}
	atomic_fetch_add(&s->poisoned_reads, bads);
	atomic_fetch_add(&s->sections, n);
	return NULL;
}

/* The other writers: the same publish / synchronize / poison on their own
 * object, concurrently with the main writer and each other. */
struct stress_writer {
	struct stress *s;
	unsigned idx;
	struct obj objs[2];
};

static void *stress_writer_fn(void *arg)
{
	struct stress_writer *w = arg;
	struct stress *s = w->s;
	struct obj *spare = &w->objs[1];

	while (!atomic_load_explicit(&s->stop, memory_order_relaxed)) {
		atomic_store_explicit(&spare->val, MAGIC, memory_order_relaxed);
		struct obj *old = atomic_exchange_explicit(&s->wcur[w->idx], spare, memory_order_acq_rel);
		srcu__synchronize(&s->sp, NULL);
		atomic_store_explicit(&old->val, POISON, memory_order_relaxed);
		spare = old;
		atomic_fetch_add(&s->wgps, 1);
		sched_yield();
	}
	return NULL;
}

static void test_stress_publish_poison(void **state)
{
	struct stress *s = calloc(1, sizeof(*s));
	struct stress_reader sr[STRESS_READERS];
	pthread_t t[STRESS_READERS];
	struct obj objs[2];

	(void)state;
	assert_non_null(s);
	assert_int_equal(srcu__init(&s->sp, "stress", STRESS_READERS + 1), 0);
	atomic_store(&objs[0].val, MAGIC);
	atomic_store(&objs[1].val, POISON);
	atomic_store(&s->cur, &objs[0]);
	struct stress_writer *sw = calloc(STRESS_WRITERS, sizeof(*sw));
	pthread_t wt[STRESS_WRITERS];
	assert_non_null(sw);
	for (unsigned i = 0; i < STRESS_WRITERS; i++) {
		sw[i].s = s;
		sw[i].idx = i;
		atomic_store(&sw[i].objs[0].val, MAGIC);
		atomic_store(&sw[i].objs[1].val, POISON);
		atomic_store(&s->wcur[i], &sw[i].objs[0]);
	}
	for (unsigned i = 0; i < STRESS_READERS; i++) {
		sr[i] = (struct stress_reader){ .s = s, .slot = i, .rng = 0x9e3779b97f4a7c15ull * (i + 1) };
		assert_int_equal(pthread_create(&t[i], NULL, stress_reader_fn, &sr[i]), 0);
	}
	/* every reader is running before the first grace period */
	wait_for(&s->started, STRESS_READERS);
	for (unsigned i = 0; i < STRESS_WRITERS; i++)
		assert_int_equal(pthread_create(&wt[i], NULL, stress_writer_fn, &sw[i]), 0);
	struct obj *spare = &objs[1];
	unsigned waited = 0, it;
	uint64_t budget_end = now_ns() + STRESS_BUDGET_NS;
	for (it = 0; it < STRESS_ITERS && now_ns() < budget_end; it++) {
		int blocker;
		atomic_store_explicit(&spare->val, MAGIC, memory_order_relaxed);
		struct obj *old = atomic_exchange_explicit(&s->cur, spare, memory_order_acq_rel);
		srcu__synchronize(&s->sp, &blocker);
		waited += blocker >= 0;
		atomic_store_explicit(&old->val, POISON, memory_order_relaxed);
		spare = old;
		/* keep the readers in the race: at least one section per period */
		uint64_t p0 = atomic_load_explicit(&s->progress, memory_order_relaxed);
		while (atomic_load_explicit(&s->progress, memory_order_relaxed) == p0)
			sched_yield();
	}
	/* one grace period with a reader certainly inside (a lingering reader
	 * on the spare slot): the count below no longer depends on timing */
	struct reader lr;
	int forced = -1;
	reader_start(&lr, &s->sp, STRESS_READERS, 1, true);
	srcu__synchronize(&s->sp, &forced);
	reader_finish(&lr);
	atomic_store(&s->stop, true);
	for (unsigned i = 0; i < STRESS_WRITERS; i++)
		pthread_join(wt[i], NULL);
	for (unsigned i = 0; i < STRESS_READERS; i++)
		pthread_join(t[i], NULL);
	print_message("stress: %u + %lu (other writers) grace periods (%u waited for a reader), %lu read sections\n",
		      it, (unsigned long)atomic_load(&s->wgps), waited, (unsigned long)atomic_load(&s->sections));
	assert_int_equal(atomic_load(&s->poisoned_reads), 0);
	assert_int_equal(atomic_load(&s->sp.nr_gp), it + 1 + atomic_load(&s->wgps));
	/* the writers really overlapped the readers and each other */
	assert_true(atomic_load(&s->wgps) >= STRESS_WRITERS);
	/* the forced grace period found its reader inside (not a timing bet) */
	assert_true(forced >= 0);
	assert_true(atomic_load(&s->sections) >= it);
	for (unsigned i = 0; i <= STRESS_READERS; i++)
		assert_int_equal(atomic_load(&s->sp.slots[i].epoch), 0);
	srcu__exit(&s->sp);
	free(sw);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_readers, watchdog_on, watchdog_off),
		cmocka_unit_test_setup_teardown(test_waits_for_preexisting, watchdog_on, watchdog_off),
		cmocka_unit_test_setup_teardown(test_ignores_new_reader, watchdog_on, watchdog_off),
		cmocka_unit_test_setup_teardown(test_liveness_under_readers, watchdog_on, watchdog_off),
		cmocka_unit_test_setup_teardown(test_nesting, watchdog_on, watchdog_off),
		cmocka_unit_test_setup_teardown(test_nesting_during_grace_period, watchdog_on, watchdog_off),
		cmocka_unit_test_setup_teardown(test_behalf_and_blocker, watchdog_on, watchdog_off),
		cmocka_unit_test_setup_teardown(test_independent_domains, watchdog_on, watchdog_off),
		cmocka_unit_test_setup_teardown(test_concurrent_writers_one_reader, watchdog_on, watchdog_off),
		cmocka_unit_test_setup_teardown(test_long_reader_spans_grace_periods, watchdog_on, watchdog_off),
		cmocka_unit_test_setup_teardown(test_stress_publish_poison, watchdog_on, watchdog_off),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
