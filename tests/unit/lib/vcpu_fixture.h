/* SPDX-License-Identifier: MIT */
/* A hand-built vm + vcpu for the unit tests of host/vcpu.c's requests,
 * kicks and wakes: no backend runs; a fake backend_ops only counts kick()
 * calls. */
#ifndef FB_TEST_VCPU_FIXTURE_H
#define FB_TEST_VCPU_FIXTURE_H

#include <stdatomic.h>
#include "config.h"
#include "metrics.h"
#include "vcpu.h"
#include "watchdog.h"

/* kick() calls of the fake backend since the last vcpu_setup() */
extern _Atomic unsigned fake_kicks;

struct fixture {
	struct vm vm;
	struct vcpu vcpu;
	struct run_metrics m;
	struct run_config cfg;      /* halt_poll_ns 0: vcpu__block() sleeps at once */
};

/* per-test setup/teardown: *state is a struct fixture (one vCPU, outside
 * guest mode, measuring) */
int vcpu_setup(void **state);
int vcpu_teardown(void **state);
#define VCPU_TEST(fn) cmocka_unit_test_setup_teardown(fn, vcpu_setup, vcpu_teardown)

/* the vCPU's pending request bits */
unsigned long reqs(struct vcpu *v);

#endif
