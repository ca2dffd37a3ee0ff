// SPDX-License-Identifier: MIT
/* Censored observations at the end of a window (see censor.h). */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "censor.h"
#include "design.h"
#include "flush.h"
#include "util.h"
#include "vm.h"

void censor__init(struct censor_set *c)
{
	memset(c, 0, sizeof(*c));
}

void censor__add(struct censor_set *c, unsigned id, uint64_t age)
{
	struct censored *m = &c->m[id];

	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 16;
		m->age = xrealloc(m->age, m->cap * sizeof(*m->age));
	}
	m->age[m->n++] = age;
}

static uint64_t age_at(uint64_t t, uint64_t since)
{
	return since && t > since ? t - since : 0;
}

/* A flusher suspended at t: its suspension, its flush hypercall and (once its
 * target's uninhibit has begun) its resume are all at least this old. */
static void censor__flusher(struct censor_set *c, struct vm *vm, struct vcpu *f, uint64_t t)
{
	uint64_t lost_ns = (uint64_t)vm->cfg->lost_timeout_ms * 1000000ull;

	if (!atomic_load_explicit(&f->suspended, memory_order_acquire))
		return;
	uint64_t age = age_at(t, f->suspend_ns);     /* written before suspended (release) */
	c->pending_suspensions++;
	censor__add(c, FB_H_suspend_ns, age);
	censor__add(c, FB_H_flush_ns, age);
	int tid = atomic_load(&f->waiting_on);
	if (tid < 0 || (unsigned)tid >= vm->nr_vcpus)
		return;
	struct vcpu *t_ = vm->vcpus[tid];
	uint64_t want = atomic_load(&f->waiting_seq), w = atomic_load(&t_->inhibit);
	if (inhibit_word_set(w) && inhibit_word_seq(w) == want)
		return;      /* its cycle is still inhibited: no resume is owed yet */
	/* The uninhibit of `want` began no later than the latest one. */
	uint64_t us = atomic_load(&t_->uninhibit_start_ns);
	if (us)
		censor__add(c, FB_H_resume_ns, age_at(t, us));
	if (age > lost_ns && atomic_load(&t_->uninhibited_seq) < want)
		c->stalled_suspensions++;
}

/* An inhibitor inside uninhibit() at t: that uninhibit, and for designs that
 * wait for one its grace period, are at least this long. */
static void censor__inhibitor(struct censor_set *c, struct vm *vm, struct vcpu *v, uint64_t t)
{
	uint64_t seq = inhibit_word_seq(atomic_load(&v->inhibit));
	uint64_t us = atomic_load(&v->uninhibit_start_ns);

	if (!seq || atomic_load(&v->uninhibited_seq) >= seq || !us || us < v->inhibit_set_ns)
		return;
	uint64_t age = age_at(t, us);
	c->uninhibits_in_flight++;
	if (age > c->oldest_uninhibit_ns)
		c->oldest_uninhibit_ns = age;
	censor__add(c, FB_H_uninhibit_ns, age);
	if (vm->design && (vm->design->flags & DESIGN_F_GP))
		censor__add(c, FB_H_gp_ns, age);
}

void censor__snapshot(struct censor_set *c, struct vm *vm, uint64_t t_ns)
{
	c->t_ns = t_ns;
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpus[i];
		if (v->role == FB_WL_INHIBIT)
			censor__inhibitor(c, vm, v, t_ns);
		else
			censor__flusher(c, vm, v, t_ns);
	}
}

void censor__free(struct censor_set *c)
{
	for (unsigned i = 0; i < FB_NR_HIST; i++)
		free(c->m[i].age);
	memset(c, 0, sizeof(*c));
}
