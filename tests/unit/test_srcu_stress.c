// SPDX-License-Identifier: MIT
/*
 * host/srcu.c under load: the classic publish / synchronize / poison
 * stress run with several readers and writers; a reader that ever sees a
 * poisoned object means a grace period ended too early.
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
#include <time.h>
#include <unistd.h>
#include "srcu_fixture.h"
#include "util.h"

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
		cmocka_unit_test_setup_teardown(test_stress_publish_poison, watchdog_on, watchdog_off),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
