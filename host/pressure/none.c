// SPDX-License-Identifier: MIT
/*
 * pressure=none: the data region is pre-faulted before the run, so no thread
 * ever faults on it and nobody holds SRCU while faulting.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include <jansson.h>

#include "pressure.h"
#include "util.h"
#include "vm.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static bool none__available(char *why, size_t len)
{
	if (len)
		why[0] = '\0';
	return true;
}

static int none__setup(struct vm *vm)
{
	uint8_t *p = vm->mem + vm->data_gpa;
	if (!vm->data_size)
		return 0;
	if (madvise(p, vm->data_size, MADV_POPULATE_WRITE) == 0)
		return 0;
	/* Pre-5.14 kernels: touch every page.  Reading then writing back the
	 * same byte keeps whatever is there (setup runs before any vCPU). */
	long pg = sysconf(_SC_PAGESIZE);
	for (uint64_t off = 0; off < vm->data_size; off += (uint64_t)pg) {
		volatile uint8_t *b = p + off;
		// cppcheck-suppress selfAssignment ; a volatile read + write faults the page in
		*b = *b;
	}
	return 0;
}

static int none__start(struct vm *vm) { return 0; }
static void none__stop(struct vm *vm) { }
static void none__teardown(struct vm *vm) { }

static json_t *none__report(struct vm *vm)
{
	json_t *o = json_object();
	json_object_set_new(o, "mode", json_string("none"));
	json_object_set_new(o, "note", json_string("data memory pre-faulted; no faults during the run"));
	return o;
}

const struct pressure_ops pressure_none = {
	.name = "none",
	.desc = "no memory pressure: data memory pre-faulted",
	.version = PRESSURE_OPS_VERSION,
	.available = none__available,
	.setup = none__setup,
	.start = none__start,
	.stop = none__stop,
	.teardown = none__teardown,
	.report = none__report,
};
