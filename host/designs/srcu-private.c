/* SPDX-License-Identifier: MIT */
/*
 * srcu-private: the inhibit state is published RCU-style (an __rcu pointer,
 * as review asked) and protected by a dedicated SRCU domain that only
 * flushers read, and only around "dereference state + publish waiting_on".
 * Uninhibit: rcu_assign_pointer(state, NULL), synchronize THAT domain (its
 * readers are a handful of instructions, never a page fault), free the old
 * state, scan all vCPUs.  Costs one more SRCU domain (memory, and a grace
 * period per uninhibit) but no longer waits for unrelated vCPUs.
 *
 * Ordering: a flusher that dereferenced a non-NULL state did so inside a
 * read-side section; if that section began before the writer's grace period
 * started, the writer waits for it, so the scan sees the published waiter;
 * if it began after, its dereference is ordered after the NULL store (the
 * reader's registration and the writer's epoch bump are both full fences)
 * and it sees NULL instead.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "design.h"
#include "flush.h"
#include "util.h"
#include "vcpu.h"

#include "design-srcu.h"

struct inhibit_state {
	uint64_t seq;
};

struct sp_vcpu {
	_Atomic(struct inhibit_state *) state;   /* __rcu */
	/* design_stats, each written by this vCPU's thread only */
	_Atomic uint64_t read_sections;    /* as a flusher: sections of the private domain */
	_Atomic uint64_t stale;            /* ... that found the state gone or of another cycle */
	_Atomic uint64_t grace_periods;    /* as a target: private grace periods waited for */
	_Atomic uint64_t gp_ns;            /* ... their total wait */
	_Atomic uint64_t woken;            /* flushers its scans woke */
};

/* the design's own state (vm->design_priv): its dedicated SRCU domain */
struct sp_vm {
	struct srcu_struct srcu;
};

static struct srcu_struct *sp__srcu(struct vm *vm)
{
	return &((struct sp_vm *)vm->design_priv)->srcu;
}


static int sp__init(struct vm *vm)
{
	struct sp_vm *d = xzalloc(sizeof(*d));

	if (srcu__init(&d->srcu, "flush", vm->nr_vcpus)) {
		free(d);
		return -ENOMEM;
	}
	vm->design_priv = d;
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		vm->vcpus[i]->design_priv = xzalloc(sizeof(struct sp_vcpu));
	return 0;
}

static void sp__exit(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct sp_vcpu *p = vm->vcpus[i]->design_priv;
		if (p)
			free(atomic_load(&p->state));
		free(p);
		vm->vcpus[i]->design_priv = NULL;
	}
	srcu__exit(sp__srcu(vm));
	free(vm->design_priv);
	vm->design_priv = NULL;
}

static void sp__inhibit(struct vcpu *t, uint64_t seq)
{
	struct sp_vcpu *p = t->design_priv;
	struct inhibit_state *s = xzalloc(sizeof(*s));

	s->seq = seq;
	atomic_store_explicit(&p->state, s, memory_order_release);   /* rcu_assign_pointer */
}

static bool sp__suspend(struct vcpu *f, struct vcpu *t, uint64_t seq)
{
	struct vm *vm = f->vm;
	struct sp_vcpu *p = t->design_priv;
	bool suspended = false;

	srcu__read_lock(sp__srcu(vm), f->id);
	struct inhibit_state *s = atomic_load_explicit(&p->state, memory_order_acquire);  /* srcu_dereference */
	if (s && s->seq == seq) {
		design__race(vm, RACE_PUBLISH);
		flush__publish_suspend(f, t, s->seq);
		suspended = true;
	}
	srcu__read_unlock(sp__srcu(vm), f->id);
	struct sp_vcpu *me = f->design_priv;
	atomic_fetch_add_explicit(&me->read_sections, 1, memory_order_relaxed);
	if (!suspended)
		atomic_fetch_add_explicit(&me->stale, 1, memory_order_relaxed);
	return suspended;
}

static void sp__uninhibit(struct vcpu *t)
{
	struct vm *vm = t->vm;
	struct sp_vcpu *p = t->design_priv;
	uint64_t seq = flush__clear_inhibit(t);
	struct inhibit_state *old = atomic_exchange(&p->state, NULL);

	design__race(vm, RACE_SCAN);
	uint64_t gp_ns = srcu__synchronize(sp__srcu(vm), NULL);
	flush__record_gp(vm, gp_ns);
	M_INC(vm, grace_periods);
	free(old);                      /* no reader can still see it */
	unsigned woken = design_srcu__scan(t, seq, flush__wake_flusher);
	atomic_fetch_add_explicit(&p->grace_periods, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&p->gp_ns, gp_ns, memory_order_relaxed);
	atomic_fetch_add_explicit(&p->woken, woken, memory_order_relaxed);
}

/* Its own domain's figures: readers are flushers only, so grace periods
 * wait for a few instructions, not for every vCPU outside the guest. */
static json_t *sp__report(struct vm *vm)
{
	uint64_t rs = 0, st = 0, gp = 0, ns = 0, w = 0;

	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct sp_vcpu *p = vm->vcpus[i]->design_priv;
		if (!p)
			continue;
		rs += atomic_load(&p->read_sections);
		st += atomic_load(&p->stale);
		gp += atomic_load(&p->grace_periods);
		ns += atomic_load(&p->gp_ns);
		w += atomic_load(&p->woken);
	}
	json_t *o = json_pack("{s:I,s:I,s:I,s:I,s:I}", "read_sections", (json_int_t)rs,
			      "stale_reads", (json_int_t)st, "grace_periods", (json_int_t)gp,
			      "vcpus_scanned", (json_int_t)(gp * vm->nr_vcpus), "woken", (json_int_t)w);
	if (gp)         /* no grace period: no mean (never a 0 without samples) */
		json_object_set_new(o, "grace_period_mean_ns", json_real((double)ns / (double)gp));
	return o;
}

const struct design_ops design_srcu_private = {
	.name = "srcu-private",
	.desc = "inhibit state as an RCU pointer + a flusher-only SRCU domain; sync that, scan all",
	.version = DESIGN_OPS_VERSION,
	.flags = 0,
	.init = sp__init,
	.exit = sp__exit,
	.inhibit = sp__inhibit,
	.suspend = sp__suspend,
	.uninhibit = sp__uninhibit,
	.report = sp__report,
};
