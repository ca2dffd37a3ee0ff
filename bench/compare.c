// SPDX-License-Identifier: MIT
/*
 * Compare result trees (compare.h).  The statistical rule is documented in
 * docs/STATISTICS.md; keep the two in sync.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compare.h"
#include "results.h"
#include "stats.h"

/* Table cells are fixed-size display strings; a cut-off cell is harmless,
 * so GCC's worst-case truncation analysis (a %g of 1e308) is noise here. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

static const char *const default_metrics[] = {
	"resume_latency.p99", "flush_latency.p99", "rates.flushes_per_s",
};

enum verdict { V_SAME, V_IMPROVED, V_REGRESSED, V_CHANGED, V_INSUFFICIENT, V_MISSING_BASE, V_MISSING_NEW,
	       V_INCONCLUSIVE, V_SMALL, V_PENDING };

static const char *const verdict_str[] = {
	[V_SAME] = "no significant change",
	[V_IMPROVED] = "improved",
	[V_REGRESSED] = "regressed",
	[V_CHANGED] = "changed",
	[V_INSUFFICIENT] = "insufficient repeats",
	[V_MISSING_BASE] = "missing in base",
	[V_MISSING_NEW] = "missing in new",
	[V_INCONCLUSIVE] = "inconclusive",
	[V_SMALL] = "below threshold",
	[V_PENDING] = "?",
};

struct row {
	const char *key, *base_key;     /* variant (and its baseline, within mode) */
	const char *metric, *unit;
	int dir;
	struct sample_stats a, b;       /* base, new */
	double change_pct;              /* NAN: base mean 0 */
	double ratio;                   /* b.mean / a.mean, NAN when a.mean == 0 */
	double p;                       /* NAN: no test */
	double p_adj;                   /* p after the multiplicity correction */
	double ch_lo, ch_hi;            /* CI of the change in %, NAN: none */
	const char *test;               /* "welch" | "mann-whitney" | "welch-log" | ... | "-" */
	unsigned dist_a, dist_b;        /* disturbed repeats (before any drop) */
	unsigned tot_a, tot_b;          /* repeats of the variant on each side */
	unsigned cens_a, cens_b;        /* repeats whose value is only a lower bound */
	double mde_pct;                 /* NAN: no calibration */
	unsigned bad_a, bad_b;          /* "run verdicts" row: repeats not "ok" */
	enum verdict v;
};

static const char RUN_VERDICTS[] = "run verdicts";   /* the pseudo-metric of the stall rule */

struct tally {
	unsigned n[V_PENDING + 1];
};

void compare__default_opts(struct compare_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->threshold_pct = 5.0;
	o->alpha = 0.05;
	o->format = "text";
	o->correction = STATS_CORR_HOLM;
	o->tail_method = "log";
	o->disturbed_pct = 10.0;
	o->power = 0.8;
}

static const char *cmdname(const struct compare_opts *o)
{
	return o->cmd ? o->cmd : "compare";
}

/* ---------------------------------------------------------- direction */

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

int compare__direction(const char *path)
{
	static const char *const hist_fields[] = { "p50", "p90", "p99", "p999", "max", "min", "mean", NULL };
	static const char *const more_work[] = { "flushes", "hypercalls", "exits", "inhibits",
		"resumes", "useful_wakeups", "halt_poll_success", NULL };
	static const char *const failures[] = { "lost_wakeups", "early_resumes", "verify_failures",
		"hypercall_errors", "spurious_wakeups", "pending_at_stop", NULL };
	const char *dot = strchr(path, '.');
	const char *field = dot ? dot + 1 : path;
	size_t hl = dot ? (size_t)(dot - path) : 0;

	if (dot && hl == 5 && !strncmp(path, "rates", 5))
		return +1;
	if (dot && hl == 3 && !strncmp(path, "cpu", 3))
		return -1;
	if (dot && hl == 6 && !strncmp(path, "config", 6))
		return 0;
	if (!dot || (hl == 8 && !strncmp(path, "counters", 8)) || (hl == 6 && !strncmp(path, "oracle", 6))) {
		if (in_list(field, more_work))
			return +1;
		if (in_list(field, failures))
			return -1;
		return 0;
	}
	if (in_list(field, hist_fields))
		return -1;
	return 0;
}

/* ---------------------------------------------------------- tree helpers */

#define MAX_PAIRS 48

struct pairs {
	unsigned n;
	char k[MAX_PAIRS][64];
	char v[MAX_PAIRS][128];
};

/* "a=b,c=d" -> pairs; entries without '=' keep an empty value. */
static void pairs__parse(const char *s, struct pairs *p)
{
	p->n = 0;
	while (s && *s && p->n < MAX_PAIRS) {
		const char *end = strchr(s, ','), *eq;
		size_t len = end ? (size_t)(end - s) : strlen(s), kl, vl;

		eq = memchr(s, '=', len);
		kl = eq ? (size_t)(eq - s) : len;
		vl = eq ? len - kl - 1 : 0;
		if (kl >= sizeof(p->k[0]))
			kl = sizeof(p->k[0]) - 1;
		if (vl >= sizeof(p->v[0]))
			vl = sizeof(p->v[0]) - 1;
		if (kl) {
			memcpy(p->k[p->n], s, kl);
			p->k[p->n][kl] = '\0';
			memcpy(p->v[p->n], eq ? eq + 1 : "", vl);
			p->v[p->n][vl] = '\0';
			p->n++;
		}
		s = end ? end + 1 : NULL;
	}
}

static const char *pairs__get(const struct pairs *p, const char *k)
{
	for (unsigned i = 0; i < p->n; i++)
		if (!strcmp(p->k[i], k))
			return p->v[i];
	return NULL;
}

/* Unique run keys, in order of first appearance over one or two trees. */
static unsigned unique_keys(json_t *a, json_t *b, const char ***out)
{
	size_t cap = json_array_size(json_object_get(a, "runs")) +
		     json_array_size(json_object_get(b, "runs")) + 1;
	const char **keys = calloc(cap, sizeof(*keys));
	json_t *trees[2] = { a, b }, *run;
	unsigned n = 0;
	size_t i;

	if (!keys)
		return 0;
	for (int t = 0; t < 2; t++) {
		json_array_foreach(json_object_get(trees[t], "runs"), i, run) {
			const char *k = results__variant_key(run);
			unsigned j;

			for (j = 0; j < n && strcmp(keys[j], k); j++)
				;
			if (j == n)
				keys[n++] = k;
		}
	}
	*out = keys;
	return n;
}

static int has_key(json_t *root, const char *key)
{
	json_t *run;
	size_t i;

	json_array_foreach(json_object_get(root, "runs"), i, run)
		if (!strcmp(results__variant_key(run), key))
			return 1;
	return 0;
}

/* ---------------------------------------------------------- samples */

