// SPDX-License-Identifier: MIT
/*
 * host/tstats.c: per-thread slots merged at the end equal recording every
 * value into one shared histogram (buckets, count, sum, min, max, counters);
 * counters summed while threads run; histograms and groups allocated only
 * when used; a full 32-bit bucket spills into the shared histogram without
 * losing counts; a VM without stats (gen 0) records into the shared metrics.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "tstats.h"

#define THREADS    8
#define PER_THREAD 20000

struct ctx {
	struct vm_tstats *st;
	struct run_metrics *m;
	unsigned id;
	pthread_barrier_t *bar;
};

static uint64_t value(unsigned id, unsigned i)
{
	return (uint64_t)(i + 1) * (id + 1) * 37u;      /* spans many groups */
}

static void *recorder(void *arg)
{
	struct ctx *c = arg;

	for (unsigned i = 0; i < PER_THREAD; i++) {
		tstats__add(c->st, &c->m->exits, FB_C_exits, 1);
		tstats__add(c->st, &c->m->faults, FB_C_faults, 2);
		tstats__hist(c->st, &c->m->exit_ns, FB_H_exit_ns, value(c->id, i));
	}
	pthread_barrier_wait(c->bar);   /* main checks live sums */
	pthread_barrier_wait(c->bar);
	return NULL;
}

static void test_merge_equals_shared(void **state)
{
	struct run_metrics *m = NULL, *ref = NULL;
	struct vm_tstats st;
	pthread_t t[THREADS];
	struct ctx c[THREADS];
	pthread_barrier_t bar;
	(void)state;

	assert_int_equal(posix_memalign((void **)&m, 64, sizeof(*m)), 0);
	assert_int_equal(posix_memalign((void **)&ref, 64, sizeof(*ref)), 0);
	metrics__init(m);
	metrics__init(ref);
	tstats__init(&st);
	assert_true(st.gen != 0);
	pthread_barrier_init(&bar, NULL, THREADS + 1);
	for (unsigned i = 0; i < THREADS; i++) {
		c[i] = (struct ctx){ &st, m, i, &bar };
		assert_int_equal(pthread_create(&t[i], NULL, recorder, &c[i]), 0);
	}
	pthread_barrier_wait(&bar);
	/* threads alive, nothing merged: the live sum sees every slot */
	assert_int_equal(tstats__count(&st, &m->exits, FB_C_exits), (uint64_t)THREADS * PER_THREAD);
	assert_int_equal(tstats__count(&st, &m->faults, FB_C_faults), 2ull * THREADS * PER_THREAD);
	assert_int_equal(atomic_load(&m->exits), 0);     /* nothing in the shared part yet */
	assert_int_equal(atomic_load(&m->exit_ns.count), 0);
	pthread_barrier_wait(&bar);
	for (unsigned i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);

	struct tstats_mem mem;
	tstats__memory(&st, &mem);
	assert_int_equal(mem.slots, THREADS);
	assert_int_equal(mem.hists, THREADS);         /* one metric recorded per thread */
	assert_true(mem.groups > THREADS && mem.groups < (uint64_t)THREADS * HIST_GROUPS);
	assert_int_equal(mem.bytes, mem.slots * tstats__slot_bytes() + mem.hists * tstats__hist_bytes() +
			 mem.groups * tstats__group_bytes());

	tstats__merge(&st, m);
	tstats__merge(&st, m);                          /* idempotent */
	for (unsigned id = 0; id < THREADS; id++)
		for (unsigned i = 0; i < PER_THREAD; i++)
			hist__record(&ref->exit_ns, value(id, i));
	assert_int_equal(atomic_load(&m->exits), (uint64_t)THREADS * PER_THREAD);
	assert_int_equal(atomic_load(&m->faults), 2ull * THREADS * PER_THREAD);
	assert_int_equal(tstats__count(&st, &m->exits, FB_C_exits), (uint64_t)THREADS * PER_THREAD);
	assert_int_equal(atomic_load(&m->exit_ns.count), atomic_load(&ref->exit_ns.count));
	assert_int_equal(atomic_load(&m->exit_ns.sum), atomic_load(&ref->exit_ns.sum));
	assert_int_equal(atomic_load(&m->exit_ns.min), atomic_load(&ref->exit_ns.min));
	assert_int_equal(atomic_load(&m->exit_ns.max), atomic_load(&ref->exit_ns.max));
	for (unsigned b = 0; b < HIST_NR; b++)
		assert_int_equal(atomic_load(&m->exit_ns.buckets[b]), atomic_load(&ref->exit_ns.buckets[b]));
	assert_int_equal(atomic_load(&m->flush_ns.count), 0);   /* never recorded: stays empty */
	tstats__exit(&st);
	pthread_barrier_destroy(&bar);
	free(m);
	free(ref);
}

