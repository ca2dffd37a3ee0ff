// SPDX-License-Identifier: MIT
/* userfaultfd pager + evictor for pressure=paging (see pager.h). */
#define _GNU_SOURCE   /* O_DIRECT, mkostemp */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "latency.h"
#include "pager.h"
#include "util.h"
#include "vcpu.h"
#include "vm.h"

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
	_Atomic uint64_t dup_msgs;
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

/* ---- userfaultfd ----------------------------------------------------------- */

static int uffd__open(char *why, size_t len)
{
	/* /dev/userfaultfd (5.11+) is governed by the device's permissions;
	 * the syscall needs root/CAP_SYS_PTRACE or vm.unprivileged_userfaultfd=1
	 * for faults taken in kernel mode (KVM's GUP), so try the device first. */
	int fd = -1, dev_err = 0;
	int dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
	if (dev >= 0) {
		fd = ioctl(dev, USERFAULTFD_IOC_NEW, O_CLOEXEC | O_NONBLOCK);
		dev_err = fd < 0 ? errno : 0;
		close(dev);
	} else {
		dev_err = errno;
	}
	if (fd < 0) {
		fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
		if (fd < 0) {
			int e = errno;
			snprintf(why, len, "userfaultfd unavailable: /dev/userfaultfd: %s; userfaultfd(2): %s; "
				 "run as root, or chmod/setfacl /dev/userfaultfd, or sysctl vm.unprivileged_userfaultfd=1",
				 strerror(dev_err), strerror(e));
			return -e;
		}
	}
	struct uffdio_api api = {
		.api = UFFD_API,
		.features = UFFD_FEATURE_THREAD_ID | UFFD_FEATURE_PAGEFAULT_FLAG_WP,
	};
	if (ioctl(fd, UFFDIO_API, &api) < 0) {
		int e = errno;
		close(fd);
		snprintf(why, len, "userfaultfd lacks THREAD_ID/write-protect support (UFFDIO_API: %s); "
			 "needs Linux >= 5.7 with CONFIG_HAVE_ARCH_USERFAULTFD_WP", strerror(e));
		return -e;
	}
	return fd;
}

