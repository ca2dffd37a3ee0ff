/* SPDX-License-Identifier: MIT */
/*
 * targeted: no grace period.  A flusher registers on the target's waiter
 * list, then re-checks the inhibit; the uninhibitor clears the inhibit, then
 * collects the list and wakes exactly those waiters.
 *
 * Ordering ("either I see inhibit=false or the uninhibitor sees me"):
 *   flusher:     add self to list (under t's lock); smp_mb(); read inhibit
 *   uninhibitor: write inhibit=false;              smp_mb(); take list (lock)
 * Store-buffering with a full barrier on each side: at least one side sees
 * the other's store.  (The lock alone already orders the two critical
 * sections; the barriers mirror __kvm_make_request()'s smp_wmb pairing with
 * kvm_check_request()'s smp_mb__after_atomic, which is what KVM would rely
 * on if the waiter set were a request bit.)  If the re-check finds the
 * inhibit cleared - or a newer inhibit cycle - the flusher takes itself off
 * the list and retries the flush; imprecise wakeups are fine, the hypercall
 * is simply re-issued.
 */
#include <stdatomic.h>
#include <sched.h>
#include <stdlib.h>

#include "design.h"
#include "flush.h"
#include "util.h"
#include "vcpu.h"

#include "targeted.h"

static struct tg_vcpu *tg(struct vcpu *v) { return v->design_priv; }

int design_targeted__init(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct tg_vcpu *p = xzalloc(sizeof(*p));
		pthread_mutex_init(&p->lock, NULL);
		p->on = -1;
		p->vcpu = vm->vcpus[i];
		vm->vcpus[i]->design_priv = p;
	}
	return 0;
}

void design_targeted__exit(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct tg_vcpu *p = tg(vm->vcpus[i]);
		if (!p)
			continue;
		pthread_mutex_destroy(&p->lock);
		free(p);
		vm->vcpus[i]->design_priv = NULL;
	}
}

/* Remove w from t's list if still there.  Caller holds t's lock. */
static bool tg__unlink(struct tg_vcpu *t, struct tg_vcpu *w)
{
	for (struct tg_vcpu **pp = &t->waiters; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			w->next = NULL;
			w->on = -1;
			t->nr_waiters--;
			return true;
		}
	}
	return false;
}

bool design_targeted__suspend(struct vcpu *f, struct vcpu *t, uint64_t seq)
{
	struct tg_vcpu *F = tg(f), *T = tg(t);

	design__race(f->vm, RACE_PUBLISH);
	pthread_mutex_lock(&T->lock);
	F->next = T->waiters;
	T->waiters = F;
	F->on = (int)t->id;
	if (++T->nr_waiters > T->max_waiters)
		T->max_waiters = T->nr_waiters;
	flush__publish_suspend(f, t, seq);
	pthread_mutex_unlock(&T->lock);
	atomic_fetch_add_explicit(&F->registrations, 1, memory_order_relaxed);

	atomic_thread_fence(memory_order_seq_cst);          /* smp_mb() */
	uint64_t w = atomic_load(&t->inhibit);

	if (inhibit_word_set(w)) {
		/* We wait for the cycle we see now that we are registered (the
		 * target may have moved on while we got here); a wake that came
		 * already was for a cycle during which we were registered. */
		pthread_mutex_lock(&f->wake_lock);
		atomic_store(&f->waiting_seq, atomic_load(&f->suspended) ? inhibit_word_seq(w)
							       : atomic_load(&f->woken_by_seq));
		pthread_mutex_unlock(&f->wake_lock);
		return true;
	}

	/* Cleared since we looked: retry instead. */
	pthread_mutex_lock(&T->lock);
	bool mine = tg__unlink(T, F);
	pthread_mutex_unlock(&T->lock);
	if (mine) {
		pthread_mutex_lock(&f->wake_lock);
		bool still = atomic_load(&f->suspended);
		if (still) {
			flush__retract_suspend(f);      /* retracted: not a suspension */
			atomic_fetch_add_explicit(&F->retracted, 1, memory_order_relaxed);
		}
		pthread_mutex_unlock(&f->wake_lock);
		return !still;
	}
	/* An uninhibitor took us off the list: its wake is imminent.  Wait
	 * for it so the oracle knows which cycle we were registered for. */
	while (atomic_load(&f->suspended) && !atomic_load(&f->vm->stopping))
		sched_yield();
	pthread_mutex_lock(&f->wake_lock);
	if (!atomic_load(&f->suspended))
		atomic_store(&f->waiting_seq, atomic_load(&f->woken_by_seq));
	pthread_mutex_unlock(&f->wake_lock);
	return true;
}

