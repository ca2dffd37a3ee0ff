// SPDX-License-Identifier: MIT
/*
 * host/vcpu.c wakes and blocks on a hand-built vm + vcpu: wake_up's seq
 * bump and futex wake, what ends vcpu__block() (REQ_UNBLOCK even while
 * suspended, running again; never REQ_EVENT alone, as
 * kvm_vcpu_check_block()) and the timed HLT (any wake, or its timeout).
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
#include "util.h"
#include "vcpu_fixture.h"

static void test_wake_up(void **state)
{
	struct fixture *f = *state;

	/* not blocked: the seq still moves (a blocker about to sleep on the
	 * old value must not sleep), but nobody is reported woken */
	assert_false(vcpu__wake_up(&f->vcpu));
	assert_int_equal(atomic_load(&f->vcpu.wake_seq), 1);
	atomic_store(&f->vcpu.blocked, true);
	assert_true(vcpu__wake_up(&f->vcpu));
	assert_int_equal(atomic_load(&f->vcpu.wake_seq), 2);
	assert_true(vcpu__wake_up(&f->vcpu));
	assert_int_equal(atomic_load(&f->vcpu.wake_seq), 3);
	atomic_store(&f->vcpu.blocked, false);
	assert_false(vcpu__wake_up(&f->vcpu));
	assert_int_equal(atomic_load(&f->vcpu.wake_seq), 4);
	assert_int_equal(atomic_load(&fake_kicks), 0);
	assert_int_equal(reqs(&f->vcpu), 0);
}

/* A thread asleep on wake_seq (as vcpu__block() does) is really woken. */
struct sleeper {
	struct vcpu *vcpu;
	_Atomic bool asleep, woke;
};

static void *sleeper_fn(void *arg)
{
	struct sleeper *s = arg;
	uint32_t seq = atomic_load(&s->vcpu->wake_seq);

	atomic_store(&s->vcpu->blocked, true);
	atomic_store(&s->asleep, true);
	/* no timeout: only a FUTEX_WAKE (or the seq having moved) ends it */
	while (atomic_load(&s->vcpu->wake_seq) == seq)
		futex_wait(&s->vcpu->wake_seq, seq, NULL);
	atomic_store(&s->vcpu->blocked, false);
	atomic_store(&s->woke, true);
	return NULL;
}

static void test_wake_up_wakes_sleeper(void **state)
{
	struct fixture *f = *state;
	struct sleeper s = { .vcpu = &f->vcpu };
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, sleeper_fn, &s), 0);
	while (!atomic_load(&s.asleep))
		sched_yield();
	usleep(20000);             /* let it reach futex_wait (either way is correct) */
	vcpu__make_request(&f->vcpu, REQ_UNBLOCK);
	assert_true(vcpu__wake_up(&f->vcpu));
	/* liveness bound, not a timing assertion */
	assert_true(join_within(t, 10));
	assert_true(atomic_load(&s.woke));
	assert_true(vcpu__check_request(&f->vcpu, REQ_UNBLOCK));
}

/* ---- blocking: kvm_vcpu_check_block() and the timed HLT ---- */
struct blocker {
	struct vcpu *vcpu;
	uint64_t halt_ns;           /* 0: vcpu__block(), else vcpu__timed_halt() */
	_Atomic bool returned;
};

static void *blocker_fn(void *arg)
{
	struct blocker *b = arg;

	vcpu__srcu_lock(b->vcpu);          /* the vCPU thread holds its read side */
	if (b->halt_ns)
		vcpu__timed_halt(b->vcpu, b->halt_ns);
	else
		vcpu__block(b->vcpu);
	vcpu__srcu_unlock(b->vcpu);
	atomic_store(&b->returned, true);
	return NULL;
}

/* start b on its own thread and return once it sleeps */
static void blocker_start(struct blocker *b, pthread_t *t)
{
	assert_int_equal(pthread_create(t, NULL, blocker_fn, b), 0);
	while (!atomic_load(&b->vcpu->blocked))
		sched_yield();
	usleep(20000);             /* let it reach futex_wait (either way is correct) */
}

/* REQ_UNBLOCK ends the block although the vCPU is still suspended (not
 * running): consumed by the check, the caller re-checks - as KVM does. */
static void test_block_ends_on_unblock_while_suspended(void **state)
{
	struct fixture *f = *state;
	struct blocker b = { .vcpu = &f->vcpu };
	pthread_t t;

	atomic_store(&f->vcpu.suspended, true);
	blocker_start(&b, &t);
	/* a bare wake with no request and still suspended: goes back to sleep */
	assert_true(vcpu__wake_up(&f->vcpu));
	usleep(50000);
	assert_false(atomic_load(&b.returned));
	assert_false(vcpu__make_vcpu_request(&f->vcpu, REQ_UNBLOCK, NULL));   /* woken */
	assert_true(join_within(t, 10));
	assert_true(atomic_load(&b.returned));
	assert_false(vcpu__running(&f->vcpu));
	assert_false(vcpu__test_request(&f->vcpu, REQ_UNBLOCK));   /* consumed */
	assert_false(atomic_load(&f->vcpu.blocked));
	assert_int_equal(atomic_load(&f->m.blocks), 1);
}

/* Running again ends it too, and then REQ_UNBLOCK is left to vcpu_run()'s
 * clear; REQ_EVENT never ends a block by itself. */
static void test_block_ends_when_running(void **state)
{
	struct fixture *f = *state;
	struct blocker b = { .vcpu = &f->vcpu };
	pthread_t t;

	atomic_store(&f->vcpu.suspended, true);
	blocker_start(&b, &t);
	assert_true(vcpu__make_vcpu_request(&f->vcpu, REQ_EVENT, NULL) == false);
	usleep(50000);
	assert_false(atomic_load(&b.returned));
	atomic_store(&f->vcpu.suspended, false);
	vcpu__make_vcpu_request(&f->vcpu, REQ_UNBLOCK, NULL);
	assert_true(join_within(t, 10));
	assert_true(vcpu__test_request(&f->vcpu, REQ_UNBLOCK));
	assert_true(vcpu__test_request(&f->vcpu, REQ_EVENT));
}

/* A timed HLT of a running vCPU: being runnable does not end it, any
 * wake does (the timeout here is far longer than the test). */
static void test_timed_halt_ends_on_wake(void **state)
{
	struct fixture *f = *state;
	struct blocker b = { .vcpu = &f->vcpu, .halt_ns = 30ull * 1000000000 };
	pthread_t t;

	assert_true(vcpu__running(&f->vcpu));
	blocker_start(&b, &t);
	usleep(50000);
	assert_false(atomic_load(&b.returned));
	assert_true(vcpu__wake_up(&f->vcpu));
	assert_true(join_within(t, 10));
	assert_int_equal(reqs(&f->vcpu), 0);
	/* and its timeout: returns by itself */
	b.halt_ns = 20000000;
	atomic_store(&b.returned, false);
	assert_int_equal(pthread_create(&t, NULL, blocker_fn, &b), 0);
	assert_true(join_within(t, 10));
	assert_int_equal(atomic_load(&f->m.blocks), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		VCPU_TEST(test_wake_up),
		VCPU_TEST(test_wake_up_wakes_sleeper),
		VCPU_TEST(test_block_ends_on_unblock_while_suspended),
		VCPU_TEST(test_block_ends_when_running),
		VCPU_TEST(test_timed_halt_ends_on_wake),
	};

	/* a lost wake or kick must fail the test, not hang it */
	watchdog_arm("test_vcpu_block", 60, "a lost wake");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