bool pager__available(char *why, size_t len)
{
	int fd = uffd__open(why, len);
	if (fd < 0)
		return false;
	/* Probe anonymous MISSING|WP registration on a scratch page. */
	long pgsz = sysconf(_SC_PAGESIZE);
	void *m = mmap(NULL, (size_t)pgsz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bool ok = m != MAP_FAILED;
	if (ok) {
		struct uffdio_register reg = {
			.range = { .start = (uintptr_t)m, .len = (uint64_t)pgsz },
			.mode = UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP,
		};
		if (ioctl(fd, UFFDIO_REGISTER, &reg) < 0) {
			snprintf(why, len, "userfaultfd cannot register anonymous memory in MISSING+WP mode: %s",
				 strerror(errno));
			ok = false;
		}
		munmap(m, (size_t)pgsz);
	} else {
		snprintf(why, len, "mmap: %s", strerror(errno));
	}
	close(fd);
	if (ok && len)
		why[0] = '\0';
	return ok;
}

/* ---- per-page lock ------------------------------------------------------- */

static void pg__lock(struct pager *p, uint64_t i)
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

static bool pg__trylock(struct pager *p, uint64_t i)
{
	uint32_t v = atomic_load(&p->pg[i]);
	return !(v & PG_LOCKED) && atomic_compare_exchange_strong(&p->pg[i], &v, v | PG_LOCKED);
}

static void pg__unlock(struct pager *p, uint64_t i)
{
	uint32_t v = atomic_fetch_and(&p->pg[i], ~(PG_LOCKED | PG_WAITERS));
	if (v & PG_WAITERS)
		futex_wake(&p->pg[i], INT_MAX);
}

static uint32_t pg__state(struct pager *p, uint64_t i)
{
	return atomic_load(&p->pg[i]) & PG_STATE;
}

/* Caller holds the page lock; only the WAITERS bit may change under us. */
static void pg__set_state(struct pager *p, uint64_t i, uint32_t st)
{
	uint32_t v = atomic_load(&p->pg[i]);
	while (!atomic_compare_exchange_weak(&p->pg[i], &v, (v & ~PG_STATE) | st))
		;
}

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
static void pager__mark_present(struct pager *p, uint64_t i)
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

/* ---- backing store ------------------------------------------------------ */

static int store__save(struct pager *p, struct pager_thread *t, uint64_t i, const uint8_t *src)
{
	if (!p->file_mode) {
		memcpy(p->store + i * p->pgsz, src, p->pgsz);
		return 0;
	}
	memcpy(t->bounce_out, src, p->pgsz);
	off_t off = (off_t)(i * p->pgsz);
	for (size_t done = 0; done < p->pgsz;) {
		ssize_t n = pwrite(p->fd, t->bounce_out + done, p->pgsz - done, off + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += (size_t)n;
	}
	return 0;
}

/* Returns where page i's saved content is (the zero page if never saved). */
static const uint8_t *store__load(struct pager *p, struct pager_thread *t, uint64_t i, uint32_t st,
				  int *err)
{
	*err = 0;
	if (!p->file_mode)
		return st == PG_SAVED ? p->store + i * p->pgsz : p->zero;
	/* File mode reads every page, also never-saved ones (a hole reads as
	 * zeros): the file plays the swap device, its real I/O is the latency. */
	off_t off = (off_t)(i * p->pgsz);
	for (size_t done = 0; done < p->pgsz;) {
		ssize_t n = pread(p->fd, t->bounce_in + done, p->pgsz - done, off + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*err = -errno;
			return NULL;
		}
		if (n == 0) {   /* beyond EOF: zeros */
			memset(t->bounce_in + done, 0, p->pgsz - done);
			break;
		}
		done += (size_t)n;
	}
	return t->bounce_in;
}

static void pager__io_error(struct pager *p, const char *what, int err)
{
	int zero = 0;
	if (atomic_compare_exchange_strong(&p->io_error, &zero, err))
		pr_err("pressure paging: %s failed: %s; data in the affected page is lost",
		       what, strerror(-err));
}

/* ---- eviction -------------------------------------------------------------- */

static void uffd__wake(struct pager *p, uint64_t i)
{
	struct uffdio_range r = { .start = (uintptr_t)(p->base + i * p->pgsz), .len = p->pgsz };
	ioctl(p->uffd, UFFDIO_WAKE, &r);
}

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
	int err = store__save(p, t, i, addr);
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
static bool pager__evict_one(struct pager *p, struct pager_thread *t)
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

static void *pager__evictor(void *arg)
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

static void pager__kick_evictor(struct pager *p)
{
	atomic_fetch_add(&p->evict_kick, 1);
	futex_wake(&p->evict_kick, 1);
}

/* ---- fault service ------------------------------------------------------ */

static int pager__vcpu_of(struct pager_thread *t, uint32_t tid)
{
	struct vm *vm = t->p->vm;
	if (tid && tid == t->last_tid)
		return t->last_vcpu;
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpus ? vm->vcpus[i] : NULL;
		if (v && (uint32_t)v->tid == tid) {
			t->last_tid = tid;
			t->last_vcpu = (int)v->id;
			return (int)v->id;
		}
	}
	return -1;
}

/* Timer wakeups run late here (~50-150 us median on a loaded nested
 * guest), which would add to every injected latency; so each pager thread
 * aims early by a running median of the lateness it observed (stochastic
 * median: +-2 us per sample), capped so a long stall does not make it spin. */
static void late__update(struct pager_thread *t, uint64_t target)
{
	uint64_t now = now_ns(), late = now > target ? now - target : 0;

	if (late > t->late_ns && t->late_ns < 500000)
		t->late_ns += 2000;
	else if (late < t->late_ns && t->late_ns >= 2000)
		t->late_ns -= 2000;
}

/* Install page i from src (page lock held, state != PRESENT). */
static int pager__install(struct pager *p, uint64_t i, const uint8_t *src)
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

/* ---- the device queue (q_lock held) -------------------------------------- */

static void heap__push(struct pager *p, const struct pfault *f)
{
	unsigned i = p->nheap++;
	while (i && p->heap[(i - 1) / 2].deadline > f->deadline) {
		p->heap[i] = p->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	p->heap[i] = *f;
}

static struct pfault heap__pop(struct pager *p)
{
	struct pfault top = p->heap[0], last = p->heap[--p->nheap];
	unsigned i = 0;
	for (;;) {
		unsigned c = 2 * i + 1;
		if (c >= p->nheap)
			break;
		if (c + 1 < p->nheap && p->heap[c + 1].deadline < p->heap[c].deadline)
			c++;
		if (p->heap[c].deadline >= last.deadline)
			break;
		p->heap[i] = p->heap[c];
		i = c;
	}
	if (p->nheap)
		p->heap[i] = last;
	return top;
}

/* Admit f into the device: take a slot, hold the VM SRCU read side on the
 * vCPU's behalf from now until the page is in (KVM holds kvm->srcu across
 * its whole fault path), move the vCPU outside guest mode, set the deadline. */
static void pager__admit(struct pager_thread *t, struct pfault *f, uint64_t now)
{
	struct pager *p = t->p;
	struct vm *vm = p->vm;

	f->token = p->free_tokens[--p->nfree];
	srcu__read_lock_behalf(&vm->srcu, (unsigned)f->token, f->vcpu);
	if (now > f->arrival)
		M_HIST(vm, fault_queue_ns, now - f->arrival);    /* waited for a slot */
	/* file mode: the real read at service time is the latency */
	f->deadline = now + (p->lat.kind == LAT_FILE || !t->lat ? 0 : latency__sample(t->lat));
	heap__push(p, f);
	uint64_t inflight = p->qdepth - p->nfree, mx = atomic_load(&p->max_in_flight);
	if (inflight > mx)
		atomic_store(&p->max_in_flight, inflight);
}

static void overflow__push(struct pager *p, const struct pfault *f)
{
	if (p->nover == p->over_cap) {
		/* grow, unrolling the ring into the new array */
		unsigned cap = p->over_cap ? 2 * p->over_cap : 64;
		struct pfault *n = xcalloc(cap, sizeof(*n));
		for (unsigned k = 0; k < p->nover; k++)
			n[k] = p->overflow[(p->over_head + k) % p->over_cap];
		free(p->overflow);
		p->overflow = n;
		p->over_cap = cap;
		p->over_head = 0;
	}
	p->overflow[(p->over_head + p->nover++) % p->over_cap] = *f;
}

static void pager__arrival(struct pager_thread *t, const struct uffd_msg *msg, uint64_t now)
{
	struct pager *p = t->p;
	struct vm *vm = p->vm;
	uintptr_t addr = (uintptr_t)msg->arg.pagefault.address & ~(uintptr_t)(p->pgsz - 1);
	struct pfault f = { .arrival = now, .token = -1, .mode = -1 };

	if (addr < (uintptr_t)p->base || addr >= (uintptr_t)p->base + p->npages * p->pgsz)
		return;
	f.page = (addr - (uintptr_t)p->base) / p->pgsz;
	f.vcpu = pager__vcpu_of(t, msg->arg.pagefault.feat.ptid);
	f.wp = msg->arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP;
	if (f.vcpu < 0)
		atomic_fetch_add(&p->unknown_vcpu, 1);
	if (f.wp)
		atomic_fetch_add(&p->wp_faults, 1);
	pthread_mutex_lock(&p->q_lock);
	/* A vCPU blocks in one fault at a time: a second message for the page
	 * it already waits on is the same fault retried (a signal woke it, or
	 * KVM retried the access); the install wakes it all the same. */
	if (f.vcpu >= 0 && p->queued[f.vcpu] == f.page + 1) {
		pthread_mutex_unlock(&p->q_lock);
		atomic_fetch_add(&p->dup_msgs, 1);
		return;
	}
	if (f.vcpu >= 0) {
		p->queued[f.vcpu] = f.page + 1;
		/* In service from the moment we know of it: outside guest mode. */
		f.mode = vcpu__fault_begin(vm->vcpus[f.vcpu]);
	}
	if (p->nfree) {
		pager__admit(t, &f, now);
	} else {
		/* queue depth reached: wait in FIFO order for a slot */
		overflow__push(p, &f);
		atomic_fetch_add(&p->queue_full, 1);
	}
	pthread_mutex_unlock(&p->q_lock);
}

/* Complete f at its deadline: install the page and let the vCPU go. */
static void pager__serve(struct pager_thread *t, struct pfault *f)
{
	struct pager *p = t->p;
	struct vm *vm = p->vm;
	uint64_t i = f->page;
	struct vcpu *v = f->vcpu >= 0 ? vm->vcpus[f->vcpu] : NULL;
	int err = 0;

	pg__lock(p, i);
	uint32_t st = pg__state(p, i);
	if (st == PG_PRESENT) {
		/* Another fault on the same page was served already, or a WP
		 * fault whose eviction was aborted: just let it retry. */
		if (v)
			vcpu__fault_end(v, f->mode);
		uffd__wake(p, i);
		pg__unlock(p, i);
		if (v && f->mode >= 0)
			vcpu__fault_resume(v);
		atomic_fetch_add(&p->dup_faults, 1);
		goto done;
	}
	/* Direct reclaim: at the limit, make room before adding a page, so
	 * resident <= limit + pages in flight in the pagers. */
	bool reclaimed = false;
	while (atomic_load(&p->resident) >= p->limit && pager__evict_one(p, t))
		reclaimed = true;
	if (reclaimed)
		atomic_fetch_add(&p->direct_reclaims, 1);
	const uint8_t *src = store__load(p, t, i, st, &err);
	if (!src) {
		pager__io_error(p, "reading a page from the backing file", err);
		src = p->zero;
	}
	if (v)
		vcpu__fault_end(v, f->mode);   /* before the copy wakes it: no ABA */
	err = pager__install(p, i, src);
	pg__unlock(p, i);
	if (v && f->mode >= 0)
		vcpu__fault_resume(v);         /* requests made meanwhile: after the copy */
	if (err) {
		pager__io_error(p, "UFFDIO_COPY", err);
		goto done;
	}
	if (atomic_load(&p->resident) > p->low_water)
		pager__kick_evictor(p);
	atomic_fetch_add(&p->faults, 1);
	M_INC(vm, faults);
	/* from the userfaultfd read: includes any wait for a slot or a thread */
	M_HIST(vm, fault_ns, now_ns() - f->arrival);
done:
	srcu__read_unlock(&vm->srcu, (unsigned)f->token);
	pthread_mutex_lock(&p->q_lock);
	p->free_tokens[p->nfree++] = f->token;
	if (p->nover) {
		struct pfault o = p->overflow[p->over_head];
		p->over_head = (p->over_head + 1) % p->over_cap;
		p->nover--;
		pager__admit(t, &o, now_ns());
	}
	pthread_mutex_unlock(&p->q_lock);
}

/* Serve every fault whose deadline has come (aiming early by this thread's
 * timer lateness); returns the next deadline, 0 if none is queued. */
static uint64_t pager__serve_due(struct pager_thread *t)
{
	struct pager *p = t->p;

	for (;;) {
		uint64_t now = now_ns();
		pthread_mutex_lock(&p->q_lock);
		if (!p->nheap) {
			pthread_mutex_unlock(&p->q_lock);
			return 0;
		}
		uint64_t next = p->heap[0].deadline;
		if (next > now + t->late_ns) {
			pthread_mutex_unlock(&p->q_lock);
			return next;
		}
		struct pfault f = heap__pop(p);
		if (f.vcpu >= 0 && p->queued[f.vcpu] == f.page + 1)
			p->queued[f.vcpu] = 0;      /* a new message now is a new fault */
		pthread_mutex_unlock(&p->q_lock);
		/* within late_ns of it: a timer would wake us late, so wait out
		 * the rest (bounded by late_ns, a few tens of us) */
		while (now_ns() < f.deadline)
			cpu_relax();
		uint64_t start = now_ns();
		if (start > f.deadline)
			M_HIST(p->vm, fault_queue_ns, start - f.deadline);   /* late: no thread free */
		pager__serve(t, &f);
	}
}

static void *pager__thread(void *arg)
{
	struct pager_thread *t = arg;
	struct pager *p = t->p;
	/* Default 50 us timer slack would add to every injected latency. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	struct pollfd fds[2] = {
		{ .fd = p->uffd, .events = POLLIN },
		{ .fd = p->stop_efd, .events = POLLIN },
	};
	while (!atomic_load(&p->stop_pagers)) {
		uint64_t next = pager__serve_due(t), now = now_ns();
		uint64_t wait = 100ull * 1000 * 1000, target = 0;
		if (next) {
			target = next > t->late_ns ? next - t->late_ns : next;
			wait = target > now ? target - now : 0;
		}
		struct timespec ts = { (time_t)(wait / 1000000000ull), (long)(wait % 1000000000ull) };
		int n = ppoll(fds, 2, &ts, NULL);
		if (n < 0 && errno != EINTR)
			break;
		if (n == 0 && target)
			late__update(t, target);
		if (n > 0 && fds[1].revents)
			break;
		if (n > 0 && (fds[0].revents & POLLIN)) {
			struct uffd_msg msg;
			/* drain: every fault gets its arrival time now, not after
			 * the previous one's service */
			while (read(p->uffd, &msg, sizeof(msg)) == (ssize_t)sizeof(msg))
				if (msg.event == UFFD_EVENT_PAGEFAULT)
					pager__arrival(t, &msg, now_ns());
		}
	}
	return NULL;
}

