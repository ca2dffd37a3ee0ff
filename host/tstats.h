/* SPDX-License-Identifier: MIT */
/*
 * Per-thread statistics, merged at the end (as fio does).
 *
 * Every thread that records a metric of a VM (vCPU threads, pager, swap
 * sampler, kernel_ref writer, watchdog, ...) gets its own slot: counters and
 * histograms that only it writes, so recording is plain loads and stores on
 * the thread's own cache lines instead of atomic read-modify-writes on lines
 * shared by every vCPU.  vm__stop() merges the slots into the VM's struct
 * run_metrics, which everything after the run reads unchanged.
 *
 * Memory: a slot is a few hundred bytes.  A slot's histogram of a metric is
 * allocated when the thread first records that metric, and within it the
 * 64-bucket groups (one per power of two) are allocated when first hit, with
 * 32-bit counts (a count about to overflow is moved into the shared
 * histogram).  A vCPU thread of the null workload thus holds one histogram
 * of a handful of groups.
 *
 * Counters may be read while the threads run (the watchdog's time series):
 * tstats__count() sums the slots with relaxed loads.
 *
 * A VM whose stats were not initialised (gen == 0, e.g. a hand-built struct
 * vm in a test) records straight into the shared metrics with atomics.
 */
#ifndef FB_TSTATS_H
#define FB_TSTATS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "hist.h"
#include "metrics.h"

enum {
#define X(f, n, u, d) FB_H_##f,
	FB_HIST_METRICS(X)
#undef X
	FB_NR_HIST
};

enum {
#define X(f, n, d) FB_C_##f,
	FB_COUNT_METRICS(X)
#undef X
	FB_NR_COUNT
};

/* One thread's histogram of one metric (layout of struct hist, 32-bit
 * counts, groups of HIST_SUB buckets allocated on first use).  Single
 * writer; relaxed atomics only so that a concurrent reader is well-defined. */
struct thread_hist {
	_Atomic uint64_t count, sum, min, max;
	_Atomic(_Atomic uint32_t *) group[HIST_GROUPS];
};

struct tstats_slot {
	struct tstats_slot *next;               /* the VM's list, newest first */
	pid_t tid;                             /* owner thread */
	_Atomic uint64_t bytes;                /* memory held by this slot */
	_Atomic uint64_t count[FB_NR_COUNT];
	_Atomic(struct thread_hist *) hist[FB_NR_HIST];
} __attribute__((aligned(64)));

struct vm_tstats {
	uint64_t gen;                          /* unique per VM in the process; 0 = off */
	_Atomic(struct tstats_slot *) head;
	pthread_mutex_t lock;                  /* slot creation */
	_Atomic bool merged;
};

/* The calling thread's slot for this VM, if it has one (fast path). */
extern __thread uint64_t tstats__tls_gen;
extern __thread struct tstats_slot *tstats__tls_slot;

void tstats__init(struct vm_tstats *st);
/* Merge every slot into m (once; later calls do nothing), then keep the slots
 * for tstats__memory().  Call when no thread records into the window any more. */
void tstats__merge(struct vm_tstats *st, struct run_metrics *m);
void tstats__exit(struct vm_tstats *st);
/* Give the calling thread its slot now (vCPU threads do it before the start
 * gate, so no slot is created inside the window).  NULL if stats are off. */
struct tstats_slot *tstats__attach(struct vm_tstats *st);
/* A counter's value now: shared part + every slot (readers while running). */
uint64_t tstats__count(struct vm_tstats *st, const _Atomic uint64_t *shared, unsigned idx);
/* Memory the per-thread stats hold: slots, histograms, groups, bytes. */
struct tstats_mem { uint64_t slots, hists, groups, bytes; };
void tstats__memory(struct vm_tstats *st, struct tstats_mem *out);
/* Bytes one slot, one thread histogram header and one group take. */
uint64_t tstats__slot_bytes(void);
uint64_t tstats__hist_bytes(void);
uint64_t tstats__group_bytes(void);

void tstats__hist_record(struct vm_tstats *st, struct tstats_slot *s, struct hist *shared,
			unsigned idx, uint64_t v);

static inline struct tstats_slot *tstats__self(struct vm_tstats *st)
{
	if (__builtin_expect(st->gen && tstats__tls_gen == st->gen, 1))
		return tstats__tls_slot;
	return tstats__attach(st);
}

static inline void tstats__add(struct vm_tstats *st, _Atomic uint64_t *shared, unsigned idx, uint64_t n)
{
	struct tstats_slot *s = tstats__self(st);

	if (!s) {
		atomic_fetch_add_explicit(shared, n, memory_order_relaxed);
		return;
	}
	atomic_store_explicit(&s->count[idx],
		atomic_load_explicit(&s->count[idx], memory_order_relaxed) + n, memory_order_relaxed);
}

static inline void tstats__hist(struct vm_tstats *st, struct hist *shared, unsigned idx, uint64_t v)
{
	struct tstats_slot *s = tstats__self(st);

	if (!s)
		hist__record(shared, v);
	else
		tstats__hist_record(st, s, shared, idx, v);
}

#endif
