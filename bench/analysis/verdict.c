// SPDX-License-Identifier: MIT
/*
 * bench verdict: findings as sentences (verdict.h).  Everything printed is
 * computed from the results tree: no free text that can drift from the
 * numbers.
 */
#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compare.h"
#include "results.h"
#include "stats.h"
#include "verdict.h"
#include "verdict-int.h"

/* Sentences are bounded by their buffers on purpose; snprintf truncates. */
#if defined(__GNUC__) && !defined(__clang__)   /* clang has no such warning */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

#define MAX_FINDINGS  256
#define MAX_SAMPLES   1024

struct finding {
	char ctx[256];          /* "Without memory pressure at 8 vCPUs with request=event" */
	char a[96], b[96];      /* base and candidate names ("srcu", "targeted") */
	char metric[64];        /* "resume p99" */
	unsigned na, nb;
	double ratio;           /* mean(b) / mean(a) */
	double lo, hi;          /* 95 % CI of the factor stated (>= 1) */
	double p;
	int sig;                /* 1 significant, 0 not, -1 not tested */
	double effect;          /* |log ratio| */
	bool lower_bound;       /* a side has censored repeats */
	bool small;             /* significant but below the change threshold */
	char extra[320];        /* "; srcu scans 7.0 vCPUs per uninhibit, targeted 0.8" */
};

/* ---------------------------------------------------------------- numbers */

static unsigned samples(json_t *root, const char *key, const char *metric, double *x, unsigned max,
			unsigned *censored)
{
	json_t *runs = json_object_get(root, "runs"), *run;
	const char *dot = strchr(metric, '.');
	char head[128];
	unsigned n = 0;
	size_t i;

	snprintf(head, sizeof(head), "%.*s", dot ? (int)(dot - metric) : 0, metric);
	*censored = 0;
	json_array_foreach(runs, i, run) {
		json_t *lb, *e;
		size_t j;
		if (strcmp(results__variant_key(run), key) || n >= max || results__metric_value(run, metric, &x[n]))
			continue;
		n++;
		lb = json_object_get(json_object_get(json_object_get(run, "metrics"), head), "lower_bound");
		json_array_foreach(lb, j, e)
			if (dot && json_is_string(e) && !strcmp(json_string_value(e), dot + 1))
				(*censored)++;
	}
	return n;
}

static int by_effect(const void *x, const void *y)
{
	const struct finding *a = x, *b = y;
	int ra = a->sig == 1 ? 0 : a->sig == -1 ? 1 : 2, rb = b->sig == 1 ? 0 : b->sig == -1 ? 1 : 2;

	if (ra != rb)
		return ra - rb;
	if (a->effect != b->effect)
		return a->effect > b->effect ? -1 : 1;
	return strcmp(a->ctx, b->ctx);
}

static void scanned_clause(json_t *ra, const char *ka, json_t *rb, const char *kb, struct finding *f)
{
	double xa[MAX_SAMPLES], xb[MAX_SAMPLES];
	unsigned c, na = samples(ra, ka, "scanned_per_uninhibit.mean", xa, MAX_SAMPLES, &c);
	unsigned nb = samples(rb, kb, "scanned_per_uninhibit.mean", xb, MAX_SAMPLES, &c);

	if (!strstr(f->metric, "resume") || !na || !nb)
		return;
	snprintf(f->extra, sizeof(f->extra), "; %s scans %.1f vCPUs per uninhibit, %s %.1f",
		 f->a, stats__mean(xa, na), f->b, stats__mean(xb, nb));
}

/* Build findings from compare rows.  ra/rb: trees holding base / candidate
 * samples (the same tree within a run). */
static unsigned findings(json_t *cj, json_t *ra, json_t *rb, const char *axis, bool within,
			 struct finding *out)
{
	json_t *rows = json_object_get(cj, "rows"), *row;
	unsigned n = 0;
	size_t i;

