// SPDX-License-Identifier: MIT
/*
 * The statistical rule of bench compare (docs/STATISTICS.md section 3): one
 * test per (variant, metric) by metric kind, with the between-run drift
 * term of sequential comparisons; then the multiplicity correction and the
 * interval-vs-threshold verdict over the whole family.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compare.h"
#include "compare-int.h"
#include "stats.h"

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/* Pooled-histogram test of a tail field: every repeat's histogram of the
 * metric's head on one sorted bucket axis.  p, or -1 when a run has none. */
static double pooled_test(const struct side *a, const struct side *b, const char *metric, double q,
			  const struct compare_opts *o, double *ch, double *lo, double *hi)
{
	const char *dot = strchr(metric, '.');
	unsigned n = a->n + b->n, nv = 0, w = 0;
	double *val = NULL, *counts = NULL, p = -1;
	size_t cap = 0, i;
	char head[128];
	json_t *e;

	if (!dot || (size_t)(dot - metric) >= sizeof(head))
		return -1;
	memcpy(head, metric, (size_t)(dot - metric));
	head[dot - metric] = '\0';
	for (unsigned r = 0; r < n; r++) {
		json_t *run = r < a->n ? a->runs[r] : b->runs[r - a->n];
		json_t *h = json_object_get(json_object_get(json_object_get(run, "metrics"), head), "hist");

		if (!json_array_size(h))
			goto out;
		cap += json_array_size(h);
	}
	val = malloc((cap + 1) * sizeof(*val));
	if (!val)
		goto out;
	for (unsigned r = 0; r < n; r++) {
		json_t *run = r < a->n ? a->runs[r] : b->runs[r - a->n];

		json_array_foreach(json_object_get(json_object_get(json_object_get(run, "metrics"), head), "hist"), i, e)
			val[nv++] = json_number_value(json_array_get(e, 0));
	}
	qsort(val, nv, sizeof(*val), cmp_double);
	for (unsigned k = 0; k < nv; k++)
		if (!w || val[k] != val[w - 1])
			val[w++] = val[k];
	counts = calloc((size_t)n * w + 1, sizeof(*counts));
	if (!counts)
		goto out;
	for (unsigned r = 0; r < n; r++) {
		json_t *run = r < a->n ? a->runs[r] : b->runs[r - a->n];

		json_array_foreach(json_object_get(json_object_get(json_object_get(run, "metrics"), head), "hist"), i, e) {
			double x = json_number_value(json_array_get(e, 0));
			double *f = bsearch(&x, val, w, sizeof(*val), cmp_double);

			if (f)
				counts[(size_t)r * w + (size_t)(f - val)] += json_number_value(json_array_get(e, 1));
		}
	}
	struct stats_hists hs = { .nrep = n, .nb = w, .val = val, .counts = counts };
	p = stats__pooled_quantile_test(&hs, a->n, q, 1 - o->alpha, 2000, 13, ch, lo, hi);
out:
	free(val);
	free(counts);
	return p;
}

