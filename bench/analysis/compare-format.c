// SPDX-License-Identifier: MIT
/* How a comparison is shown (compare-int.h): cells in text and markdown,
 * rows and summaries in JSON, the common key pairs once, the closing
 * document or summary line shared by both comparison modes; and the JSON
 * report read back for callers that act on it (compare__json()). */
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

/* "12.34 us +-3.1% n=5": mean, CI half-width relative to the mean, n;
 * ">=12.34 us ..." when a repeat's value is only a lower bound (the mean is
 * then one too, as results__fmt() shows a single run's). */
void compare__fmt_sample(const struct sample_stats *s, const char *unit, unsigned censored, char *buf, size_t len)
{
	char v[48];
	const char *ge = censored ? ">=" : "";

	if (!s->n) {
		snprintf(buf, len, "-");
		return;
	}
	fmt_value(s->mean, unit, v, sizeof(v));
	if (s->n >= 2 && s->mean != 0)
		snprintf(buf, len, "%s%s +-%.1f%% n=%u", ge, v, (s->ci_hi - s->mean) / fabs(s->mean) * 100, s->n);
	else
		snprintf(buf, len, "%s%s n=%u", ge, v, s->n);
}

void compare__fmt_change(double c, char *buf, size_t len)
{
	if (isnan(c))
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%+.1f%%", c);
}

void compare__fmt_p(double p, char *buf, size_t len)
{
	if (isnan(p))
		snprintf(buf, len, "-");
	else if (p < 1e-4)
		snprintf(buf, len, "<0.0001");
	else
		snprintf(buf, len, "%.4f", p);
}

void compare__fmt_ratio(double r, unsigned cens_base, unsigned cens_value, char *buf, size_t len)
{
	/* value / base: a bound on either side bounds the ratio (both: "~") */
	const char *pre = cens_base && cens_value ? "~" : cens_base ? "<=" : cens_value ? ">=" : "";

	if (isnan(r))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%s%.3fx", pre, r);
}

void labeler__init(struct labeler *l, const char **keys, unsigned n)
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

const char *labeler__label(struct labeler *l, const char *key)
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

void labeler__print_common(struct labeler *l, FILE *out, const char *prefix)
{
	if (!l->common.n)
		return;
	fprintf(out, "%scommon: ", prefix);
	for (unsigned i = 0; i < l->common.n; i++)
		fprintf(out, "%s%s=%s", i ? "," : "", l->common.k[i], l->common.v[i]);
	fprintf(out, "\n");
}

static json_t *sample_json(const struct sample_stats *s, unsigned censored)
{
	json_t *o;

	if (!s->n)
		return json_null();
	o = json_pack("{s:I,s:f,s:f,s:f,s:f,s:f,s:f}", "n", (json_int_t)s->n,
		      "mean", s->mean, "sd", s->sd, "ci_lo", s->ci_lo, "ci_hi", s->ci_hi,
		      "min", s->min, "max", s->max);
	/* a mean over repeats of which some are lower bounds is one itself */
	if (o)
		json_object_set_new(o, "lower_bound", json_boolean(censored > 0));
	return o;
}

