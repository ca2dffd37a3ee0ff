// SPDX-License-Identifier: MIT
/* Initialise and merge struct run_metrics (metrics.h). */
#include <stdatomic.h>
#include <string.h>
#include "metrics.h"

void metrics__init(struct run_metrics *m)
{
	memset(m, 0, sizeof(*m));
#define X(f, n, u, d) hist__init(&m->f);
	FB_HIST_METRICS(X)
#undef X
#define X(f, n, d) atomic_store_explicit(&m->f, 0, memory_order_relaxed);
	FB_COUNT_METRICS(X)
#undef X
}

/*
 * Merge src into dst (e.g. repeats of one variant, or per-thread copies).
 * Histograms and counters add; time and context-switch totals add; peaks
 * (max RSS, resident pages, VM setup) take the maximum.
 */
void metrics__merge(struct run_metrics *dst, const struct run_metrics *src)
{
	struct run_metrics *s = (struct run_metrics *)src;  /* atomic loads only */

#define X(f, n, u, d) hist__merge(&dst->f, &s->f);
	FB_HIST_METRICS(X)
#undef X
#define X(f, n, d) atomic_fetch_add_explicit(&dst->f, \
		atomic_load_explicit(&s->f, memory_order_relaxed), memory_order_relaxed);
	FB_COUNT_METRICS(X)
#undef X
	dst->wall_s += src->wall_s;
	dst->cpu_user_s += src->cpu_user_s;
	dst->cpu_sys_s += src->cpu_sys_s;
	dst->ctx_vol += src->ctx_vol;
	dst->ctx_invol += src->ctx_invol;
	if (src->max_rss_kb > dst->max_rss_kb)
		dst->max_rss_kb = src->max_rss_kb;
	if (src->vm_setup_ms > dst->vm_setup_ms)
		dst->vm_setup_ms = src->vm_setup_ms;
	if (src->resident_peak_pages > dst->resident_peak_pages)
		dst->resident_peak_pages = src->resident_peak_pages;
}
