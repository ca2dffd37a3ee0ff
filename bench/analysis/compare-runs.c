// SPDX-License-Identifier: MIT
/* compare__runs(): two result trees, variant by variant, with the
 * conditions each side ran under (compare.h; docs/STATISTICS.md). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compare.h"
#include "compare-int.h"
#include "results.h"
#include "stats.h"

/* Table cells are fixed-size display strings; a cut-off cell is harmless,
 * so GCC's worst-case truncation analysis (a %g of 1e308) is noise here. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

/* ---------------------------------------------------------- conditions */

/* What else the machine did while one side ran (the runs' "disturbance"
 * records, bench/run/disturb.c). */
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

/* The stall rule: repeats whose run "verdict" (stalled, lost-wakeup, ...)
 * is not "ok" in NEW but none in BASE is a regression, the reverse an
 * improvement; not a statistical test, so outside the correction.  Only
 * when some run of the variant has a "verdict".  1 when a row was made. */
/* One-sided exact sign test: P(X >= k), X ~ Binomial(n, 1/2). */
static double sign_p(unsigned k, unsigned n)
{
	double p = 0, c = 1;    /* c = C(n, i) */

	for (unsigned i = 0; i <= n; i++) {
		if (i >= k)
			p += c;
		c = c * (n - i) / (i + 1);
	}
	return p / ldexp(1, (int)n);
}

/* Paired (bench ab): rounds are the unit.  A round is discordant when one
 * build's repeat was not ok and the other's was; an exact sign test on the
 * discordant rounds (McNemar) tells a build that fails more often from
 * failures that hit either build at random (an OOM kill on a busy
 * machine).  1 when a row was made. */
static int verdict_row_paired(json_t *base, json_t *newr, const char *key, const struct compare_opts *o,
			      struct row *r)
{
	json_t *run, *other;
	unsigned worse = 0, better = 0;
	size_t i, j;

	json_array_foreach(json_object_get(newr, "runs"), i, run) {
		const char *vn = json_string_value(json_object_get(run, "verdict"));
		json_int_t rep = json_integer_value(json_object_get(run, "repeat"));

		if (strcmp(results__variant_key(run), key) || !vn)
			continue;
		json_array_foreach(json_object_get(base, "runs"), j, other) {
			const char *vb = json_string_value(json_object_get(other, "verdict"));

			if (strcmp(results__variant_key(other), key) || !vb ||
			    json_integer_value(json_object_get(other, "repeat")) != rep)
				continue;
			worse += strcmp(vn, "ok") && !strcmp(vb, "ok");
			better += !strcmp(vn, "ok") && strcmp(vb, "ok");
			break;
		}
	}
	r->test = "sign-test";
	r->p = sign_p(worse, worse + better);
	if (r->p < o->alpha)
		r->v = V_REGRESSED;
	else if (sign_p(better, worse + better) < o->alpha)
		r->v = V_IMPROVED;
	else
		r->v = worse > better ? V_INCONCLUSIVE : V_SAME;       /* worse, but maybe by chance */
	return 1;
}

static int verdict_row(json_t *base, json_t *newr, const char *key, const struct compare_opts *o, struct row *r)
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
	*r = (struct row){ .key = key, .metric = compare__run_verdicts, .dir = -1, .test = "-",
			   .bad_a = bad[0], .bad_b = bad[1], .tot_a = tot[0], .tot_b = tot[1],
			   .p = NAN, .p_adj = NAN, .ch_lo = NAN, .ch_hi = NAN, .mde_pct = NAN,
			   .change_pct = NAN, .ratio = NAN };
	r->a.n = tot[0];
	r->b.n = tot[1];
	if (o->paired)
		return verdict_row_paired(base, newr, key, o, r);
	r->v = bad[1] && !bad[0] ? V_REGRESSED : bad[0] && !bad[1] ? V_IMPROVED : V_SAME;
	return 1;
}

/* Which between-run term the rows carry: one line per metric that has it
 * (the largest sd over its variants), so a reader sees the test widened. */
static void between__print(FILE *out, const struct row *rows, unsigned n, const char *fmt)
{
	unsigned shown = 0;

	for (unsigned i = 0; i < n; i++) {
		double worst = -1;
		const char *src = NULL;
		int seen = 0;

		/* a calibration may have measured no drift at all: say so too */
		if (!rows[i].between_src || !strcmp(rows[i].between_src, "off"))
			continue;
		for (unsigned j = 0; j < i && !seen; j++)
			seen = rows[j].between_src && !strcmp(rows[j].metric, rows[i].metric);
		if (seen)
			continue;
		for (unsigned j = i; j < n; j++)
			if (!strcmp(rows[j].metric, rows[i].metric) && rows[j].between_src && rows[j].between > worst) {
				worst = rows[j].between;
				src = rows[j].between_src;
			}
		if (!shown++)
			fprintf(out, "%sbetween-run drift term (sequential runs; \"+drift\" tests, "
				"--between-run off to drop it):%s\n", strcmp(fmt, "markdown") ? "" : "**",
				strcmp(fmt, "markdown") ? "" : "**\n");
		fprintf(out, "%s  %s: sd %.1f%% per run (%s%s)\n", strcmp(fmt, "markdown") ? "" : "*", rows[i].metric,
			100 * expm1(worst), !strcmp(src, "calibration") ? "measured by bench calibrate" : src,
			strstr(src, "default") ? ": no --calibration" : "");
	}
	if (shown && !strcmp(fmt, "markdown"))
		fputc('\n', out);
}

