// SPDX-License-Identifier: MIT
/*
 * bench/analysis/compare.c and bench/analysis/results.c on the synthetic results in
 * tests/data/compare/ (regenerate with make.py there): verdicts and exit
 * codes of compare__runs, within-run tables, metric directions, loading
 * errors, and a write -> load round trip of results.json / results.csv.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "compare.h"
#include "datadir.h"
#include "results.h"

static char datadir[4096];

static json_t *load(const char *name)
{
	char path[4200], err[512];
	json_t *r;

	snprintf(path, sizeof(path), "%s/%s", datadir, name);
	r = results__load(path, err, sizeof(err));
	if (!r)
		fail_msg("load %s: %s", path, err);
	return r;
}

/* Run compare__runs (or __within when newname is NULL); output in *text. */
static int run_compare(const char *basename, const char *newname, struct compare_opts *o, char **text)
{
	json_t *a = load(basename), *b = newname ? load(newname) : NULL;
	size_t len;
	FILE *f = open_memstream(text, &len);
	int rc;

	assert_non_null(f);
	rc = b ? compare__runs(a, b, o, f) : compare__within(a, o, f);
	fclose(f);
	json_decref(a);
	json_decref(b);
	return rc;
}

static int count_str(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static int setup(void **state)
{
	test__datadir("compare", datadir, sizeof(datadir));
	return 0;
}

static void test_direction_per_metric_kind(void **state)
{
	assert_int_equal(compare__direction("resume_latency.p99"), -1);
	assert_int_equal(compare__direction("grace_period.max"), -1);
	assert_int_equal(compare__direction("flush_latency.mean"), -1);
	assert_int_equal(compare__direction("scanned_per_uninhibit.p50"), -1);
	assert_int_equal(compare__direction("rates.flushes_per_s"), 1);
	assert_int_equal(compare__direction("counters.flushes"), 1);
	assert_int_equal(compare__direction("counters.lost_wakeups"), -1);
	assert_int_equal(compare__direction("cpu.sys_s"), -1);
	assert_int_equal(compare__direction("counters.suspends"), 0);
	assert_int_equal(compare__direction("config.vcpus"), 0);
	assert_int_equal(compare__direction("resume_latency.count"), 0);
}

static void test_identical_runs_show_no_change(void **state)
{
	struct compare_opts o;
	char *out;

	compare__default_opts(&o);
	assert_int_equal(run_compare("base", "identical", &o, &out), 0);
	assert_null(strstr(out, "REGRESSED"));
	/* 2 variants x 3 default metrics, every one unchanged */
	assert_int_equal(count_str(out, "no significant change") - 1, 6);   /* -1: summary line */
	assert_non_null(strstr(out, "0 regressed, 0 improved, 6 no significant change"));
	free(out);
}

static void test_regression_reported_above_threshold(void **state)
{
	struct compare_opts o;
	char *out;

	/* the rule on one session's noise (the between-run term has its own
	 * test): resume p99 +20 % in both variants */
	compare__default_opts(&o);
	o.between_run = "off";
	assert_int_equal(run_compare("base", "regressed", &o, &out), 1);
	assert_int_equal(count_str(out, "REGRESSED"), 2);      /* resume p99 of both variants */
	assert_non_null(strstr(out, "2 regressed"));
	free(out);

	/* a 30 % threshold hides a 20 % change */
	o.threshold_pct = 30;
	assert_int_equal(run_compare("base", "regressed", &o, &out), 0);
	free(out);
	/* and a metric that did not move does not regress */
	compare__default_opts(&o);
	o.metrics[o.nr_metrics++] = "flush_latency.p99";
	assert_int_equal(run_compare("base", "regressed", &o, &out), 0);
	free(out);
}

static void test_improved_small_rates(void **state)
{
	struct compare_opts o;
	char *out;

	compare__default_opts(&o);
	assert_int_equal(run_compare("base", "improved", &o, &out), 0);
	assert_non_null(strstr(out, "0 regressed, 2 improved"));
	free(out);

	assert_int_equal(run_compare("base", "small", &o, &out), 0);     /* +2 % < 5 % */
	assert_null(strstr(out, "REGRESSED"));
	free(out);
	o.threshold_pct = 0.5;  /* +2 % with 1.5 % noise, n=5: may or may not be significant */
	assert_true(run_compare("base", "small", &o, &out) != 2);
	free(out);

	compare__default_opts(&o);      /* throughput down 20 %: higher is better */
	assert_int_equal(run_compare("base", "rates-down", &o, &out), 1);
	assert_int_equal(count_str(out, "REGRESSED"), 2);
	free(out);
	/* the same files swapped: throughput improved */
	assert_int_equal(run_compare("rates-down", "base", &o, &out), 0);
	assert_non_null(strstr(out, "2 improved"));
	free(out);
}

static void test_single_repeat_is_insufficient(void **state)
{
	struct compare_opts o;
	char *out;

	compare__default_opts(&o);
	assert_int_equal(run_compare("base", "single", &o, &out), 0);
	assert_non_null(strstr(out, "6 insufficient repeats"));
	free(out);
}

static void test_bad_input_is_an_error(void **state)
{
	struct compare_opts o;
	char path[4200], err[512], *out;

	compare__default_opts(&o);
	assert_int_equal(run_compare("base", "other", &o, &out), 2);   /* no common variant */
	free(out);

	o.metrics[o.nr_metrics++] = "no_such_metric.p99";
	assert_int_equal(run_compare("base", "identical", &o, &out), 2);
	free(out);

	compare__default_opts(&o);
	o.format = "yaml";
	assert_int_equal(run_compare("base", "identical", &o, &out), 2);
	free(out);

	snprintf(path, sizeof(path), "%s/wrong-schema", datadir);
	assert_null(results__load(path, err, sizeof(err)));
	assert_non_null(strstr(err, "flushbench/0"));
	assert_null(strchr(err, '\n'));
	snprintf(path, sizeof(path), "%s/does-not-exist", datadir);
	assert_null(results__load(path, err, sizeof(err)));
	snprintf(path, sizeof(path), "%s/make.py", datadir);   /* not JSON */
	assert_null(results__load(path, err, sizeof(err)));
	assert_non_null(strstr(err, "not valid JSON"));
}

static void test_json_format(void **state)
{
	struct compare_opts o;
	json_error_t je;
	json_t *j, *rows, *row;
	char *out;
	size_t i;
	int seen = 0;

	compare__default_opts(&o);
	o.format = "json";
	o.between_run = "off";
	assert_int_equal(run_compare("base", "regressed", &o, &out), 1);
	j = json_loads(out, 0, &je);
	if (!j)
		fail_msg("compare json output does not parse: %s", je.text);
	assert_string_equal(json_string_value(json_object_get(j, "between_run")), "off");
	assert_string_equal(json_string_value(json_object_get(j, "schema")), "flushbench-compare/1");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "summary"), "regressed")), 2);
	assert_int_equal(json_integer_value(json_object_get(j, "exit")), 1);
	rows = json_object_get(j, "rows");
	assert_int_equal(json_array_size(rows), 6);
	json_array_foreach(rows, i, row) {
		if (strcmp(json_string_value(json_object_get(row, "metric")), "resume_latency.p99"))
			continue;
		seen++;
		assert_string_equal(json_string_value(json_object_get(row, "verdict")), "regressed");
		assert_string_equal(json_string_value(json_object_get(row, "test")), "welch-log");
		assert_true(json_is_null(json_object_get(row, "between_run")));
		double c = json_number_value(json_object_get(row, "change_pct"));
		assert_true(c > 15 && c < 25);
		assert_true(json_number_value(json_object_get(row, "p")) < 0.05);
		assert_int_equal(json_integer_value(json_object_get(json_object_get(row, "base"), "n")), 5);
	}
	assert_int_equal(seen, 2);
	json_decref(j);
	free(out);

	o.format = "markdown";
	assert_int_equal(run_compare("base", "regressed", &o, &out), 1);
	assert_non_null(strstr(out, "| variant | metric |"));
	assert_int_equal(count_str(out, "**regressed**"), 2);
	free(out);
}

