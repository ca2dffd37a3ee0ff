/* SPDX-License-Identifier: MIT */
/*
 * Correctness oracle, always on.  A lost wakeup is a flusher that the
 * uninhibit of the sequence it waited on did not wake (it was woken by a
 * later cycle, or still sleeps lost_timeout_ms after the clear: then the
 * watchdog reports and rescues it).  An early resume is a flusher that runs
 * again while its target is still inhibited in the same sequence.
 */
#ifndef FB_ORACLE_H
#define FB_ORACLE_H

#include <stdint.h>

struct vm;
struct vcpu;

void oracle__report(struct vm *vm, int kind, int vcpu, int target, uint64_t seq,
		    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Watchdog + time-series sampler thread. */
int  oracle__start(struct vm *vm);
void oracle__stop(struct vm *vm);

#endif
