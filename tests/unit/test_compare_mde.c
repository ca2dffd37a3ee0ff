// SPDX-License-Identifier: MIT
/*
 * bench/analysis/compare.c's minimum detectable effect: per variant from
 * its repeats (adaptive repeats) and from a calibration file next to each
 * verdict; a missing or foreign calibration is a usage error.
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
#include "compare_fixture.h"
#include "results.h"
#include "stats.h"

/* Adaptive repeats by MDE: the MDE shrinks with the spread and is the
 * two-sample formula on the variant's values (log values for tails). */
static void test_variant_mde(void **state)
{
	json_t *a = compare_load("base"), *runs = json_object_get(a, "runs"), *run;
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
	snprintf(path, sizeof(path), "%s/base/results.json", compare_datadir);
	o.calibration = path;   /* not a calibration */
	assert_int_equal(run_compare("base", "identical", &o, &out), 2);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_variant_mde),
		cmocka_unit_test(test_calibration_mde),
	};

	return cmocka_run_group_tests(tests, compare_fixture_setup, NULL);
}
