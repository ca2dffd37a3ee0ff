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

struct vm;

#define PRESSURE_OPS_VERSION 1

struct pressure_ops {
	const char *name;
	const char *desc;
	unsigned version;
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
};

extern const struct pressure_ops *const pressures[];   /* NULL-terminated */
const struct pressure_ops *pressure__find(const char *name);
/* Check version, required hooks, unique names.  -EINVAL with a message. */
int pressure__check_all(char *why, size_t len);

#endif