static void test_baseline_variant_within_one_file(void **state)
{
	struct compare_opts o;
	json_error_t je;
	json_t *j, *row;
	char *out;
	size_t i;
	int checked = 0;

	compare__default_opts(&o);
	o.baseline = "design=srcu";
	assert_int_equal(run_compare("base", NULL, &o, &out), 0);
	assert_int_equal(count_str(out, "(baseline)"), 3);      /* one per metric */
	assert_non_null(strstr(out, "common: workload=mixed,request=event,pressure=none,vcpus=64"));
	free(out);

	o.baseline = NULL;      /* default: first variant's design + request */
	assert_int_equal(run_compare("base", NULL, &o, &out), 0);
	assert_non_null(strstr(out, "baseline: design=srcu,request=event"));
	free(out);

	o.baseline = "config.vcpus=64,design=srcu";     /* config.<key> works too */
	o.format = "json";
	assert_int_equal(run_compare("base", NULL, &o, &out), 0);
	j = json_loads(out, 0, &je);
	assert_non_null(j);
	json_array_foreach(json_object_get(j, "rows"), i, row) {
		const char *v = json_string_value(json_object_get(row, "variant"));
		const char *m = json_string_value(json_object_get(row, "metric"));

		if (strstr(v, "design=targeted") && !strcmp(m, "resume_latency.p99")) {
			double r = json_number_value(json_object_get(row, "ratio"));

			/* make.py: 9000 / 40000 */
			assert_true(fabs(r - 0.225) < 0.01);
			assert_string_equal(json_string_value(json_object_get(row, "verdict")), "improved");
			checked++;
		}
	}
	assert_int_equal(checked, 1);
	json_decref(j);
	free(out);

	o.format = "text";
	o.baseline = "design=nosuch";
	assert_int_equal(run_compare("base", NULL, &o, &out), 2);
	free(out);
}