/* Real-time priority for the pager threads where permitted: a device
 * completes on time whatever the CPUs do; on an overcommitted host a
 * SCHED_OTHER pager waits behind runnable vCPU threads and its latency
 * becomes host scheduling, not L (evidence: 0.5 ms vs 4.9 ms p99). */
static void pager__set_rt(struct pager *p)
{
	struct sched_param sp = { .sched_priority = 50 };

	if (!p->vm->cfg->pager_rt) {
		snprintf(p->rt_why, sizeof(p->rt_why), "pager_rt=false");
		return;
	}
	for (unsigned k = 0; k < p->nr_pagers; k++) {
		int r = pthread_setschedparam(p->pt[k].thread, SCHED_FIFO, &sp);
		if (r) {
			snprintf(p->rt_why, sizeof(p->rt_why), "SCHED_FIFO refused: %s", strerror(r));
			for (unsigned j = 0; j < k; j++) {
				struct sched_param z = { 0 };
				pthread_setschedparam(p->pt[j].thread, SCHED_OTHER, &z);
			}
			return;
		}
	}
	p->rt = true;
	snprintf(p->rt_why, sizeof(p->rt_why), "SCHED_FIFO priority %d", sp.sched_priority);
}

/* ---- lifecycle ----------------------------------------------------------- */

