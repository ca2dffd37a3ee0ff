// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include "watchdog.h"

static char watchdog_msg[256];
static size_t watchdog_len;

static void watchdog_fired(int sig)
{
	(void)sig;
	if (write(2, watchdog_msg, watchdog_len) < 0) { /* nothing more to do */ }
	_exit(1);
}

void watchdog_arm(const char *who, unsigned seconds, const char *why)
{
	int n = snprintf(watchdog_msg, sizeof(watchdog_msg), "%s: watchdog: hung for %u s (%s)\n",
			 who, seconds, why);

	watchdog_len = n < 0 ? 0 : (size_t)n < sizeof(watchdog_msg) ? (size_t)n : sizeof(watchdog_msg) - 1;
	signal(SIGALRM, watchdog_fired);
	alarm(seconds);
}

void watchdog_disarm(void)
{
	alarm(0);
}

bool join_within(pthread_t t, int seconds)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += seconds;
	return pthread_timedjoin_np(t, NULL, &ts) == 0;
}
