// SPDX-License-Identifier: MIT
/* userfaultfd pager + evictor for pressure=paging (see pager.h): its lifecycle. */
#include <errno.h>
#include <inttypes.h>
#include <linux/userfaultfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cleanup.h"
#include "pager-int.h"
#include "vcpu.h"
#include "vm.h"

int pager__create(struct pager **out, struct vm *vm, char *err, size_t len)
{
	const struct run_config *cfg = vm->cfg;
	const struct paging_opts *o = paging__opts(cfg);
	struct pager *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	*out = p;
	p->vm = vm;
	p->uffd = p->stop_efd = p->fd = -1;
	p->unlink_handle = -1;
	pthread_mutex_init(&p->fifo_lock, NULL);
	p->pgsz = (uint64_t)sysconf(_SC_PAGESIZE);
	p->base = vm->mem + vm->data_gpa;
	p->npages = vm->data_size / p->pgsz;
	if (!p->npages || ((uintptr_t)p->base & (p->pgsz - 1))) {
		snprintf(err, len, "data region is empty or not page aligned");
		return -EINVAL;
	}
	if (p->npages > UINT32_MAX) {
		snprintf(err, len, "data region too large for the pager (max 2^32 pages)");
		return -E2BIG;
	}

	/* Resident limit: resident_mb, or half the data region when 0. */
	p->limit = cfg->resident_mb ? (uint64_t)cfg->resident_mb * (1ull << 20) / p->pgsz : p->npages / 2;
	p->nr_pagers = o->pager_threads;     /* the option's minimum is 1 */
	uint64_t min_limit = 2ull * p->nr_pagers + 2;
	if (p->limit < min_limit)
		p->limit = min_limit;
	if (p->limit > p->npages)
		p->limit = p->npages;
	/* The evictor trims to leave room for one page per pager in flight,
	 * so pagers rarely have to reclaim themselves. */
	p->low_water = p->limit > p->nr_pagers ? p->limit - p->nr_pagers : p->limit;

	int r = latency__model(&p->lat, o->fault_latency, o->fault_latency_us,
			       o->fault_latency_max_us, o->fault_latency_sigma, err, len);
	if (r)
		return r;
	latency__describe(&p->lat, p->lat_desc, sizeof(p->lat_desc));
	p->file_mode = p->lat.kind == LAT_FILE;
	p->direct = p->file_mode && o->backing_direct;

	/* Every vCPU has at most one fault in flight; VMM threads a few more. */
	p->qdepth = vm->nr_vcpus + 16;
	pthread_mutex_init(&p->q_lock, NULL);
	p->heap = calloc(p->qdepth, sizeof(*p->heap));
	p->queued = calloc(vm->nr_vcpus, sizeof(*p->queued));
	p->qtoken = calloc(vm->nr_vcpus, sizeof(*p->qtoken));
	p->qnext = malloc(vm->nr_vcpus * sizeof(*p->qnext));
	p->qprev = malloc(vm->nr_vcpus * sizeof(*p->qprev));
	p->free_tokens = calloc(p->qdepth, sizeof(*p->free_tokens));
	if (!p->heap || !p->queued || !p->qtoken || !p->qnext || !p->qprev || !p->free_tokens) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	memset(p->qnext, 0xff, vm->nr_vcpus * sizeof(*p->qnext));      /* -1: on no list */
	memset(p->qprev, 0xff, vm->nr_vcpus * sizeof(*p->qprev));
	p->pg = calloc(p->npages, sizeof(*p->pg));
	p->fifo = calloc(p->npages, sizeof(*p->fifo));
	p->page_waiters = malloc(p->npages * sizeof(*p->page_waiters));
	p->pt = calloc(p->nr_pagers, sizeof(*p->pt));
	if (!p->pg || !p->fifo || !p->page_waiters || !p->pt ||
	    posix_memalign((void **)&p->zero, p->pgsz, p->pgsz)) {
		snprintf(err, len, "out of memory for %" PRIu64 " page descriptors", p->npages);
		return -ENOMEM;
	}
	memset(p->page_waiters, 0xff, p->npages * sizeof(*p->page_waiters));   /* -1: nobody queued */
	memset(p->zero, 0, p->pgsz);

	if (p->file_mode) {
		r = pager__open_file(p, err, len);
		if (r)
			return r;
	} else {
		p->store = mmap(NULL, p->npages * p->pgsz, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p->store == MAP_FAILED) {
			p->store = NULL;
			r = -errno;
			snprintf(err, len, "backing store mmap of %" PRIu64 " MiB: %s",
				 (p->npages * p->pgsz) >> 20, strerror(-r));
			return r;
		}
	}

	p->uffd = uffd__open(err, len);
	if (p->uffd < 0)
		return p->uffd;
	p->stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (p->stop_efd < 0) {
		r = -errno;
		snprintf(err, len, "eventfd: %s", strerror(-r));
		return r;
	}

	/* 4 KiB pages only: a THP would be evicted/served as 512 pages at once. */
	madvise(p->base, p->npages * p->pgsz, MADV_NOHUGEPAGE);
	/* Pages already mapped (the VMM may have written some) stay resident
	 * and are tracked; everything else starts MISSING = zero page. */
	unsigned char *vec = malloc(p->npages);
	if (vec && mincore(p->base, p->npages * p->pgsz, vec) == 0) {
		for (uint64_t i = 0; i < p->npages; i++)
			if (vec[i] & 1)
				pager__mark_present(p, i);
	}
	free(vec);

	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)p->base, .len = p->npages * p->pgsz },
		.mode = UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP,
	};
	if (ioctl(p->uffd, UFFDIO_REGISTER, &reg) < 0) {
		r = -errno;
		snprintf(err, len, "UFFDIO_REGISTER of the data region (%" PRIu64 " MiB): %s; the region "
			 "must be private anonymous memory", (p->npages * p->pgsz) >> 20, strerror(-r));
		return r;
	}
	p->registered = true;
	const uint64_t need = (1ull << _UFFDIO_COPY) | (1ull << _UFFDIO_WAKE) | (1ull << _UFFDIO_WRITEPROTECT);
	if ((reg.ioctls & need) != need) {
		snprintf(err, len, "userfaultfd on this region lacks COPY/WAKE/WRITEPROTECT");
		return -ENOTSUP;
	}

	p->evictor.p = p;
	if (pager__bounce(p, &p->evictor)) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	for (unsigned k = 0; k < p->nr_pagers; k++) {
		struct pager_thread *t = &p->pt[k];
		t->p = p;
		t->idx = k;
		t->lat = latency__gen_new(&p->lat, cfg->seed, k);
		if (!t->lat || pager__bounce(p, t)) {
			snprintf(err, len, "out of memory");
			return -ENOMEM;
		}
	}
	return 0;
}

