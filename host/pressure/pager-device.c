// SPDX-License-Identifier: MIT
/* The pager's fault device: faults in flight by deadline, slots, retries, overflow (see pager-int.h). */
#include <linux/userfaultfd.h>

#include "pager-int.h"
#include "vcpu.h"
#include "vm.h"

/* The vCPU whose thread took the fault (-1: none, e.g. the VMM). */
static int pager__vcpu_of(struct pager_thread *t, uint32_t tid)
{
	struct vm *vm = t->p->vm;
	if (tid && tid == t->last_tid)
		return t->last_vcpu;
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpus ? vm->vcpus[i] : NULL;
		if (v && (uint32_t)__atomic_load_n(&v->tid, __ATOMIC_ACQUIRE) == tid) {
			t->last_tid = tid;
			t->last_vcpu = (int)v->id;
			return (int)v->id;
		}
	}
	return -1;
}


/* ---- the device queue (q_lock held) -------------------------------------- */

/* vCPU v's fault in the device is on page i: queued[v], and v on i's list. */
static void queue__link(struct pager *p, int v, uint64_t i)
{
	p->queued[v] = i + 1;
	p->qprev[v] = -1;
	p->qnext[v] = p->page_waiters[i];
	if (p->qnext[v] >= 0)
		p->qprev[p->qnext[v]] = v;
	p->page_waiters[i] = v;
}

/* v has no fault in the device any more (a new message is a new fault). */
static void queue__unlink(struct pager *p, int v)
{
	if (!p->queued[v])
		return;
	if (p->qprev[v] >= 0)
		p->qnext[p->qprev[v]] = p->qnext[v];
	else
		p->page_waiters[p->queued[v] - 1] = p->qnext[v];
	if (p->qnext[v] >= 0)
		p->qprev[p->qnext[v]] = p->qprev[v];
	p->qnext[v] = p->qprev[v] = -1;
	p->queued[v] = 0;
}

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

void pager__arrival(struct pager_thread *t, const struct uffd_msg *msg, uint64_t now)
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
		queue__unlink(p, f.vcpu);          /* a fault on another page is over */
		queue__link(p, f.vcpu, f.page);
		/* In service from the moment we know of it: outside guest mode. */
		f.mode = vcpu__fault_begin(vm->vcpus[f.vcpu]);
		p->qtoken[f.vcpu] = f.mode;
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

/* The install or wake of page i also let go every other vCPU blocked on
 * it: their faults end now, not at their own deadline (by then they may run
 * or be in another fault).  Their records stay queued and find the page
 * present; vcpu__fault_end() ignores their stale tokens. */
static void pager__end_cowaiters(struct pager *p, uint64_t i, int except)
{
	pthread_mutex_lock(&p->q_lock);
	for (int w = p->page_waiters[i], next; w >= 0; w = next) {   /* page i's list only */
		next = p->qnext[w];
		if (w == except)
			continue;
		queue__unlink(p, w);               /* a new message now is a new fault */
		atomic_fetch_add_explicit(&p->cowaiters, 1, memory_order_relaxed);
		if (p->qtoken[w] >= 0) {
			vcpu__fault_end(p->vm->vcpus[w], p->qtoken[w]);
			vcpu__fault_resume(p->vm->vcpus[w]);
		}
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
		pager__end_cowaiters(p, i, f->vcpu);
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
	const uint8_t *src = backing__load(p, t, i, st, &err);
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
	if (!err)
		pager__end_cowaiters(p, i, f->vcpu);
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
uint64_t pager__serve_due(struct pager_thread *t)
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
			queue__unlink(p, f.vcpu);   /* a new message now is a new fault */
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

/* Complete every fault still in the device now (the pager threads have
 * stopped), so no SRCU read side is left held on anyone's behalf; entries
 * never admitted only leave the fault (unregistering wakes them). */
void pager__drain(struct pager *p)
{
	while (p->heap && (p->nheap || p->nover)) {
		pthread_mutex_lock(&p->q_lock);
		struct pfault f = p->nheap ? heap__pop(p) : p->overflow[p->over_head];
		if (f.token < 0) {        /* overflow entry: never admitted */
			p->over_head = (p->over_head + 1) % p->over_cap;
			p->nover--;
			pthread_mutex_unlock(&p->q_lock);
			if (f.vcpu >= 0)
				vcpu__fault_end(p->vm->vcpus[f.vcpu], f.mode);
			continue;      /* pager__stop() unregistering wakes it */
		}
		pthread_mutex_unlock(&p->q_lock);
		pager__serve(&p->evictor, &f);
	}
}
