// SPDX-License-Identifier: MIT
/*
 * bench/analysis/compare.c between two runs (compare__runs) on the synthetic
 * results in tests/data/compare/ (regenerate with make.py there): metric
 * directions, verdicts and exit codes, thresholds and confidence intervals,
 * the stall rule, tests and corrections, output formats, loading errors.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compare_fixture.h"
#include "results.h"

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

	snprintf(path, sizeof(path), "%s/wrong-schema", compare_datadir);
	assert_null(results__load(path, err, sizeof(err)));
	assert_non_null(strstr(err, "flushbench/0"));
	assert_null(strchr(err, '\n'));
	snprintf(path, sizeof(path), "%s/does-not-exist", compare_datadir);
	assert_null(results__load(path, err, sizeof(err)));
	snprintf(path, sizeof(path), "%s/make.py", compare_datadir);   /* not JSON */
	assert_null(results__load(path, err, sizeof(err)));
	assert_non_null(strstr(err, "not valid JSON"));
}

static void test_json_format(void **state)
{
	struct compare_opts o;
	json_t *j, *rows, *row;
	char *out;
	size_t i;
	int seen = 0;

	compare__default_opts(&o);
	o.between_run = "off";
	j = run_compare_json("base", "regressed", &o, 1);
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

	o.format = "markdown";
	assert_int_equal(run_compare("base", "regressed", &o, &out), 1);
	assert_non_null(strstr(out, "| variant | metric |"));
	assert_int_equal(count_str(out, "**regressed**"), 2);
	free(out);
}

/* An A/A copy of NEW with one metric 30 % slower is still caught under
 * Holm; the untouched metrics are not. */
static void test_plus30_detected(void **state)
{
	struct compare_opts o;
	json_t *j, *row;
	size_t i;
	int regressed = 0;

	compare__default_opts(&o);
	j = run_compare_json("base", "plus30", &o, 1);
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
		cmocka_unit_test(test_plus30_detected),
		cmocka_unit_test(test_ci_straddling_threshold_is_inconclusive),
		cmocka_unit_test(test_corrections_methods),
		cmocka_unit_test(test_stall_rule),
	};

	return cmocka_run_group_tests(tests, compare_fixture_setup, NULL);
}
