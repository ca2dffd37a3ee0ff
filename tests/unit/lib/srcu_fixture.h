/* SPDX-License-Identifier: MIT */
/* Threads driving host/srcu.c for its unit tests: a synchronize running on
 * its own thread, a reader driven through stages, and a per-test watchdog
 * so a grace period that never ends fails instead of hanging. */
#ifndef FB_TEST_SRCU_FIXTURE_H
#define FB_TEST_SRCU_FIXTURE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include "srcu.h"
#include "watchdog.h"

#define HOLD_US 50000          /* how long a reader lingers after signalling */
#define LIVENESS_S 10          /* generous bound for "must return" */

/* per-test setup/teardown: a 30 s watchdog */
int watchdog_on(void **state);
int watchdog_off(void **state);

/* spin (yielding) until *v >= want */
void wait_for(_Atomic int *v, int want);

/* ---- a synchronize running on its own thread ---- */
struct async_gp {
	struct srcu_struct *sp;
	pthread_t t;
	int blocker;
	_Atomic bool returned;
	_Atomic bool *watch;        /* optional: sampled right after the return */
	bool watch_at_return;
};

void async_gp_start(struct async_gp *g, struct srcu_struct *sp, _Atomic bool *watch);
/* Wait until the writer has announced itself on slot (it is inside its
 * grace period and found that slot's reader pre-existing).  false if it
 * returned without doing so. */
bool wait_writer_on(struct srcu_struct *sp, unsigned slot, struct async_gp *g);

/* ---- a reader thread driven through stages ----
 * stage 1: read side taken (nest deep, behalf set); then either lingers
 * HOLD_US and sets done right before the final unlock (linger), or waits
 * for release.  stage 2: fully unlocked. */
struct reader {
	struct srcu_struct *sp;
	unsigned slot;
	int behalf;               /* -2: plain read_lock */
	int nest;                 /* read_lock depth; one unlock before stage 1 if > 1 */
	bool linger;
	pthread_t t;
	_Atomic int stage;
	_Atomic bool release, done;
	bool held_at_stage1, held_after;
};

/* the reader's thread (for a reader set up by hand, e.g. with a behalf) */
void *reader_fn(void *arg);
/* start a plain (behalf -2) reader nested nest deep; returns at stage 1 */
void reader_start(struct reader *r, struct srcu_struct *sp, unsigned slot,
		  int nest, bool linger);
/* release it and join */
void reader_finish(struct reader *r);

#endif
