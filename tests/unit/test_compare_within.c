// SPDX-License-Identifier: MIT
/*
 * bench/analysis/compare.c within one run (compare__within, `bench compare
 * --baseline`): every variant against a baseline variant, and censored
 * values (a stalled repeat's lower bound) printed as bounds in text,
 * markdown and JSON.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "compare_fixture.h"

static void test_baseline_variant_within_one_file(void **state)
{
	struct compare_opts o;
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
	j = run_compare_json("base", NULL, &o, 0);
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
	j = run_compare_json("stalled", NULL, &o, 0);
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
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_baseline_variant_within_one_file),
		cmocka_unit_test(test_within_censored_values_print_as_bounds),
	};

	return cmocka_run_group_tests(tests, compare_fixture_setup, NULL);
}
