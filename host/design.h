/* SPDX-License-Identifier: MIT */
/*
 * Uninhibit designs, behind one ops table (fio's struct ioengine_ops).
 * One file per design in host/designs/, one line in host/designs/registry.c.
 *
 * The generic protocol (host/flush.c) calls:
 *   flusher side, inside the VM SRCU read side, after it sent its flush
 *   requests and found target T inhibited with sequence s:
 *     suspend(F, T, s)   -> true: F is now suspended and will block until a
 *                           wake; false: T is no longer inhibited, retry.
 *   inhibitor side, outside the read side (the uninhibit ioctl):
 *     uninhibit(T)       -> clear T's inhibit and wake every flusher waiting
 *                           on it, through flush__wake_flusher().
 */
#ifndef FB_DESIGN_H
#define FB_DESIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "option.h"

struct vm;
struct vcpu;
struct flush_op;
struct run_config;

#define DESIGN_OPS_VERSION  1
#define DESIGN_F_BROKEN     (1u << 0)   /* deliberately wrong: needs --allow-broken */
#define DESIGN_F_GP         (1u << 1)   /* waits for a grace period (honours srcu_gp) */

struct design_ops {
	const char *name;
	const char *desc;
	unsigned version;                   /* DESIGN_OPS_VERSION */
	unsigned flags;
	int  (*init)(struct vm *vm);        /* optional */
	void (*exit)(struct vm *vm);        /* optional */
	/* optional: target's inhibit is about to be set with sequence seq
	 * (in the target's read side), e.g. to publish RCU-style state that
	 * a flusher seeing the inhibit must find */
	void (*inhibit)(struct vcpu *target, uint64_t seq);
	bool (*suspend)(struct vcpu *flusher, struct vcpu *target, uint64_t seq);
	void (*resume)(struct vcpu *flusher);   /* optional: flusher-side cleanup after wake */
	void (*uninhibit)(struct vcpu *target);
	/* optional, broken designs only: run the flush protocol in another
	 * order (host/flush.c flush__protocol() is the correct one) */
	int  (*flush)(struct flush_op *op);
	/*
	 * optional: the design's own knobs (docs/DESIGNS.md).  options: a
	 * NULL-name-terminated list whose OPT_FIELD()s are fields of the
	 * design's options struct of options_size bytes; merged into the one
	 * option table (section "design" unless an entry names one) and read
	 * with design__opts().  check: cross-field checks, run by
	 * options__check() when this design is the variant's; 0 or -EINVAL
	 * with a message.
	 */
	const struct bench_option *options;
	size_t options_size;
	int  (*check)(const struct run_config *c, char *err, size_t len);
	/* optional: the design's own figures as a JSON object (new reference),
	 * counted in its private state over the VM's life; called after the
	 * vCPU threads stopped, written as results.json run.design_stats */
	json_t *(*report)(struct vm *vm);
};

/*
 * Race amplification (debug knobs race_delay_us, race_points, race_stress):
 * designs call design__race() at these named points, once each, so a test
 * can widen exactly the windows whose ordering the design relies on.
 */
enum race_point {
	RACE_PUBLISH,    /* flusher: between the inhibit read and the waiter publish */
	RACE_SCAN,       /* uninhibitor: between the clear and the scan / wake */
	RACE_WAKE,       /* inside a wake, before the flusher is made runnable */
	RACE_REQUEST,    /* flusher: between the inhibit check and the requests (broken order) */
	RACE_NR_POINTS,
};
/* "all" | "none" | names joined by '+'.  Bit mask, or -1 if invalid. */
int  race_points__parse(const char *s);
void design__race(struct vm *vm, enum race_point p);

extern const struct design_ops *const designs[];   /* NULL-terminated */
const struct design_ops *design__find(const char *name);
/* Check version, required hooks, unique names, option list.  -EINVAL with a message. */
int design__check_all(char *why, size_t len);
/* Design d's options struct inside c (d must have options). */
const void *design__opts(const struct run_config *c, const struct design_ops *d);

#endif
