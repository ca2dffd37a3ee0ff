// SPDX-License-Identifier: MIT
/*
 * host/vcpu.c kicks on a hand-built vm + vcpu (a fake backend_ops counts
 * kick() calls): kick's IN_GUEST -> EXITING cmpxchg (one IPI per guest
 * entry even with concurrent kickers), make_vcpu_request's wake-else-kick
 * choice and its WAIT / NO_WAKEUP flags, and the REQ_WAIT wait for a guest
 * exit.
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

static void test_kick_modes(void **state)
{
	struct fixture *f = *state;

	/* outside guest mode: nothing to interrupt */
	vcpu__kick(&f->vcpu);
	assert_int_equal(atomic_load(&fake_kicks), 0);
	assert_int_equal(atomic_load(&f->vcpu.mode), OUTSIDE_GUEST_MODE);
	assert_int_equal(atomic_load(&f->m.kicks), 0);

	/* in guest mode: one backend kick, mode -> EXITING */
	atomic_store(&f->vcpu.mode, IN_GUEST_MODE);
	vcpu__kick(&f->vcpu);
	assert_int_equal(atomic_load(&fake_kicks), 1);
	assert_int_equal(atomic_load(&f->vcpu.mode), EXITING_GUEST_MODE);
	assert_int_equal(atomic_load(&f->m.kicks), 1);

	/* already exiting: the earlier kick is enough */
	vcpu__kick(&f->vcpu);
	vcpu__kick(&f->vcpu);
	assert_int_equal(atomic_load(&fake_kicks), 1);
	assert_int_equal(atomic_load(&f->vcpu.mode), EXITING_GUEST_MODE);
	assert_int_equal(atomic_load(&f->m.kicks), 1);

	/* re-entry arms it again; outside the measured window the kick
	 * still happens but is not counted */
	atomic_store(&f->vcpu.mode, IN_GUEST_MODE);
	atomic_store(&f->vm.measuring, false);
	vcpu__kick(&f->vcpu);
	assert_int_equal(atomic_load(&fake_kicks), 2);
	assert_int_equal(atomic_load(&f->m.kicks), 1);
}

/* ---- concurrent kickers: exactly one backend kick per guest entry ---- */
#define KICKERS 4
#define KICK_ROUNDS 2000

struct kick_ctx {
	struct vcpu *vcpu;
	pthread_barrier_t start, end;
};

static void *kicker(void *arg)
{
	struct kick_ctx *k = arg;

	for (int r = 0; r < KICK_ROUNDS; r++) {
		pthread_barrier_wait(&k->start);
		vcpu__kick(k->vcpu);
		pthread_barrier_wait(&k->end);
	}
	return NULL;
}

static void test_kick_concurrent(void **state)
{
	struct fixture *f = *state;
	struct kick_ctx k = { .vcpu = &f->vcpu };
	pthread_t t[KICKERS];

	pthread_barrier_init(&k.start, NULL, KICKERS + 1);
	pthread_barrier_init(&k.end, NULL, KICKERS + 1);
	for (int i = 0; i < KICKERS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, kicker, &k), 0);
	unsigned wrong_kicks = 0, wrong_mode = 0;
	for (int r = 0; r < KICK_ROUNDS; r++) {
		atomic_store(&f->vcpu.mode, IN_GUEST_MODE);   /* "enter the guest" */
		pthread_barrier_wait(&k.start);
		pthread_barrier_wait(&k.end);
		/* count, don't assert: the kickers still wait on the barriers */
		wrong_kicks += atomic_exchange(&fake_kicks, 0) != 1;
		wrong_mode += atomic_load(&f->vcpu.mode) != EXITING_GUEST_MODE;
	}
	for (int i = 0; i < KICKERS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&k.start);
	pthread_barrier_destroy(&k.end);
	assert_int_equal(wrong_kicks, 0);
	assert_int_equal(wrong_mode, 0);
	assert_int_equal(atomic_load(&f->m.kicks), KICK_ROUNDS);
}

static void test_make_vcpu_request_wakes_else_kicks(void **state)
{
	struct fixture *f = *state;

	/* blocked: wake, no kick (mode IN is contradictory but shows the
	 * choice is made by the wake result, as in KVM) */
	atomic_store(&f->vcpu.blocked, true);
	assert_false(vcpu__make_vcpu_request(&f->vcpu, REQ_UNBLOCK, NULL));
	assert_true(vcpu__test_request(&f->vcpu, REQ_UNBLOCK));
	assert_int_equal(atomic_load(&f->vcpu.wake_seq), 1);
	assert_int_equal(atomic_load(&fake_kicks), 0);
	atomic_store(&f->vcpu.mode, IN_GUEST_MODE);
	assert_false(vcpu__make_vcpu_request(&f->vcpu, REQ_EVENT, NULL));
	assert_int_equal(atomic_load(&fake_kicks), 0);
	assert_int_equal(atomic_load(&f->vcpu.mode), IN_GUEST_MODE);
	assert_int_equal(atomic_load(&f->vcpu.wake_seq), 2);

	/* running in the guest: kick; no WAIT flag, nothing to wait for */
	atomic_store(&f->vcpu.blocked, false);
	atomic_store(&f->vcpu.requests, 0);
	assert_false(vcpu__make_vcpu_request(&f->vcpu, REQ_EVENT, NULL));
	assert_int_equal(reqs(&f->vcpu), vcpu_req_bit(REQ_EVENT));
	assert_int_equal(atomic_load(&fake_kicks), 1);
	assert_int_equal(atomic_load(&f->vcpu.mode), EXITING_GUEST_MODE);

	/* outside guest mode, not blocked: the bit alone is enough */
	atomic_store(&f->vcpu.mode, OUTSIDE_GUEST_MODE);
	assert_false(vcpu__make_vcpu_request(&f->vcpu, REQ_UNBLOCK, NULL));
	assert_int_equal(reqs(&f->vcpu), vcpu_req_bit(REQ_EVENT) | vcpu_req_bit(REQ_UNBLOCK));
	assert_int_equal(atomic_load(&fake_kicks), 1);
	assert_int_equal(atomic_load(&f->vcpu.mode), OUTSIDE_GUEST_MODE);
}

