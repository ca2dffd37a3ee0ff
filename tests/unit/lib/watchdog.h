/* SPDX-License-Identifier: MIT */
/* Liveness bounds for unit tests of concurrent code, so that a lost wake
 * or a grace period that never ends fails the test instead of hanging it:
 * a SIGALRM watchdog and a timed join. */
#ifndef FB_TEST_WATCHDOG_H
#define FB_TEST_WATCHDOG_H

#include <pthread.h>
#include <stdbool.h>

/* In seconds, "WHO: watchdog: hung for SECONDS s (WHY)" on stderr and
 * _exit(1), unless watchdog_disarm() or a new watchdog_arm() comes first. */
void watchdog_arm(const char *who, unsigned seconds, const char *why);
void watchdog_disarm(void);

/* pthread_join() that gives up after seconds: false if t has not ended */
bool join_within(pthread_t t, int seconds);

#endif
