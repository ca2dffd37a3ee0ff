// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include "srcu_fixture.h"

int watchdog_on(void **state)
{
	(void)state;
	watchdog_arm("test_srcu", 30, "a grace period never ended or a reader was never woken");
	return 0;
}

int watchdog_off(void **state)
{
	(void)state;
	watchdog_disarm();
	return 0;
}

void wait_for(_Atomic int *v, int want)
{
	while (atomic_load(v) < want)
		sched_yield();
}

void *async_gp_fn(void *arg)
{
	struct async_gp *g = arg;

	srcu__synchronize(g->sp, &g->blocker);
	if (g->watch)
		g->watch_at_return = atomic_load(g->watch);
	atomic_store(&g->returned, true);
	return NULL;
}

void async_gp_start(struct async_gp *g, struct srcu_struct *sp, _Atomic bool *watch)
{
	g->sp = sp;
	g->blocker = -2;
	g->watch = watch;
	g->watch_at_return = false;
	atomic_store(&g->returned, false);
	assert_int_equal(pthread_create(&g->t, NULL, async_gp_fn, g), 0);
}


bool wait_writer_on(struct srcu_struct *sp, unsigned slot, struct async_gp *g)
{
	while (!atomic_load(&sp->slots[slot].waiters)) {
		if (atomic_load(&g->returned))
			return false;
		sched_yield();
	}
	return true;
}

void *reader_fn(void *arg)
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

void reader_start(struct reader *r, struct srcu_struct *sp, unsigned slot,
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

void reader_finish(struct reader *r)
{
	atomic_store(&r->release, true);
	pthread_join(r->t, NULL);
}