/* REQ_HV_TLB_FLUSH = WAIT | NO_WAKEUP (kvm_request_needs_ipi()): a blocked
 * vCPU is not woken; one in guest mode is kicked and must be waited for,
 * one already exiting is waited for without a second kick, one outside
 * (or in a fault) is neither. */
static void test_make_vcpu_request_wait_no_wakeup(void **state)
{
	struct fixture *f = *state;
	uint64_t snap = 99;

	atomic_store(&f->vcpu.blocked, true);
	assert_false(vcpu__make_vcpu_request(&f->vcpu, REQ_HV_TLB_FLUSH, &snap));
	assert_int_equal(atomic_load(&f->vcpu.wake_seq), 0);       /* NO_WAKEUP */
	assert_int_equal(reqs(&f->vcpu), 1ul << 40);
	assert_int_equal(snap, 99);
	atomic_store(&f->vcpu.blocked, false);

	atomic_store(&f->vcpu.exit_seq, 7);
	atomic_store(&f->vcpu.mode, IN_GUEST_MODE);
	assert_true(vcpu__make_vcpu_request(&f->vcpu, REQ_HV_TLB_FLUSH, &snap));
	assert_int_equal(snap, 7);
	assert_int_equal(atomic_load(&fake_kicks), 1);
	assert_int_equal(atomic_load(&f->vcpu.mode), EXITING_GUEST_MODE);

	/* exiting (kicked by someone else): wait, no second IPI */
	atomic_store(&f->vcpu.exit_seq, 8);
	assert_true(vcpu__make_vcpu_request(&f->vcpu, REQ_HV_TLB_FLUSH, &snap));
	assert_int_equal(snap, 8);
	assert_int_equal(atomic_load(&fake_kicks), 1);

	/* a REQ_EVENT to an exiting vCPU needs no wait */
	assert_false(vcpu__make_vcpu_request(&f->vcpu, REQ_EVENT, NULL));

	atomic_store(&f->vcpu.mode, OUTSIDE_GUEST_MODE);
	assert_false(vcpu__make_vcpu_request(&f->vcpu, REQ_HV_TLB_FLUSH, &snap));
	atomic_store(&f->vcpu.mode, FAULT_OUTSIDE_GUEST_MODE);
	atomic_store(&f->vcpu.fault_in_service, true);
	assert_false(vcpu__make_vcpu_request(&f->vcpu, REQ_HV_TLB_FLUSH, &snap));
	assert_int_equal(atomic_load(&f->m.requests_in_fault), 1);
	assert_int_equal(atomic_load(&fake_kicks), 1);
	assert_int_equal(atomic_load(&f->m.kicks), 1);
}

/* The wait ends once the vCPU left guest mode: exit_seq moved or mode
 * OUTSIDE; it does not end while the vCPU stays in guest mode. */
static void *exit_later(void *arg)
{
	struct vcpu *v = arg;

	usleep(50000);
	atomic_store(&v->mode, OUTSIDE_GUEST_MODE);
	atomic_fetch_add(&v->exit_seq, 1);
	atomic_store(&v->exit_futex, (uint32_t)atomic_load(&v->exit_seq));
	futex_wake(&v->exit_futex, INT32_MAX);
	return NULL;
}

static void test_wait_guest_exit(void **state)
{
	struct fixture *f = *state;
	pthread_t t;

	atomic_store(&f->vcpu.mode, OUTSIDE_GUEST_MODE);
	vcpu__wait_guest_exit(&f->vcpu, 0);                 /* outside: at once */
	atomic_store(&f->vcpu.mode, IN_GUEST_MODE);
	atomic_store(&f->vcpu.exit_seq, 3);
	vcpu__wait_guest_exit(&f->vcpu, 2);                 /* exited since: at once */

	assert_int_equal(pthread_create(&t, NULL, exit_later, &f->vcpu), 0);
	vcpu__wait_guest_exit(&f->vcpu, 3);
	/* returned only after the exit was published */
	assert_int_equal(atomic_load(&f->vcpu.exit_seq), 4);
	assert_int_equal(atomic_load(&f->vcpu.ack_waiters), 0);
	pthread_join(t, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		VCPU_TEST(test_kick_modes),
		VCPU_TEST(test_kick_concurrent),
		VCPU_TEST(test_make_vcpu_request_wakes_else_kicks),
		VCPU_TEST(test_make_vcpu_request_wait_no_wakeup),
		VCPU_TEST(test_wait_guest_exit),
	};

	/* a lost wake or kick must fail the test, not hang it */
	watchdog_arm("test_vcpu_kick", 60, "a lost kick or guest exit");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