int compare__run_disturbed(json_t *run, double pct)
{
	json_t *d = json_object_get(run, "disturbance");
	json_t *other = json_object_get(d, "other_cpu_pct"), *steal = json_object_get(d, "steal_pct");

	if (!json_is_number(other))
		return -1;
	return json_number_value(other) > pct || (json_is_number(steal) && json_number_value(steal) > pct / 4);
}

/* Does run hold a sample of metric?  A histogram with count 0 (or absent)
 * has none: its fields must never be read as 0. */
static int has_sample(json_t *run, const char *metric, double *v)
{
	const char *dot = strchr(metric, '.');
	char head[128];

	if (dot && (size_t)(dot - metric) < sizeof(head)) {
		json_t *h;

		memcpy(head, metric, (size_t)(dot - metric));
		head[dot - metric] = '\0';
		h = json_object_get(json_object_get(run, "metrics"), head);
		if (json_is_object(h) && json_is_integer(json_object_get(h, "count")) &&
		    json_integer_value(json_object_get(h, "count")) == 0 && strcmp(dot + 1, "count"))
			return 0;
	}
	return !results__metric_value(run, metric, v);
}

/* Is this repeat's value only a lower bound ("lower_bound": ["p99", ...]
 * on the histogram, observations still in flight at stop)? */
static int is_lower_bound(json_t *run, const char *metric)
{
	const char *dot = strchr(metric, '.');
	char head[128];
	json_t *lb, *e;
	size_t i;

	if (!dot || (size_t)(dot - metric) >= sizeof(head))
		return 0;
	memcpy(head, metric, (size_t)(dot - metric));
	head[dot - metric] = '\0';
	lb = json_object_get(json_object_get(json_object_get(run, "metrics"), head), "lower_bound");
	json_array_foreach(lb, i, e)
		if (json_is_string(e) && !strcmp(json_string_value(e), dot + 1))
			return 1;
	return 0;
}

/* The repeats of one variant on one side. */
struct side {
	unsigned n, total, disturbed, censored;
	double *v;
	int *rep;               /* run["repeat"] of v[i] (pairing) */
	json_t **runs;          /* run of v[i] (borrowed; histograms) */
};

static void side__free(struct side *s)
{
	free(s->v);
	free(s->rep);
	free(s->runs);
	memset(s, 0, sizeof(*s));
}

static int side__collect(json_t *root, const char *key, const char *metric, const struct compare_opts *o,
			 struct side *s)
{
	json_t *runs = json_object_get(root, "runs"), *run;
	size_t i, cap = json_array_size(runs) + 1;

	memset(s, 0, sizeof(*s));
	s->v = calloc(cap, sizeof(*s->v));
	s->rep = calloc(cap, sizeof(*s->rep));
	s->runs = calloc(cap, sizeof(*s->runs));
	if (!s->v || !s->rep || !s->runs) {
		side__free(s);
		return -ENOMEM;
	}
	json_array_foreach(runs, i, run) {
		int dist;

		if (strcmp(results__variant_key(run), key))
			continue;
		s->total++;
		dist = compare__run_disturbed(run, o->disturbed_pct) > 0;
		s->disturbed += dist;
		if (dist && o->drop_disturbed)
			continue;
		if (!has_sample(run, metric, &s->v[s->n]))
			continue;
		s->censored += is_lower_bound(run, metric);
		s->rep[s->n] = (int)json_integer_value(json_object_get(run, "repeat"));
		s->runs[s->n++] = run;
	}
	return 0;
}

/* p90/p99/p999/max: the tail fields, and the quantile each stands for */
static double tail_q(const char *metric)
{
	const char *dot = strrchr(metric, '.');

	if (!dot || !strncmp(metric, "rates.", 6) || !strncmp(metric, "counters.", 9) ||
	    !strncmp(metric, "cpu.", 4) || !strncmp(metric, "config.", 7))
		return NAN;
	dot++;
	return !strcmp(dot, "p90") ? 0.90 : !strcmp(dot, "p99") ? 0.99 : !strcmp(dot, "p999") ? 0.999 :
	       !strcmp(dot, "max") ? 1.0 : NAN;
}

static int metric_anywhere(json_t *root, const char *metric)
{
	json_t *run;
	size_t i;
	double d;

	json_array_foreach(json_object_get(root, "runs"), i, run)
		if (!results__metric_value(run, metric, &d))
			return 1;
	return 0;
}

static const char *metric_unit(json_t *a, json_t *b, const char *metric)
{
	json_t *trees[2] = { a, b }, *run;
	const char *dot = strchr(metric, '.');
	char head[128];
	size_t i, hl = dot ? (size_t)(dot - metric) : 0;

	if (!dot || hl >= sizeof(head))
		return NULL;
	memcpy(head, metric, hl);
	head[hl] = '\0';
	if (!strcmp(head, "rates"))
		return "/s";
	if (!strcmp(head, "cpu") && !strcmp(dot + 1, "user_s"))
		return "s";
	if (!strcmp(head, "cpu") && !strcmp(dot + 1, "sys_s"))
		return "s";
	if (!strcmp(dot + 1, "count"))
		return NULL;
	for (int t = 0; t < 2; t++)
		json_array_foreach(json_object_get(trees[t], "runs"), i, run) {
			const char *u = json_string_value(json_object_get(
				json_object_get(json_object_get(run, "metrics"), head), "unit"));
			if (u)
				return u;
		}
	return NULL;
}

/* Field value of a run for baseline matching: run[k], else run.config[k]
 * ("config.k" goes straight to config), rendered as text. */
static int run_field(json_t *run, const char *k, char *buf, size_t len)
{
	json_t *v;

	if (!strncmp(k, "config.", 7))
		v = json_object_get(json_object_get(run, "config"), k + 7);
	else {
		v = json_object_get(run, k);
		if (!v)
			v = json_object_get(json_object_get(run, "config"), k);
	}
	if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, "%g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, len, "%s", json_is_true(v) ? "true" : "false");
	else
		return -ENOENT;
	return 0;
}

static json_t *first_run(json_t *root, const char *key)
{
	json_t *run;
	size_t i;

	json_array_foreach(json_object_get(root, "runs"), i, run)
		if (!strcmp(results__variant_key(run), key))
			return run;
	return NULL;
}

/* ---------------------------------------------------------- analysis */

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