int pager__start(struct pager *p)
{
	for (p->nfree = 0; p->nfree < p->qdepth; p->nfree++) {
		int slot = vm__srcu_helper_slot(p->vm);
		if (slot < 0) {
			pr_err("pressure paging: no SRCU helper slot for fault %u of %u in flight (%s)",
			       p->nfree, p->qdepth, strerror(-slot));
			return slot;
		}
		p->free_tokens[p->nfree] = slot;
	}
	for (unsigned k = 0; k < p->nr_pagers; k++) {
		struct pager_thread *t = &p->pt[k];
		int r = pthread_create(&t->thread, NULL, pager__thread, t);
		if (r)
			return -r;
		t->started = true;
	}
	pager__set_rt(p);
	int r = pthread_create(&p->evictor.thread, NULL, pager__evictor, &p->evictor);
	if (r)
		return -r;
	p->evictor_started = true;
	return 0;
}

void pager__stop(struct pager *p)
{
	if (!p)
		return;
	atomic_store(&p->stop_evict, true);
	if (p->evictor_started) {
		pager__kick_evictor(p);
		pthread_join(p->evictor.thread, NULL);
		p->evictor_started = false;
	}
	/* Bring every saved page back (the pagers may still be serving faults;
	 * the page lock orders us against them), so the region is whole. */
	if (p->registered) {
		p->restoring = true;
		for (uint64_t i = 0; i < p->npages; i++) {
			if (pg__state(p, i) != PG_SAVED)
				continue;
			pg__lock(p, i);
			if (pg__state(p, i) == PG_SAVED) {
				int err;
				const uint8_t *src = backing__load(p, &p->evictor, i, PG_SAVED, &err);
				if (src && pager__install(p, i, src) == 0)
					atomic_fetch_add(&p->restored, 1);
				else
					pager__io_error(p, "restoring a page", err ? err : -EIO);
			}
			pg__unlock(p, i);
		}
	}
	atomic_store(&p->stop_pagers, true);
	if (p->stop_efd >= 0) {
		uint64_t one = 1;
		ssize_t n = write(p->stop_efd, &one, sizeof(one));
		(void)n;
	}
	for (unsigned k = 0; p->pt && k < p->nr_pagers; k++) {
		if (p->pt[k].started) {
			pthread_join(p->pt[k].thread, NULL);
			p->pt[k].started = false;
		}
	}
	/* Faults still in the device: complete them now, so no SRCU read side
	 * is left held on anyone's behalf. */
	pager__drain(p);
	/* Unregistering wakes anyone still waiting; never-saved pages then
	 * fill with zeros as ordinary anonymous memory, which is their content. */
	if (p->registered) {
		struct uffdio_range r = { .start = (uintptr_t)p->base, .len = p->npages * p->pgsz };
		ioctl(p->uffd, UFFDIO_UNREGISTER, &r);
		p->registered = false;
	}
	if (p->vm->metrics)
		p->vm->metrics->resident_peak_pages = atomic_load(&p->peak);
}

