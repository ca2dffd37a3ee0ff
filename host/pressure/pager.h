/* SPDX-License-Identifier: MIT */
/*
 * The userfaultfd pager behind pressure=paging.
 *
 * The data region is registered with userfaultfd (MISSING + WP).  Every page
 * starts MISSING (its content is the zero page) unless it was already present
 * at setup.  The pager models a device with a queue: each fault read from
 * userfaultfd (its arrival) completes at arrival + L, concurrently with the
 * others (a min-heap by deadline, served by a small pool of threads that run
 * SCHED_FIFO where permitted); only the queue depth (one fault per vCPU)
 * bounds how many are in flight.  From arrival to install the VM SRCU read
 * side is held on behalf of the faulting vCPU (one helper slot per fault in
 * flight) and the vCPU counts as outside guest mode (vcpu__fault_begin()).
 * A real file as backing store makes its read the latency instead.  An evictor
 * thread, and the pagers themselves when the limit is reached (direct
 * reclaim), keep the resident set at or under the limit: FIFO victim,
 * UFFDIO_WRITEPROTECT, save, MADV_DONTNEED, UFFDIO_WAKE.  Write-protecting
 * first is what makes the save safe against a vCPU writing the page at the
 * same time (docs/PRESSURE.md, "Eviction and data integrity").
 */
#ifndef FB_PRESSURE_PAGER_H
#define FB_PRESSURE_PAGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;
struct pager;
struct run_config;

/* The paging mode's knobs: its entries in the option table (paging.c), field
 * name = key.  resident_mb is not here: swap's auto limit reads it too, so it
 * is a core field of struct run_config. */
struct paging_opts {
	char fault_latency[64];       /* fixed | uniform | lognormal | file */
	unsigned fault_latency_us;    /* fixed: L; uniform: low; lognormal: median */
	unsigned fault_latency_max_us;/* uniform: high; lognormal: clamp */
	double fault_latency_sigma;   /* lognormal sigma */
	unsigned pager_threads;       /* fault-service threads */
	bool pager_rt;                /* SCHED_FIFO pager threads where permitted */
	char backing_file[256];       /* file backing store ("" = temp file in /var/tmp) */
	bool backing_direct;          /* O_DIRECT for the backing file */
};
/* The paging knobs of c (paging.c). */
const struct paging_opts *paging__opts(const struct run_config *c);

struct pager_stats {
	uint64_t npages, page_size, limit_pages;
	uint64_t resident, resident_peak;
	uint64_t faults, evictions, direct_reclaims;
	uint64_t dup_faults;         /* message for a page already resolved (EEXIST-like) */
	uint64_t wp_faults;          /* writes that hit a page being evicted */
	uint64_t unknown_vcpu;       /* faults by a thread that is no vCPU (e.g. the VMM) */
	uint64_t restored;           /* pages brought back by pager__stop() */
	uint64_t queue_depth;        /* faults the device serves concurrently */
	uint64_t max_in_flight;      /* most faults in flight at once */
	uint64_t queue_full;         /* arrivals that waited for a free slot */
	uint64_t dup_msgs;           /* messages for a fault already in the device (retries) */
	uint64_t cowaiters;          /* faults ended by another vCPU's fault on the same page */
	bool rt;                     /* pager threads ran SCHED_FIFO */
	char rt_why[96];
};

/* Can a userfaultfd with THREAD_ID + WP be created here?  Else why. */
bool pager__available(char *why, size_t len);
/* Register the data region and create the backing store.  -errno; on
 * failure err holds one line saying what is wrong and how to fix it. */
int  pager__create(struct pager **out, struct vm *vm, char *err, size_t len);
int  pager__start(struct pager *p);
/* Stop eviction, bring every evicted page back, stop the pagers and
 * unregister: afterwards the region is ordinary memory holding all data. */
void pager__stop(struct pager *p);
void pager__destroy(struct pager *p);
void pager__stats(struct pager *p, struct pager_stats *s);
const char *pager__backing(struct pager *p);      /* "memory" or the file path */
const char *pager__latency(struct pager *p);      /* latency model description */

#endif
