// SPDX-License-Identifier: MIT
/*
 * bench compare BASE NEW                 : regression check between two results
 * bench compare --baseline K=V RESULT    : every variant vs a baseline variant
 * Exit: 0 no significant regression, 1 regression, 2 usage/input error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "builtin.h"
#include "compare.h"
#include "history.h"
#include "parse-options.h"
#include "results.h"
#include "exit-codes.h"
#include "util.h"

static const char *const compare_usage[] = {
	"bench compare BASE NEW [options]",
	"bench compare --baseline KEY=VAL[,KEY=VAL...] RESULT [options]",
	NULL,
};

static struct compare_opts copts;
static const char *opt_db;
static struct history_filter ref_filter;

static const struct option compare_options[] = {
	OPT_CALLBACK('m', "metric", &copts, "M",
		     "metric path <metric>.<field>, repeatable (default: resume_latency.p99, "
		     "flush_latency.p99, rates.flushes_per_s)", compare__opt_metric),
	OPT_DOUBLE('t', "threshold", &copts.threshold_pct,
		   "minimum |change| in % to count as significant (default 5)"),
	OPT_DOUBLE('a', "alpha", &copts.alpha, "significance level of the test (default 0.05)"),
	OPT_STRING('f', "format", &copts.format, "F", "text | markdown | json (default text)"),
	OPT_STRING('b', "baseline", &copts.baseline, "K=V,..",
		   "within-run mode: baseline variant by run fields or config.<key>"),
	OPT_CALLBACK(0, "correction", &copts, "C",
		     "multiple-comparison control: holm (default, family-wise), bh (false discovery rate), none",
		     compare__opt_correction),
	OPT_STRING(0, "tail-method", &copts.tail_method, "M",
		   "test for p90/p99/p999/max: log (default, Welch on log values), pooled "
		   "(pooled-histogram quantile, permutation p), mean"),
	OPT_STRING(0, "calibration", &copts.calibration, "FILE",
		   "calibration.json from bench calibrate: minimum detectable effect per row, "
		   "measured between-run drift"),
	OPT_STRING(0, "between-run", &copts.between_run, "SD",
		   "sd (%) of a whole run's shift added to sequential comparisons: auto (default: "
		   "the calibration's, else a default by metric and outside load), off, or a number"),
	OPT_BOOLEAN(0, "drop-disturbed", &copts.drop_disturbed,
		    "leave out repeats taken while other processes used the CPUs"),
	OPT_DOUBLE(0, "disturbed-above", &copts.disturbed_pct,
		   "other processes' CPU share (%) that marks a repeat disturbed (default 10)"),
	OPT_BOOLEAN(0, "paired", &copts.paired,
		    "pair repeats by index (both sides ran interleaved, as bench ab does)"),
	OPT_GROUP("History references (docs/HISTORY.md):"),
	OPT_STRING(0, "db", &opt_db, "URL", "history store for @RUN / K=V references "
		   "(default $FB_HISTORY_DB or results/history.sqlite)"),
	OPT_STRING(0, "scenario", &ref_filter.scenario, "S", "references pick runs of this scenario (source substring)"),
	OPT_STRING(0, "host", &ref_filter.host, "H", "references pick runs of this host"),
	OPT_END()
};

static void compare_help_tail(void)
{
	printf("\n"
	       "Compares results variant by variant (matched by run key), testing each\n"
	       "metric's per-repeat values; with --baseline and ONE result, compares every\n"
	       "variant against the baseline variant.  BASE, NEW and RESULT are `bench run`\n"
	       "output directories or results.json files, or history references: @last,\n"
	       "@last~N, @RUNID, or K=V[,K=V][~N] (kernel, host, scenario, revision, backend):\n"
	       "the newest matching run, e.g. bench compare kernel=6.12 kernel=6.18.\n"
	       "\n"
	       "A metric REGRESSED when its p-value, corrected for the number of tests\n"
	       "(Holm by default), is below alpha AND the whole confidence interval of\n"
	       "the change lies beyond the threshold in the bad direction; a significant\n"
	       "change whose interval straddles the threshold is \"inconclusive\".  Tests:\n"
	       "tail fields (p90/p99/p999/max) Welch on log values; others Welch when\n"
	       "both sides have >= 3 repeats and look normal, else Mann-Whitney U; fewer\n"
	       "than 2 repeats on a side: no test.  Repeats with a disturbance record\n"
	       "showing outside load are flagged.  See docs/STATISTICS.md.\n"
	       "\n"
	       "Exit status: 0 no significant regression, 1 a metric regressed, 2 error.\n");
}

void cmd_compare_help(void)
{
	usage_with_options(compare_usage, compare_options, false);
	compare_help_tail();
}

static json_t *load(const char *path)
{
	char err[1024], id[HISTORY_ID_LEN];
	json_t *r;

	if (history__is_ref(path)) {
		r = history__load_ref(opt_db, path, &ref_filter, id, sizeof(id), err, sizeof(err));
		if (r && copts.format && strcmp(copts.format, "text"))
			;       /* machine-readable output: no extra line */
		else if (r)
			printf("%s = run %s\n", path, id);
	} else {
		r = results__load(path, err, sizeof(err));
	}

	if (!r)
		fprintf(stderr, "bench compare: %s\n", err);
	return r;
}

int cmd_compare(int argc, char **argv)
{
	json_t *a = NULL, *b = NULL;
	int ret = FB_EXIT_USAGE, npos;

	compare__default_opts(&copts);
	copts.cmd = "compare";
	npos = parse_options("bench compare", argc, argv, compare_options, compare_usage, NULL);
	if (npos == -2) {
		compare_help_tail();
		return FB_EXIT_OK;
	}
	if (npos < 0)
		return FB_EXIT_USAGE;
	if (copts.baseline && npos != 1) {
		fprintf(stderr, "bench compare: --baseline compares variants inside ONE result; "
			"give exactly one RESULT (got %d)\n", npos);
		return FB_EXIT_USAGE;
	}
	if (!copts.baseline && npos != 2) {
		fprintf(stderr, "bench compare: need BASE and NEW results (got %d); "
			"or --baseline K=V with one result\n", npos);
		return FB_EXIT_USAGE;
	}
	a = load(argv[0]);
	if (!a)
		goto out;
	if (copts.baseline) {
		ret = compare__within(a, &copts, stdout);
	} else {
		b = load(argv[1]);
		if (!b)
			goto out;
		ret = compare__runs(a, b, &copts, stdout);
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "bench compare: writing the report failed: %s; check the output pipe or disk\n",
			strerror(errno));
		ret = FB_EXIT_USAGE;
	}
out:
	json_decref(a);
	json_decref(b);
	return ret;
}
