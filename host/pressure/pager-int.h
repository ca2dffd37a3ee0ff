/* SPDX-License-Identifier: MIT */
/*
 * Inside the pager (pager.h): its state and the calls between its parts,
 *
 *   pager.c          lifecycle: create, start, stop, destroy, stats
 *   pager-uffd.c     userfaultfd: open and probe, wake
 *   pager-device.c   the fault device: arrivals, min-heap by deadline,
 *                    slots in flight, retried messages, overflow FIFO
 *   pager-thread.c   the pager threads: read userfaultfd, wait for the
 *                    deadlines, real-time priority
 *   pager-resident.c the resident set: install a page, FIFO of present
 *                    pages, eviction
 *   pager-store.c    the backing store: memory or a file
 */
#ifndef FB_PRESSURE_PAGER_INT_H
#define FB_PRESSURE_PAGER_INT_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "latency.h"
#include "pager.h"
#include "util.h"

struct uffd_msg;

/* Per-page word: state in bits 0-1, a sleeping lock in bits 2-3. */
#define PG_ZERO     0u      /* absent, never saved: content is the zero page */
#define PG_SAVED    1u      /* absent, content in the backing store */
#define PG_PRESENT  2u      /* mapped (resident), listed in the FIFO */
#define PG_STATE    3u
#define PG_LOCKED   4u
#define PG_WAITERS  8u

/* A fault in the device: picked up from userfaultfd at `arrival`, completed
 * at `deadline` = arrival + L (a device with a queue serves its requests
 * concurrently; only its queue depth bounds how many are in flight). */
struct pfault {
	uint64_t arrival, deadline;
	uint64_t page;
	int vcpu, mode, token;        /* token: SRCU slot held on the vCPU's behalf */
	bool wp;
};

struct pager_thread {
	struct pager *p;
	pthread_t thread;
	unsigned idx;
	struct latency_gen *lat;
	uint8_t *bounce_in, *bounce_out; /* page-aligned I/O buffers (O_DIRECT) */
	uint32_t last_tid;              /* ptid -> vCPU id cache */
	int last_vcpu;
	uint64_t late_ns;               /* running median of timer wakeup lateness */
	bool started;
};

struct pager {
	struct vm *vm;
	int uffd, stop_efd;
	bool registered;
	uint8_t *base;
	uint64_t npages, pgsz, limit, low_water;
	_Atomic uint32_t *pg;

	/* backing store */
	struct latency_model lat;
	char lat_desc[96];
	bool file_mode, direct;
	int fd;
	char path[PATH_MAX];
	int unlink_handle;              /* cleanup action for a file we created (-1 none) */
	uint8_t *store;                 /* memory mode */
	uint8_t *zero;                  /* one zero page, page aligned */

	/* resident set: FIFO of present pages */
	pthread_mutex_t fifo_lock;
	uint32_t *fifo;
	uint64_t fifo_head, fifo_count;
	_Atomic uint64_t resident, peak;

	/* the device: faults in flight, a min-heap by deadline */
	pthread_mutex_t q_lock;
	struct pfault *heap;
	unsigned nheap, qdepth;
	int *free_tokens;              /* SRCU helper slots, one per fault in flight */
	unsigned nfree;
	struct pfault *overflow;       /* arrivals beyond the queue depth, FIFO (grows) */
	unsigned nover, over_head, over_cap;
	uint64_t *queued;              /* per vCPU: page + 1 of its fault in the device, 0 none */
	int *qtoken;                   /* per vCPU: that fault's vcpu__fault_begin() token */
	/* the vCPUs queued on each page, so a served fault ends only its
	 * co-waiters (no scan of every vCPU under q_lock): per page the first
	 * (-1 none), per vCPU its neighbours on that list (-1 none) */
	int *page_waiters;
	int *qnext, *qprev;
	_Atomic uint64_t dup_msgs;
	_Atomic uint64_t cowaiters;    /* faults ended by another vCPU's fault on the page */
	_Atomic uint64_t queue_full, max_in_flight;
	bool rt;                       /* pager threads got SCHED_FIFO */
	char rt_why[96];

	/* threads */
	unsigned nr_pagers;
	struct pager_thread *pt;
	struct pager_thread evictor;
	bool evictor_started;
	_Atomic bool stop_evict, stop_pagers;
	_Atomic bool restoring;               /* stop(): pages coming back do not count for the peak */
	_Atomic uint32_t evict_kick;

	_Atomic uint64_t faults, evictions, direct_reclaims, dup_faults, wp_faults,
			 unknown_vcpu, restored;
	_Atomic int io_error;
};

/* ---- per-page lock ------------------------------------------------------- */

static inline void pg__lock(struct pager *p, uint64_t i)
{
	_Atomic uint32_t *w = &p->pg[i];
	for (;;) {
		uint32_t v = atomic_load(w);
		if (!(v & PG_LOCKED)) {
			if (atomic_compare_exchange_weak(w, &v, v | PG_LOCKED))
				return;
			continue;
		}
		if (!(v & PG_WAITERS)) {
			if (!atomic_compare_exchange_weak(w, &v, v | PG_WAITERS))
				continue;
			v |= PG_WAITERS;
		}
		futex_wait(w, v, NULL);
	}
}

static inline bool pg__trylock(struct pager *p, uint64_t i)
{
	uint32_t v = atomic_load(&p->pg[i]);
	return !(v & PG_LOCKED) && atomic_compare_exchange_strong(&p->pg[i], &v, v | PG_LOCKED);
}

static inline void pg__unlock(struct pager *p, uint64_t i)
{
	uint32_t v = atomic_fetch_and(&p->pg[i], ~(PG_LOCKED | PG_WAITERS));
	if (v & PG_WAITERS)
		futex_wake(&p->pg[i], INT_MAX);
}

static inline uint32_t pg__state(struct pager *p, uint64_t i)
{
	return atomic_load(&p->pg[i]) & PG_STATE;
}

/* Caller holds the page lock; only the WAITERS bit may change under us. */
static inline void pg__set_state(struct pager *p, uint64_t i, uint32_t st)
{
	uint32_t v = atomic_load(&p->pg[i]);
	while (!atomic_compare_exchange_weak(&p->pg[i], &v, (v & ~PG_STATE) | st))
		;
}

/* pager-uffd.c */
int  uffd__open(char *why, size_t len);
void uffd__wake(struct pager *p, uint64_t i);

/* pager-resident.c */
int  pager__install(struct pager *p, uint64_t i, const uint8_t *src);
void pager__mark_present(struct pager *p, uint64_t i);
bool pager__evict_one(struct pager *p, struct pager_thread *t);
void *pager__evictor(void *arg);
void pager__kick_evictor(struct pager *p);

/* pager-store.c */
int  backing__save(struct pager *p, struct pager_thread *t, uint64_t i, const uint8_t *src);
const uint8_t *backing__load(struct pager *p, struct pager_thread *t, uint64_t i, uint32_t st,
			     int *err);
void pager__io_error(struct pager *p, const char *what, int err);
int  pager__open_file(struct pager *p, char *err, size_t len);
int  pager__bounce(struct pager *p, struct pager_thread *t);

/* pager-device.c */
void pager__arrival(struct pager_thread *t, const struct uffd_msg *msg, uint64_t now);
uint64_t pager__serve_due(struct pager_thread *t);
void pager__drain(struct pager *p);

/* pager-thread.c */
void *pager__thread(void *arg);
void pager__set_rt(struct pager *p);

#endif
