/* SPDX-License-Identifier: MIT */
/*
 * bench run is a supervisor: every (variant, repeat) runs in a forked worker
 * process that calls run__variant() and reports over a pipe (protocol in
 * docs/ARCHITECTURE.md).  The supervisor bounds the worker's time, reads how
 * it ended (exit, signal, OOM kill in its memory cgroup), and restores the
 * machine after it (memory cgroup, then zram swap) whatever happened.
 */
#ifndef FB_SUPERVISOR_H
#define FB_SUPERVISOR_H

#include <jansson.h>
#include <stdbool.h>

#include "config.h"

struct run_ctx;

enum worker_outcome {
	WORKER_OK,            /* record received, worker exited 0 */
	WORKER_INTERRUPTED,   /* stopped gracefully on the first Ctrl-C: no record */
	WORKER_ABORTED,       /* killed on the second Ctrl-C */
	WORKER_CONFIG,        /* run__variant() said -EINVAL/-EPERM/-EACCES: stop the run */
	WORKER_FAILED,        /* error, signal, OOM kill, lost worker: verdict "failed" */
	WORKER_TIMEOUT,       /* killed at its budget: verdict "timeout" */
};

struct worker_result {
	enum worker_outcome outcome;
	json_t *record;       /* the worker's record (or NULL); caller owns it */
	int rc;               /* run__variant()'s return (-errno), 0 if unknown */
	char cause[640];      /* one line for FAILED/TIMEOUT/CONFIG */
	char phase[16];       /* where it failed or died: setup, warmup, measure,
	                       * stop, teardown (bench/run.h run_ctx.phase): the
	                       * last phase reported, or for an error return the
	                       * phase the error arose in */
	int signal;           /* WTERMSIG of the worker, 0 if it exited */
	long oom_kills;       /* from its memory cgroup, 0 if none / no cgroup */
	double elapsed_s;     /* fork -> reaped */
	double spawn_ms;      /* fork -> first message from the worker */
	double restore_ms;    /* machine repair after the worker */
	double budget_s;
};

/* Run one variant in a worker within budget_s seconds; fills *wr. */
void supervisor__run_variant(const struct run_config *cfg, struct run_ctx *ctx, double budget_s,
			     struct worker_result *wr);

/* The per-variant budget: max(5 s, 2 x (warmup + duration)) plus an
 * allowance for VM setup (per vCPU), swap setup/teardown and perf. */
double supervisor__budget(const struct run_config *cfg);

/* The record of a variant that has none (the worker died or was killed
 * before it sent one), or the worker's record, with "verdict" and "failure"
 * set for FAILED/TIMEOUT.  New reference. */
json_t *supervisor__record(const struct run_config *cfg, const struct run_ctx *ctx, struct worker_result *wr);

#endif
