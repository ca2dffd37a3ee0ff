/* SPDX-License-Identifier: MIT */
/*
 * Memory-pressure modes, behind one ops table.  One file per mode in
 * host/pressure/, one line in host/pressure/registry.c.
 *
 * Driven by the VM's levels (host/vm.c): available() [bench run preflight]
 * -> setup() [VM_LEVEL_PRESSURE: after memory, backend and vCPU structures,
 * before any vCPU touches data memory; may register it with userfaultfd]
 * -> start() [VM_LEVEL_THREADS: helper threads, before the vCPU threads]
 * -> stop() [__vm_stop(), after the vCPU threads] -> report() ->
 * teardown() [vm__destroy(): undo everything setup() changed on the machine].
 * teardown() must also be safe after a partial setup() and is what the
 * SIGINT/SIGTERM path runs (host/cleanup.c).
 */
#ifndef FB_PRESSURE_H
#define FB_PRESSURE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "option.h"

struct vm;
struct run_config;

#define PRESSURE_OPS_VERSION 1
/* The mode keeps part of guest memory out of RAM (preflight: mem_mb may
 * exceed RAM by the machine's swap). */
#define PRESSURE_F_EVICTS   (1u << 0)
/* The mode sets up the machine's swap (zram, memcg): one such run at a time
 * (the swap lock), its setup in the variant's budget, the OOM test hook. */
#define PRESSURE_F_SWAP     (1u << 1)

struct pressure_ops {
	const char *name;
	const char *desc;
	unsigned version;
	unsigned flags;                     /* PRESSURE_F_* */
	/* true if usable here; else why = one line saying what is missing and how to fix it */
	bool (*available)(char *why, size_t len);
	int  (*setup)(struct vm *vm);
	int  (*start)(struct vm *vm);
	void (*stop)(struct vm *vm);
	void (*teardown)(struct vm *vm);
	/* optional: the mode's figures as a JSON object (new reference), run.pressure_stats in results.json; after stop() */
	json_t *(*report)(struct vm *vm);
	/* optional: SRCU slots its helper threads need (after the vCPUs' own) */
	unsigned (*srcu_slots)(const struct vm *vm);
	/*
	 * optional: the mode's own knobs (docs/PRESSURE.md "adding a mode").
	 * options: a NULL-name-terminated list whose OPT_FIELD()s are fields
	 * of the mode's options struct of options_size bytes; merged into the
	 * one option table (section "pressure" unless an entry names one) and
	 * read with pressure__opts().  check: cross-field checks, run by
	 * options__check() when this is the variant's mode; 0 or -EINVAL with
	 * a message.
	 */
	const struct bench_option *options;
	size_t options_size;
	int  (*check)(const struct run_config *c, char *err, size_t len);
};

extern const struct pressure_ops *const pressures[];   /* NULL-terminated */
const struct pressure_ops *pressure__find(const char *name);
/* Check version, required hooks, unique names, option list.  -EINVAL with a message. */
int pressure__check_all(char *why, size_t len);
/* Mode p's options struct inside c (p must have options). */
const void *pressure__opts(const struct run_config *c, const struct pressure_ops *p);

#endif