/* Within-run mode on stalled/ (one srcu repeat's resume p99 is only a
 * lower bound): every printed srcu value says ">=", the ratio against it
 * "<=", and the JSON flags the bound; uncensored metrics stay plain. */
static void test_within_censored_values_print_as_bounds(void **state)
{
	struct compare_opts o;
	json_error_t je;
	json_t *j, *row;
	char *out;
	size_t i;
	unsigned seen = 0;

	compare__default_opts(&o);
	o.baseline = "design=srcu";
	assert_int_equal(run_compare("stalled", NULL, &o, &out), 0);
	assert_int_equal(count_str(out, ">=40."), 3);       /* srcu base, srcu value, targeted's base */
	assert_int_equal(count_str(out, "<=0."), 1);        /* targeted / a lower bound */
	assert_int_equal(count_str(out, ">="), 3);          /* nothing else is a bound */
	free(out);
	o.format = "markdown";
	assert_int_equal(run_compare("stalled", NULL, &o, &out), 0);
	assert_int_equal(count_str(out, ">=40."), 3);
	free(out);
	o.format = "json";
	assert_int_equal(run_compare("stalled", NULL, &o, &out), 0);
	j = json_loads(out, 0, &je);
	assert_non_null(j);
	json_array_foreach(json_object_get(j, "rows"), i, row) {
		int p99 = !strcmp(json_string_value(json_object_get(row, "metric")), "resume_latency.p99");
		int srcu = strstr(json_string_value(json_object_get(row, "variant")), "design=srcu") != NULL;

		assert_true(json_is_true(json_object_get(json_object_get(row, "base"), "lower_bound")) == p99);
		assert_true(json_is_true(json_object_get(json_object_get(row, "value"), "lower_bound")) == (p99 && srcu));
		assert_int_equal(json_integer_value(json_object_get(json_object_get(row, "lower_bound"), "base")), p99);
		seen += p99;
	}
	assert_int_equal(seen, 2);
	json_decref(j);
	free(out);
}