void pager__destroy(struct pager *p)
{
	if (!p)
		return;
	pager__stop(p);
	if (p->uffd >= 0)
		close(p->uffd);
	if (p->stop_efd >= 0)
		close(p->stop_efd);
	if (p->fd >= 0)
		close(p->fd);
	if (p->unlink_handle >= 0)
		cleanup__pop(p->unlink_handle, true);
	if (p->store)
		munmap(p->store, p->npages * p->pgsz);
	for (unsigned k = 0; p->pt && k < p->nr_pagers; k++) {
		latency__gen_free(p->pt[k].lat);
		free(p->pt[k].bounce_in);
		free(p->pt[k].bounce_out);
	}
	free(p->evictor.bounce_in);
	free(p->evictor.bounce_out);
	free(p->pt);
	free(p->heap);
	free(p->overflow);
	free(p->queued);
	free(p->qtoken);
	free(p->qnext);
	free(p->qprev);
	free(p->page_waiters);
	free(p->free_tokens);
	if (p->qdepth)
		pthread_mutex_destroy(&p->q_lock);
	free(p->pg);
	free(p->fifo);
	free(p->zero);
	pthread_mutex_destroy(&p->fifo_lock);
	free(p);
}

void pager__stats(struct pager *p, struct pager_stats *s)
{
	memset(s, 0, sizeof(*s));
	if (!p)
		return;
	s->npages = p->npages;
	s->page_size = p->pgsz;
	s->limit_pages = p->limit;
	s->resident = atomic_load(&p->resident);
	s->resident_peak = atomic_load(&p->peak);
	s->faults = atomic_load(&p->faults);
	s->evictions = atomic_load(&p->evictions);
	s->direct_reclaims = atomic_load(&p->direct_reclaims);
	s->dup_faults = atomic_load(&p->dup_faults);
	s->wp_faults = atomic_load(&p->wp_faults);
	s->unknown_vcpu = atomic_load(&p->unknown_vcpu);
	s->restored = atomic_load(&p->restored);
	s->queue_depth = p->qdepth;
	s->max_in_flight = atomic_load(&p->max_in_flight);
	s->queue_full = atomic_load(&p->queue_full);
	s->dup_msgs = atomic_load(&p->dup_msgs);
	s->cowaiters = atomic_load(&p->cowaiters);
	s->rt = p->rt;
	snprintf(s->rt_why, sizeof(s->rt_why), "%s", p->rt_why);
}

const char *pager__backing(struct pager *p)
{
	return p && p->file_mode ? p->path : "memory";
}

const char *pager__latency(struct pager *p)
{
	return p ? p->lat_desc : "";
}
