/* SPDX-License-Identifier: MIT */
/*
 * srcu: the RFC's design (KVM_HYPERV_SET_TLB_FLUSH_INHIBIT v1).
 *
 * Flusher, inside the VM SRCU read side: saw inhibit set -> publish
 * waiting_on + suspended.  Uninhibit: clear the flag, synchronize the
 * VM-wide SRCU so every flusher that saw it set has published (it was a
 * pre-existing reader), then scan ALL vCPUs for those waiting on us.
 * Cost: the grace period waits for every reader of the VM domain - any vCPU
 * handling an exit or faulting memory - and the scan is O(nr_vcpus).
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "design.h"
#include "flush.h"
#include "util.h"
#include "vcpu.h"

#include "design-srcu.h"

/* design_stats, counted by the uninhibiting vCPU in its own slot */
struct srcu_stats {
	_Alignas(64) _Atomic uint64_t uninhibits;
	_Atomic uint64_t grace_periods;     /* completed: vmm and/or kernel per srcu_gp */
	_Atomic uint64_t scanned;           /* vCPUs looked at */
	_Atomic uint64_t woken;
};

/* the design's own state (vm->design_priv) */
struct srcu_vm {
	unsigned nr;
	struct srcu_stats v[];
};

int design_srcu__init(struct vm *vm)
{
	struct srcu_vm *d;

	if (posix_memalign((void **)&d, 64, sizeof(*d) + vm->nr_vcpus * sizeof(d->v[0])))
		return -ENOMEM;
	memset(d, 0, sizeof(*d) + vm->nr_vcpus * sizeof(d->v[0]));
	d->nr = vm->nr_vcpus;
	vm->design_priv = d;
	return 0;
}

void design_srcu__exit(struct vm *vm)
{
	free(vm->design_priv);
	vm->design_priv = NULL;
}

json_t *design_srcu__report(struct vm *vm)
{
	struct srcu_vm *d = vm->design_priv;
	uint64_t u = 0, gp = 0, sc = 0, w = 0;

	for (unsigned i = 0; d && i < d->nr; i++) {
		u += atomic_load(&d->v[i].uninhibits);
		gp += atomic_load(&d->v[i].grace_periods);
		sc += atomic_load(&d->v[i].scanned);
		w += atomic_load(&d->v[i].woken);
	}
	json_t *o = json_pack("{s:I,s:I,s:I,s:I}", "uninhibits", (json_int_t)u, "grace_periods", (json_int_t)gp,
			      "vcpus_scanned", (json_int_t)sc, "woken", (json_int_t)w);
	if (w)          /* no wake: no ratio (never a 0 without samples) */
		json_object_set_new(o, "scanned_per_wake", json_real((double)sc / (double)w));
	return o;
}

bool design_srcu__suspend(struct vcpu *f, struct vcpu *t, uint64_t seq)
{
	/* The caller read inhibit=set inside our read side; the grace period
	 * in uninhibit covers the window until this publish. */
	design__race(f->vm, RACE_PUBLISH);
	flush__publish_suspend(f, t, seq);
	return true;
}

unsigned design_srcu__scan(struct vcpu *t, uint64_t seq, design_wake_fn *wake)
{
	struct vm *vm = t->vm;
	unsigned n = 0;

	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *f = vm->vcpus[i];
		if (atomic_load_explicit(&f->suspended, memory_order_acquire) &&
		    atomic_load_explicit(&f->waiting_on, memory_order_relaxed) == (int)t->id)
			n += wake(f, t, seq);
	}
	M_HIST(vm, scanned, vm->nr_vcpus);
	return n;
}

void design_srcu__unsuspend(struct vcpu *t, bool gp, design_wake_fn *wake)
{
	/* counted only where vm->design_priv is srcu's own (not for a design
	 * that borrows this uninhibit without srcu's init) */
	struct srcu_vm *d = t->vm->design->init == design_srcu__init ? t->vm->design_priv : NULL;
	uint64_t seq = flush__clear_inhibit(t);
	unsigned gps = 0;

	design__race(t->vm, RACE_SCAN);
	if (gp)
		gps = flush__grace_period(t->vm);
	unsigned woken = design_srcu__scan(t, seq, wake);
	if (d) {
		struct srcu_stats *s = &d->v[t->id];
		atomic_fetch_add_explicit(&s->uninhibits, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&s->grace_periods, gps, memory_order_relaxed);
		atomic_fetch_add_explicit(&s->scanned, t->vm->nr_vcpus, memory_order_relaxed);
		atomic_fetch_add_explicit(&s->woken, woken, memory_order_relaxed);
	}
}

void design_srcu__uninhibit(struct vcpu *t)
{
	design_srcu__unsuspend(t, true, flush__wake_flusher);
}

const struct design_ops design_srcu = {
	.name = "srcu",
	.desc = "RFC: clear inhibit, synchronize the VM-wide SRCU, scan all vCPUs",
	.version = DESIGN_OPS_VERSION,
	.flags = DESIGN_F_GP,
	.init = design_srcu__init,
	.exit = design_srcu__exit,
	.suspend = design_srcu__suspend,
	.uninhibit = design_srcu__uninhibit,
	.report = design_srcu__report,
};