/* An A/A copy of NEW with one metric 30 % slower is still caught under
 * Holm; the untouched metrics are not. */
static void test_plus30_detected(void **state)
{
	struct compare_opts o;
	json_error_t je;
	json_t *j, *row;
	char *out;
	size_t i;
	int regressed = 0;

	compare__default_opts(&o);
	o.format = "json";
	assert_int_equal(run_compare("base", "plus30", &o, &out), 1);
	j = json_loads(out, 0, &je);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "correction")), "holm");
	json_array_foreach(json_object_get(j, "rows"), i, row) {
		const char *m = json_string_value(json_object_get(row, "metric"));
		const char *v = json_string_value(json_object_get(row, "verdict"));
		json_t *ci = json_object_get(row, "change_ci_pct");
		double p = json_number_value(json_object_get(row, "p"));
		double pa = json_number_value(json_object_get(row, "p_adj"));

		/* Holm never lowers a p-value and multiplies the smallest by m = 6 */
		assert_true(pa >= p);
		if (!strcmp(m, "resume_latency.p99")) {
			assert_string_equal(v, "regressed");
			assert_true(json_number_value(json_array_get(ci, 0)) > 5);
			assert_true(json_number_value(json_array_get(ci, 0)) < 30);
			assert_true(json_number_value(json_array_get(ci, 1)) > 30);
			regressed++;
		} else {
			assert_string_equal(v, "no significant change");
		}
	}
	assert_int_equal(regressed, 2);
	json_decref(j);
	free(out);
}

/* +7 %: one variant's CI straddles the 5 % threshold (inconclusive, does
 * not fail), the other's lies above it (regressed).  With no correction
 * and a huge threshold nothing regresses. */
static void test_ci_straddling_threshold_is_inconclusive(void **state)
{
	struct compare_opts o;
	char *out;

	compare__default_opts(&o);
	o.between_run = "off";          /* the interval rule alone */
	assert_int_equal(run_compare("base", "edge", &o, &out), 1);
	assert_int_equal(count_str(out, "REGRESSED"), 1);
	assert_int_equal(count_str(out, "inconclusive"), 2);     /* row + summary */
	assert_non_null(strstr(out, "1 inconclusive"));
	free(out);
	o.threshold_pct = 20;
	assert_int_equal(run_compare("base", "edge", &o, &out), 0);
	assert_null(strstr(out, "inconclusive"));
	assert_non_null(strstr(out, "2 below threshold"));      /* significant, CI under 20 % */
	free(out);
}

/* Disturbance records: flagged, conditions compared, dropping works. */
static void test_disturbed_conditions_are_flagged(void **state)
{
	struct compare_opts o;
	char *out;

	compare__default_opts(&o);
	assert_int_equal(run_compare("base", "loaded", &o, &out), 0);
	assert_non_null(strstr(out, "conditions DIFFER"));
	assert_non_null(strstr(out, "base 0/5, new 5/5"));
	assert_non_null(strstr(out, "warning: BASE and NEW ran under different conditions"));
	free(out);
	assert_int_equal(run_compare("base", "identical", &o, &out), 0);
	assert_null(strstr(out, "DIFFER"));
	assert_null(strstr(out, "disturbed repeats ("));
	free(out);
	/* every NEW repeat dropped: nothing left to compare on that side */
	o.drop_disturbed = true;
	assert_int_equal(run_compare("base", "loaded", &o, &out), 0);
	assert_non_null(strstr(out, "6 missing on one side"));
	free(out);
	/* a higher limit: not disturbed any more */
	o.disturbed_pct = 50;
	assert_int_equal(run_compare("base", "loaded", &o, &out), 0);
	assert_null(strstr(out, "DIFFER"));
	free(out);
}

