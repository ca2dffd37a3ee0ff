// SPDX-License-Identifier: MIT
/*
 * Log-linear histogram (layout and error bound: hist.h).
 *
 * Recording is lock-free: relaxed atomic adds for count/sum/bucket and CAS
 * loops for min/max.  Relaxed is enough because nobody reads a histogram
 * while it is being recorded into for anything but progress output; the
 * final summary is taken after the recording threads have been joined.
 */
#include <stdatomic.h>
#include <stddef.h>
#include "hist.h"

void hist__init(struct hist *h)
{
	atomic_store_explicit(&h->count, 0, memory_order_relaxed);
	atomic_store_explicit(&h->sum, 0, memory_order_relaxed);
	atomic_store_explicit(&h->min, UINT64_MAX, memory_order_relaxed);
	atomic_store_explicit(&h->max, 0, memory_order_relaxed);
	for (unsigned i = 0; i < HIST_NR; i++)
		atomic_store_explicit(&h->buckets[i], 0, memory_order_relaxed);
}

unsigned hist__bucket(uint64_t v)
{
	unsigned msb, group, sub;

	if (v < HIST_SUB)
		return (unsigned)v;
	msb = 63u - (unsigned)__builtin_clzll(v);
	group = msb - HIST_SUB_BITS + 1;
	if (group >= HIST_GROUPS)
		return HIST_NR - 1;     /* clamp: beyond the documented range */
	sub = (unsigned)(v >> (msb - HIST_SUB_BITS)) & (HIST_SUB - 1);
	return group * HIST_SUB + sub;
}

uint64_t hist__bucket_low(unsigned idx)
{
	unsigned group = idx / HIST_SUB, sub = idx % HIST_SUB;

	if (idx >= HIST_NR)
		idx = HIST_NR - 1, group = idx / HIST_SUB, sub = idx % HIST_SUB;
	if (group == 0)
		return sub;
	return (uint64_t)(HIST_SUB + sub) << (group - 1);
}

uint64_t hist__bucket_high(unsigned idx)
{
	unsigned group;

	if (idx >= HIST_NR)
		idx = HIST_NR - 1;
	group = idx / HIST_SUB;
	if (group == 0)
		return idx;
	return hist__bucket_low(idx) + ((uint64_t)1 << (group - 1)) - 1;
}

static void atomic_min_u64(_Atomic uint64_t *p, uint64_t v)
{
	uint64_t cur = atomic_load_explicit(p, memory_order_relaxed);

	while (v < cur && !atomic_compare_exchange_weak_explicit(p, &cur, v,
			memory_order_relaxed, memory_order_relaxed))
		;
}

static void atomic_max_u64(_Atomic uint64_t *p, uint64_t v)
{
	uint64_t cur = atomic_load_explicit(p, memory_order_relaxed);

	while (v > cur && !atomic_compare_exchange_weak_explicit(p, &cur, v,
			memory_order_relaxed, memory_order_relaxed))
		;
}

void hist__record(struct hist *h, uint64_t v)
{
	atomic_fetch_add_explicit(&h->buckets[hist__bucket(v)], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->sum, v, memory_order_relaxed);
	atomic_min_u64(&h->min, v);
	atomic_max_u64(&h->max, v);
}

void hist__merge(struct hist *dst, const struct hist *src)
{
	/* Cast away const only for the atomic loads (C11 atomics take a
	 * non-const pointer in older compilers' headers). */
	struct hist *s = (struct hist *)src;
	uint64_t n = atomic_load_explicit(&s->count, memory_order_relaxed);

	if (!n)
		return;
	for (unsigned i = 0; i < HIST_NR; i++) {
		uint64_t c = atomic_load_explicit(&s->buckets[i], memory_order_relaxed);
		if (c)
			atomic_fetch_add_explicit(&dst->buckets[i], c, memory_order_relaxed);
	}
	atomic_fetch_add_explicit(&dst->count, n, memory_order_relaxed);
	atomic_fetch_add_explicit(&dst->sum,
		atomic_load_explicit(&s->sum, memory_order_relaxed), memory_order_relaxed);
	atomic_min_u64(&dst->min, atomic_load_explicit(&s->min, memory_order_relaxed));
	atomic_max_u64(&dst->max, atomic_load_explicit(&s->max, memory_order_relaxed));
}

/*
 * Percentiles of several p in one pass.  The total is the sum of the buckets
 * rather than h->count so a summary taken while recorders still run stays
 * self-consistent.  p <= 0 gives min and p >= 100 gives max, exactly.
 */
static void percentiles(const struct hist *h, const double *p, uint64_t *out, unsigned np)
{
	struct hist *hh = (struct hist *)h;
	uint64_t total = 0, cum = 0, mn, mx, rank[8];
	unsigned k = 0, i;

	for (i = 0; i < HIST_NR; i++)
		total += atomic_load_explicit(&hh->buckets[i], memory_order_relaxed);
	mn = atomic_load_explicit(&hh->min, memory_order_relaxed);
	mx = atomic_load_explicit(&hh->max, memory_order_relaxed);
	if (!total) {
		for (i = 0; i < np; i++)
			out[i] = 0;
		return;
	}
	for (i = 0; i < np; i++) {
		double r = p[i] / 100.0 * (double)total;
		uint64_t ri = (uint64_t)r;

		if ((double)ri < r)
			ri++;                   /* ceil */
		rank[i] = ri ? ri : 1;
		if (rank[i] > total)
			rank[i] = total;
	}
	/* p[] is sorted ascending by every caller. */
	for (i = 0; i < HIST_NR && k < np; i++) {
		cum += atomic_load_explicit(&hh->buckets[i], memory_order_relaxed);
		while (k < np && cum >= rank[k]) {
			uint64_t lo = hist__bucket_low(i), hi = hist__bucket_high(i);
			uint64_t mid = lo + (hi - lo) / 2;

			if (mid < mn)
				mid = mn;
			if (mid > mx)
				mid = mx;
			out[k++] = mid;
		}
	}
	for (; k < np; k++)
		out[k] = mx;
	for (i = 0; i < np; i++) {
		if (p[i] <= 0)
			out[i] = mn;
		else if (p[i] >= 100)
			out[i] = mx;
	}
}

uint64_t hist__percentile(const struct hist *h, double p)
{
	uint64_t v;

	percentiles(h, &p, &v, 1);
	return v;
}

double hist__mean(const struct hist *h)
{
	struct hist *hh = (struct hist *)h;
	uint64_t n = atomic_load_explicit(&hh->count, memory_order_relaxed);

	if (!n)
		return 0.0;
	return (double)atomic_load_explicit(&hh->sum, memory_order_relaxed) / (double)n;
}

void hist__summary(const struct hist *h, struct hist_summary *s)
{
	static const double p[] = { 50, 90, 99, 99.9 };
	struct hist *hh = (struct hist *)h;
	uint64_t v[4];

	s->count = atomic_load_explicit(&hh->count, memory_order_relaxed);
	if (!s->count) {
		*s = (struct hist_summary){ 0 };
		return;
	}
	percentiles(h, p, v, 4);
	s->p50 = v[0];
	s->p90 = v[1];
	s->p99 = v[2];
	s->p999 = v[3];
	s->min = atomic_load_explicit(&hh->min, memory_order_relaxed);
	s->max = atomic_load_explicit(&hh->max, memory_order_relaxed);
	s->mean = hist__mean(h);
}
