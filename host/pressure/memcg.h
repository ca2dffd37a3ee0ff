/* SPDX-License-Identifier: MIT */
/*
 * A memory cgroup "flushbench-<pid>" that confines the whole harness process
 * (pressure=swap).  cgroup v1 (memory.limit_in_bytes): created under the
 * process's current memory cgroup; v2 (memory.max): created under the root
 * (v2 forbids a child with controllers under a cgroup that has processes).
 * The undo action (pushed before mkdir) moves every task back to the
 * original cgroup and removes the directory; it is async-signal-safe.
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
/* Remove flushbench-<pid> cgroups left by killed runs (pid gone, no tasks). */
void memcg__reap_stale(void);

#endif
