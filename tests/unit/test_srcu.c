// SPDX-License-Identifier: MIT
/*
 * host/srcu.c, the VMM's SRCU domain, with one writer: grace-period
 * accounting, waiting for pre-existing readers (and only for them),
 * liveness while other readers come and go, behalf/blocker reporting and
 * independence of domains.  Assertions are about ordering and counts; the
 * only clocks are liveness bounds (a timed join, a per-test SIGALRM
 * watchdog) so a broken grace period fails instead of hanging.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "srcu_fixture.h"
#include "util.h"

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


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_readers, watchdog_on, watchdog_off),
		cmocka_unit_test_setup_teardown(test_waits_for_preexisting, watchdog_on, watchdog_off),
		cmocka_unit_test_setup_teardown(test_ignores_new_reader, watchdog_on, watchdog_off),
		cmocka_unit_test_setup_teardown(test_liveness_under_readers, watchdog_on, watchdog_off),
		cmocka_unit_test_setup_teardown(test_behalf_and_blocker, watchdog_on, watchdog_off),
		cmocka_unit_test_setup_teardown(test_independent_domains, watchdog_on, watchdog_off),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
