// SPDX-License-Identifier: MIT
/*
 * host/vcpu.c request bits on a hand-built vm + vcpu: make/test/check
 * semantics (one bit each, test does not consume, check consumes once,
 * bits independent), and a producer/consumer run in which every request
 * set is consumed exactly once with its payload published before it.
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		VCPU_TEST(test_make_request_sets_one_bit),
		VCPU_TEST(test_test_does_not_consume),
		VCPU_TEST(test_check_consumes_once),
		VCPU_TEST(test_bits_independent),
		VCPU_TEST(test_requests_concurrent),
	};

	/* a lost wake or kick must fail the test, not hang it */
	watchdog_arm("test_requests", 60, "a lost request");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
