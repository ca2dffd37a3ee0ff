/* SPDX-License-Identifier: MIT */
/* One variant, one repeat: VM up, pressure on, warm-up, measure, tear down. */
#ifndef FB_RUN_H
#define FB_RUN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"

struct backend_ops;
struct vm;

struct run_ctx {
	const char *outdir;              /* results dir (perf data goes under it) */
	const char *key;                 /* variant key "k=v,..." */
	unsigned variant, repeat;
	const struct backend_ops *backend;
	double vm_setup_ms;              /* out */
	bool interrupted;                /* out: Ctrl-C during this run */
	/* Optional: called once with the finished record (borrowed) as soon as
	 * the measured window is over and the VM stopped, BEFORE pressure
	 * teardown and VM destroy, so a teardown that hangs or is killed does
	 * not lose the numbers (the forked worker sends it to the supervisor). */
	void (*emit)(struct run_ctx *ctx, json_t *record);
	void *emit_arg;
	/* Optional: called as the variant enters each phase: "warmup" (VM
	 * running), "measure", "stop" (window over: VM, kernel_ref and pressure
	 * stopping, record being built), "teardown" (record done: perf, pressure
	 * teardown incl. swapoff, VM destroy).  Before "warmup" it is in setup.
	 * vm is the running VM (for test hooks; borrowed). */
	void (*phase)(struct run_ctx *ctx, const char *phase, struct vm *vm);
	const char *at_phase;            /* out: the phase now ("setup" first) */
	const char *error_phase;         /* out: where run__variant()'s error arose
	                                  * (a vCPU that failed in the window:
	                                  * "measure", not the teardown after it) */
};

/* A run record's identity fields (variant, repeat, key, the axes, vcpus):
 * the worker's record and the supervisor's record of a failed worker. */
json_t *run__identity_json(const struct run_config *cfg, const struct run_ctx *ctx);

/* The budget a variant's teardown (VM stop, kernel_ref, pressure) gets
 * after its window: max(5 s, 2 x duration).  Past it: verdict "timeout". */
uint64_t run__teardown_budget_ns(const struct run_config *cfg);

/* 0 and *out = the run object; -errno and err (one line) on failure. */
int run__variant(const struct run_config *cfg, struct run_ctx *ctx, json_t **out, char *err, size_t len);

#endif
