// SPDX-License-Identifier: MIT
/* Per-thread statistics slots and their merge (design: tstats.h). */
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tstats.h"
#include "util.h"

__thread uint64_t tstats__tls_gen;
__thread struct tstats_slot *tstats__tls_slot;
static __thread pid_t tls_tid;
static _Atomic uint64_t next_gen = 1;

#define RLX memory_order_relaxed

uint64_t tstats__slot_bytes(void)  { return sizeof(struct tstats_slot); }
uint64_t tstats__hist_bytes(void)  { return sizeof(struct thread_hist); }
uint64_t tstats__group_bytes(void) { return HIST_SUB * sizeof(uint32_t); }

void tstats__init(struct vm_tstats *st)
{
	memset(st, 0, sizeof(*st));
	st->gen = atomic_fetch_add(&next_gen, 1);
	pthread_mutex_init(&st->lock, NULL);
}

struct tstats_slot *tstats__attach(struct vm_tstats *st)
{
	struct tstats_slot *s;

	if (!st->gen)
		return NULL;
	if (!tls_tid)
		tls_tid = (pid_t)syscall(SYS_gettid);
	pthread_mutex_lock(&st->lock);
	/* a thread that went back and forth between VMs keeps its slot */
	for (s = atomic_load(&st->head); s; s = s->next)
		if (s->tid == tls_tid)
			break;
	if (!s) {
		if (posix_memalign((void **)&s, 64, sizeof(*s)))
			die(FB_EXIT_BUG, "out of memory for a statistics slot");
		memset(s, 0, sizeof(*s));
		s->tid = tls_tid;
		atomic_store_explicit(&s->bytes, sizeof(*s), RLX);
		s->next = atomic_load(&st->head);
		atomic_store_explicit(&st->head, s, memory_order_release);
	}
	pthread_mutex_unlock(&st->lock);
	tstats__tls_gen = st->gen;
	tstats__tls_slot = s;
	return s;
}

static void add_bytes(struct tstats_slot *s, uint64_t n)
{
	atomic_store_explicit(&s->bytes, atomic_load_explicit(&s->bytes, RLX) + n, RLX);
}

static void store_inc(_Atomic uint64_t *p, uint64_t n)
{
	atomic_store_explicit(p, atomic_load_explicit(p, RLX) + n, RLX);
}

void tstats__hist_record(struct vm_tstats *st, struct tstats_slot *s, struct hist *shared,
			unsigned idx, uint64_t v)
{
	struct thread_hist *h = atomic_load_explicit(&s->hist[idx], RLX);
	unsigned b = hist__bucket(v), g = b / HIST_SUB;
	_Atomic uint32_t *grp;
	uint32_t c;

	(void)st;
	if (__builtin_expect(!h, 0)) {
		h = xzalloc(sizeof(*h));
		atomic_store_explicit(&h->min, UINT64_MAX, RLX);
		atomic_store_explicit(&s->hist[idx], h, memory_order_release);
		add_bytes(s, sizeof(*h));
	}
	grp = atomic_load_explicit(&h->group[g], RLX);
	if (__builtin_expect(!grp, 0)) {
		grp = xcalloc(HIST_SUB, sizeof(*grp));
		atomic_store_explicit(&h->group[g], grp, memory_order_release);
		add_bytes(s, HIST_SUB * sizeof(*grp));
	}
	c = atomic_load_explicit(&grp[b % HIST_SUB], RLX);
	if (__builtin_expect(c == UINT32_MAX, 0)) {
		/* full: move this bucket's count into the shared histogram */
		atomic_fetch_add_explicit(&shared->buckets[b], c, RLX);
		c = 0;
	}
	atomic_store_explicit(&grp[b % HIST_SUB], c + 1, RLX);
	store_inc(&h->count, 1);
	store_inc(&h->sum, v);
	if (v < atomic_load_explicit(&h->min, RLX))
		atomic_store_explicit(&h->min, v, RLX);
	if (v > atomic_load_explicit(&h->max, RLX))
		atomic_store_explicit(&h->max, v, RLX);
}

