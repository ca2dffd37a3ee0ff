/* SPDX-License-Identifier: MIT */
/*
 * The kernel reference line: one thread that repeats a real KVM ioctl ending
 * in synchronize_srcu(&kvm->srcu) under the variant's load, so the VMM's SRCU
 * figures have the real primitive beside them.  It has its own path into the
 * backend (no lock shared with the designs' kernel grace periods), and an
 * ioctl still in flight when the VM stops is reported as censored (its age),
 * never waited for: the variant stays bounded in time.
 */
#ifndef FB_KERNEL_REF_H
#define FB_KERNEL_REF_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"

struct vm;

struct kernel_ref {
	struct vm *vm;
	unsigned period_ms;
	pthread_t thread;
	bool running, joined;
	_Atomic bool stop;
	_Atomic uint64_t inflight_since;   /* start of the ioctl in flight, 0 = none */
	int last_err;
	_Atomic uint64_t ok, failed;
};

/* Start the thread taking vm->cfg's kernel_ref ioctl every kernel_ref_period_ms
 * (no-op when kernel_ref=none or the backend has no kernel grace period).  -errno. */
int  kernel_ref__start(struct kernel_ref *k, struct vm *vm);
/* Ask it to stop and wait until deadline_ns (CLOCK_MONOTONIC, 0 = forever).
 * Returns 0 when joined, -ETIMEDOUT when an ioctl is still in flight. */
int  kernel_ref__stop(struct kernel_ref *k, uint64_t deadline_ns);
/* Age of the ioctl in flight at t_ns, 0 if none. */
uint64_t kernel_ref__inflight_age(const struct kernel_ref *k, uint64_t t_ns);

#endif