void compare__analyse(const struct side *sa, const struct side *sb, const struct compare_opts *o, struct row *r)
{
	const double *a = sa->v, *b = sb->v;
	unsigned na = sa->n, nb = sb->n;
	double conf = 1 - o->alpha, ch = NAN, lo = NAN, hi = NAN, p = -1, q = compare__tail_q(r->metric);
	const char *tm = o->tail_method ? o->tail_method : "log";

	stats__describe(a, na, &r->a);
	stats__describe(b, nb, &r->b);
	r->p = r->p_adj = r->ch_lo = r->ch_hi = r->mde_pct = NAN;
	r->test = "-";
	r->tot_a = sa->total;
	r->tot_b = sb->total;
	r->dist_a = sa->disturbed;
	r->dist_b = sb->disturbed;
	r->cens_a = sa->censored;
	r->cens_b = sb->censored;
	if (r->a.mean != 0) {
		r->change_pct = (r->b.mean - r->a.mean) / fabs(r->a.mean) * 100;
		r->ratio = r->b.mean / r->a.mean;
	} else {
		r->change_pct = r->b.mean == 0 ? 0 : NAN;
		r->ratio = r->b.mean == 0 ? 1 : NAN;
	}
	if (!na) {
		r->v = V_MISSING_BASE;
		return;
	}
	if (!nb) {
		r->v = V_MISSING_NEW;
		return;
	}
	if (o->paired) {
		/* repeats that ran side by side: same run["repeat"] on both sides */
		double *pa = calloc(na + 1, sizeof(*pa)), *pb = calloc(na + 1, sizeof(*pb));
		unsigned np = 0;

		for (unsigned i = 0; pa && pb && i < na; i++)
			for (unsigned j = 0; j < nb; j++)
				if (sa->rep[i] == sb->rep[j]) {
					pa[np] = a[i];
					pb[np++] = b[j];
					break;
				}
		if (np >= 2) {
			p = stats__paired_ci(pa, pb, np, conf, &ch, &lo, &hi);
			r->test = "paired-t";
		}
		free(pa);
		free(pb);
		if (p < 0) {
			r->v = V_INSUFFICIENT;
			return;
		}
	} else if (na < 2 || nb < 2) {
		r->v = V_INSUFFICIENT;
		return;
	} else {
		if (r->between > 0) {
			/* two sequential runs: a t-test whose variance holds the
			 * between-run term (a rank or permutation test cannot) */
			int logs = !isnan(q) && strcmp(tm, "mean") && stats__min(a, na) > 0 && stats__min(b, nb) > 0;

			p = stats__session_ci(a, na, b, nb, logs, r->between, r->between_df, conf, &ch, &lo, &hi);
			r->test = logs ? "welch-log+drift" : "welch+drift";
		}
		if (p < 0 && !isnan(q) && !strcmp(tm, "pooled")) {
			p = pooled_test(sa, sb, r->metric, q, o, &ch, &lo, &hi);
			if (p >= 0)
				r->test = "pooled-perm";
		}
		if (p < 0 && !isnan(q) && strcmp(tm, "mean")) {
			p = stats__logratio_ci(a, na, b, nb, conf, &ch, &lo, &hi);
			if (p >= 0)
				r->test = "welch-log";
		}
		if (p < 0) {
			/* means: Welch when both sides look normal, else rank-based;
			 * the interval is Welch's on the log of the means */
			if (na >= 3 && nb >= 3 && stats__normalish(a, na) && stats__normalish(b, nb)) {
				r->test = "welch";
				p = stats__welch_p(a, na, b, nb, NULL, NULL);
			} else {
				r->test = "mann-whitney";
				p = stats__mann_whitney_p(a, na, b, nb, NULL);
			}
			stats__change_ci(a, na, b, nb, conf, &ch, &lo, &hi);
		}
	}
	r->p = p;
	if (!isnan(ch)) {
		r->change_pct = ch * 100;
		r->ratio = 1 + ch;
	}
	r->ch_lo = lo * 100;
	r->ch_hi = hi * 100;
	r->v = V_PENDING;
}

/* The rule (docs/STATISTICS.md section 3): corrected p below alpha, and the
 * whole CI of the change beyond the threshold in one direction. */
void compare__finalize(struct row *rows, unsigned n, const struct compare_opts *o)
{
	double *p = calloc(n + 1, sizeof(*p)), thr = o->threshold_pct;
	unsigned m = 0;

	for (unsigned i = 0; i < n; i++) {
		if (p)
			p[i] = rows[i].v == V_PENDING ? rows[i].p : NAN;
		m += rows[i].v == V_PENDING && !isnan(rows[i].p);
	}
	if (p)
		stats__adjust_p(p, n, o->correction, p);
	for (unsigned i = 0; i < n; i++) {
		struct row *r = &rows[i];
		double lo = r->ch_lo, hi = r->ch_hi;
		int sig, up, down, reach;

		if (o->calib)
			r->mde_pct = compare__mde_pct(o->calib, r->key, r->metric,
						      r->a.n < r->b.n ? r->a.n : r->b.n, m, r->between, o);
		if (r->v != V_PENDING)
			continue;
		r->p_adj = p ? p[i] : r->p;
		sig = r->p_adj < o->alpha;
		if (isnan(lo) || isnan(hi)) {
			/* from 0 to non-zero: as large as a change gets */
			lo = hi = isnan(r->change_pct) ? (r->b.mean > r->a.mean ? INFINITY : -INFINITY) : r->change_pct;
		}
		up = lo > thr;          /* the whole interval above +threshold */
		down = hi < -thr;       /* ... below -threshold */
		reach = hi > thr || lo < -thr;
		if (!sig)
			r->v = V_SAME;
		else if (up || down)
			r->v = r->dir == 0 ? V_CHANGED : (r->dir > 0) == up ? V_IMPROVED : V_REGRESSED;
		else
			r->v = reach ? V_INCONCLUSIVE : V_SMALL;
		/* a lower bound can hide a larger value: it cannot clear a side */
		if (r->v == V_REGRESSED && r->cens_a && r->dir < 0)
			r->v = V_INCONCLUSIVE;
		if (r->v == V_IMPROVED && r->cens_b && r->dir < 0)
			r->v = V_INCONCLUSIVE;
	}
	free(p);
}