static void analyse(const struct side *sa, const struct side *sb, const struct compare_opts *o, struct row *r)
{
	const double *a = sa->v, *b = sb->v;
	unsigned na = sa->n, nb = sb->n;
	double conf = 1 - o->alpha, ch = NAN, lo = NAN, hi = NAN, p = -1, q = tail_q(r->metric);
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
		if (!isnan(q) && !strcmp(tm, "pooled")) {
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
static void finalize(struct row *rows, unsigned n, const struct compare_opts *o)
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
						      r->a.n < r->b.n ? r->a.n : r->b.n, m, o);
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

static json_t *calib_entry(json_t *calib, const char *key, const char *metric)
{
	json_t *e, *best = NULL;
	size_t i;
	double worst = -1;

	json_array_foreach(json_object_get(calib, "metrics"), i, e) {
		const char *m = json_string_value(json_object_get(e, "metric"));
		const char *v = json_string_value(json_object_get(e, "variant"));
		double cv = json_number_value(json_object_get(e, "cv"));

		if (!m || strcmp(m, metric))
			continue;
		if (v && key && !strcmp(v, key))
			return e;
		if (cv > worst) {       /* no exact variant: the noisiest one */
			worst = cv;
			best = e;
		}
	}
	return best;
}

double compare__mde_pct(json_t *calib, const char *key, const char *metric, unsigned n, unsigned m,
			const struct compare_opts *o)
{
	json_t *e = calib_entry(calib, key, metric);
	const char *tm = o->tail_method ? o->tail_method : "log";
	double cv, a_sig, sig, ci;

	if (!e || n < 2)
		return NAN;
	int logs = !isnan(tail_q(metric)) && strcmp(tm, "mean");

	cv = json_number_value(json_object_get(e, logs ? "cv_log" : "cv"));
	if (!(cv >= 0)) {
		logs = 0;
		cv = json_number_value(json_object_get(e, "cv"));
	}
	if (!(cv >= 0))
		return NAN;             /* -1: the calibration had no spread for it */
	/* the first Holm step (and the worst BH step for one real effect) */
	a_sig = o->correction == STATS_CORR_NONE || m < 2 ? o->alpha : o->alpha / m;
	sig = stats__mde(cv, n, a_sig, o->power);
	/* the interval rule: threshold + the interval's reach, on the test's scale */
	ci = (logs ? log1p(o->threshold_pct / 100) : o->threshold_pct / 100) + stats__mde(cv, n, o->alpha, o->power);
	return 100 * (logs ? expm1(sig > ci ? sig : ci) : (sig > ci ? sig : ci));
}

double compare__variant_mde_pct(json_t *runs, unsigned variant, const char *metric, unsigned *n)
{
	size_t i, cap = json_array_size(runs) + 1;
	double *x = calloc(cap, sizeof(*x)), cv, mde;
	int logs = !isnan(tail_q(metric));
	json_t *run;

	*n = 0;
	if (!x)
		return INFINITY;
	json_array_foreach(runs, i, run) {
		double v;

		if ((unsigned)json_integer_value(json_object_get(run, "variant")) != variant ||
		    !has_sample(run, metric, &v))
			continue;
		if (logs && !(v > 0))
			logs = 0;
		x[(*n)++] = v;
	}
	if (*n < 2) {
		free(x);
		return INFINITY;
	}
	if (logs) {
		for (unsigned k = 0; k < *n; k++)
			x[k] = log(x[k]);
		cv = stats__stddev(x, *n);
	} else {
		cv = stats__cv(x, *n);
	}
	free(x);
	mde = stats__mde(cv, *n, 0.05, 0.8);
	return 100 * (logs ? expm1(mde) : mde);
}

/* ---------------------------------------------------------- formatting */

static void fmt_value(double v, const char *unit, char *buf, size_t len)
{
	double a = fabs(v);

	if (isnan(v))
		snprintf(buf, len, "-");
	else if (unit && !strcmp(unit, "ns")) {
		if (a < 1e3)
			snprintf(buf, len, "%.1f ns", v);
		else if (a < 1e6)
			snprintf(buf, len, "%.2f us", v / 1e3);
		else if (a < 1e9)
			snprintf(buf, len, "%.2f ms", v / 1e6);
		else
			snprintf(buf, len, "%.3f s", v / 1e9);
	} else if (unit && !strcmp(unit, "/s")) {
		if (a >= 1e6)
			snprintf(buf, len, "%.3fM/s", v / 1e6);
		else if (a >= 100)
			snprintf(buf, len, "%.0f/s", v);
		else
			snprintf(buf, len, "%.2f/s", v);
	}
	else if (unit && *unit)
		snprintf(buf, len, "%.4g %s", v, unit);
	else
		snprintf(buf, len, "%.4g", v);
}

/* "12.34 us +-3.1% n=5": mean, CI half-width relative to the mean, n. */
static void fmt_sample(const struct sample_stats *s, const char *unit, char *buf, size_t len)
{
	char v[48];

	if (!s->n) {
		snprintf(buf, len, "-");
		return;
	}
	fmt_value(s->mean, unit, v, sizeof(v));
	if (s->n >= 2 && s->mean != 0)
		snprintf(buf, len, "%s +-%.1f%% n=%u", v, (s->ci_hi - s->mean) / fabs(s->mean) * 100, s->n);
	else
		snprintf(buf, len, "%s n=%u", v, s->n);
}

static void fmt_change(double c, char *buf, size_t len)
{
	if (isnan(c))
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%+.1f%%", c);
}

static void fmt_p(double p, char *buf, size_t len)
{
	if (isnan(p))
		snprintf(buf, len, "-");
	else if (p < 1e-4)
		snprintf(buf, len, "<0.0001");
	else
		snprintf(buf, len, "%.4f", p);
}

static void fmt_ratio(double r, char *buf, size_t len)
{
	if (isnan(r))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.3fx", r);
}

/* Key pairs every variant shares are printed once ("common: ..."), so each
 * row shows only what distinguishes it. */
struct labeler {
	struct pairs common;
	char buf[512];
};

static void labeler__init(struct labeler *l, const char **keys, unsigned n)
{
	l->common.n = 0;
	if (!n)
		return;
	pairs__parse(keys[0], &l->common);
	for (unsigned i = 1; i < n; i++) {
		struct pairs p;
		unsigned w = 0;

		pairs__parse(keys[i], &p);
		for (unsigned j = 0; j < l->common.n; j++) {
			const char *v = pairs__get(&p, l->common.k[j]);

			if (v && !strcmp(v, l->common.v[j])) {
				memmove(l->common.k[w], l->common.k[j], sizeof(l->common.k[0]));
				memmove(l->common.v[w], l->common.v[j], sizeof(l->common.v[0]));
				w++;
			}
		}
		l->common.n = w;
	}
}

static const char *labeler__label(struct labeler *l, const char *key)
{
	struct pairs p;
	size_t len = 0;

	pairs__parse(key, &p);
	l->buf[0] = '\0';
	for (unsigned i = 0; i < p.n; i++) {
		const char *c = pairs__get(&l->common, p.k[i]);

		if (c && !strcmp(c, p.v[i]))
			continue;
		len += (size_t)snprintf(l->buf + len, sizeof(l->buf) - len, "%s%s=%s",
					len ? "," : "", p.k[i], p.v[i]);
		if (len >= sizeof(l->buf))
			break;
	}
	return l->buf[0] ? l->buf : (*key ? key : "(all)");
}

static void labeler__print_common(struct labeler *l, FILE *out, const char *prefix)
{
	if (!l->common.n)
		return;
	fprintf(out, "%scommon: ", prefix);
	for (unsigned i = 0; i < l->common.n; i++)
		fprintf(out, "%s%s=%s", i ? "," : "", l->common.k[i], l->common.v[i]);
	fprintf(out, "\n");
}

static json_t *sample_json(const struct sample_stats *s)
{
	if (!s->n)
		return json_null();
	return json_pack("{s:I,s:f,s:f,s:f,s:f,s:f,s:f}", "n", (json_int_t)s->n,
			 "mean", s->mean, "sd", s->sd, "ci_lo", s->ci_lo, "ci_hi", s->ci_hi,
			 "min", s->min, "max", s->max);
}

static json_t *num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *row_json(const struct row *r, int within)
{
	json_t *o = json_object();

	json_object_set_new(o, "variant", json_string(r->key));
	if (within)
		json_object_set_new(o, "baseline", r->base_key ? json_string(r->base_key) : json_null());
	json_object_set_new(o, "metric", json_string(r->metric));
	json_object_set_new(o, "direction", json_string(r->dir > 0 ? "higher-is-better" :
				r->dir < 0 ? "lower-is-better" : "neutral"));
	json_object_set_new(o, "base", r->metric == RUN_VERDICTS ? json_null() : sample_json(&r->a));
	json_object_set_new(o, within ? "value" : "new", r->metric == RUN_VERDICTS ? json_null() : sample_json(&r->b));
	json_object_set_new(o, "change_pct", num_or_null(r->change_pct));
	json_object_set_new(o, "ratio", num_or_null(r->ratio));
	json_object_set_new(o, "change_ci_pct", isfinite(r->ch_lo) && isfinite(r->ch_hi) ?
			    json_pack("[ff]", r->ch_lo, r->ch_hi) : json_null());
	json_object_set_new(o, "p", num_or_null(r->p));
	json_object_set_new(o, "p_adj", num_or_null(r->p_adj));
	json_object_set_new(o, "test", json_string(r->test));
	json_object_set_new(o, "verdict", json_string(verdict_str[r->v]));
	json_object_set_new(o, "mde_pct", num_or_null(r->mde_pct));
	if (!within) {
		json_object_set_new(o, "repeats", json_pack("{s:I,s:I}", "base", (json_int_t)r->tot_a,
							    "new", (json_int_t)r->tot_b));
		json_object_set_new(o, "disturbed", json_pack("{s:I,s:I}", "base", (json_int_t)r->dist_a,
							      "new", (json_int_t)r->dist_b));
		json_object_set_new(o, "lower_bound", json_pack("{s:I,s:I}", "base", (json_int_t)r->cens_a,
								"new", (json_int_t)r->cens_b));
		if (r->metric == RUN_VERDICTS)
			json_object_set_new(o, "not_ok", json_pack("{s:I,s:I}", "base", (json_int_t)r->bad_a,
								   "new", (json_int_t)r->bad_b));
	}
	return o;
}

static json_t *tally_json(const struct tally *t)
{
	/* "I" takes a json_int_t; "i" would read an int from the va_list */
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
			 "regressed", (json_int_t)t->n[V_REGRESSED],
			 "improved", (json_int_t)t->n[V_IMPROVED],
			 "inconclusive", (json_int_t)t->n[V_INCONCLUSIVE],
			 "below_threshold", (json_int_t)t->n[V_SMALL],
			 "no_significant_change", (json_int_t)t->n[V_SAME],
			 "changed", (json_int_t)t->n[V_CHANGED],
			 "insufficient_repeats", (json_int_t)t->n[V_INSUFFICIENT],
			 "missing", (json_int_t)t->n[V_MISSING_BASE] + t->n[V_MISSING_NEW]);
}

