// SPDX-License-Identifier: MIT
/* Kernel reference line (see kernel-ref.h). */
#define _GNU_SOURCE     /* pthread_setname_np */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "kernel-ref.h"
#include "util.h"
#include "vcpu.h"
#include "vm.h"

static void *kernel_ref__thread(void *arg)
{
	struct kernel_ref *k = arg;
	struct vm *vm = k->vm;

	while (!atomic_load(&k->stop)) {
		uint64_t t0 = now_ns();
		atomic_store(&k->inflight_since, t0);
		int r = vm->backend->kernel_gp(vm, vm->cfg->r.kernel_ref_ioctl);
		uint64_t t1 = now_ns();
		atomic_store(&k->inflight_since, 0);
		if (r == 0) {
			M_HIST(vm, kernel_ref_ns, t1 - t0);
			atomic_fetch_add(&k->ok, 1);
		} else {
			atomic_fetch_add(&k->failed, 1);
			k->last_err = r;
		}
		struct timespec ts = { k->period_ms / 1000, (long)(k->period_ms % 1000) * 1000000L };
		nanosleep(&ts, NULL);
	}
	return NULL;
}

int kernel_ref__start(struct kernel_ref *k, struct vm *vm)
{
	memset(k, 0, sizeof(*k));
	/* kernel_ref=auto was resolved to msr-filter (options__resolve()) */
	if (!vm->cfg->r.kernel_ref || !vm->backend->kernel_gp)
		return 0;
	k->vm = vm;
	k->period_ms = vm->cfg->kernel_ref_period_ms;     /* the option's minimum is 1 */
	int r = pthread_create(&k->thread, NULL, kernel_ref__thread, k);
	if (r)
		return -r;
	pthread_setname_np(k->thread, "kernel-ref");
	k->running = true;
	return 0;
}

int kernel_ref__stop(struct kernel_ref *k, uint64_t deadline_ns)
{
	if (!k->running || k->joined)
		return 0;
	atomic_store(&k->stop, true);
	if (thread__join_until(k->thread, deadline_ns))
		return -ETIMEDOUT;
	k->joined = true;
	return 0;
}

uint64_t kernel_ref__inflight_age(const struct kernel_ref *k, uint64_t t_ns)
{
	uint64_t s = atomic_load(&((struct kernel_ref *)k)->inflight_since);

	return s && t_ns > s ? t_ns - s : 0;
}
