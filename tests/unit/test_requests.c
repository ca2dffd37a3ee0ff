// SPDX-License-Identifier: MIT
/*
 * host/vcpu.c request bits and kick/wake logic on a hand-built vm + vcpu
 * (no backend runs; a fake backend_ops only counts kick() calls):
 * make/test/check_request semantics, kick's IN_GUEST -> EXITING cmpxchg
 * (one IPI per entry even with concurrent kickers), wake_up's seq bump and
 * futex wake, make_vcpu_request's wake-else-kick choice and its WAIT /
 * NO_WAKEUP flags, the REQ_WAIT wait for a guest exit, and a
 * producer/consumer run in which every request set is consumed exactly once.
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
#include "config.h"
#include "metrics.h"
#include "util.h"
#include "vcpu.h"

static _Atomic unsigned fake_kicks;

static void fake_kick(struct vcpu *vcpu)
{
	(void)vcpu;
	atomic_fetch_add(&fake_kicks, 1);
}

static const struct backend_ops fake_backend = {
	.name = "fake",
	.kick = fake_kick,
};

struct fixture {
	struct vm vm;
	struct vcpu vcpu;
	struct run_metrics m;
	struct run_config cfg;      /* halt_poll_ns 0: vcpu__block() sleeps at once */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	metrics__init(&f->m);
	f->vm.backend = &fake_backend;
	f->vm.metrics = &f->m;
	f->vm.cfg = &f->cfg;
	if (srcu__init(&f->vm.srcu, "test", 1) < 0) {
		free(f);
		return -1;
	}
	atomic_store(&f->vm.measuring, true);
	f->vm.nr_vcpus = 1;
	f->vcpu.vm = &f->vm;
	atomic_store(&f->vcpu.mode, OUTSIDE_GUEST_MODE);
	atomic_store(&fake_kicks, 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	srcu__exit(&f->vm.srcu);
	free(f);
	return 0;
}

static unsigned long reqs(struct vcpu *v) { return atomic_load(&v->requests); }

static void test_make_request_sets_one_bit(void **state)
{
	struct fixture *f = *state;
	static const unsigned bits[] = { REQ_HV_TLB_FLUSH, REQ_UNBLOCK, REQ_EVENT, 1, 31, 32, 63 };
	/* KVM's numbers: flags above the bit number (KVM_ARCH_REQ_FLAGS) */
	static const unsigned long want[] = { 1ul << 40, 1ul << 2, 1ul << 14, 1ul << 1,
					      1ul << 31, 1ul << 32, 1ul << 63 };

	assert_int_equal(REQ_HV_TLB_FLUSH & ~REQ_MASK, REQ_WAIT | REQ_NO_WAKEUP);
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		atomic_store(&f->vcpu.requests, 0);
		vcpu__make_request(&f->vcpu, bits[i]);
		assert_int_equal(reqs(&f->vcpu), want[i]);
		/* idempotent: setting it again changes nothing */
		vcpu__make_request(&f->vcpu, bits[i]);
		assert_int_equal(reqs(&f->vcpu), want[i]);
	}
}

static void test_test_does_not_consume(void **state)
{
	struct fixture *f = *state;

	assert_false(vcpu__test_request(&f->vcpu, REQ_EVENT));
	vcpu__make_request(&f->vcpu, REQ_EVENT);
	for (int i = 0; i < 3; i++)
		assert_true(vcpu__test_request(&f->vcpu, REQ_EVENT));
	assert_false(vcpu__test_request(&f->vcpu, REQ_UNBLOCK));
	assert_int_equal(reqs(&f->vcpu), vcpu_req_bit(REQ_EVENT));
}

static void test_check_consumes_once(void **state)
{
	struct fixture *f = *state;

	assert_false(vcpu__check_request(&f->vcpu, REQ_HV_TLB_FLUSH));
	vcpu__make_request(&f->vcpu, REQ_HV_TLB_FLUSH);
	assert_true(vcpu__check_request(&f->vcpu, REQ_HV_TLB_FLUSH));
	assert_false(vcpu__check_request(&f->vcpu, REQ_HV_TLB_FLUSH));
	assert_false(vcpu__test_request(&f->vcpu, REQ_HV_TLB_FLUSH));
	assert_int_equal(reqs(&f->vcpu), 0);
}