static void print_tally(FILE *out, const struct tally *t, const char *prefix)
{
	fprintf(out, "%s%u regressed, %u improved, %u no significant change",
		prefix, t->n[V_REGRESSED], t->n[V_IMPROVED], t->n[V_SAME]);
	if (t->n[V_INCONCLUSIVE])
		fprintf(out, ", %u inconclusive (CI straddles the threshold)", t->n[V_INCONCLUSIVE]);
	if (t->n[V_SMALL])
		fprintf(out, ", %u below threshold", t->n[V_SMALL]);
	if (t->n[V_CHANGED])
		fprintf(out, ", %u changed (neutral metric)", t->n[V_CHANGED]);
	if (t->n[V_INSUFFICIENT])
		fprintf(out, ", %u insufficient repeats (need >= 2 per side)", t->n[V_INSUFFICIENT]);
	if (t->n[V_MISSING_BASE] + t->n[V_MISSING_NEW])
		fprintf(out, ", %u missing on one side", t->n[V_MISSING_BASE] + t->n[V_MISSING_NEW]);
	fprintf(out, "\n");
}

static int check_opts(const struct compare_opts *o, const char **metrics, unsigned *nm)
{
	const char *f = o->format ? o->format : "text";
	const char *tm = o->tail_method ? o->tail_method : "log";

	if (strcmp(tm, "log") && strcmp(tm, "pooled") && strcmp(tm, "mean")) {
		fprintf(stderr, "bench %s: unknown tail method '%s'; use log, pooled or mean\n", cmdname(o), tm);
		return -EINVAL;
	}
	if (!(o->disturbed_pct >= 0)) {
		fprintf(stderr, "bench %s: --disturbed-above %g%% is negative; use e.g. 10\n", cmdname(o),
			o->disturbed_pct);
		return -EINVAL;
	}

	if (strcmp(f, "text") && strcmp(f, "markdown") && strcmp(f, "json")) {
		fprintf(stderr, "bench %s: unknown format '%s'; use text, markdown or json\n", cmdname(o), f);
		return -EINVAL;
	}
	if (!(o->alpha > 0 && o->alpha < 1)) {
		fprintf(stderr, "bench %s: alpha %g is outside (0,1); use e.g. --alpha 0.05\n", cmdname(o), o->alpha);
		return -EINVAL;
	}
	if (!(o->threshold_pct >= 0)) {
		fprintf(stderr, "bench %s: threshold %g%% is negative; use e.g. --threshold 5\n",
			cmdname(o), o->threshold_pct);
		return -EINVAL;
	}
	if (o->nr_metrics > COMPARE_MAX_METRICS) {
		fprintf(stderr, "bench %s: at most %d metrics; drop some --metric\n", cmdname(o), COMPARE_MAX_METRICS);
		return -EINVAL;
	}
	*nm = 0;
	if (o->nr_metrics) {
		for (unsigned i = 0; i < o->nr_metrics; i++) {
			if (!o->metrics[i] || !*o->metrics[i]) {
				fprintf(stderr, "bench %s: empty metric name; use e.g. --metric resume_latency.p99\n",
					cmdname(o));
				return -EINVAL;
			}
			metrics[(*nm)++] = o->metrics[i];
		}
	} else {
		for (unsigned i = 0; i < sizeof(default_metrics) / sizeof(default_metrics[0]); i++)
			metrics[(*nm)++] = default_metrics[i];
	}
	return 0;
}