/* Between-run drift: busy-drift/ is an A/A copy of busy/ whose whole run
 * moved (p99 +25 %, flushes/s -12 %, every repeat alike).  The within-run
 * rule calls that a regression; the busy default floor does not; a
 * calibration that measured little drift gives the regression back; a
 * quiet pair still sees +30 % (plus30/). */
static void test_between_run_drift_term(void **state)
{
	struct compare_opts o;
	json_error_t je;
	json_t *j, *row, *b;
	char *out;
	size_t i;
	unsigned drift_rows = 0;

	compare__default_opts(&o);
	o.between_run = "off";
	assert_int_equal(run_compare("busy", "busy-drift", &o, &out), 1);
	assert_int_equal(count_str(out, "REGRESSED"), 4);
	assert_null(strstr(out, "between-run drift term ("));
	free(out);

	compare__default_opts(&o);
	assert_int_equal(run_compare("busy", "busy-drift", &o, &out), 0);
	assert_int_equal(count_str(out, "REGRESSED"), 0);
	assert_non_null(strstr(out, "between-run drift term ("));
	assert_non_null(strstr(out, "resume_latency.p99: sd 30.0% per run (busy default"));
	assert_non_null(strstr(out, "rates.flushes_per_s: sd 15.0% per run (busy default"));
	assert_int_equal(count_str(out, "welch-log+drift"), 4);
	free(out);

	o.format = "json";
	assert_int_equal(run_compare("busy", "busy-drift", &o, &out), 0);
	j = json_loads(out, 0, &je);
	assert_non_null(j);
	json_array_foreach(json_object_get(j, "rows"), i, row) {
		b = json_object_get(row, "between_run");
		if (!json_is_object(b))
			continue;
		drift_rows++;
		assert_string_equal(json_string_value(json_object_get(b, "source")), "busy default");
		assert_true(json_number_value(json_object_get(b, "sd_pct")) >= 15 - 1e-9);
	}
	assert_int_equal(drift_rows, 6);
	json_decref(j);
	free(out);

	/* a calibration that measured 1 % between runs: the shift is real */
	compare__default_opts(&o);
	o.calib = json_loads("{\"schema\": \"flushbench-calibration/1\", \"metrics\": ["
			     "{\"variant\": \"x\", \"metric\": \"resume_latency.p99\", \"cv\": 0.02,"
			     " \"cv_log\": 0.02, \"between_sd\": 0.01, \"between_df\": 5},"
			     "{\"variant\": \"x\", \"metric\": \"rates.flushes_per_s\", \"cv\": 0.02,"
			     " \"cv_log\": 0.02, \"between_sd\": 0.01, \"between_df\": 5}]}", 0, &je);
	assert_non_null(o.calib);
	assert_int_equal(run_compare("busy", "busy-drift", &o, &out), 1);
	assert_int_equal(count_str(out, "REGRESSED"), 4);
	assert_non_null(strstr(out, "measured by bench calibrate"));
	/* flush_latency.p99 is not in the calibration: the default floor */
	assert_non_null(strstr(out, "flush_latency.p99: sd 30.0% per run (busy default"));
	free(out);
	/* its MDE grows with the drift term: n -> infinity cannot beat it */
	assert_true(compare__mde_pct(o.calib, "x", "resume_latency.p99", 1000, 1, 0.2, &o) > 40);
	assert_true(compare__mde_pct(o.calib, "x", "resume_latency.p99", 1000, 1, 0, &o) < 10);
	json_decref(o.calib);

	/* a fixed term, and a bad one */
	compare__default_opts(&o);
	o.between_run = "50";
	assert_int_equal(run_compare("base", "plus30", &o, &out), 0);
	free(out);
	o.between_run = "lots";
	assert_int_equal(run_compare("base", "plus30", &o, &out), 2);
	free(out);

	/* quiet machines on both sides: the small floor still sees +30 % */
	compare__default_opts(&o);
	assert_int_equal(run_compare("base", "plus30", &o, &out), 1);
	assert_non_null(strstr(out, "quiet default"));
	free(out);
	/* paired repeats (bench ab) never get the term */
	o.paired = true;
	assert_int_equal(run_compare("busy", "busy-drift", &o, &out), 1);
	assert_null(strstr(out, "+drift"));
	free(out);
}

