/* SPDX-License-Identifier: MIT */
/*
 * VMM SRCU domain (see srcu.h).
 *
 * Ordering argument.  Reader lock:  store slot->epoch = e (seq_cst), then
 * re-load sp->gp_epoch; retry if it moved.  Writer: new = ++gp_epoch
 * (seq_cst), then load every slot's epoch.  This is the store-buffering
 * pattern with full fences on both sides, so either the reader's re-load
 * sees the writer's increment (it retries and registers with the new epoch:
 * not a pre-existing reader) or the writer's scan sees the reader's slot
 * (it waits for it).  A reader that passed the check has its critical
 * section ordered after the registration, and its unlock (release store of
 * 0) orders the section before the writer's observation of 0, which is the
 * grace-period guarantee: everything a pre-existing reader did is visible
 * to the code after srcu__synchronize().
 */
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "srcu.h"
#include "util.h"

int srcu__init(struct srcu_struct *sp, const char *name, unsigned nr_slots)
{
	memset(sp, 0, sizeof(*sp));
	sp->name = name;
	sp->nr_slots = nr_slots;
	if (posix_memalign((void **)&sp->slots, 64, sizeof(*sp->slots) * (nr_slots ? nr_slots : 1)))
		return -ENOMEM;
	memset(sp->slots, 0, sizeof(*sp->slots) * (nr_slots ? nr_slots : 1));
	for (unsigned i = 0; i < nr_slots; i++)
		sp->slots[i].behalf = -1;
	atomic_store(&sp->gp_epoch, 1);
	hist__init(&sp->gp_ns);
	return 0;
}

void srcu__exit(struct srcu_struct *sp)
{
	free(sp->slots);
	sp->slots = NULL;
	sp->nr_slots = 0;
}

void srcu__read_lock_behalf(struct srcu_struct *sp, unsigned slot, int vcpu)
{
	struct srcu_slot *s = &sp->slots[slot];

	if (s->nest++)
		return;
	s->behalf = vcpu;
	s->since_ns = now_ns();
	for (;;) {
		uint32_t e = atomic_load(&sp->gp_epoch);
		atomic_store(&s->epoch, e);                 /* seq_cst: full fence */
		if (atomic_load(&sp->gp_epoch) == e)
			break;
	}
}

void srcu__read_lock(struct srcu_struct *sp, unsigned slot)
{
	srcu__read_lock_behalf(sp, slot, -1);
}

void srcu__read_unlock(struct srcu_struct *sp, unsigned slot)
{
	struct srcu_slot *s = &sp->slots[slot];

	BUG_ON(!s->nest);
	if (--s->nest)
		return;
	/* seq_cst store, then the waiters load: pairs with the writer's
	 * waiters increment before it sleeps on the epoch word. */
	atomic_store(&s->epoch, 0);
	if (atomic_load(&s->waiters))
		futex_wake(&s->epoch, INT_MAX);
}

bool srcu__read_held(const struct srcu_struct *sp, unsigned slot)
{
	return sp->slots[slot].nest > 0;
}

/* epoch e (nonzero) started before grace period g? (wrap-safe) */
static bool srcu__pre_existing(uint32_t e, uint32_t g)
{
	return e != 0 && (int32_t)(e - g) < 0;
}

uint64_t srcu__synchronize(struct srcu_struct *sp, int *blocker)
{
	uint64_t t0 = now_ns(), longest = 0;
	int who = -1;
	uint32_t g = atomic_fetch_add(&sp->gp_epoch, 1) + 1;

	if (g == 0) {          /* 0 means "not reading": skip it on wrap */
		g = atomic_fetch_add(&sp->gp_epoch, 1) + 1;
	}
	for (unsigned i = 0; i < sp->nr_slots; i++) {
		struct srcu_slot *s = &sp->slots[i];
		uint32_t e = atomic_load(&s->epoch);
		if (!srcu__pre_existing(e, g))
			continue;
		uint64_t w0 = now_ns();
		atomic_fetch_add(&s->waiters, 1);
		/* Re-read after announcing ourselves: the reader's unlock either
		 * sees waiters != 0 and wakes us, or we see its 0 here. */
		while (srcu__pre_existing(e = atomic_load(&s->epoch), g))
			futex_wait(&s->epoch, e, NULL);
		atomic_fetch_sub(&s->waiters, 1);
		uint64_t waited = now_ns() - w0;
		if (waited > longest) {
			longest = waited;
			who = (int)i;
		}
	}
	uint64_t dt = now_ns() - t0;
	atomic_fetch_add_explicit(&sp->nr_gp, 1, memory_order_relaxed);
	hist__record(&sp->gp_ns, dt);
	if (blocker)
		*blocker = who;
	return dt;
}
