/* SPDX-License-Identifier: MIT */
/*
 * Memory-pressure modes, behind one ops table.  One file per mode in
 * host/pressure/, one line in host/pressure/registry.c.
 *
 * Order (vm__* and cmd-run): available() -> setup() [before vCPUs touch data
 * memory; may register it with userfaultfd] -> start() [helper threads] ->
 * stop() -> teardown() [undo everything setup() changed on the machine].
 * teardown() must also be safe after a partial setup() and is what the
 * SIGINT/SIGTERM path runs (host/cleanup.c).
 */
#ifndef FB_PRESSURE_H
#define FB_PRESSURE_H

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
	/* optional: add mode-specific results (json_t *) to the run object */
	void (*report)(struct vm *vm, void *json_run);
};

extern const struct pressure_ops *const pressures[];   /* NULL-terminated */
const struct pressure_ops *pressure__find(const char *name);

#endif