static void test_bits_independent(void **state)
{
	struct fixture *f = *state;

	vcpu__make_request(&f->vcpu, REQ_HV_TLB_FLUSH);
	vcpu__make_request(&f->vcpu, REQ_UNBLOCK);
	vcpu__make_request(&f->vcpu, REQ_EVENT);
	assert_int_equal(reqs(&f->vcpu),
			 vcpu_req_bit(REQ_HV_TLB_FLUSH) | vcpu_req_bit(REQ_UNBLOCK) | vcpu_req_bit(REQ_EVENT));
	/* consuming one leaves the others alone */
	assert_true(vcpu__check_request(&f->vcpu, REQ_UNBLOCK));
	assert_int_equal(reqs(&f->vcpu), vcpu_req_bit(REQ_HV_TLB_FLUSH) | vcpu_req_bit(REQ_EVENT));
	assert_false(vcpu__check_request(&f->vcpu, REQ_UNBLOCK));
	assert_true(vcpu__test_request(&f->vcpu, REQ_HV_TLB_FLUSH));
	assert_true(vcpu__check_request(&f->vcpu, REQ_EVENT));
	assert_int_equal(reqs(&f->vcpu), vcpu_req_bit(REQ_HV_TLB_FLUSH));
	assert_true(vcpu__check_request(&f->vcpu, REQ_HV_TLB_FLUSH));
	assert_int_equal(reqs(&f->vcpu), 0);
}

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

static bool join_within(pthread_t t, int seconds)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += seconds;
	return pthread_timedjoin_np(t, NULL, &ts) == 0;
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