void design_targeted__resume(struct vcpu *f)
{
	struct tg_vcpu *F = tg(f);
	int on = F->on;

	/* Normally the uninhibitor unlinked us (defensive: nothing else wakes). */
	if (on >= 0) {
		struct tg_vcpu *T = tg(f->vm->vcpus[on]);
		pthread_mutex_lock(&T->lock);
		if (tg__unlink(T, F))
			atomic_fetch_add_explicit(&F->stale, 1, memory_order_relaxed);
		pthread_mutex_unlock(&T->lock);
	}
}

struct tg_vcpu *design_targeted__take_waiters(struct vcpu *t)
{
	struct tg_vcpu *T = tg(t);

	atomic_thread_fence(memory_order_seq_cst);          /* smp_mb() after the clear */
	design__race(t->vm, RACE_SCAN);
	pthread_mutex_lock(&T->lock);
	struct tg_vcpu *list = T->waiters;
	T->waiters = NULL;
	T->taken += T->nr_waiters;
	T->nr_waiters = 0;
	for (struct tg_vcpu *w = list; w; w = w->next)
		w->on = -1;
	pthread_mutex_unlock(&T->lock);
	return list;
}

/*
 * registrations = suspensions + retracted (each registration either
 * suspends the flusher or is taken back before it suspends), and every
 * registration leaves its list once: taken by an uninhibit, retracted,
 * unlinked at resume (stale), or still listed when the VM stopped.
 */
json_t *design_targeted__report(struct vm *vm)
{
	uint64_t reg = 0, ret = 0, stale = 0, taken = 0, listed = 0;
	unsigned max = 0;

	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct tg_vcpu *p = tg(vm->vcpus[i]);
		if (!p)
			continue;
		reg += atomic_load(&p->registrations);
		ret += atomic_load(&p->retracted);
		stale += atomic_load(&p->stale);
		pthread_mutex_lock(&p->lock);
		taken += p->taken;
		listed += p->nr_waiters;
		if (p->max_waiters > max)
			max = p->max_waiters;
		pthread_mutex_unlock(&p->lock);
	}
	json_t *o = json_pack("{s:I,s:I,s:I,s:I,s:I}", "registrations", (json_int_t)reg,
			      "retracted", (json_int_t)ret, "taken_by_uninhibit", (json_int_t)taken,
			      "unlinked_at_resume", (json_int_t)stale, "listed_at_stop", (json_int_t)listed);
	if (reg)        /* no registration: no list ever had a length */
		json_object_set_new(o, "max_waiters_per_target", json_integer(max));
	return o;
}

static void tg__uninhibit(struct vcpu *t)
{
	uint64_t seq = flush__clear_inhibit(t);
	struct tg_vcpu *list = design_targeted__take_waiters(t);
	unsigned n = 0;

	while (list) {
		struct tg_vcpu *w = list;
		list = w->next;
		w->next = NULL;
		flush__wake_flusher(w->vcpu, t, seq);
		n++;
	}
	M_HIST(t->vm, scanned, n);
}

const struct design_ops design_targeted = {
	.name = "targeted",
	.desc = "flushers register on the target's waiter list; uninhibit wakes exactly those",
	.version = DESIGN_OPS_VERSION,
	.flags = 0,
	.init = design_targeted__init,
	.exit = design_targeted__exit,
	.suspend = design_targeted__suspend,
	.resume = design_targeted__resume,
	.uninhibit = tg__uninhibit,
	.report = design_targeted__report,
};