static void pager__unlink_action(void *arg)
{
	struct pager *p = arg;
	unlink(p->path);    /* async-signal-safe */
}

static int pager__open_file(struct pager *p, char *err, size_t len)
{
	const char *cfgpath = p->vm->cfg->backing_file;
	const char *dir = "/var/tmp";
	struct stat sb;
	int oflags = O_RDWR | O_CLOEXEC | (p->direct ? O_DIRECT : 0);

	if (cfgpath[0] && !(stat(cfgpath, &sb) == 0 && S_ISDIR(sb.st_mode))) {
		/* A file path: create it (never overwrite somebody's file) and
		 * remove it at teardown, or on Ctrl-C. */
		snprintf(p->path, sizeof(p->path), "%s", cfgpath);
		p->unlink_handle = cleanup__push("remove paging backing file", pager__unlink_action, p);
		p->fd = open(p->path, oflags | O_CREAT | O_EXCL, 0600);
		if (p->fd < 0) {
			int e = errno;
			cleanup__pop(p->unlink_handle, false);
			p->unlink_handle = -1;
			snprintf(err, len, "backing_file %s: %s; %s", p->path, strerror(e),
				 e == EEXIST ? "give a path that does not exist yet, or a directory" :
				 e == EINVAL && p->direct ? "its filesystem has no O_DIRECT: set backing_direct=0" :
				 "pick a writable location");
			return -e;
		}
	} else {
		if (cfgpath[0])
			dir = cfgpath;
		snprintf(p->path, sizeof(p->path), "%s/flushbench-pager-XXXXXX", dir);
		int fd = mkostemp(p->path, O_CLOEXEC);
		if (fd < 0) {
			int e = errno;
			snprintf(err, len, "cannot create a backing file in %s: %s; set backing_file to a "
				 "writable directory", dir, strerror(e));
			return -e;
		}
		if (p->direct) {
			p->fd = open(p->path, oflags);
			int e = errno;
			close(fd);
			if (p->fd < 0) {
				unlink(p->path);
				snprintf(err, len, "backing file in %s: O_DIRECT: %s; set backing_direct=0 or "
					 "use a directory on a filesystem that supports it", dir, strerror(e));
				return -e;
			}
		} else {
			p->fd = fd;
		}
		/* Unlinked at once: nothing is left behind even after SIGKILL. */
		unlink(p->path);
	}
	if (ftruncate(p->fd, (off_t)(p->npages * p->pgsz)) < 0) {
		int e = errno;
		snprintf(err, len, "backing file %s: ftruncate to %" PRIu64 " bytes: %s", p->path,
			 p->npages * p->pgsz, strerror(e));
		return -e;
	}
	return 0;
}

