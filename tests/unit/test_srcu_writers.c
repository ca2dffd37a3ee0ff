// SPDX-License-Identifier: MIT
/*
 * host/srcu.c with several writers at once: concurrent grace periods all
 * wait for the one reader that pre-dates them, and a long reader spans
 * other writers' grace periods without ending them early.
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_concurrent_writers_one_reader, watchdog_on, watchdog_off),
		cmocka_unit_test_setup_teardown(test_long_reader_spans_grace_periods, watchdog_on, watchdog_off),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
