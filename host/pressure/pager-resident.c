// SPDX-License-Identifier: MIT
/* The pager's resident set: pages come in (UFFDIO_COPY) and go out (eviction to
 * the backing store), oldest first (see pager-int.h). */
#include <errno.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "pager-int.h"
#include "vcpu.h"
#include "vm.h"

/* ---- resident FIFO --------------------------------------------------------- */

static void fifo__push(struct pager *p, uint32_t idx)
{
	pthread_mutex_lock(&p->fifo_lock);
	BUG_ON(p->fifo_count >= p->npages);
	p->fifo[(p->fifo_head + p->fifo_count) % p->npages] = idx;
	p->fifo_count++;
	pthread_mutex_unlock(&p->fifo_lock);
}

static bool fifo__pop(struct pager *p, uint32_t *idx)
{
	bool ok = false;
	pthread_mutex_lock(&p->fifo_lock);
	if (p->fifo_count) {
		*idx = p->fifo[p->fifo_head];
		p->fifo_head = (p->fifo_head + 1) % p->npages;
		p->fifo_count--;
		ok = true;
	}
	pthread_mutex_unlock(&p->fifo_lock);
	return ok;
}

/* Page i became resident (page lock held). */
void pager__mark_present(struct pager *p, uint64_t i)
{
	pg__set_state(p, i, PG_PRESENT);
	fifo__push(p, (uint32_t)i);
	uint64_t r = atomic_fetch_add(&p->resident, 1) + 1;
	atomic_store_explicit(&p->vm->resident_pages, r, memory_order_relaxed);   /* time series */
	if (p->restoring)
		return;
	uint64_t peak = atomic_load(&p->peak);
	while (r > peak && !atomic_compare_exchange_weak(&p->peak, &peak, r))
		;
}

/* Install page i from src (page lock held, state != PRESENT). */
int pager__install(struct pager *p, uint64_t i, const uint8_t *src)
{
	struct uffdio_copy c = {
		.dst = (uintptr_t)(p->base + i * p->pgsz),
		.src = (uintptr_t)src,
		.len = p->pgsz,
		.mode = 0,              /* writable, and wakes the faulting threads */
	};
	for (;;) {
		if (ioctl(p->uffd, UFFDIO_COPY, &c) == 0)
			break;
		if (errno == EEXIST) {
			/* Mapped behind our back (cannot happen while we own every
			 * install); it is resident all the same: track it, wake. */
			atomic_fetch_add(&p->dup_faults, 1);
			uffd__wake(p, i);
			break;
		}
		if (errno == EAGAIN || errno == EINTR) {
			/* partial copy or mapping change: retry what is left */
			if (c.copy > 0)
				break;
			c.copy = 0;
			continue;
		}
		return -errno;
	}
	pager__mark_present(p, i);
	return 0;
}

/* ---- eviction -------------------------------------------------------------- */

/* Evict page i (page lock held, state PRESENT).  Write-protect first: from
 * then on a vCPU that writes the page blocks in a WP fault, so the copy we
 * save is the final content; DONTNEED drops it; the wake lets the blocked
 * writer retry, now as a MISSING fault that the pagers serve from the save. */
static int pager__evict(struct pager *p, struct pager_thread *t, uint64_t i)
{
	uint8_t *addr = p->base + i * p->pgsz;
	struct uffdio_writeprotect wp = {
		.range = { .start = (uintptr_t)addr, .len = p->pgsz },
		.mode = UFFDIO_WRITEPROTECT_MODE_WP,
	};
	while (ioctl(p->uffd, UFFDIO_WRITEPROTECT, &wp) < 0) {
		if (errno == EAGAIN || errno == EINTR)
			continue;
		return -errno;
	}
	int err = backing__save(p, t, i, addr);
	if (err) {
		/* Keep the page: unprotect it and leave it resident. */
		wp.mode = 0;
		ioctl(p->uffd, UFFDIO_WRITEPROTECT, &wp);
		pager__io_error(p, "saving a page to the backing file", err);
		return err;
	}
	if (madvise(addr, p->pgsz, MADV_DONTNEED) < 0)
		return -errno;
	pg__set_state(p, i, PG_SAVED);
	atomic_store_explicit(&p->vm->resident_pages, atomic_fetch_sub(&p->resident, 1) - 1,
			      memory_order_relaxed);
	uffd__wake(p, i);
	atomic_fetch_add(&p->evictions, 1);
	M_INC(p->vm, evictions);
	return 0;
}

/* Evict the oldest evictable resident page; false if none could be. */
bool pager__evict_one(struct pager *p, struct pager_thread *t)
{
	uint64_t tries = 0;
	uint32_t idx;
	while (tries++ < 64 && fifo__pop(p, &idx)) {
		if (!pg__trylock(p, idx)) {
			/* a pager is looking at it: keep it, try the next one */
			fifo__push(p, idx);
			continue;
		}
		if (pg__state(p, idx) != PG_PRESENT) {
			pg__unlock(p, idx);     /* cannot happen: FIFO holds present pages only */
			continue;
		}
		int err = pager__evict(p, t, idx);
		if (err)
			fifo__push(p, idx);   /* still present */
		pg__unlock(p, idx);
		if (!err)
			return true;
	}
	return false;
}

void *pager__evictor(void *arg)
{
	struct pager_thread *t = arg;
	struct pager *p = t->p;
	while (!atomic_load(&p->stop_evict)) {
		uint32_t seen = atomic_load(&p->evict_kick);
		while (atomic_load(&p->resident) > p->low_water && !atomic_load(&p->stop_evict))
			if (!pager__evict_one(p, t))
				break;
		struct timespec ts = { 0, 2L * 1000 * 1000 };
		futex_wait(&p->evict_kick, seen, &ts);
	}
	return NULL;
}

void pager__kick_evictor(struct pager *p)
{
	atomic_fetch_add(&p->evict_kick, 1);
	futex_wake(&p->evict_kick, 1);
}