static int pager__bounce(struct pager *p, struct pager_thread *t)
{
	if (!p->file_mode)
		return 0;
	if (posix_memalign((void **)&t->bounce_in, p->pgsz, p->pgsz) ||
	    posix_memalign((void **)&t->bounce_out, p->pgsz, p->pgsz))
		return -ENOMEM;
	return 0;
}

int pager__create(struct pager **out, struct vm *vm, char *err, size_t len)
{
	const struct run_config *cfg = vm->cfg;
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
	p->nr_pagers = cfg->pager_threads ? cfg->pager_threads : 1;
	uint64_t min_limit = 2ull * p->nr_pagers + 2;
	if (p->limit < min_limit)
		p->limit = min_limit;
	if (p->limit > p->npages)
		p->limit = p->npages;
	/* The evictor trims to leave room for one page per pager in flight,
	 * so pagers rarely have to reclaim themselves. */
	p->low_water = p->limit > p->nr_pagers ? p->limit - p->nr_pagers : p->limit;

	int r = latency__model(&p->lat, cfg->fault_latency, cfg->fault_latency_us,
			       cfg->fault_latency_max_us, cfg->fault_latency_sigma, err, len);
	if (r)
		return r;
	latency__describe(&p->lat, p->lat_desc, sizeof(p->lat_desc));
	p->file_mode = p->lat.kind == LAT_FILE;
	p->direct = p->file_mode && cfg->backing_direct;

	/* Every vCPU has at most one fault in flight; VMM threads a few more. */
	p->qdepth = vm->nr_vcpus + 16;
	pthread_mutex_init(&p->q_lock, NULL);
	p->heap = calloc(p->qdepth, sizeof(*p->heap));
	p->queued = calloc(vm->nr_vcpus, sizeof(*p->queued));
	p->free_tokens = calloc(p->qdepth, sizeof(*p->free_tokens));
	if (!p->heap || !p->queued || !p->free_tokens) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	p->pg = calloc(p->npages, sizeof(*p->pg));
	p->fifo = calloc(p->npages, sizeof(*p->fifo));
	p->pt = calloc(p->nr_pagers, sizeof(*p->pt));
	if (!p->pg || !p->fifo || !p->pt || posix_memalign((void **)&p->zero, p->pgsz, p->pgsz)) {
		snprintf(err, len, "out of memory for %" PRIu64 " page descriptors", p->npages);
		return -ENOMEM;
	}
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
				const uint8_t *src = store__load(p, &p->evictor, i, PG_SAVED, &err);
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
	while (p->heap && (p->nheap || p->nover)) {
		pthread_mutex_lock(&p->q_lock);
		struct pfault f = p->nheap ? heap__pop(p) : p->overflow[p->over_head];
		if (f.token < 0) {        /* overflow entry: never admitted */
			p->over_head = (p->over_head + 1) % p->over_cap;
			p->nover--;
			pthread_mutex_unlock(&p->q_lock);
			if (f.vcpu >= 0)
				vcpu__fault_end(p->vm->vcpus[f.vcpu], f.mode);
			continue;      /* unregistering below wakes it */
		}
		pthread_mutex_unlock(&p->q_lock);
		pager__serve(&p->evictor, &f);
	}
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