static json_t *num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *compare__row_json(const struct row *r, int within)
{
	json_t *o = json_object();

	json_object_set_new(o, "variant", json_string(r->key));
	if (within)
		json_object_set_new(o, "baseline", r->base_key ? json_string(r->base_key) : json_null());
	json_object_set_new(o, "metric", json_string(r->metric));
	json_object_set_new(o, "direction", json_string(r->dir > 0 ? "higher-is-better" :
				r->dir < 0 ? "lower-is-better" : "neutral"));
	json_object_set_new(o, "base", r->metric == compare__run_verdicts ? json_null() : sample_json(&r->a, r->cens_a));
	json_object_set_new(o, within ? "value" : "new", r->metric == compare__run_verdicts ? json_null() : sample_json(&r->b, r->cens_b));
	json_object_set_new(o, "change_pct", num_or_null(r->change_pct));
	json_object_set_new(o, "ratio", num_or_null(r->ratio));
	json_object_set_new(o, "change_ci_pct", isfinite(r->ch_lo) && isfinite(r->ch_hi) ?
			    json_pack("[ff]", r->ch_lo, r->ch_hi) : json_null());
	json_object_set_new(o, "p", num_or_null(r->p));
	json_object_set_new(o, "p_adj", num_or_null(r->p_adj));
	json_object_set_new(o, "test", json_string(r->test));
	json_object_set_new(o, "verdict", json_string(compare__verdict_str[r->v]));
	json_object_set_new(o, "mde_pct", num_or_null(r->mde_pct));
	json_object_set_new(o, "lower_bound", json_pack("{s:I,s:I}", "base", (json_int_t)r->cens_a,
							within ? "value" : "new", (json_int_t)r->cens_b));
	if (!within) {
		/* the between-run term: sd in % of a whole run's shift, and its source */
		json_object_set_new(o, "between_run", r->between > 0 ?
				    json_pack("{s:f,s:o,s:s}", "sd_pct", 100 * expm1(r->between), "df",
					      num_or_null(r->between_df), "source", r->between_src) : json_null());
		json_object_set_new(o, "repeats", json_pack("{s:I,s:I}", "base", (json_int_t)r->tot_a,
							    "new", (json_int_t)r->tot_b));
		json_object_set_new(o, "disturbed", json_pack("{s:I,s:I}", "base", (json_int_t)r->dist_a,
							      "new", (json_int_t)r->dist_b));
		if (r->metric == compare__run_verdicts)
			json_object_set_new(o, "not_ok", json_pack("{s:I,s:I}", "base", (json_int_t)r->bad_a,
								   "new", (json_int_t)r->bad_b));
	}
	return o;
}

json_t *compare__tally_json(const struct tally *t)
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

static void compare__print_tally(FILE *out, const struct tally *t, const char *prefix)
{
	fprintf(out, "%s%u regressed, %u improved, %u no significant change",
		prefix, t->n[V_REGRESSED], t->n[V_IMPROVED], t->n[V_SAME]);
	if (t->n[V_INCONCLUSIVE])
		fprintf(out, ", %u inconclusive (CI straddles the threshold, or not-ok rounds short of significance)", t->n[V_INCONCLUSIVE]);
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

void compare__fmt_ci(double lo, double hi, char *buf, size_t len)
{
	if (isnan(lo) || isnan(hi))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "[%+.1f,%+.1f]", lo, hi);
}

void compare__fmt_verdict(const struct row *r, int md, char *buf, size_t len)
{
	const char *v = compare__verdict_str[r->v];
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

void compare__text_header_runs(FILE *out, int w, const struct compare_opts *o)
{
	fprintf(out, "  %-*s  %-24s  %-24s  %8s  %-17s  %8s  %8s  %-15s  %s\n", w, "metric", "base", "new",
		"change", "CI", "p", o->correction == STATS_CORR_NONE ? "p" :
		o->correction == STATS_CORR_HOLM ? "p(holm)" : "p(bh)", "test", "verdict");
}

int compare__emit_json(FILE *out, json_t *root)
{
	int ret = 0;

	if (!root || json_dumpf(root, out, JSON_INDENT(2)) < 0)
		ret = 2;
	fputc('\n', out);
	json_decref(root);
	return ret;
}

void compare__emit_summary(FILE *out, const struct tally *t, const char *fmt, const char *what)
{
	char prefix[64];

	snprintf(prefix, sizeof(prefix), strcmp(fmt, "markdown") ? "%s: " : "**%s:** ", what);
	fprintf(out, "\n");
	compare__print_tally(out, t, prefix);
}

json_t *compare__json(json_t *base, json_t *root, const struct compare_opts *o)
{
	struct compare_opts q = *o;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_t *j = NULL;
	int r;

	if (!f)
		return NULL;
	q.format = "json";
	r = base ? compare__runs(base, root, &q, f) : compare__within(root, &q, f);
	fclose(f);
	if (r != 2)
		j = json_loadb(buf, len, 0, NULL);
	free(buf);
	return j;
}