static void test_spill_full_bucket(void **state)
{
	struct run_metrics *m = NULL;
	struct vm_tstats st;
	(void)state;

	assert_int_equal(posix_memalign((void **)&m, 64, sizeof(*m)), 0);
	metrics__init(m);
	tstats__init(&st);
	tstats__hist(&st, &m->gp_ns, FB_H_gp_ns, 1000);
	struct tstats_slot *s = tstats__self(&st);
	struct thread_hist *h = atomic_load(&s->hist[FB_H_gp_ns]);
	unsigned b = hist__bucket(1000);
	_Atomic uint32_t *g = atomic_load(&h->group[b / HIST_SUB]);
	/* pretend 2^32 - 1 values were recorded in that bucket */
	atomic_store(&g[b % HIST_SUB], UINT32_MAX);
	atomic_store(&h->count, UINT32_MAX);
	atomic_store(&h->sum, (uint64_t)UINT32_MAX * 1000);
	tstats__hist(&st, &m->gp_ns, FB_H_gp_ns, 1000);
	tstats__hist(&st, &m->gp_ns, FB_H_gp_ns, 1000);
	tstats__merge(&st, m);
	assert_int_equal(atomic_load(&m->gp_ns.count), (uint64_t)UINT32_MAX + 2);
	assert_int_equal(atomic_load(&m->gp_ns.buckets[b]), (uint64_t)UINT32_MAX + 2);
	assert_int_equal(hist__percentile(&m->gp_ns, 50), 1000);
	tstats__exit(&st);
	free(m);
}

static void test_off_records_shared(void **state)
{
	struct run_metrics *m = NULL;
	struct vm_tstats st;
	(void)state;

	assert_int_equal(posix_memalign((void **)&m, 64, sizeof(*m)), 0);
	metrics__init(m);
	memset(&st, 0, sizeof(st));                       /* hand-built VM: no tstats__init */
	tstats__add(&st, &m->kicks, FB_C_kicks, 3);
	tstats__hist(&st, &m->wake_ns, FB_H_wake_ns, 42);
	assert_null(tstats__self(&st));
	assert_int_equal(atomic_load(&m->kicks), 3);
	assert_int_equal(atomic_load(&m->wake_ns.count), 1);
	assert_int_equal(tstats__count(&st, &m->kicks, FB_C_kicks), 3);
	tstats__merge(&st, m);                            /* no-op */
	assert_int_equal(atomic_load(&m->kicks), 3);
	free(m);
}

static void test_two_vms_one_thread(void **state)
{
	struct run_metrics *m1 = NULL, *m2 = NULL;
	struct vm_tstats a, b;
	(void)state;

	assert_int_equal(posix_memalign((void **)&m1, 64, sizeof(*m1)), 0);
	assert_int_equal(posix_memalign((void **)&m2, 64, sizeof(*m2)), 0);
	metrics__init(m1);
	metrics__init(m2);
	tstats__init(&a);
	tstats__init(&b);
	for (int i = 0; i < 5; i++) {                     /* alternate: one slot per VM */
		tstats__add(&a, &m1->exits, FB_C_exits, 1);
		tstats__add(&b, &m2->exits, FB_C_exits, 10);
	}
	struct tstats_mem ma, mb;
	tstats__memory(&a, &ma);
	tstats__memory(&b, &mb);
	assert_int_equal(ma.slots, 1);
	assert_int_equal(mb.slots, 1);
	tstats__merge(&a, m1);
	tstats__merge(&b, m2);
	assert_int_equal(atomic_load(&m1->exits), 5);
	assert_int_equal(atomic_load(&m2->exits), 50);
	tstats__exit(&a);
	tstats__exit(&b);
	free(m1);
	free(m2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_equals_shared),
		cmocka_unit_test(test_spill_full_bucket),
		cmocka_unit_test(test_off_records_shared),
		cmocka_unit_test(test_two_vms_one_thread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