/* Explicit metrics must exist somewhere; defaults may be absent (a `null`
 * workload has no flush latency).  Returns the metrics kept. */
static int keep_metrics(json_t *a, json_t *b, const struct compare_opts *o,
			const char **metrics, unsigned *nm)
{
	unsigned w = 0;

	for (unsigned i = 0; i < *nm; i++) {
		int found = metric_anywhere(a, metrics[i]) || (b && metric_anywhere(b, metrics[i]));

		if (found)
			metrics[w++] = metrics[i];
		else if (o->nr_metrics) {
			fprintf(stderr, "bench %s: metric '%s' is in no run; use <metric>.<field> "
				"such as resume_latency.p99, rates.flushes_per_s or counters.suspends\n",
				cmdname(o), metrics[i]);
			return -ENOENT;
		}
	}
	*nm = w;
	return 0;
}

static const char *tree_label(json_t *root, char *buf, size_t len)
{
	const char *git = json_string_value(json_object_get(json_object_get(root, "tool"), "git"));
	const char *t = json_string_value(json_object_get(json_object_get(root, "env"), "start_time"));

	snprintf(buf, len, "%s%s%s%s", git ? "git " : "", git ? git : "",
		 t ? (git ? ", " : "") : "", t ? t : "");
	if (!buf[0])
		snprintf(buf, len, "(unlabelled)");
	return buf;
}

/* ---------------------------------------------------------- conditions */

/* What else the machine did while one side ran (the runs' "disturbance"
 * records, bench/disturb.c). */
struct conditions {
	unsigned runs, recorded, disturbed;
	double other_pct, load, steal_pct;      /* medians over the recorded runs */
};

static double median_of(double *v, unsigned n)
{
	return n ? stats__median(v, n) : NAN;
}

static void conditions__get(json_t *root, const struct compare_opts *o, struct conditions *c)
{
	json_t *runs = json_object_get(root, "runs"), *run;
	size_t i, n = json_array_size(runs);
	double *other = calloc(n + 1, sizeof(double)), *load = calloc(n + 1, sizeof(double));
	double *steal = calloc(n + 1, sizeof(double));

	memset(c, 0, sizeof(*c));
	c->other_pct = c->load = c->steal_pct = NAN;
	if (!other || !load || !steal)
		goto out;
	json_array_foreach(runs, i, run) {
		json_t *d = json_object_get(run, "disturbance");
		int dist = compare__run_disturbed(run, o->disturbed_pct);

		c->runs++;
		if (dist < 0)
			continue;
		other[c->recorded] = json_number_value(json_object_get(d, "other_cpu_pct"));
		load[c->recorded] = json_number_value(json_object_get(d, "loadavg_1m"));
		steal[c->recorded] = json_number_value(json_object_get(d, "steal_pct"));
		c->recorded++;
		c->disturbed += dist;
	}
	c->other_pct = median_of(other, c->recorded);
	c->load = median_of(load, c->recorded);
	c->steal_pct = median_of(steal, c->recorded);
out:
	free(other);
	free(load);
	free(steal);
}

static json_t *conditions__json(const struct conditions *c)
{
	if (!c->recorded)
		return json_null();
	return json_pack("{s:I,s:I,s:I,s:f,s:f,s:f}", "runs", (json_int_t)c->runs,
			 "recorded", (json_int_t)c->recorded, "disturbed", (json_int_t)c->disturbed,
			 "other_cpu_pct_median", c->other_pct, "loadavg_1m_median", c->load,
			 "steal_pct_median", c->steal_pct);
}

/* Different conditions: disturbed shares differ by a quarter of the runs,
 * or the median outside load differs by more than the disturbance limit. */
static int conditions__differ(const struct conditions *a, const struct conditions *b, const struct compare_opts *o)
{
	if (!a->recorded || !b->recorded)
		return 0;
	return fabs((double)a->disturbed / a->recorded - (double)b->disturbed / b->recorded) > 0.25 ||
	       fabs(a->other_pct - b->other_pct) > o->disturbed_pct;
}

static void conditions__print(FILE *out, const char *name, const struct conditions *c)
{
	if (!c->recorded) {
		fprintf(out, "  %-4s not recorded (results from before the disturbance record)\n", name);
		return;
	}
	fprintf(out, "  %-4s other processes %.1f%% of the CPUs, load %.2f, steal %.1f%% (medians); "
		"%u of %u repeats disturbed\n", name, c->other_pct, c->load, c->steal_pct, c->disturbed, c->recorded);
}

/* ---------------------------------------------------------- run vs run */

/* The stall rule: repeats whose run "verdict" (stalled, lost-wakeup, ...)
 * is not "ok" in NEW but none in BASE is a regression, the reverse an
 * improvement; not a statistical test, so outside the correction.  Only
 * when some run of the variant has a "verdict".  1 when a row was made. */
static int verdict_row(json_t *base, json_t *newr, const char *key, struct row *r)
{
	json_t *trees[2] = { base, newr }, *run;
	unsigned bad[2] = { 0, 0 }, tot[2] = { 0, 0 }, seen = 0;
	size_t i;

	for (int t = 0; t < 2; t++)
		json_array_foreach(json_object_get(trees[t], "runs"), i, run) {
			const char *v = json_string_value(json_object_get(run, "verdict"));

			if (strcmp(results__variant_key(run), key))
				continue;
			tot[t]++;
			if (!v)
				continue;
			seen++;
			bad[t] += strcmp(v, "ok") != 0;
		}
	if (!seen)
		return 0;
	*r = (struct row){ .key = key, .metric = RUN_VERDICTS, .dir = -1, .test = "-",
			   .bad_a = bad[0], .bad_b = bad[1], .tot_a = tot[0], .tot_b = tot[1],
			   .p = NAN, .p_adj = NAN, .ch_lo = NAN, .ch_hi = NAN, .mde_pct = NAN,
			   .change_pct = NAN, .ratio = NAN };
	r->a.n = tot[0];
	r->b.n = tot[1];
	r->v = bad[1] && !bad[0] ? V_REGRESSED : bad[0] && !bad[1] ? V_IMPROVED : V_SAME;
	return 1;
}

static void fmt_ci(double lo, double hi, char *buf, size_t len)
{
	if (isnan(lo) || isnan(hi))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "[%+.1f,%+.1f]", lo, hi);
}

