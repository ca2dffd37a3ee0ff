/* SPDX-License-Identifier: MIT */
/*
 * A memory cgroup "flushbench-<pid>" that confines the whole harness process
 * (pressure=swap).  cgroup v1 (memory.limit_in_bytes): created under the
 * process's current memory cgroup; v2 (memory.max): created under the root
 * (v2 forbids a child with controllers under a cgroup that has processes).
 * The undo action (pushed before mkdir) first lifts the limit (so pages
 * swapped back in are never charged against it), then moves every task back
 * to the original cgroup and removes the directory; it is async-signal-safe.
 * An owner file /run/flushbench-memcg-<pid> records the full cgroup path so
 * that a later run repairs a leftover wherever it is (memcg__reap_stale()).
 */
#ifndef FB_PRESSURE_MEMCG_H
#define FB_PRESSURE_MEMCG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct memcg {
	int version;              /* 1 or 2 */
	char path[512];           /* the new cgroup directory */
	char orig_procs[512];     /* cgroup.procs of the cgroup we came from */
	char procs[560];          /* our cgroup.procs */
	char limit_file[600];     /* memory.limit_in_bytes (v1) or memory.max (v2) */
	char owner[64];           /* /run/flushbench-memcg-<pid> while it exists */
	int handle;               /* cleanup action, -1 none */
};

bool memcg__available(char *why, size_t len);
/* mkdir + set the limit (bytes).  -errno and a reason in err. */
int  memcg__create(struct memcg *cg, uint64_t limit, char *err, size_t len);
/* Move the whole process (all threads) in. */
int  memcg__enter(struct memcg *cg, char *err, size_t len);
/* Move everything back out and rmdir (also after a partial create). */
void memcg__destroy(struct memcg *cg);
/* A counter from memory.stat (v1: the cgroup's own "pgmajfault" etc.). */
int  memcg__stat(const struct memcg *cg, const char *key, uint64_t *val);
/* Repair flushbench-<pid> cgroups whose process is gone: those named by an
 * owner file under /run (full path, any parent cgroup) and any found in the
 * v1 and v2 hierarchies (bounded depth): lift the limit, move leftover tasks
 * to the parent, rmdir.  Returns the number removed. */
int  memcg__reap_stale(void);
/* The cgroup path a process created (from its owner file); 0 or -ENOENT. */
int  memcg__owner_path(int pid, char *path, size_t len);
/* OOM kills counted in the cgroup directory path (v1 memory.oom_control,
 * v2 memory.events "oom_kill"); -errno if unreadable. */
long memcg__oom_kills(const char *path);
/* cgroup.procs of the cgroup the process came from while it is inside a
 * limited one (else NULL): helpers such as perf write "0" there so that only
 * the measured process is limited. */
const char *memcg__escape_procs(void);

#endif