static int load_calibration(struct compare_opts *o)
{
	json_error_t je;

	if (o->calib || !o->calibration)
		return 0;
	o->calib = json_load_file(o->calibration, 0, &je);
	if (!o->calib) {
		fprintf(stderr, "bench %s: cannot read calibration '%s': %s; give a calibration.json "
			"written by bench calibrate\n", compare__cmdname(o), o->calibration, je.text);
		return -EINVAL;
	}
	if (strcmp(json_string_value(json_object_get(o->calib, "schema")) ?: "", "flushbench-calibration/1")) {
		fprintf(stderr, "bench %s: '%s' is not a flushbench-calibration/1 file; "
			"write one with bench calibrate\n", compare__cmdname(o), o->calibration);
		json_decref(o->calib);
		o->calib = NULL;
		return -EINVAL;
	}
	return 1;       /* loaded here: the caller frees it */
}

int compare__runs(json_t *base, json_t *newr, const struct compare_opts *oin, FILE *out)
{
	const char *metrics[COMPARE_MAX_METRICS + 4], **keys = NULL;
	unsigned nm, nk, common = 0, mw = (unsigned)strlen(compare__run_verdicts), nrows = 0;
	struct compare_opts ob = *oin, *o = &ob;
	const char *fmt = o->format ? o->format : "text";
	struct tally t = { 0 };
	struct labeler lab;
	struct conditions ca, cn;
	struct row *rows = NULL;
	json_t *jrows = NULL, *jonly_b = NULL, *jonly_n = NULL;
	char l1[128], l2[128];
	int ret = 2, own_calib = 0, differ, quiet;

	if (!json_is_array(json_object_get(base, "runs")) || !json_is_array(json_object_get(newr, "runs"))) {
		fprintf(stderr, "bench %s: a result has no runs; load it with results__load()\n", compare__cmdname(o));
		return 2;
	}
	if (compare__check_opts(o, metrics, &nm) || compare__keep_metrics(base, newr, o, metrics, &nm))
		return 2;
	own_calib = load_calibration(o);
	if (own_calib < 0)
		return 2;
	nk = compare__unique_keys(base, newr, &keys);
	for (unsigned i = 0; i < nk; i++)
		common += compare__has_key(base, keys[i]) && compare__has_key(newr, keys[i]);
	if (!common) {
		fprintf(stderr, "bench %s: the two results share no variant (run[\"key\"]); "
			"compare runs of the same scenario\n", compare__cmdname(o));
		goto out;
	}
	for (unsigned m = 0; m < nm; m++)
		if (strlen(metrics[m]) > mw)
			mw = (unsigned)strlen(metrics[m]);
	labeler__init(&lab, keys, nk);
	conditions__get(base, o, &ca);
	conditions__get(newr, o, &cn);
	differ = conditions__differ(&ca, &cn, o);
	/* a quiet machine on both sides: the small default between-run floor */
	quiet = ca.recorded && cn.recorded && ca.other_pct <= o->disturbed_pct && cn.other_pct <= o->disturbed_pct;

	/* every test of the comparison first: the correction needs the family */
	rows = calloc((size_t)nk * (nm + 1) + 1, sizeof(*rows));
	if (!rows)
		goto out;
	for (unsigned k = 0; k < nk; k++) {
		if (!compare__has_key(base, keys[k]) || !compare__has_key(newr, keys[k]))
			continue;
		if (verdict_row(base, newr, keys[k], o, &rows[nrows]))
			nrows++;
		for (unsigned m = 0; m < nm; m++) {
			struct row *r = &rows[nrows];
			struct side sa, sb;

			if (side__collect(base, keys[k], metrics[m], o, &sa) ||
			    side__collect(newr, keys[k], metrics[m], o, &sb)) {
				side__free(&sa);
				fprintf(stderr, "bench %s: out of memory\n", compare__cmdname(o));
				goto out;
			}
			if (sa.n || sb.n) {     /* else: not produced by this variant */
				*r = (struct row){ .key = keys[k], .metric = metrics[m] };
				r->dir = compare__direction(metrics[m]);
				r->unit = compare__metric_unit(base, newr, metrics[m]);
				r->between = compare__between_sd(o, keys[k], metrics[m], quiet, &r->between_df,
								 &r->between_src);
				compare__analyse(&sa, &sb, o, r);
				nrows++;
			}
			side__free(&sa);
			side__free(&sb);
		}
	}
	compare__finalize(rows, nrows, o);

	if (!strcmp(fmt, "json")) {
		jrows = json_array();
		jonly_b = json_array();
		jonly_n = json_array();
	} else if (!strcmp(fmt, "markdown")) {
		fprintf(out, "**base:** %s &nbsp; **new:** %s &nbsp; threshold %g%%, alpha %g, correction %s%s\n\n",
			compare__tree_label(base, l1, sizeof(l1)), compare__tree_label(newr, l2, sizeof(l2)),
			o->threshold_pct, o->alpha, stats__correction_name(o->correction), o->paired ? ", paired" : "");
		if (differ)
			fprintf(out, "**BASE and NEW ran under different conditions** (other processes %.1f%% vs %.1f%% "
				"of the CPUs; disturbed repeats %u/%u vs %u/%u)\n\n", ca.other_pct, cn.other_pct,
				ca.disturbed, ca.recorded, cn.disturbed, cn.recorded);
		between__print(out, rows, nrows, fmt);
		labeler__print_common(&lab, out, "");
		fprintf(out, "\n| variant | metric | base | new | change | CI | p | p adj | test | verdict |\n");
		fprintf(out, "|---|---|---:|---:|---:|---|---:|---:|---|---|\n");
	} else {
		fprintf(out, "base: %s\nnew:  %s\nthreshold %g%%, alpha %g, correction %s, tail test %s%s%s\n",
			compare__tree_label(base, l1, sizeof(l1)), compare__tree_label(newr, l2, sizeof(l2)),
			o->threshold_pct, o->alpha, stats__correction_name(o->correction),
			o->tail_method ? o->tail_method : "log", o->paired ? ", paired repeats" : "",
			o->drop_disturbed ? ", disturbed repeats dropped" : "");
		if (ca.recorded || cn.recorded) {
			fprintf(out, "conditions%s:\n", differ ? " DIFFER between BASE and NEW" : "");
			conditions__print(out, "base", &ca);
			conditions__print(out, "new", &cn);
		}
		between__print(out, rows, nrows, fmt);
		labeler__print_common(&lab, out, "");
	}

	for (unsigned k = 0, ri = 0; k < nk; k++) {
		int in_b = compare__has_key(base, keys[k]), in_n = compare__has_key(newr, keys[k]), first = 1;
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
				json_array_append_new(jrows, compare__row_json(r, 0));
				continue;
			}
			if (first && !strcmp(fmt, "text")) {
				fprintf(out, "\n%s\n", label);
				if (r->dist_a || r->dist_b)
					fprintf(out, "  disturbed repeats (other processes > %g%% CPU): base %u/%u, new %u/%u%s\n",
						o->disturbed_pct, r->dist_a, r->tot_a, r->dist_b, r->tot_b,
						o->drop_disturbed ? " (dropped)" : "");
				compare__text_header_runs(out, (int)mw, o);
			}
			first = 0;
			compare__fmt_sample(&r->a, r->unit, r->cens_a, sa, sizeof(sa));
			compare__fmt_sample(&r->b, r->unit, r->cens_b, sb, sizeof(sb));
			compare__fmt_change(r->change_pct, ch, sizeof(ch));
			if (r->metric == compare__run_verdicts) {
				snprintf(sa, sizeof(sa), "%u/%u not ok", r->bad_a, r->tot_a);
				snprintf(sb, sizeof(sb), "%u/%u not ok", r->bad_b, r->tot_b);
				snprintf(ch, sizeof(ch), "-");
			}
			compare__fmt_ci(r->ch_lo, r->ch_hi, ci, sizeof(ci));
			compare__fmt_p(r->p, ps, sizeof(ps));
			compare__fmt_p(r->p_adj, pa, sizeof(pa));
			compare__fmt_verdict(r, !strcmp(fmt, "markdown"), vs, sizeof(vs));
			if (!strcmp(fmt, "markdown"))
				fprintf(out, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", label, r->metric,
					sa, sb, ch, ci, ps, pa, r->test, vs);
			else
				fprintf(out, "  %-*s  %-24s  %-24s  %8s  %-17s  %8s  %8s  %-15s  %s\n", (int)mw, r->metric,
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
			"summary", compare__tally_json(&t), "exit", (json_int_t)ret);
		jrows = jonly_b = jonly_n = NULL;       /* stolen by "o" */
		if (root)
			json_object_set_new(root, "between_run", json_string(o->between_run ? o->between_run : "auto"));
		if (root)
			json_object_set_new(root, "conditions", json_pack("{s:o,s:o,s:b}",
				"base", conditions__json(&ca), "new", conditions__json(&cn), "differ", differ));
		if (compare__emit_json(out, root))
			ret = 2;
	} else {
		compare__emit_summary(out, &t, fmt, "summary");
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

