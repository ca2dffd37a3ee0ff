/* SPDX-License-Identifier: MIT */
/*
 * Emulated guest instructions per exit on the kvm backend.
 *
 * A host whose KVM emulates guest instructions after an exit (kvm_pvm
 * emulates in batches of pvm_emul_batch) charges every guest instruction
 * between two exits; hardware-assisted KVM (kvm_intel/kvm_amd with EPT/NPT)
 * emulates none for a port exit.  When the kvm:kvm_emulate_insn tracepoint
 * is readable, the VM counts it (and kvm:kvm_exit) with perf counters that
 * are opened disabled before the vCPU threads exist (inherit = 1, so every
 * thread the VM creates is counted), enabled for the measured window only,
 * and read once the vCPU threads have exited (inherited counts are folded
 * into the parent counter at thread exit).
 */
#ifndef FB_KVMEMUL_H
#define FB_KVMEMUL_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

struct kvmemul {
	int fd_insn, fd_exit;       /* -1: not counted */
	bool opened;
	char why[200];              /* why not counted, "" when counted */
	uint64_t insns, kvm_exits;  /* after kvmemul__read() */
	bool read;
};

/* Tracepoint id from tracefs under root ("" = the real system), -errno. */
long kvmemul__tracepoint_id(const char *root, const char *event);
void kvmemul__init(struct kvmemul *e);           /* nothing open */
int  kvmemul__open(struct kvmemul *e);           /* calling thread + threads it creates later */
void kvmemul__enable(struct kvmemul *e);
void kvmemul__disable(struct kvmemul *e);
void kvmemul__read(struct kvmemul *e);           /* after the counted threads exited */
void kvmemul__close(struct kvmemul *e);
/* {"counted": bool, "why", "emulated_insns", "kvm_exits", "exits", "insns_per_exit"} */
json_t *kvmemul__json(const struct kvmemul *e, uint64_t exits);

#endif
