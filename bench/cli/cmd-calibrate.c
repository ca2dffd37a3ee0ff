// SPDX-License-Identifier: MIT
/*
 * bench calibrate [--scenario F] [--pairs K] [--repeat N] [-- RUN-ARGS]:
 * A/A calibration of the regression gate (docs/STATISTICS.md section 6).
 * Runs K pairs of identical result sets of N repeats each, interleaved,
 * compares every pair with bench compare's rule (and the alternatives), and
 * reports per metric the CV across repeats, the observed false-positive
 * rate, and the minimum detectable effect at N repeats; writes
 * calibration.json for `bench compare --calibration`.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "builtin.h"
#include "calibrate.h"
#include "cleanup.h"
#include "compare.h"
#include "interleave.h"
#include "parse-options.h"
#include "results.h"
#include "stats.h"
#include "exit-codes.h"
#include "util.h"

static const char *const cal_usage[] = {
	"bench calibrate [--scenario FILE] [--pairs K] [--repeat N] [--sessions S] [options] [-- RUN-OPTIONS...]",
	NULL,
};

static struct compare_opts copts;
static const char *cal_scenario, *cal_out;
static unsigned cal_pairs = 20, cal_repeat = 5, cal_sessions = 6;

static const struct option cal_options[] = {
	OPT_STRING('s', "scenario", &cal_scenario, "FILE", "scenario to calibrate (default: the embedded default)"),
	OPT_UINT('k', "pairs", &cal_pairs, "A/A pairs (default 20)"),
	OPT_UINT('r', "repeat", &cal_repeat, "repeats per side of a pair (default 5, compare's minimum)"),
	OPT_UINT(0, "sessions", &cal_sessions, "sequential A/A runs of --repeat repeats measuring the drift "
		 "between runs (default 6; 0: none)"),
	OPT_STRING('o', "out", &cal_out, "DIR", "where runs and calibration.json go (default results/calibrate-<time>)"),
	OPT_CALLBACK('m', "metric", &copts, "M", "metric, repeatable (default: compare's)", compare__opt_metric),
	OPT_DOUBLE('t', "threshold", &copts.threshold_pct, "the gate's threshold in % (default 5)"),
	OPT_DOUBLE('a', "alpha", &copts.alpha, "the gate's alpha (default 0.05)"),
	OPT_CALLBACK(0, "correction", &copts, "C", "the gate's correction: holm (default), bh, none", compare__opt_correction),
	OPT_END()
};

static void cal_help_tail(void)
{
	printf("\n"
	       "Every pair is two result sets of the same build and scenario, their\n"
	       "repeats interleaved; any verdict other than \"no significant change\" is a\n"
	       "false positive.  Prints the gate's false-positive rate (pairs with a\n"
	       "regression, i.e. bench compare exit 1) under each correction and tail\n"
	       "test, and per metric and variant: CV across repeats, false positives,\n"
	       "MDE at --repeat repeats (80 %% power).  Then --sessions whole runs of\n"
	       "--repeat repeats, one after another as a user runs them: their spread\n"
	       "beyond the repeats' own noise is the between-run drift that sequential\n"
	       "`bench compare --calibration` allows for, and every pair of them is\n"
	       "compared as a sequential A/A test.  Arguments after `--` go to `bench\n"
	       "run`.  Cost: (2 x pairs + sessions) x repeat runs of the scenario.\n");
}

void cmd_calibrate_help(void)
{
	usage_with_options(cal_usage, cal_options, false);
	cal_help_tail();
}

struct rule {
	enum stats_correction corr;
	const char *tail;
	unsigned fp_pairs, any_pairs;     /* exit 1; any non-"no change" row */
};

/* Per (variant, metric): values over every run of both sides and all pairs. */
static void metric_cv(json_t **trees, unsigned nt, const char *key, const char *metric,
		      double *cv, double *cv_log, unsigned *n)
{
	size_t cap = 0, i;
	double *v, *l;
	json_t *run;

	for (unsigned t = 0; t < nt; t++)
		cap += json_array_size(json_object_get(trees[t], "runs"));
	v = calloc(cap + 1, sizeof(*v));
	l = calloc(cap + 1, sizeof(*l));
	*n = 0;
	*cv = *cv_log = NAN;
	if (!v || !l)
		goto out;
	for (unsigned t = 0; t < nt; t++)
		json_array_foreach(json_object_get(trees[t], "runs"), i, run) {
			double x;

			if (strcmp(results__variant_key(run), key) || results__metric_value(run, metric, &x))
				continue;
			v[*n] = x;
			l[*n] = x > 0 ? log(x) : NAN;
			(*n)++;
		}
	if (*n >= 2) {
		int logs = 1;

		*cv = stats__cv(v, *n);
		for (unsigned k = 0; k < *n; k++)
			logs &= !isnan(l[k]);
		*cv_log = logs ? stats__stddev(l, *n) : *cv;
	}
out:
	free(v);
	free(l);
}

