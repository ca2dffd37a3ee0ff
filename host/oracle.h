/* SPDX-License-Identifier: MIT */
/*
 * Correctness oracle, always on.  It observes and reports; it never wakes
 * or otherwise changes what the design does (a stuck flusher stays stuck,
 * and shows up as a failure).  docs/ORACLE.md has the full list of checks:
 *  - lost wakeup: the uninhibit of the sequence a flusher waits on returned
 *    and the flusher is still suspended lost_timeout_ms later (timed per
 *    suspension, from the first time the watchdog saw its wake condition
 *    true), or it was woken by a later cycle, or it is still suspended at
 *    stop although its target is no longer inhibited in that sequence;
 *  - woken, never ran: a wake cleared its suspension, the flusher ran
 *    since (saw the wake) and has been asleep again for lost_timeout_ms;
 *  - early resume: it runs while its target is still inhibited in the same
 *    sequence;
 *  - flush semantics: SUCCESS although a target was inhibited (in the same
 *    sequence, still) when the requests became visible, or before every
 *    kicked IN_GUEST_MODE target left guest mode;
 *  - no progress: a flusher completed no flush in the measured window and
 *    is not legitimately suspended (target still inhibited, or its
 *    uninhibit stalled in a grace period).
 * A stalled uninhibit (a grace period that does not end) is a design
 * finding, counted as stalled_suspensions, not a failure.
 */
#ifndef FB_ORACLE_H
#define FB_ORACLE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct vm;
struct vcpu;
struct flush_op;

void oracle__report(struct vm *vm, int kind, int vcpu, int target, uint64_t seq,
		    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Hooks in the flush protocol (host/flush.c). */
void oracle__requests_visible(struct flush_op *op);
void oracle__flush_success(const struct flush_op *op);
void oracle__check_resume(struct vcpu *f, struct vcpu *t, uint64_t now);
/* Watchdog + time-series sampler thread; stop runs the final checks and
 * must come after the vCPU threads were joined. */
int  oracle__start(struct vm *vm);
void oracle__stop(struct vm *vm);
/* The measured window begins (vm__begin_measure, before `measuring` is
 * set): liveness counts from here.  Taken by the thread that opens and
 * closes the window, not by the watchdog, which may notice the window late
 * on a starved host (and would race the snapshot at its end). */
void oracle__window_begin(struct vm *vm);
/* The measured window ended (vm__end_measure): liveness counts up to here,
 * before the stop wakes every vCPU. */
void oracle__window_end(struct vm *vm);
/* The run's "oracle" object for results.json: ok, failures (verdict kind
 * names), counts, events with vCPU ids and sequences. */
json_t *oracle__json(struct vm *vm);
bool oracle__ok(struct vm *vm);

#endif
