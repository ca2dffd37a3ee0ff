/* SPDX-License-Identifier: MIT */
/*
 * Host topology (hwloc) and thread pinning (docs/PERF.md, "Topology").
 *
 * The topology is loaded once, lazily, and shared (thread-safe).
 *
 * Pin modes, for vCPU thread `index` of `count`:
 *   none     no binding (default: this 2-core machine is overcommitted).
 *   compact  PU (index mod nr_pu) in hwloc's topology order, i.e. fill the
 *            SMT siblings of core 0, then core 1, ... package 0 before 1.
 *   scatter  hwloc_distrib() over the machine for `count` threads, each set
 *            reduced to one PU (hwloc_bitmap_singlify): consecutive indexes go
 *            to different packages, then cores, before sharing a core.
 * Helper threads (pagers, evictor, watchdog, writers; helper = true) are
 * bound to ALL allowed PUs in compact/scatter: they must not compete with one
 * pinned vCPU, and a thread created by a pinned thread would otherwise
 * inherit its single-PU mask.  index/count are ignored for helpers.
 */
#ifndef FB_TOPOLOGY_H
#define FB_TOPOLOGY_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <jansson.h>

#include "config.h"

/* {hwloc_version, packages, cores, pus, pus_per_core,
 *  numa_nodes: [{os_index, memory_bytes, cpus: [..]}],
 *  caches: {L1d: {size_bytes, count}, L1i, L2, L3},
 *  pu_os_index: [os index of PU 0..n-1 in topology order],
 *  cores_list: [[pu os indexes of core 0], ...]}.  New reference; NULL if
 *  hwloc cannot load the topology. */
json_t *topology__json(void);

/* Bind the CALLING thread.  0 or -errno with one line in err (bad mode,
 * hwloc failure). */
int topology__pin(enum cfg_pin mode, unsigned index, unsigned count, bool helper,
		  char *err, size_t len);
/* "none", "compact", "scatter" (the --pin names), "?" otherwise. */
const char *topology__pin_name(enum cfg_pin mode);

/* The PU (OS cpu number) topology__pin() binds vCPU index of count to, or -1
 * for none/helper/unknown mode.  For tests and `bench info`. */
int topology__expected_cpu(enum cfg_pin mode, unsigned index, unsigned count);

/* Actual affinity of a thread (sched_getaffinity), as an array of CPU
 * numbers; tid 0 = calling thread.  NULL on error. */
json_t *topology__thread_affinity(pid_t tid);

/* Human summary for `bench info`: lines indented by two spaces, to go under
 * the caller's "topology:" heading. */
void topology__print(FILE *f);

/* Number of PUs / cores / packages (0 if hwloc failed). */
unsigned topology__nr_pus(void);
unsigned topology__nr_cores(void);

#endif
