// SPDX-License-Identifier: MIT
/* The pager threads: read userfaultfd, serve faults at their deadlines (see pager-int.h). */
#define _GNU_SOURCE   /* ppoll */
#include <errno.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "pager-int.h"
#include "vm.h"

/* Timer wakeups run late here (~50-150 us median on a loaded nested
 * guest), which would add to every injected latency; so each pager thread
 * aims early by a running median of the lateness it observed (stochastic
 * median: +-2 us per sample), capped so a long stall does not make it spin. */
static void late__update(struct pager_thread *t, uint64_t target)
{
	uint64_t now = now_ns(), late = now > target ? now - target : 0;

	if (late > t->late_ns && t->late_ns < 500000)
		t->late_ns += 2000;
	else if (late < t->late_ns && t->late_ns >= 2000)
		t->late_ns -= 2000;
}

void *pager__thread(void *arg)
{
	struct pager_thread *t = arg;
	struct pager *p = t->p;
	/* Default 50 us timer slack would add to every injected latency. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	struct pollfd fds[2] = {
		{ .fd = p->uffd, .events = POLLIN },
		{ .fd = p->stop_efd, .events = POLLIN },
	};
	while (!atomic_load(&p->stop_pagers)) {
		uint64_t next = pager__serve_due(t), now = now_ns();
		uint64_t wait = 100ull * 1000 * 1000, target = 0;
		if (next) {
			target = next > t->late_ns ? next - t->late_ns : next;
			wait = target > now ? target - now : 0;
		}
		struct timespec ts = { (time_t)(wait / 1000000000ull), (long)(wait % 1000000000ull) };
		int n = ppoll(fds, 2, &ts, NULL);
		if (n < 0 && errno != EINTR)
			break;
		if (n == 0 && target)
			late__update(t, target);
		if (n > 0 && fds[1].revents)
			break;
		if (n > 0 && (fds[0].revents & POLLIN)) {
			struct uffd_msg msg;
			/* drain: every fault gets its arrival time now, not after
			 * the previous one's service */
			while (read(p->uffd, &msg, sizeof(msg)) == (ssize_t)sizeof(msg))
				if (msg.event == UFFD_EVENT_PAGEFAULT)
					pager__arrival(t, &msg, now_ns());
		}
	}
	return NULL;
}

/* Real-time priority for the pager threads where permitted: a device
 * completes on time whatever the CPUs do; on an overcommitted host a
 * SCHED_OTHER pager waits behind runnable vCPU threads and its latency
 * becomes host scheduling, not L (evidence: 0.5 ms vs 4.9 ms p99). */
void pager__set_rt(struct pager *p)
{
	struct sched_param sp = { .sched_priority = 50 };

	if (!paging__opts(p->vm->cfg)->pager_rt) {
		snprintf(p->rt_why, sizeof(p->rt_why), "pager_rt=false");
		return;
	}
	for (unsigned k = 0; k < p->nr_pagers; k++) {
		int r = pthread_setschedparam(p->pt[k].thread, SCHED_FIFO, &sp);
		if (r) {
			snprintf(p->rt_why, sizeof(p->rt_why), "SCHED_FIFO refused: %s", strerror(r));
			for (unsigned j = 0; j < k; j++) {
				struct sched_param z = { 0 };
				pthread_setschedparam(p->pt[j].thread, SCHED_OTHER, &z);
			}
			return;
		}
	}
	p->rt = true;
	snprintf(p->rt_why, sizeof(p->rt_why), "SCHED_FIFO priority %d", sp.sched_priority);
}