	json_array_foreach(rows, i, row) {
		const char *v = json_string_value(json_object_get(row, "verdict"));
		const char *kb = json_string_value(json_object_get(row, "variant"));
		const char *ka = within ? json_string_value(json_object_get(row, "baseline")) : kb;
		const char *metric = json_string_value(json_object_get(row, "metric"));
		struct finding *f = &out[n];
		double xa[MAX_SAMPLES], xb[MAX_SAMPLES];
		unsigned ca, cb;

		if (!v || !ka || !kb || !metric || n >= MAX_FINDINGS)
			continue;
		memset(f, 0, sizeof(*f));
		if (!strcmp(v, "improved") || !strcmp(v, "regressed") || !strcmp(v, "changed") ||
		    !strcmp(v, "inconclusive"))
			f->sig = 1;
		else if (!strcmp(v, "no significant change"))
			f->sig = 0;
		else if (!strcmp(v, "below threshold"))
			f->sig = 0, f->small = true;
		else if (!strcmp(v, "insufficient repeats"))
			f->sig = -1;
		else
			continue;       /* (baseline), missing, no baseline variant */
		f->na = samples(ra, ka, metric, xa, MAX_SAMPLES, &ca);
		f->nb = samples(rb, kb, metric, xb, MAX_SAMPLES, &cb);
		if (!f->na || !f->nb)
			continue;
		double ma = stats__mean(xa, f->na), mb = stats__mean(xb, f->nb);
		if (ma == 0 || mb == 0)
			continue;       /* no ratio of a zero (docs/STATISTICS.md) */
		f->ratio = mb / ma;
		f->effect = fabs(log(f->ratio));
		if (f->ratio >= 1)
			stats__bootstrap_ratio_ci(xa, f->na, xb, f->nb, 2000, 0.95, 1, &f->lo, &f->hi);
		else
			stats__bootstrap_ratio_ci(xb, f->nb, xa, f->na, 2000, 0.95, 1, &f->lo, &f->hi);
		/* the p-value that made the call: multiplicity-adjusted when compare gives one */
		json_t *p = json_is_number(json_object_get(row, "p_adj")) ? json_object_get(row, "p_adj")
									  : json_object_get(row, "p");
		f->p = json_is_number(p) ? json_number_value(p) : NAN;
		f->lower_bound = ca || cb;
		verdict__nice_metric(metric, f->metric, sizeof(f->metric));
		if (within) {
			verdict__context(kb, axis, f->ctx, sizeof(f->ctx));
			results__key_part(ka, axis, f->a, sizeof(f->a));
			results__key_part(kb, axis, f->b, sizeof(f->b));
			scanned_clause(ra, ka, rb, kb, f);
		} else {
			char d[96];
			verdict__context(kb, "design", f->ctx, sizeof(f->ctx));
			results__key_part(kb, "design", d, sizeof(d));
			snprintf(f->a, sizeof(f->a), "%s", d);
		}
		n++;
	}
	qsort(out, n, sizeof(*out), by_effect);
	return n;
}

static void n_text(const struct finding *f, char *out, size_t len)
{
	if (f->na == f->nb)
		snprintf(out, len, "n=%u each", f->na);
	else
		snprintf(out, len, "n=%u and %u", f->na, f->nb);
}

static void sentence(const struct finding *f, bool within, const struct verdict_opts *o, char *s, size_t len)
{
	char fac[16], lo[16], hi[16], nt[32];
	double factor = f->ratio >= 1 ? f->ratio : 1 / f->ratio;
	const char *word = f->ratio >= 1 ? "higher" : "lower";
	const char *lb = f->lower_bound ? "; stalled repeats make these lower bounds" : "";

	verdict__fmt_factor(factor, fac, sizeof(fac));
	verdict__fmt_factor(f->lo, lo, sizeof(lo));
	verdict__fmt_factor(f->hi, hi, sizeof(hi));
	n_text(f, nt, sizeof(nt));
	const char *ctx = f->ctx;
	if (within) {
		if (f->sig == 1)
			snprintf(s, len, "%s, %s's %s is %sx %s than %s's (95\x01%% CI %s-%sx, %s%s)%s.",
				 ctx, f->b, f->metric, fac, word, f->a, lo, hi, nt, lb, f->extra);
		else if (f->sig == 0)
			snprintf(s, len, f->small ? "%s, %s's %s differs from %s's by less than the threshold "
				 "(%sx %s, 95\x01%% CI %s-%sx, %s, p=%.2f%s)%s." : "%s, %s's %s is not significantly different from %s's "
				 "(%sx %s, 95\x01%% CI %s-%sx, %s, p=%.2f%s)%s.",
				 ctx, f->b, f->metric, f->a, fac, word, lo, hi, nt, f->p, lb, f->extra);
		else
			snprintf(s, len, "%s, %s's %s is %sx %s than %s's in single repeats (%s, not "
				 "tested%s)%s.", ctx, f->b, f->metric, fac, word, f->a, nt, lb, f->extra);
	} else {
		const char *nb = o->new_label ? o->new_label : "this run";
		const char *ba = o->base_label ? o->base_label : "the base";
		if (f->sig == 1)
			snprintf(s, len, "%s, %s's %s is %sx %s in %s than in %s (95\x01%% CI %s-%sx, %s%s).",
				 ctx, f->a, f->metric, fac, word, nb, ba, lo, hi, nt, lb);
		else if (f->sig == 0)
			snprintf(s, len, "%s, %s's %s did not change significantly from %s to %s "
				 "(%sx %s, 95\x01%% CI %s-%sx, %s, p=%.2f%s).",
				 ctx, f->a, f->metric, ba, nb, fac, word, lo, hi, nt, f->p, lb);
		else
			snprintf(s, len, "%s, %s's %s is %sx %s in %s than in %s in single repeats "
				 "(%s, not tested%s).", ctx, f->a, f->metric, fac, word, nb, ba, nt, lb);
	}
}

/* ---------------------------------------------------------------- entry */

