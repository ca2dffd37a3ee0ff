// SPDX-License-Identifier: MIT
/* compare__within(): one result tree, every variant against its baseline
 * variant (compare.h; docs/STATISTICS.md). */
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

static int baseline_matches(json_t *run, const struct pairs *bp)
{
	char buf[256];

	for (unsigned i = 0; i < bp->n; i++)
		if (compare__run_field(run, bp->k[i], buf, sizeof(buf)) || strcmp(buf, bp->v[i]))
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
		fprintf(stderr, "bench %s: the result has no runs\n", compare__cmdname(o));
		return 2;
	}
	if (compare__check_opts(o, metrics, &nm) || compare__keep_metrics(root, NULL, o, metrics, &nm))
		return 2;
	nk = compare__unique_keys(root, NULL, &keys);
	if (!nk) {
		fprintf(stderr, "bench %s: the result has no runs; nothing to compare\n", compare__cmdname(o));
		goto out;
	}
	if (o->baseline) {
		snprintf(spec, sizeof(spec), "%s", o->baseline);
	} else {
		/* Default: the first variant's design and request, the two axes the
		 * suite exists to compare. */
		json_t *r0 = compare__first_run(root, keys[0]);
		char d[128], q[128];
		size_t len = 0;

		spec[0] = '\0';
		if (!compare__run_field(r0, "design", d, sizeof(d)))
			len += (size_t)snprintf(spec + len, sizeof(spec) - len, "design=%s", d);
		if (!compare__run_field(r0, "request", q, sizeof(q)))
			snprintf(spec + len, sizeof(spec) - len, "%srequest=%s", len ? "," : "", q);
	}
	pairs__parse(spec, &bp);
	if (!bp.n) {
		fprintf(stderr, "bench %s: no baseline; give --baseline key=value[,key=value] (e.g. design=srcu,request=event)\n",
			compare__cmdname(o));
		goto out;
	}
	bkey = calloc(nk, sizeof(*bkey));
	if (!bkey)
		goto out;
	for (unsigned k = 0; k < nk; k++)
		nbase += baseline_matches(compare__first_run(root, keys[k]), &bp);
	if (!nbase) {
		fprintf(stderr, "bench %s: baseline '%s' matches no variant; pick values that appear in the run's keys\n",
			compare__cmdname(o), spec);
		goto out;
	}
	for (unsigned k = 0; k < nk; k++)
		for (unsigned j = 0; j < nk; j++)
			if (baseline_matches(compare__first_run(root, keys[j]), &bp) && same_except(keys[j], keys[k], &bp)) {
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
			compare__tree_label(root, l1, sizeof(l1)), spec, o->threshold_pct, o->alpha);
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
					   .unit = compare__metric_unit(root, NULL, metrics[m]), .v = V_MISSING_NEW };
			if (side__collect(root, keys[k], metrics[m], o, &sb) ||
			    (bkey[k] && side__collect(root, bkey[k], metrics[m], o, &sa))) {
				side__free(&sb);
				goto out;
			}
			r->key = (sb.n || sa.n) ? keys[k] : NULL;       /* NULL: nothing to show */
			if (r->key && bkey[k])
				compare__analyse(&sa, &sb, o, r);
			else if (r->key)
				compare__analyse(&sb, &sb, o, r);
			if (bkey[k] == keys[k] || !bkey[k])
				r->v = V_SAME;          /* not a test */
			side__free(&sa);
			side__free(&sb);
		}
	}
	compare__finalize(rows, nk * nm, o);

	for (unsigned m = 0; m < nm; m++) {
		int dir = compare__direction(metrics[m]);
		const char *unit = compare__metric_unit(root, NULL, metrics[m]);

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
				verdict = compare__verdict_str[r->v];
				t.n[r->v]++;
			}
			if (jrows) {
				json_t *j = compare__row_json(r, 1);

				if (bkey[k] == keys[k] || !bkey[k])
					json_object_set_new(j, "verdict", json_string(verdict));
				json_array_append_new(jrows, j);
				continue;
			}
			compare__fmt_sample(&r->a, unit, r->cens_a, sa, sizeof(sa));
			if (!bkey[k])
				snprintf(sa, sizeof(sa), "-");
			compare__fmt_sample(&r->b, unit, r->cens_b, sb, sizeof(sb));
			if (bkey[k] == keys[k])         /* the baseline itself: exactly 1 */
				compare__fmt_ratio(r->ratio, 0, 0, rs, sizeof(rs));
			else
				compare__fmt_ratio(r->ratio, r->cens_a, r->cens_b, rs, sizeof(rs));
			compare__fmt_p(r->p, ps, sizeof(ps));
			compare__fmt_p(r->p_adj, pa, sizeof(pa));
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
			"rows", jrows, "summary", compare__tally_json(&t));
		jrows = NULL;
		if (compare__emit_json(out, j))
			ret = 2;
	} else {
		compare__emit_summary(out, &t, fmt, "vs baseline");
	}
out:
	json_decref(jrows);
	free(rows);
	free(bkey);
	free(keys);
	return ret;
}
