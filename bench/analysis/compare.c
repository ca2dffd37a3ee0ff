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
#include "compare-int.h"
#include "parse-options.h"
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

const char *const compare__verdict_str[] = {
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

const char compare__run_verdicts[] = "run verdicts";

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
	o->between_run = "auto";
}

const char *compare__cmdname(const struct compare_opts *o)
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

int compare__opt_metric(const struct option *opt, const char *arg)
{
	struct compare_opts *o = opt->value;

	if (!*arg) {
		fprintf(stderr, "bench %s: empty --metric; use e.g. --metric resume_latency.p99\n",
			compare__cmdname(o));
		return -2;
	}
	if (o->nr_metrics >= COMPARE_MAX_METRICS) {
		fprintf(stderr, "bench %s: more than %d --metric; compare fewer at once\n",
			compare__cmdname(o), COMPARE_MAX_METRICS);
		return -2;
	}
	o->metrics[o->nr_metrics++] = arg;
	return 0;
}

int compare__opt_correction(const struct option *opt, const char *arg)
{
	struct compare_opts *o = opt->value;

	if (stats__correction_parse(arg, &o->correction)) {
		fprintf(stderr, "bench %s: unknown --correction '%s'; use holm, bh or none\n",
			compare__cmdname(o), arg);
		return -2;
	}
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

/* "a=b,c=d" -> pairs; entries without '=' keep an empty value. */
void pairs__parse(const char *s, struct pairs *p)
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

const char *pairs__get(const struct pairs *p, const char *k)
{
	for (unsigned i = 0; i < p->n; i++)
		if (!strcmp(p->k[i], k))
			return p->v[i];
	return NULL;
}

/* Unique run keys, in order of first appearance over one or two trees. */
unsigned compare__unique_keys(json_t *a, json_t *b, const char ***out)
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

int compare__has_key(json_t *root, const char *key)
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
int compare__has_sample(json_t *run, const char *metric, double *v)
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

void side__free(struct side *s)
{
	free(s->v);
	free(s->rep);
	free(s->runs);
	memset(s, 0, sizeof(*s));
}

int side__collect(json_t *root, const char *key, const char *metric, const struct compare_opts *o,
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
		if (!compare__has_sample(run, metric, &s->v[s->n]))
			continue;
		s->censored += is_lower_bound(run, metric);
		s->rep[s->n] = (int)json_integer_value(json_object_get(run, "repeat"));
		s->runs[s->n++] = run;
	}
	return 0;
}

/* p90/p99/p999/max: the tail fields, and the quantile each stands for */
double compare__tail_q(const char *metric)
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

const char *compare__metric_unit(json_t *a, json_t *b, const char *metric)
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
int compare__run_field(json_t *run, const char *k, char *buf, size_t len)
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

json_t *compare__first_run(json_t *root, const char *key)
{
	json_t *run;
	size_t i;

	json_array_foreach(json_object_get(root, "runs"), i, run)
		if (!strcmp(results__variant_key(run), key))
			return run;
	return NULL;
}

int compare__check_opts(const struct compare_opts *o, const char **metrics, unsigned *nm)
{
	const char *f = o->format ? o->format : "text";
	const char *tm = o->tail_method ? o->tail_method : "log";

	if (strcmp(tm, "log") && strcmp(tm, "pooled") && strcmp(tm, "mean")) {
		fprintf(stderr, "bench %s: unknown tail method '%s'; use log, pooled or mean\n", compare__cmdname(o), tm);
		return -EINVAL;
	}
	if (!(o->disturbed_pct >= 0)) {
		fprintf(stderr, "bench %s: --disturbed-above %g%% is negative; use e.g. 10\n", compare__cmdname(o),
			o->disturbed_pct);
		return -EINVAL;
	}

	if (o->between_run && strcmp(o->between_run, "auto") && strcmp(o->between_run, "off")) {
		char *end;
		double v = strtod(o->between_run, &end);

		if (end == o->between_run || *end || !(v >= 0 && v < 1000)) {
			fprintf(stderr, "bench %s: --between-run '%s' is not auto, off or a sd in %% (e.g. 10)\n",
				compare__cmdname(o), o->between_run);
			return -EINVAL;
		}
	}
	if (strcmp(f, "text") && strcmp(f, "markdown") && strcmp(f, "json")) {
		fprintf(stderr, "bench %s: unknown format '%s'; use text, markdown or json\n", compare__cmdname(o), f);
		return -EINVAL;
	}
	if (!(o->alpha > 0 && o->alpha < 1)) {
		fprintf(stderr, "bench %s: alpha %g is outside (0,1); use e.g. --alpha 0.05\n", compare__cmdname(o), o->alpha);
		return -EINVAL;
	}
	if (!(o->threshold_pct >= 0)) {
		fprintf(stderr, "bench %s: threshold %g%% is negative; use e.g. --threshold 5\n",
			compare__cmdname(o), o->threshold_pct);
		return -EINVAL;
	}
	if (o->nr_metrics > COMPARE_MAX_METRICS) {
		fprintf(stderr, "bench %s: at most %d metrics; drop some --metric\n", compare__cmdname(o), COMPARE_MAX_METRICS);
		return -EINVAL;
	}
	*nm = 0;
	if (o->nr_metrics) {
		for (unsigned i = 0; i < o->nr_metrics; i++) {
			if (!o->metrics[i] || !*o->metrics[i]) {
				fprintf(stderr, "bench %s: empty metric name; use e.g. --metric resume_latency.p99\n",
					compare__cmdname(o));
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
int compare__keep_metrics(json_t *a, json_t *b, const struct compare_opts *o,
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
				compare__cmdname(o), metrics[i]);
			return -ENOENT;
		}
	}
	*nm = w;
	return 0;
}

const char *compare__tree_label(json_t *root, char *buf, size_t len)
{
	const char *git = json_string_value(json_object_get(json_object_get(root, "tool"), "git"));
	const char *t = json_string_value(json_object_get(json_object_get(root, "env"), "start_time"));

	snprintf(buf, len, "%s%s%s%s", git ? "git " : "", git ? git : "",
		 t ? (git ? ", " : "") : "", t ? t : "");
	if (!buf[0])
		snprintf(buf, len, "(unlabelled)");
	return buf;
}