static void fmt_verdict(const struct row *r, int md, char *buf, size_t len)
{
	const char *v = verdict_str[r->v];
	size_t l;

	if (r->v == V_REGRESSED)
		snprintf(buf, len, "%s", md ? "**regressed**" : "REGRESSED");
	else
		snprintf(buf, len, "%s", v);
	l = strlen(buf);
	if (!isnan(r->mde_pct) && l < len)
		snprintf(buf + l, len - l, " (MDE %.0f%% at n=%u)", r->mde_pct, r->a.n < r->b.n ? r->a.n : r->b.n);
	l = strlen(buf);
	if ((r->cens_a || r->cens_b) && l < len)
		snprintf(buf + l, len - l, " [lower bound: base %u, new %u]", r->cens_a, r->cens_b);
}

static void text_header_runs(FILE *out, int w, const struct compare_opts *o)
{
	fprintf(out, "  %-*s  %-24s  %-24s  %8s  %-17s  %8s  %8s  %-12s  %s\n", w, "metric", "base", "new",
		"change", "CI", "p", o->correction == STATS_CORR_NONE ? "p" :
		o->correction == STATS_CORR_HOLM ? "p(holm)" : "p(bh)", "test", "verdict");
}

static int load_calibration(struct compare_opts *o)
{
	json_error_t je;

	if (o->calib || !o->calibration)
		return 0;
	o->calib = json_load_file(o->calibration, 0, &je);
	if (!o->calib) {
		fprintf(stderr, "bench %s: cannot read calibration '%s': %s; give a calibration.json "
			"written by bench calibrate\n", cmdname(o), o->calibration, je.text);
		return -EINVAL;
	}
	if (strcmp(json_string_value(json_object_get(o->calib, "schema")) ?: "", "flushbench-calibration/1")) {
		fprintf(stderr, "bench %s: '%s' is not a flushbench-calibration/1 file; "
			"write one with bench calibrate\n", cmdname(o), o->calibration);
		json_decref(o->calib);
		o->calib = NULL;
		return -EINVAL;
	}
	return 1;       /* loaded here: the caller frees it */
}

int compare__runs(json_t *base, json_t *newr, const struct compare_opts *oin, FILE *out)
{
	const char *metrics[COMPARE_MAX_METRICS + 4], **keys = NULL;
	unsigned nm, nk, common = 0, mw = (unsigned)strlen(RUN_VERDICTS), nrows = 0;
	struct compare_opts ob = *oin, *o = &ob;
	const char *fmt = o->format ? o->format : "text";
	struct tally t = { 0 };
	struct labeler lab;
	struct conditions ca, cn;
	struct row *rows = NULL;
	json_t *jrows = NULL, *jonly_b = NULL, *jonly_n = NULL;
	char l1[128], l2[128];
	int ret = 2, own_calib = 0, differ;

	if (!json_is_array(json_object_get(base, "runs")) || !json_is_array(json_object_get(newr, "runs"))) {
		fprintf(stderr, "bench %s: a result has no runs; load it with results__load()\n", cmdname(o));
		return 2;
	}
	if (check_opts(o, metrics, &nm) || keep_metrics(base, newr, o, metrics, &nm))
		return 2;
	own_calib = load_calibration(o);
	if (own_calib < 0)
		return 2;
	nk = unique_keys(base, newr, &keys);
	for (unsigned i = 0; i < nk; i++)
		common += has_key(base, keys[i]) && has_key(newr, keys[i]);
	if (!common) {
		fprintf(stderr, "bench %s: the two results share no variant (run[\"key\"]); "
			"compare runs of the same scenario\n", cmdname(o));
		goto out;
	}
	for (unsigned m = 0; m < nm; m++)
		if (strlen(metrics[m]) > mw)
			mw = (unsigned)strlen(metrics[m]);
	labeler__init(&lab, keys, nk);
	conditions__get(base, o, &ca);
	conditions__get(newr, o, &cn);
	differ = conditions__differ(&ca, &cn, o);

	/* every test of the comparison first: the correction needs the family */
	rows = calloc((size_t)nk * (nm + 1) + 1, sizeof(*rows));
	if (!rows)
		goto out;
	for (unsigned k = 0; k < nk; k++) {
		if (!has_key(base, keys[k]) || !has_key(newr, keys[k]))
			continue;
		if (verdict_row(base, newr, keys[k], &rows[nrows]))
			nrows++;
		for (unsigned m = 0; m < nm; m++) {
			struct row *r = &rows[nrows];
			struct side sa, sb;

			if (side__collect(base, keys[k], metrics[m], o, &sa) ||
			    side__collect(newr, keys[k], metrics[m], o, &sb)) {
				side__free(&sa);
				fprintf(stderr, "bench %s: out of memory\n", cmdname(o));
				goto out;
			}
			if (sa.n || sb.n) {     /* else: not produced by this variant */
				*r = (struct row){ .key = keys[k], .metric = metrics[m] };
				r->dir = compare__direction(metrics[m]);
				r->unit = metric_unit(base, newr, metrics[m]);
				analyse(&sa, &sb, o, r);
				nrows++;
			}
			side__free(&sa);
			side__free(&sb);
		}
	}
	finalize(rows, nrows, o);

	if (!strcmp(fmt, "json")) {
		jrows = json_array();
		jonly_b = json_array();
		jonly_n = json_array();
	} else if (!strcmp(fmt, "markdown")) {
		fprintf(out, "**base:** %s &nbsp; **new:** %s &nbsp; threshold %g%%, alpha %g, correction %s%s\n\n",
			tree_label(base, l1, sizeof(l1)), tree_label(newr, l2, sizeof(l2)),
			o->threshold_pct, o->alpha, stats__correction_name(o->correction), o->paired ? ", paired" : "");
		if (differ)
			fprintf(out, "**BASE and NEW ran under different conditions** (other processes %.1f%% vs %.1f%% "
				"of the CPUs; disturbed repeats %u/%u vs %u/%u)\n\n", ca.other_pct, cn.other_pct,
				ca.disturbed, ca.recorded, cn.disturbed, cn.recorded);
		labeler__print_common(&lab, out, "");
		fprintf(out, "\n| variant | metric | base | new | change | CI | p | p adj | test | verdict |\n");
		fprintf(out, "|---|---|---:|---:|---:|---|---:|---:|---|---|\n");
	} else {
		fprintf(out, "base: %s\nnew:  %s\nthreshold %g%%, alpha %g, correction %s, tail test %s%s%s\n",
			tree_label(base, l1, sizeof(l1)), tree_label(newr, l2, sizeof(l2)),
			o->threshold_pct, o->alpha, stats__correction_name(o->correction),
			o->tail_method ? o->tail_method : "log", o->paired ? ", paired repeats" : "",
			o->drop_disturbed ? ", disturbed repeats dropped" : "");
		if (ca.recorded || cn.recorded) {
			fprintf(out, "conditions%s:\n", differ ? " DIFFER between BASE and NEW" : "");
			conditions__print(out, "base", &ca);
			conditions__print(out, "new", &cn);
		}
		labeler__print_common(&lab, out, "");
	}

	for (unsigned k = 0, ri = 0; k < nk; k++) {
		int in_b = has_key(base, keys[k]), in_n = has_key(newr, keys[k]), first = 1;
		const char *label = labeler__label(&lab, keys[k]);

		if (!in_b || !in_n) {
			if (jrows)
				json_array_append_new(in_b ? jonly_b : jonly_n, json_string(keys[k]));
			else if (!strcmp(fmt, "markdown"))
				fprintf(out, "| %s | | | | | | | | | only in %s |\n", label, in_b ? "base" : "new");
			else
				fprintf(out, "\nonly in %s: %s\n", in_b ? "base" : "new", label);
			continue;
		}
		for (; ri < nrows && rows[ri].key == keys[k]; ri++) {
			struct row *r = &rows[ri];
			char sa[64], sb[64], ch[16], ci[32], ps[16], pa[16], vs[128];

			t.n[r->v]++;
			if (jrows) {
				json_array_append_new(jrows, row_json(r, 0));
				continue;
			}
			if (first && !strcmp(fmt, "text")) {
				fprintf(out, "\n%s\n", label);
				if (r->dist_a || r->dist_b)
					fprintf(out, "  disturbed repeats (other processes > %g%% CPU): base %u/%u, new %u/%u%s\n",
						o->disturbed_pct, r->dist_a, r->tot_a, r->dist_b, r->tot_b,
						o->drop_disturbed ? " (dropped)" : "");
				text_header_runs(out, (int)mw, o);
			}
			first = 0;
			fmt_sample(&r->a, r->unit, sa, sizeof(sa));
			fmt_sample(&r->b, r->unit, sb, sizeof(sb));
			fmt_change(r->change_pct, ch, sizeof(ch));
			if (r->metric == RUN_VERDICTS) {
				snprintf(sa, sizeof(sa), "%u/%u not ok", r->bad_a, r->tot_a);
				snprintf(sb, sizeof(sb), "%u/%u not ok", r->bad_b, r->tot_b);
				snprintf(ch, sizeof(ch), "-");
			}
			fmt_ci(r->ch_lo, r->ch_hi, ci, sizeof(ci));
			fmt_p(r->p, ps, sizeof(ps));
			fmt_p(r->p_adj, pa, sizeof(pa));
			fmt_verdict(r, !strcmp(fmt, "markdown"), vs, sizeof(vs));
			if (!strcmp(fmt, "markdown"))
				fprintf(out, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", label, r->metric,
					sa, sb, ch, ci, ps, pa, r->test, vs);
			else
				fprintf(out, "  %-*s  %-24s  %-24s  %8s  %-17s  %8s  %8s  %-12s  %s\n", (int)mw, r->metric,
					sa, sb, ch, ci, ps, pa, r->test, vs);
		}
	}
	ret = t.n[V_REGRESSED] ? 1 : 0;
	if (jrows) {
		json_t *root = json_pack("{s:s,s:s,s:f,s:f,s:s,s:s,s:b,s:b,s:f,s:o,s:o,s:o,s:o,s:I}",
			"schema", "flushbench-compare/1", "mode", "runs",
			"threshold_pct", o->threshold_pct, "alpha", o->alpha,
			"correction", stats__correction_name(o->correction),
			"tail_method", o->tail_method ? o->tail_method : "log",
			"paired", o->paired, "drop_disturbed", o->drop_disturbed,
			"disturbed_above_pct", o->disturbed_pct,
			"rows", jrows, "only_in_base", jonly_b, "only_in_new", jonly_n,
			"summary", tally_json(&t), "exit", (json_int_t)ret);
		jrows = jonly_b = jonly_n = NULL;       /* stolen by "o" */
		if (root)
			json_object_set_new(root, "conditions", json_pack("{s:o,s:o,s:b}",
				"base", conditions__json(&ca), "new", conditions__json(&cn), "differ", differ));
		if (!root || json_dumpf(root, out, JSON_INDENT(2)) < 0)
			ret = 2;
		fputc('\n', out);
		json_decref(root);
	} else {
		fprintf(out, "\n");
		print_tally(out, &t, strcmp(fmt, "markdown") ? "summary: " : "**summary:** ");
		if (differ)
			fprintf(out, "%sBASE and NEW ran under different conditions (see above): a verdict may "
				"reflect the machine, not the change; re-run both, or use bench ab\n",
				strcmp(fmt, "markdown") ? "warning: " : "**warning:** ");
	}
out:
	json_decref(jrows);
	json_decref(jonly_b);
	json_decref(jonly_n);
	if (own_calib > 0)
		json_decref(o->calib);
	free(rows);
	free(keys);
	return ret;
}