/* Corrections and tail methods change p_adj / the test, not the data. */
static void test_corrections_methods(void **state)
{
	struct compare_opts o;
	char *out;

	compare__default_opts(&o);
	o.correction = STATS_CORR_NONE;
	assert_int_equal(run_compare("base", "regressed", &o, &out), 1);
	assert_non_null(strstr(out, "correction none"));
	free(out);
	o.correction = STATS_CORR_BH;
	o.tail_method = "pooled";
	o.between_run = "off";          /* a permutation test has no room for the drift term */
	assert_int_equal(run_compare("base", "regressed", &o, &out), 1);
	assert_non_null(strstr(out, "pooled-perm"));
	free(out);
	o.tail_method = "mean";
	assert_int_equal(run_compare("base", "regressed", &o, &out), 1);
	assert_null(strstr(out, "welch-log"));
	free(out);
	o.between_run = "auto";         /* pooled with the drift term: the log t-test */
	o.tail_method = "pooled";
	run_compare("base", "regressed", &o, &out);
	assert_null(strstr(out, "pooled-perm"));
	assert_non_null(strstr(out, "welch-log+drift"));
	free(out);
	o.tail_method = "median";
	assert_int_equal(run_compare("base", "regressed", &o, &out), 2);
	free(out);
	/* paired by repeat index: the fixtures' repeats 0..4 line up */
	compare__default_opts(&o);
	o.paired = true;
	assert_int_equal(run_compare("base", "plus30", &o, &out), 1);
	assert_non_null(strstr(out, "paired-t"));
	free(out);
	assert_int_equal(run_compare("base", "identical", &o, &out), 0);
	free(out);
	/* paired run verdicts: one stalled round of five may be chance (sign
	 * test p = 0.5: inconclusive); all five are not (p = 1/32) */
	assert_int_equal(run_compare("verdict-ok", "stalled", &o, &out), 0);
	assert_non_null(strstr(out, "sign-test"));
	assert_non_null(strstr(out, "1 inconclusive"));
	free(out);
	assert_int_equal(run_compare("verdict-ok", "stalled-all", &o, &out), 1);
	assert_non_null(strstr(out, "0.0312"));
	free(out);
	o.paired = false;               /* sequential: the strict stall rule */
	assert_int_equal(run_compare("verdict-ok", "stalled", &o, &out), 1);
	free(out);
}

/* Issue 15's run verdicts: stalled in NEW but not in BASE regresses, even
 * when every metric looks the same; old results (no "verdict") get no row. */
static void test_stall_rule(void **state)
{
	struct compare_opts o;
	char *out;

	compare__default_opts(&o);
	assert_int_equal(run_compare("verdict-ok", "stalled", &o, &out), 1);
	assert_non_null(strstr(out, "0/5 not ok"));
	assert_non_null(strstr(out, "1/5 not ok"));
	assert_int_equal(count_str(out, "REGRESSED"), 1);
	assert_non_null(strstr(out, "[lower bound: base 0, new 1]"));
	free(out);
	assert_int_equal(run_compare("stalled", "verdict-ok", &o, &out), 0);
	assert_non_null(strstr(out, "1 improved"));
	free(out);
	assert_int_equal(run_compare("base", "identical", &o, &out), 0);
	assert_null(strstr(out, "run verdicts"));
	free(out);
}

/* Adaptive repeats by MDE: the MDE shrinks with the spread and is the
 * two-sample formula on the variant's values (log values for tails). */
