// SPDX-License-Identifier: MIT
/*
 * host/srcu.c read-side nesting: a reader that locked twice and unlocked
 * once is still a reader the writer waits for, also when the nested
 * lock/unlock happens inside a grace period that began before it.
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nesting, watchdog_on, watchdog_off),
		cmocka_unit_test_setup_teardown(test_nesting_during_grace_period, watchdog_on, watchdog_off),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