uint64_t tstats__count(struct vm_tstats *st, const _Atomic uint64_t *shared, unsigned idx)
{
	uint64_t n = atomic_load_explicit((_Atomic uint64_t *)shared, RLX);

	if (st->merged)
		return n;          /* the slots are already in the shared value */
	for (struct tstats_slot *s = atomic_load_explicit(&st->head, memory_order_acquire); s; s = s->next)
		n += atomic_load_explicit(&s->count[idx], RLX);
	return n;
}

static void hist_merge_thread(struct hist *dst, struct thread_hist *h)
{
	uint64_t n = atomic_load_explicit(&h->count, RLX), cur;

	for (unsigned g = 0; g < HIST_GROUPS; g++) {
		_Atomic uint32_t *grp = atomic_load_explicit(&h->group[g], memory_order_acquire);
		if (!grp)
			continue;
		for (unsigned i = 0; i < HIST_SUB; i++) {
			uint32_t c = atomic_load_explicit(&grp[i], RLX);
			if (c)
				atomic_fetch_add_explicit(&dst->buckets[g * HIST_SUB + i], c, RLX);
		}
	}
	if (!n)
		return;
	atomic_fetch_add_explicit(&dst->count, n, RLX);
	atomic_fetch_add_explicit(&dst->sum, atomic_load_explicit(&h->sum, RLX), RLX);
	uint64_t mn = atomic_load_explicit(&h->min, RLX), mx = atomic_load_explicit(&h->max, RLX);
	cur = atomic_load_explicit(&dst->min, RLX);
	while (mn < cur && !atomic_compare_exchange_weak_explicit(&dst->min, &cur, mn, RLX, RLX))
		;
	atomic_max_u64(&dst->max, mx);
}

void tstats__merge(struct vm_tstats *st, struct run_metrics *m)
{
	if (!st->gen || st->merged)
		return;
	pthread_mutex_lock(&st->lock);
	for (struct tstats_slot *s = atomic_load(&st->head); s; s = s->next) {
#define X(f, n, d) atomic_fetch_add_explicit(&m->f, atomic_load_explicit(&s->count[FB_C_##f], RLX), RLX);
		FB_COUNT_METRICS(X)
#undef X
#define X(f, n, u, d) { struct thread_hist *h = atomic_load_explicit(&s->hist[FB_H_##f], memory_order_acquire); \
		if (h) hist_merge_thread(&m->f, h); }
		FB_HIST_METRICS(X)
#undef X
	}
	st->merged = true;
	pthread_mutex_unlock(&st->lock);
}

void tstats__memory(struct vm_tstats *st, struct tstats_mem *out)
{
	memset(out, 0, sizeof(*out));
	for (struct tstats_slot *s = atomic_load_explicit(&st->head, memory_order_acquire); s; s = s->next) {
		out->slots++;
		out->bytes += atomic_load_explicit(&s->bytes, RLX);
		for (unsigned i = 0; i < FB_NR_HIST; i++) {
			struct thread_hist *h = atomic_load_explicit(&s->hist[i], memory_order_acquire);
			if (!h)
				continue;
			out->hists++;
			for (unsigned g = 0; g < HIST_GROUPS; g++)
				out->groups += atomic_load_explicit(&h->group[g], RLX) != NULL;
		}
	}
}

void tstats__exit(struct vm_tstats *st)
{
	struct tstats_slot *s, *next;

	if (!st->gen)
		return;
	for (s = atomic_load(&st->head); s; s = next) {
		next = s->next;
		for (unsigned i = 0; i < FB_NR_HIST; i++) {
			struct thread_hist *h = atomic_load(&s->hist[i]);
			if (!h)
				continue;
			for (unsigned g = 0; g < HIST_GROUPS; g++)
				free((void *)atomic_load(&h->group[g]));
			free(h);
		}
		free(s);
	}
	atomic_store(&st->head, NULL);
	pthread_mutex_destroy(&st->lock);
	st->gen = 0;
}