/* key without the k=v pairs every row shares (the table's variant label) */
static void short_key(const char *key, const char **keys, unsigned n, char *buf, size_t len)
{
	const char *p = key;
	size_t w = 0;

	buf[0] = '\0';
	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t l = end ? (size_t)(end - p) : strlen(p);
		int shared = 1;

		for (unsigned k = 0; k < n && shared; k++) {
			const char *q = keys[k] ? strstr(keys[k], "") : NULL;
			int found = 0;

			while (q && *q && !found) {
				const char *e2 = strchr(q, ',');
				size_t l2 = e2 ? (size_t)(e2 - q) : strlen(q);

				found = l2 == l && !strncmp(q, p, l);
				q = e2 ? e2 + 1 : NULL;
			}
			shared = found || !keys[k];
		}
		if (!shared && w + l + 2 < len) {
			w += (size_t)snprintf(buf + w, len - w, "%s%.*s", w ? "," : "", (int)l, p);
		}
		p = end ? end + 1 : NULL;
	}
	if (!buf[0])
		snprintf(buf, len, "(all)");
}

int cmd_calibrate(int argc, char **argv)
{
	struct interleave il = { .cmd = "calibrate" };
	struct rule rules[] = {
		{ .corr = STATS_CORR_HOLM, .tail = "log" }, { .corr = STATS_CORR_HOLM, .tail = "pooled" },
		{ .corr = STATS_CORR_HOLM, .tail = "mean" }, { .corr = STATS_CORR_BH, .tail = "log" },
		{ .corr = STATS_CORR_NONE, .tail = "log" }, { .corr = STATS_CORR_NONE, .tail = "mean" },
	};
	const unsigned nrules = sizeof(rules) / sizeof(rules[0]);
	char out[4096], err[1024], path[4200];
	json_t **trees = NULL, *cal = NULL, *jm = NULL, *jr = NULL, *first = NULL, *row;
	json_t **sess = NULL;
	int dd = argc, npos, ret = FB_EXIT_USAGE, r;
	unsigned m_tests = 0, *row_fp = NULL, nrows = 0, def = 0;
	const char **row_key = NULL, **row_metric = NULL;
	size_t i;

	compare__default_opts(&copts);
	copts.cmd = "calibrate";
	dd = parse_options__dashdash(argc, argv);
	npos = parse_options("bench calibrate", dd, argv, cal_options, cal_usage, NULL);
	if (npos == -2) {
		cal_help_tail();
		return FB_EXIT_OK;
	}
	if (npos < 0)
		return FB_EXIT_USAGE;
	if (npos) {
		fprintf(stderr, "bench calibrate: unexpected argument '%s'; run options go after `--`\n", argv[0]);
		return FB_EXIT_USAGE;
	}
	if (cal_pairs < 1 || cal_repeat < 2) {
		fprintf(stderr, "bench calibrate: need --pairs >= 1 and --repeat >= 2 (got %u, %u)\n",
			cal_pairs, cal_repeat);
		return FB_EXIT_USAGE;
	}
	for (unsigned k = 0; k < nrules; k++)
		if (rules[k].corr == copts.correction && !strcmp(rules[k].tail, "log"))
			def = k;
	if (cal_out)
		snprintf(out, sizeof(out), "%s", cal_out);
	else
		results__time_name("results/calibrate-", out, sizeof(out));
	il.bin[0] = il.bin[1] = interleave__self();
	il.scenario = cal_scenario;
	il.rounds = cal_repeat;
	il.groups = cal_pairs;
	il.extra = argv + (dd < argc ? dd + 1 : argc);
	il.nextra = dd < argc ? argc - dd - 1 : 0;
	snprintf(path, sizeof(path), "%s/runs", out);
	il.workdir = path;
	trees = calloc(2 * cal_pairs, sizeof(*trees));
	if (!trees)
		return FB_EXIT_BUG;
	cleanup__install_signals();
	if (interleave__run(&il, trees, err, sizeof(err))) {
		fprintf(stderr, "bench calibrate: %s\n", err);
		ret = cleanup__interrupted() ? FB_EXIT_INTERRUPTED : FB_EXIT_USAGE;
		goto out;
	}

	/* sequential sessions: whole runs, one after another */
	if (cal_sessions == 1)
		cal_sessions = 2;
	if (cal_sessions) {
		sess = calloc(cal_sessions, sizeof(*sess));
		if (!sess)
			goto out;
		snprintf(path, sizeof(path), "%s/sessions", out);
		il.workdir = path;
		for (unsigned k = 0; k < cal_sessions; k++)
			if (interleave__session(&il, k, &sess[k], err, sizeof(err))) {
				fprintf(stderr, "bench calibrate: %s\n", err);
				ret = cleanup__interrupted() ? FB_EXIT_INTERRUPTED : FB_EXIT_USAGE;
				goto out;
			}
		if (isatty(STDERR_FILENO))
			fputc('\n', stderr);
	}

	/* every pair under every rule */
	for (unsigned p = 0; p < cal_pairs; p++) {
		for (unsigned k = 0; k < nrules; k++) {
			struct compare_opts o = copts;
			json_t *j;
			int any = 0;

			o.correction = rules[k].corr;
			o.tail_method = rules[k].tail;
			o.between_run = "off";  /* both sides alternate: no drift between them */
			j = compare__json(trees[(size_t)2 * p], trees[(size_t)2 * p + 1], &o);
			if (!j) {
				fprintf(stderr, "bench calibrate: comparing pair %u failed\n", p);
				goto out;
			}
			rules[k].fp_pairs += json_integer_value(json_object_get(j, "exit")) == 1;
			json_array_foreach(json_object_get(j, "rows"), i, row) {
				const char *v = json_string_value(json_object_get(row, "verdict"));
				int hit = strcmp(v, "no significant change") && strcmp(v, "insufficient repeats");

				any |= hit;
				if (k != def)
					continue;
				if (!first) {
					first = json_incref(j);
					nrows = (unsigned)json_array_size(json_object_get(j, "rows"));
					row_fp = calloc(nrows + 1, sizeof(*row_fp));
					row_key = calloc(nrows + 1, sizeof(*row_key));
					row_metric = calloc(nrows + 1, sizeof(*row_metric));
					if (!row_fp || !row_key || !row_metric)
						goto out;
				}
				if (!p && i < nrows) {
					row_key[i] = json_string_value(json_object_get(row, "variant"));
					row_metric[i] = json_string_value(json_object_get(row, "metric"));
				}
				/* by name: a pair may lack a row pair 0 has */
				for (unsigned x = 0; x < nrows; x++)
					if (row_key[x] && row_metric[x] &&
					    !strcmp(row_key[x], json_string_value(json_object_get(row, "variant")) ?: "") &&
					    !strcmp(row_metric[x], json_string_value(json_object_get(row, "metric")) ?: "")) {
						row_fp[x] += hit;
						break;
					}
			}
			rules[k].any_pairs += any;
			json_decref(j);         /* first (pair 0) keeps the row names alive */
		}
	}
	if (!first || !nrows) {
		fprintf(stderr, "bench calibrate: the runs produced no comparable metric; check the scenario\n");
		goto out;
	}
	json_array_foreach(json_object_get(first, "rows"), i, row)
		m_tests += json_is_number(json_object_get(row, "p"));

	/* the report */
	cal = json_object();
	jm = json_array();
	jr = json_array();
	json_object_set(cal, "metrics", jm);    /* compare__mde_pct reads it as it grows */
	printf("A/A calibration: %u pairs x %u repeats per side, interleaved; %u tests per comparison\n",
	       cal_pairs, cal_repeat, m_tests);
	printf("scenario: %s%s", cal_scenario ? cal_scenario : "(embedded default)", il.nextra ? "; run options:" : "");
	for (int k = 0; k < il.nextra; k++)
		printf(" %s", il.extra[k]);
	printf("\n\ngate false positives on the interleaved pairs (threshold %g%%, alpha %g; no between-run\n"
	       "term: the two sides' repeats alternate, so no drift separates them):\n", copts.threshold_pct, copts.alpha);
	printf("  %-12s %-8s %22s %28s\n", "correction", "tail", "pairs exiting 1", "pairs with any non-null row");
	for (unsigned k = 0; k < nrules; k++) {
		printf("  %-12s %-8s %10u/%-3u = %5.1f%% %16u/%-3u = %5.1f%%%s\n", stats__correction_name(rules[k].corr),
		       rules[k].tail, rules[k].fp_pairs, cal_pairs, 100.0 * rules[k].fp_pairs / cal_pairs,
		       rules[k].any_pairs, cal_pairs, 100.0 * rules[k].any_pairs / cal_pairs,
		       k == def ? "   <- default rule" : "");
		json_array_append_new(jr, json_pack("{s:s,s:s,s:I,s:I,s:f}", "correction",
			stats__correction_name(rules[k].corr), "tail_method", rules[k].tail,
			"pairs_exit_1", (json_int_t)rules[k].fp_pairs, "pairs_any_verdict", (json_int_t)rules[k].any_pairs,
			"fp_rate", (double)rules[k].fp_pairs / cal_pairs));
	}
	printf("\nper metric (default rule; CV over all %u repeats of the variant; between: sd of a whole\n"
	       "run's shift over the %u sessions; MDE at n=%u, 80%% power, interleaved (bench ab) and\n"
	       "sequential (bench compare, with the between-run term; %s)):\n",
	       2 * cal_pairs * cal_repeat, cal_sessions, cal_repeat,
	       cal_sessions ? "measured" : "busy default floors: no --sessions");
	printf("  %-22s %-30s %7s %7s %9s %8s %8s %8s\n", "metric", "variant", "CV", "CV log", "FP pairs",
	       "between", "MDE ab", "MDE seq");
	double head_mde = -1, head_seq = -1;
	for (unsigned k = 0; k < nrows; k++) {
		double cv, cvl, mde, seq, bsd = NAN, bdf = NAN, bfloor;
		unsigned n;
		json_t *e;
		char sk[256];

		if (!row_key[k] || !row_metric[k])
			continue;
		metric_cv(trees, 2 * cal_pairs, row_key[k], row_metric[k], &cv, &cvl, &n);
		e = json_pack("{s:s,s:s,s:f,s:f,s:I,s:I}", "variant", row_key[k], "metric", row_metric[k],
			      "cv", isfinite(cv) ? cv : -1.0, "cv_log", isfinite(cvl) ? cvl : -1.0,
			      "n", (json_int_t)n, "fp_pairs", (json_int_t)row_fp[k]);
		json_array_append_new(jm, e);
		if (cal_sessions)
			bsd = calibrate__between(sess, cal_sessions, row_key[k], row_metric[k], &bdf);
		if (isfinite(bsd)) {
			json_object_set_new(e, "between_sd", json_real(bsd));
			json_object_set_new(e, "between_df", isfinite(bdf) ? json_real(bdf) : json_null());
		}
		{
			struct compare_opts d = copts;

			d.calib = cal;
			bfloor = compare__between_sd(&d, row_key[k], row_metric[k], 0, &bdf, NULL);
		}
		mde = compare__mde_pct(cal, row_key[k], row_metric[k], cal_repeat, m_tests, 0, &copts);
		seq = compare__mde_pct(cal, row_key[k], row_metric[k], cal_repeat, m_tests, bfloor, &copts);
		json_object_set_new(e, "mde_interleaved_pct", isfinite(mde) ? json_real(mde) : json_null());
		json_object_set_new(e, "mde_pct", isfinite(seq) ? json_real(seq) : json_null());
		short_key(row_key[k], row_key, nrows, sk, sizeof(sk));
		{
			char c1[16] = "-", c2[16] = "-", c3[16] = "-", c4[16] = "-", c5[16] = "-";

			if (isfinite(cv))
				snprintf(c1, sizeof(c1), "%.1f%%", 100 * cv);
			if (isfinite(cvl))
				snprintf(c2, sizeof(c2), "%.1f%%", 100 * cvl);
			if (isfinite(mde))
				snprintf(c3, sizeof(c3), "%.1f%%", mde);
			if (isfinite(bsd))
				snprintf(c4, sizeof(c4), "%.1f%%", 100 * expm1(bsd));
			if (isfinite(seq))
				snprintf(c5, sizeof(c5), "%.1f%%", seq);
			printf("  %-22s %-30.30s %7s %7s %5u/%-3u %8s %8s %8s\n", row_metric[k], sk, c1, c2,
			       row_fp[k], cal_pairs, c4, c3, c5);
		}
		if (!strcmp(row_metric[k], "resume_latency.p99") && mde > head_mde)
			head_mde = mde;
		if (!strcmp(row_metric[k], "resume_latency.p99") && seq > head_seq)
			head_seq = seq;
	}
	if (cal_sessions) {
		/* every pair of sessions, as sequential compares would see them */
		struct compare_opts d = copts, off = copts, meas = copts;
		unsigned np = cal_sessions * (cal_sessions - 1) / 2, a_d, a_o, a_m;
		int f_d, f_o, f_m;

		off.between_run = "off";
		meas.calib = cal;
		f_d = calibrate__session_fp(sess, cal_sessions, &d, &a_d);
		f_o = calibrate__session_fp(sess, cal_sessions, &off, &a_o);
		f_m = calibrate__session_fp(sess, cal_sessions, &meas, &a_m);
		if (f_d < 0 || f_o < 0 || f_m < 0) {
			fprintf(stderr, "bench calibrate: comparing the sessions failed\n");
			goto out;
		}
		printf("\nsequential A/A: %u sessions of %u repeats, all %u pairs compared (bench compare BASE NEW):\n",
		       cal_sessions, cal_repeat, np);
		printf("  %-44s %10s %14s\n", "between-run term", "exiting 1", "any non-null");
		printf("  %-44s %4u/%-3u %9u/%-3u   <- default rule\n", "auto, no --calibration (default floors)",
		       (unsigned)f_d, np, a_d, np);
		printf("  %-44s %4u/%-3u %9u/%-3u\n", "auto, --calibration of these sessions", (unsigned)f_m, np, a_m, np);
		printf("  %-44s %4u/%-3u %9u/%-3u\n", "off (within-run noise only)", (unsigned)f_o, np, a_o, np);
		json_object_set_new(cal, "sessions", json_pack("{s:I,s:I,s:I,s:I,s:I,s:f}", "sessions",
			(json_int_t)cal_sessions, "pairs", (json_int_t)np, "pairs_exit_1_default", (json_int_t)f_d,
			"pairs_exit_1_calibrated", (json_int_t)f_m, "pairs_exit_1_off", (json_int_t)f_o,
			"fp_rate", np ? (double)f_d / np : 0.0));
	}
	if (head_mde >= 0)
		printf("\nheadline resume_latency.p99: a change under %.0f%% cannot be seen with n=%u "
		       "(worst variant, default rule) in interleaved repeats (bench ab), under %.0f%% in a "
		       "sequential bench compare\n", head_mde, cal_repeat, head_seq);
	json_object_set_new(cal, "schema", json_string("flushbench-calibration/1"));
	json_object_set_new(cal, "scenario", json_string(cal_scenario ? cal_scenario : "embedded:default.ini"));
	{
		json_t *ra = json_array();

		for (int k = 0; k < il.nextra; k++)
			json_array_append_new(ra, json_string(il.extra[k]));
		json_object_set_new(cal, "run_args", ra);
	}
	json_object_set_new(cal, "pairs", json_integer(cal_pairs));
	json_object_set_new(cal, "repeat", json_integer(cal_repeat));
	json_object_set_new(cal, "tests_per_comparison", json_integer(m_tests));
	json_object_set_new(cal, "threshold_pct", json_real(copts.threshold_pct));
	json_object_set_new(cal, "alpha", json_real(copts.alpha));
	json_object_set_new(cal, "power", json_real(copts.power));
	json_object_set_new(cal, "default_rule", json_pack("{s:s,s:s}", "correction",
		stats__correction_name(copts.correction), "tail_method", "log"));
	json_object_set_new(cal, "fp_rate", json_real((double)rules[def].fp_pairs / cal_pairs));
	json_object_set_new(cal, "rules", jr);
	jr = NULL;
	json_object_set_new(cal, "headline", json_pack("{s:s,s:o,s:o}", "metric", "resume_latency.p99",
		"mde_pct", head_seq >= 0 ? json_real(head_seq) : json_null(),
		"mde_interleaved_pct", head_mde >= 0 ? json_real(head_mde) : json_null()));
	{
		char *s = json_dumps(cal, JSON_INDENT(2));

		snprintf(path, sizeof(path), "%s/calibration.json", out);
		r = s ? write_file_atomic(path, s, strlen(s)) : -ENOMEM;
		free(s);
		if (r) {
			fprintf(stderr, "bench calibrate: writing %s failed: %s\n", path, strerror(-r));
			goto out;
		}
	}
	printf("\ncalibration: %s (use: bench compare --calibration %s BASE NEW)\n", path, path);
	ret = FB_EXIT_OK;
out:
	for (unsigned p = 0; trees && p < 2 * cal_pairs; p++)
		json_decref(trees[p]);
	free(trees);
	for (unsigned k = 0; sess && k < cal_sessions; k++)
		json_decref(sess[k]);
	free(sess);
	json_decref(first);
	json_decref(cal);
	json_decref(jm);
	json_decref(jr);
	free(row_fp);
	free(row_key);
	free(row_metric);
	return ret;
}