static void wait_asleep(struct vcpu *v)
{
	while (!atomic_load(&v->blocked))
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
	assert_int_equal(pthread_create(&t, NULL, blocker_fn, &b), 0);
	wait_asleep(&f->vcpu);
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
	assert_int_equal(pthread_create(&t, NULL, blocker_fn, &b), 0);
	wait_asleep(&f->vcpu);
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
	assert_int_equal(pthread_create(&t, NULL, blocker_fn, &b), 0);
	wait_asleep(&f->vcpu);
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

static void test_tsc_to_ns(void **state)
{
	struct vm vm;

	(void)state;
	memset(&vm, 0, sizeof(vm));
	assert_int_equal(vcpu__tsc_to_ns(&vm, 12345), 12345);    /* unknown: cycles */
	vm.tsc_khz = 2000000;                                     /* 2 GHz */
	assert_int_equal(vcpu__tsc_to_ns(&vm, 2000), 1000);
	assert_int_equal(vcpu__tsc_to_ns(&vm, 2000000000000ull), 1000000000000ull);
	/* no overflow in the intermediate product */
	vm.tsc_khz = 3000000;
	assert_int_equal(vcpu__tsc_to_ns(&vm, UINT64_MAX / 2), (uint64_t)((unsigned __int128)(UINT64_MAX / 2) * 1000000u / 3000000u));
}

/* ---- producers/consumer: every set is consumed exactly once ----------------
 * Producer p owns bit p: it writes payload[p] = i, sets the bit, and waits
 * until the consumer acknowledges consuming it before the next set, so
 * sets == consumes is exact (a bit seen twice makes consumed > sets; a lost
 * one is never acknowledged: after a generous liveness bound the producer
 * gives up, so consumed < sets).  The consumer checks the payload it sees after
 * check_request() (acquire) is the one published before make_request()
 * (release), and the producer that the bit is clear once acknowledged. */
#define PRODUCERS 4
#define PER_PRODUCER 10000

struct mp_ctx {
	struct vcpu *vcpu;
	_Atomic unsigned payload[PRODUCERS];
	_Atomic uint32_t acked[PRODUCERS];   /* futex words: producers sleep on them */
	_Atomic uint32_t posted;             /* futex word: the consumer sleeps on it */
	_Atomic unsigned done, still_set, lost;
	unsigned consumed[PRODUCERS];
	unsigned bad_payload;
};

struct producer {
	struct mp_ctx *c;
	unsigned bit;
};

static void *producer_fn(void *arg)
{
	struct producer *p = arg;
	struct mp_ctx *c = p->c;

	for (unsigned i = 1; i <= PER_PRODUCER; i++) {
		atomic_store_explicit(&c->payload[p->bit], i, memory_order_relaxed);
		vcpu__make_request(c->vcpu, p->bit);
		/* the futexes only put the threads to sleep (so the test stays
		 * quick on a loaded machine); the request bit is the channel */
		atomic_fetch_add(&c->posted, 1);
		futex_wake(&c->posted, 1);
		uint64_t give_up = now_ns() + 5000000000ull;
		uint32_t a;
		struct timespec tmo = { .tv_nsec = 100000000 };
		while ((a = atomic_load(&c->acked[p->bit])) < i && now_ns() < give_up)
			futex_wait(&c->acked[p->bit], a, &tmo);
		if (atomic_load(&c->acked[p->bit]) < i) {
			atomic_fetch_add(&c->lost, 1);
			break;
		}
		if (vcpu__test_request(c->vcpu, p->bit))
			atomic_fetch_add(&c->still_set, 1);
	}
	atomic_fetch_add(&c->done, 1);
	atomic_fetch_add(&c->posted, 1);
	futex_wake(&c->posted, 1);
	return NULL;
}

static void test_requests_concurrent(void **state)
{
	struct fixture *f = *state;
	struct mp_ctx *c = calloc(1, sizeof(*c));
	struct producer prod[PRODUCERS];
	pthread_t t[PRODUCERS];
	bool over = false;

	assert_non_null(c);
	c->vcpu = &f->vcpu;
	/* an unrelated request stays pending throughout: consuming the
	 * producers' bits must not disturb it */
	vcpu__make_request(&f->vcpu, 50);
	for (unsigned i = 0; i < PRODUCERS; i++) {
		prod[i] = (struct producer){ .c = c, .bit = i };
		assert_int_equal(pthread_create(&t[i], NULL, producer_fn, &prod[i]), 0);
	}
	for (;;) {
		uint32_t posted = atomic_load(&c->posted);
		bool all_done = atomic_load(&c->done) == PRODUCERS;
		bool any = false;
		for (unsigned b = 0; b < PRODUCERS; b++) {
			if (!vcpu__check_request(&f->vcpu, b))
				continue;
			any = true;
			over |= ++c->consumed[b] > PER_PRODUCER;
			if (atomic_load_explicit(&c->payload[b], memory_order_relaxed) != c->consumed[b])
				c->bad_payload++;
			atomic_store(&c->acked[b], c->consumed[b]);
			futex_wake(&c->acked[b], 1);
		}
		if (all_done && !any)
			break;
		if (over)
			break;        /* consumed more than was ever set: fail below */
		if (!any) {
			struct timespec tmo = { .tv_nsec = 100000000 };
			futex_wait(&c->posted, posted, &tmo);
		}
	}
	for (unsigned i = 0; i < PRODUCERS; i++)
		pthread_join(t[i], NULL);
	for (unsigned b = 0; b < PRODUCERS; b++)
		assert_int_equal(c->consumed[b], PER_PRODUCER);
	assert_int_equal(c->bad_payload, 0);
	assert_int_equal(atomic_load(&c->lost), 0);
	assert_int_equal(atomic_load(&c->still_set), 0);
	assert_int_equal(reqs(&f->vcpu), 1ul << 50);
	free(c);
}

static void watchdog_fired(int sig)
{
	static const char msg[] = "test_requests: watchdog: hung for 60 s "
		"(a lost wake, kick or request)\n";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0) { /* nothing more to do */ }
	_exit(1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_make_request_sets_one_bit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_test_does_not_consume, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_consumes_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bits_independent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kick_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kick_concurrent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wake_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wake_up_wakes_sleeper, setup, teardown),
		cmocka_unit_test_setup_teardown(test_make_vcpu_request_wakes_else_kicks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_make_vcpu_request_wait_no_wakeup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_guest_exit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_block_ends_on_unblock_while_suspended, setup, teardown),
		cmocka_unit_test_setup_teardown(test_block_ends_when_running, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timed_halt_ends_on_wake, setup, teardown),
		cmocka_unit_test(test_tsc_to_ns),
		cmocka_unit_test_setup_teardown(test_requests_concurrent, setup, teardown),
	};

	signal(SIGALRM, watchdog_fired);
	alarm(60);     /* a lost wake or kick must fail the test, not hang it */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