static void test_variant_mde(void **state)
{
	json_t *a = load("base"), *runs = json_object_get(a, "runs"), *run;
	double lg[8], mde, r;
	unsigned n, k = 0;
	size_t i;

	json_array_foreach(runs, i, run)
		if (json_integer_value(json_object_get(run, "variant")) == 0) {
			assert_int_equal(results__metric_value(run, "resume_latency.p99", &r), 0);
			lg[k++] = log(r);
		}
	mde = compare__variant_mde_pct(runs, 0, "resume_latency.p99", &n);
	assert_int_equal(n, 5);
	assert_true(fabs(mde - 100 * expm1(stats__mde(stats__stddev(lg, k), 5, 0.05, 0.8))) < 1e-9);
	assert_true(mde > 1 && mde < 10);       /* 1.5 % noise */
	assert_true(isinf(compare__variant_mde_pct(runs, 7, "resume_latency.p99", &n)));
	assert_int_equal(n, 0);
	json_decref(a);
}

/* A calibration file puts the MDE next to each verdict; a missing or
 * foreign file is a usage error. */
static void test_calibration_mde(void **state)
{
	struct compare_opts o;
	char path[4200], *out;
	json_t *cal = json_pack("{s:s,s:[{s:s,s:s,s:f,s:f}]}", "schema", "flushbench-calibration/1",
				"metrics", "variant", "*", "metric", "resume_latency.p99", "cv", 0.05, "cv_log", 0.05);
	double mde;

	compare__default_opts(&o);
	o.calib = cal;
	assert_int_equal(run_compare("base", "identical", &o, &out), 0);
	assert_int_equal(count_str(out, "(MDE "), 2);   /* only the calibrated metric */
	free(out);
	/* 6 tests under Holm: the first step is at 0.05/6; the log-scale
	 * test's MDE is back on the ratio scale */
	mde = compare__mde_pct(cal, "x", "resume_latency.p99", 5, 6, 0, &o);
	{
		double sig = stats__mde(0.05, 5, 0.05 / 6, 0.8);
		double ci = log1p(0.05) + stats__mde(0.05, 5, 0.05, 0.8);

		assert_true(fabs(mde - 100 * expm1(sig > ci ? sig : ci)) < 1e-9);
		assert_true(mde > 5);
	}
	assert_true(isnan(compare__mde_pct(cal, "x", "flush_latency.p99", 5, 6, 0, &o)));
	json_decref(cal);
	o.calib = NULL;
	snprintf(path, sizeof(path), "%s/base/results.json", datadir);
	o.calibration = path;   /* not a calibration */
	assert_int_equal(run_compare("base", "identical", &o, &out), 2);
	free(out);
}