/* ---------------------------------------------------------- within a run */

static int baseline_matches(json_t *run, const struct pairs *bp)
{
	char buf[256];

	for (unsigned i = 0; i < bp->n; i++)
		if (run_field(run, bp->k[i], buf, sizeof(buf)) || strcmp(buf, bp->v[i]))
			return 0;
	return 1;
}

/* Do two keys agree on every pair that is not a baseline axis? */
static int same_except(const char *k1, const char *k2, const struct pairs *bp)
{
	struct pairs p1, p2;

	pairs__parse(k1, &p1);
	pairs__parse(k2, &p2);
	for (int pass = 0; pass < 2; pass++) {
		const struct pairs *x = pass ? &p2 : &p1, *y = pass ? &p1 : &p2;

		for (unsigned i = 0; i < x->n; i++) {
			const char *v;

			if (pairs__get(bp, x->k[i]))
				continue;
			v = pairs__get(y, x->k[i]);
			if (!v || strcmp(v, x->v[i]))
				return 0;
		}
	}
	return 1;
}

int compare__within(json_t *root, const struct compare_opts *o, FILE *out)
{
	struct row *rows = NULL;
	const char *metrics[COMPARE_MAX_METRICS + 4], **keys = NULL, **bkey = NULL;
	const char *fmt = o->format ? o->format : "text";
	char spec[512], l1[128];
	unsigned nm, nk, nbase = 0, lw = 7;
	struct pairs bp;
	struct labeler lab;
	struct tally t = { 0 };
	json_t *jrows = NULL;
	int ret = 2;

	if (!json_is_array(json_object_get(root, "runs"))) {
		fprintf(stderr, "bench %s: the result has no runs\n", cmdname(o));
		return 2;
	}
	if (check_opts(o, metrics, &nm) || keep_metrics(root, NULL, o, metrics, &nm))
		return 2;
	nk = unique_keys(root, NULL, &keys);
	if (!nk) {
		fprintf(stderr, "bench %s: the result has no runs; nothing to compare\n", cmdname(o));
		goto out;
	}
	if (o->baseline) {
		snprintf(spec, sizeof(spec), "%s", o->baseline);
	} else {
		/* Default: the first variant's design and request, the two axes the
		 * suite exists to compare. */
		json_t *r0 = first_run(root, keys[0]);
		char d[128], q[128];
		size_t len = 0;

		spec[0] = '\0';
		if (!run_field(r0, "design", d, sizeof(d)))
			len += (size_t)snprintf(spec + len, sizeof(spec) - len, "design=%s", d);
		if (!run_field(r0, "request", q, sizeof(q)))
			snprintf(spec + len, sizeof(spec) - len, "%srequest=%s", len ? "," : "", q);
	}
	pairs__parse(spec, &bp);
	if (!bp.n) {
		fprintf(stderr, "bench %s: no baseline; give --baseline key=value[,key=value] (e.g. design=srcu,request=event)\n",
			cmdname(o));
		goto out;
	}
	bkey = calloc(nk, sizeof(*bkey));
	if (!bkey)
		goto out;
	for (unsigned k = 0; k < nk; k++)
		nbase += baseline_matches(first_run(root, keys[k]), &bp);
	if (!nbase) {
		fprintf(stderr, "bench %s: baseline '%s' matches no variant; pick values that appear in the run's keys\n",
			cmdname(o), spec);
		goto out;
	}
	for (unsigned k = 0; k < nk; k++)
		for (unsigned j = 0; j < nk; j++)
			if (baseline_matches(first_run(root, keys[j]), &bp) && same_except(keys[j], keys[k], &bp)) {
				bkey[k] = keys[j];
				break;
			}
	labeler__init(&lab, keys, nk);
	for (unsigned k = 0; k < nk; k++) {
		unsigned l = (unsigned)strlen(labeler__label(&lab, keys[k]));
		if (l > lw)
			lw = l;
	}

	if (!strcmp(fmt, "json")) {
		jrows = json_array();
	} else if (!strcmp(fmt, "markdown")) {
		fprintf(out, "**%s** — baseline: %s; threshold %g%%, alpha %g\n\n",
			tree_label(root, l1, sizeof(l1)), spec, o->threshold_pct, o->alpha);
		labeler__print_common(&lab, out, "");
	} else {
		fprintf(out, "baseline: %s (threshold %g%%, alpha %g)\n", spec, o->threshold_pct, o->alpha);
		labeler__print_common(&lab, out, "");
	}

	rows = calloc((size_t)nk * nm + 1, sizeof(*rows));
	if (!rows)
		goto out;
	for (unsigned m = 0; m < nm; m++) {
		for (unsigned k = 0; k < nk; k++) {
			struct row *r = &rows[m * nk + k];
			struct side sa = { 0 }, sb = { 0 };

			*r = (struct row){ .key = keys[k], .base_key = bkey[k], .metric = metrics[m],
					   .dir = compare__direction(metrics[m]),
					   .unit = metric_unit(root, NULL, metrics[m]), .v = V_MISSING_NEW };
			if (side__collect(root, keys[k], metrics[m], o, &sb) ||
			    (bkey[k] && side__collect(root, bkey[k], metrics[m], o, &sa))) {
				side__free(&sb);
				goto out;
			}
			r->key = (sb.n || sa.n) ? keys[k] : NULL;       /* NULL: nothing to show */
			if (r->key && bkey[k])
				analyse(&sa, &sb, o, r);
			else if (r->key)
				analyse(&sb, &sb, o, r);
			if (bkey[k] == keys[k] || !bkey[k])
				r->v = V_SAME;          /* not a test */
			side__free(&sa);
			side__free(&sb);
		}
	}
	finalize(rows, nk * nm, o);

	for (unsigned m = 0; m < nm; m++) {
		int dir = compare__direction(metrics[m]);
		const char *unit = metric_unit(root, NULL, metrics[m]);

		if (!strcmp(fmt, "markdown")) {
			fprintf(out, "\n#### %s (%s)\n\n| variant | base | value | ratio | p | p adj | verdict |\n"
				"|---|---:|---:|---:|---:|---:|---|\n", metrics[m],
				dir > 0 ? "higher is better" : dir < 0 ? "lower is better" : "neutral");
		} else if (!strcmp(fmt, "text")) {
			fprintf(out, "\n%s (%s)\n  %-*s  %-24s  %-24s  %8s  %8s  %8s  %s\n", metrics[m],
				dir > 0 ? "higher is better" : dir < 0 ? "lower is better" : "neutral",
				(int)lw, "variant", "base", "value", "ratio", "p", "p adj", "verdict");
		}
		for (unsigned k = 0; k < nk; k++) {
			struct row *r = &rows[m * nk + k];
			char sa[64], sb[64], rs[16], ps[16], pa[16];
			const char *verdict;

			if (!r->key)
				continue;
			if (bkey[k] == keys[k]) {
				verdict = "(baseline)";
				r->p = r->p_adj = NAN;
			} else if (!bkey[k]) {
				verdict = "no baseline variant";
				r->ratio = NAN;
			} else {
				verdict = verdict_str[r->v];
				t.n[r->v]++;
			}
			if (jrows) {
				json_t *j = row_json(r, 1);

				if (bkey[k] == keys[k] || !bkey[k])
					json_object_set_new(j, "verdict", json_string(verdict));
				json_array_append_new(jrows, j);
				continue;
			}
			fmt_sample(&r->a, unit, sa, sizeof(sa));
			if (!bkey[k])
				snprintf(sa, sizeof(sa), "-");
			fmt_sample(&r->b, unit, sb, sizeof(sb));
			fmt_ratio(r->ratio, rs, sizeof(rs));
			fmt_p(r->p, ps, sizeof(ps));
			fmt_p(r->p_adj, pa, sizeof(pa));
			if (!strcmp(fmt, "markdown"))
				fprintf(out, "| %s | %s | %s | %s | %s | %s | %s |\n",
					labeler__label(&lab, keys[k]), sa, sb, rs, ps, pa, verdict);
			else
				fprintf(out, "  %-*s  %-24s  %-24s  %8s  %8s  %8s  %s\n", (int)lw,
					labeler__label(&lab, keys[k]), sa, sb, rs, ps, pa, verdict);
		}
	}
	ret = 0;
	if (jrows) {
		json_t *j = json_pack("{s:s,s:s,s:s,s:f,s:f,s:s,s:o,s:o}",
			"schema", "flushbench-compare/1", "mode", "within", "baseline", spec,
			"threshold_pct", o->threshold_pct, "alpha", o->alpha,
			"correction", stats__correction_name(o->correction),
			"rows", jrows, "summary", tally_json(&t));
		jrows = NULL;
		if (!j || json_dumpf(j, out, JSON_INDENT(2)) < 0)
			ret = 2;
		fputc('\n', out);
		json_decref(j);
	} else {
		fprintf(out, "\n");
		print_tally(out, &t, strcmp(fmt, "markdown") ? "vs baseline: " : "**vs baseline:** ");
	}
out:
	json_decref(jrows);
	free(rows);
	free(bkey);
	free(keys);
	return ret;
}
