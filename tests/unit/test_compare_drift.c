// SPDX-License-Identifier: MIT
/*
 * bench/analysis/compare.c under noise from outside the run: disturbed
 * repeats (flagged, compared, dropped) and the between-run drift term
 * (default floors, a calibration's measured term, fixed and bad terms,
 * none for paired repeats).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "compare_fixture.h"

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

	j = run_compare_json("busy", "busy-drift", &o, 0);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disturbed_conditions_are_flagged),
		cmocka_unit_test(test_between_run_drift_term),
	};

	return cmocka_run_group_tests(tests, compare_fixture_setup, NULL);
}