static const char *pick_axis(json_t *root, const struct verdict_opts *o)
{
	char v[512];
	unsigned n;

	if (o->axis)
		return o->axis;
	verdict__distinct(root, "design", v, sizeof(v), &n);
	if (n > 1)
		return "design";
	verdict__distinct(root, "request", v, sizeof(v), &n);
	if (n > 1)
		return "request";
	verdict__distinct(root, "pressure", v, sizeof(v), &n);
	return n > 1 ? "pressure" : "design";
}

int verdict__write(json_t *root, json_t *base, const struct verdict_opts *o, FILE *out)
{
	static struct finding fs[MAX_FINDINGS];
	const char *fmt = o->format ? o->format : "text", *axis = pick_axis(root, o);
	bool md = !strcmp(fmt, "markdown"), mixed = false;
	struct compare_opts co;
	char spec[160], first[128], mnames[256] = "";
	json_t *cj, *run;
	size_t i;
	unsigned n;

	if (strcmp(fmt, "text") && !md) {
		fprintf(stderr, "bench verdict: unknown --format '%s'; use text or markdown\n", fmt);
		return 2;
	}
	compare__default_opts(&co);
	co.cmd = "verdict";
	json_array_foreach(json_object_get(root, "runs"), i, run)
		mixed |= !strcmp(json_string_value(json_object_get(run, "workload")) ?: "", "mixed");
	if (mixed) {
		co.metrics[0] = "resume_latency.p99";
		co.metrics[1] = "flush_latency.p99";
		co.metrics[2] = "rates.flushes_per_s";
	} else {
		co.metrics[0] = "exit_rtt.p50";
		co.metrics[1] = "hypercall_rtt.p50";
		co.metrics[2] = "rates.exits_per_s";
	}
	co.nr_metrics = 3;
	for (unsigned m = 0; m < co.nr_metrics; m++) {
		char nm[64];
		verdict__nice_metric(co.metrics[m], nm, sizeof(nm));
		snprintf(mnames + strlen(mnames), sizeof(mnames) - strlen(mnames), "%s%s",
			 m == 0 ? "" : m + 1 == co.nr_metrics ? " and " : ", ", nm);
	}
	if (!base) {
		unsigned nv;
		verdict__distinct(root, axis, first, sizeof(first), &nv);
		first[strcspn(first, ",")] = 0;
		snprintf(spec, sizeof(spec), "%s=%s", axis, first);
		co.baseline = spec;
	}
	cj = compare__json(base, root, &co);
	if (!cj) {
		fprintf(stderr, "bench verdict: the comparison failed (see above); check the results\n");
		return 2;
	}
	verdict__header(root, base, axis, mnames, md, o, out);
	n = findings(cj, base ? base : root, root, axis, !base, fs);
	json_decref(cj);

	if (!n) {
		fprintf(out, md ? "\nNo finding: no pair of variants to compare.\n" :
			"\nNo finding: no pair of variants to compare.\n");
	} else if (md) {
		fprintf(out, "| finding | ratio | 95 %% CI | n | p | significant |\n|---|---:|---:|---:|---:|---|\n");
		for (unsigned k = 0; k < n; k++) {
			char s[1024], fac[16], lo[16], hi[16], nt[32], ps[16];
			const struct finding *f = &fs[k];
			double factor = f->ratio >= 1 ? f->ratio : 1 / f->ratio;
			if (base)
				snprintf(s, sizeof(s), "%s, %s: %s %s in %s", f->ctx, f->a, f->metric,
					 f->ratio >= 1 ? "higher" : "lower", o->new_label ? o->new_label : "this run");
			else
				snprintf(s, sizeof(s), "%s: %s's %s vs %s's (%s)", f->ctx, f->b, f->metric, f->a,
					 f->ratio >= 1 ? "higher" : "lower");
			verdict__fmt_factor(factor, fac, sizeof(fac));
			verdict__fmt_factor(f->lo, lo, sizeof(lo));
			verdict__fmt_factor(f->hi, hi, sizeof(hi));
			n_text(f, nt, sizeof(nt));
			snprintf(ps, sizeof(ps), isfinite(f->p) && f->sig >= 0 ? "%.2g" : "-", f->p);
			fprintf(out, "| %s%s | %sx | %s-%sx | %s | %s | %s |\n", s, f->lower_bound ? " (lower bound)" : "",
				fac, lo, hi, nt + 2, ps, f->sig == 1 ? "yes" : f->sig == 0 ? "no" : "not tested");
		}
	} else {
		fprintf(out, "\nFindings, largest effect first:\n");
		for (unsigned k = 0; k < n; k++) {
			char s[1024];
			sentence(&fs[k], !base, o, s, sizeof(s));
			verdict__wrap(out, s, VERDICT_WIDTH, "- ", "  ");
		}
	}
	verdict__problems(root, axis, md, out);
	const char *cmd = json_string_value(json_object_get(root, "command"));
	if (md)
		fprintf(out, "\nReproduce:\n\n```\n%s\n```\n", cmd ? cmd : "(the results do not record the command)");
	else {
		fprintf(out, "\nReproduce:\n");
		verdict__wrap_cmd(out, cmd ? cmd : "(the results do not record the command)");
	}
	return 0;
}