/* results__metrics_json -> results__write -> results__load -> metric_value */
static void test_results_roundtrip(void **state)
{
	struct run_metrics *m = calloc(1, sizeof(*m));
	char dir[] = "/tmp/fb-test-results-XXXXXX", sub[256], path[300], err[256];
	json_t *root, *run, *loaded;
	double v;
	FILE *f;
	char line[512];
	int rows = 0;

	assert_non_null(m);
	assert_non_null(mkdtemp(dir));
	metrics__init(m);
	for (uint64_t i = 1; i <= 1000; i++)
		hist__record(&m->resume_ns, i * 100);
	atomic_store(&m->flushes, 3000);
	atomic_store(&m->suspends, 7);
	m->wall_s = 2.0;
	m->cpu_user_s = 0.5;
	m->max_rss_kb = 1234;

	run = json_pack("{s:i,s:i,s:s,s:s,s:o}", "variant", 0, "repeat", 0,
			"key", "workload=mixed,design=srcu", "design", "srcu",
			"metrics", results__metrics_json(m));
	assert_non_null(run);
	assert_null(json_object_get(json_object_get(run, "metrics"), "flush_latency"));  /* count 0 */
	root = json_pack("{s:s,s:[o]}", "schema", RESULTS_SCHEMA, "runs", run);
	snprintf(sub, sizeof(sub), "%s/a/b", dir);      /* mkdir -p */
	assert_int_equal(results__write(sub, root), 0);

	loaded = results__load(sub, err, sizeof(err));
	if (!loaded)
		fail_msg("%s", err);
	run = json_array_get(json_object_get(loaded, "runs"), 0);
	assert_int_equal(results__metric_value(run, "resume_latency.p99", &v), 0);
	assert_true(v == (double)hist__percentile(&m->resume_ns, 99));
	assert_true(fabs(v - 99000) <= 99000.0 / 64);
	assert_int_equal(results__metric_value(run, "resume_latency.max", &v), 0);
	assert_true(v == 100000);
	assert_int_equal(results__metric_value(run, "counters.suspends", &v), 0);
	assert_true(v == 7);
	assert_int_equal(results__metric_value(run, "suspends", &v), 0);
	assert_true(v == 7);
	assert_int_equal(results__metric_value(run, "rates.flushes_per_s", &v), 0);
	assert_true(v == 1500);
	assert_int_equal(results__metric_value(run, "rates.suspends_per_s", &v), 0);
	assert_true(v == 3.5);
	assert_int_equal(results__metric_value(run, "cpu.max_rss_kb", &v), 0);
	assert_true(v == 1234);
	assert_int_equal(results__metric_value(run, "flush_latency.p99", &v), -ENOENT);
	assert_int_equal(results__metric_value(run, "nothing", &v), -ENOENT);
	assert_string_equal(results__variant_key(run), "workload=mixed,design=srcu");
	/* histogram buckets add up to count */
	json_t *h = json_object_get(json_object_get(json_object_get(run, "metrics"), "resume_latency"), "hist"), *b;
	size_t i;
	json_int_t total = 0;
	json_array_foreach(h, i, b)
		total += json_integer_value(json_array_get(b, 1));
	assert_int_equal(total, 1000);
	json_decref(loaded);

	/* CSV: versioned header, column line, quoted key */
	snprintf(path, sizeof(path), "%s/results.csv", sub);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, RESULTS_CSV_VERSION "\n");
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, "variant,repeat,key,metric,field,value,bound\n");
	int seen_p99 = 0;
	while (fgets(line, sizeof(line), f)) {
		rows++;
		if (strstr(line, "0,0,\"workload=mixed,design=srcu\",resume_latency,p99,"))
			seen_p99++;
	}
	fclose(f);
	assert_int_equal(seen_p99, 1);
	assert_true(rows > 20);
	/* no temp files left behind */
	snprintf(path, sizeof(path), "ls %s | grep -c tmp", sub);
	f = popen(path, "r");
	assert_non_null(fgets(line, sizeof(line), f));
	pclose(f);
	assert_string_equal(line, "0\n");

	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
	json_decref(root);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_direction_per_metric_kind),
		cmocka_unit_test(test_identical_runs_show_no_change),
		cmocka_unit_test(test_regression_reported_above_threshold),
		cmocka_unit_test(test_improved_small_rates),
		cmocka_unit_test(test_single_repeat_is_insufficient),
		cmocka_unit_test(test_bad_input_is_an_error),
		cmocka_unit_test(test_json_format),
		cmocka_unit_test(test_baseline_variant_within_one_file),
		cmocka_unit_test(test_plus30_detected),
		cmocka_unit_test(test_within_censored_values_print_as_bounds),
		cmocka_unit_test(test_between_run_drift_term),
		cmocka_unit_test(test_ci_straddling_threshold_is_inconclusive),
		cmocka_unit_test(test_disturbed_conditions_are_flagged),
		cmocka_unit_test(test_corrections_methods),
		cmocka_unit_test(test_calibration_mde),
		cmocka_unit_test(test_stall_rule),
		cmocka_unit_test(test_variant_mde),
		cmocka_unit_test(test_results_roundtrip),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
