// SPDX-License-Identifier: MIT
/*
 * bench/run/achieved.c: achieved pressure per run from its counters and
 * pressure_stats; "almost-none" below ACHIEVED_MIN_PER_S; "not-comparable"
 * when a row's rate is more than 2x off its group's baseline row (same key
 * apart from the baseline's keys); no figures for pressure=none.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "achieved.h"

static json_t *run(const char *design, const char *pressure, unsigned vcpus, double faults, double swap_ins)
{
	char key[256];
	snprintf(key, sizeof(key), "workload=mixed,design=%s,request=event,pressure=%s,vcpus=%u",
		 design, pressure, vcpus);
	json_t *r = json_pack("{s:s,s:s,s:f,s:{s:{s:f}},s:{s:f}}", "key", key, "pressure", pressure,
			      "duration_s", 2.0, "metrics", "counters", "faults", faults,
			      "config", "resident_mb", 32.0);
	if (!strcmp(pressure, "swap"))
		json_object_set_new(r, "pressure_stats", json_pack("{s:f,s:f,s:f,s:f}", "swap_ins", swap_ins,
			"memcg_limit_mb", 200.0, "resident_mb_mean", 150.0, "resident_mb_peak", 160.0));
	if (!strcmp(pressure, "paging"))
		json_object_set_new(r, "pressure_stats", json_pack("{s:i,s:i,s:i}", "page_size", 4096,
			"resident_limit_pages", 8192, "resident_peak_pages", 8000));
	return r;
}

static bool has_flag(json_t *r, const char *flag)
{
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(json_object_get(r, "pressure_achieved"), "flags"), i, f)
		if (!strcmp(json_string_value(f), flag))
			return true;
	return false;
}

static void test_annotate_flags_runs_far_from_baseline(void **state)
{
	(void)state;
	json_t *runs = json_array();
	json_array_append_new(runs, run("srcu", "none", 64, 0, 0));              /* 0 */
	json_array_append_new(runs, run("srcu", "swap", 64, 0, 2728));           /* 1: baseline, 1364/s */
	json_array_append_new(runs, run("targeted", "swap", 64, 0, 26928));      /* 2: 13464/s, ~9.9x */
	json_array_append_new(runs, run("srcu-private", "swap", 64, 0, 4000));   /* 3: 1.47x: comparable */
	json_array_append_new(runs, run("srcu", "paging", 64, 8000, 0));         /* 4: baseline 4000/s */
	json_array_append_new(runs, run("targeted", "paging", 64, 1000, 0));     /* 5: 0.125x */
	json_array_append_new(runs, run("targeted", "swap", 4, 0, 6));           /* 6: 3/s, no baseline row */
	achieved__annotate(runs, NULL);
	achieved__annotate(runs, NULL);                                        /* idempotent */

	assert_null(json_object_get(json_array_get(runs, 0), "pressure_achieved"));
	json_t *a = json_object_get(json_array_get(runs, 1), "pressure_achieved");
	assert_true(json_real_value(json_object_get(a, "swap_ins_per_s")) == 1364.0);
	assert_true(json_real_value(json_object_get(a, "vs_baseline")) == 1.0);
	assert_true(json_real_value(json_object_get(a, "resident_limit_mb")) == 200.0);
	assert_false(has_flag(json_array_get(runs, 1), "not-comparable"));
	assert_true(has_flag(json_array_get(runs, 2), "not-comparable"));
	assert_int_equal(json_array_size(json_object_get(json_object_get(json_array_get(runs, 2),
				"pressure_achieved"), "flags")), 1);
	assert_false(has_flag(json_array_get(runs, 3), "not-comparable"));
	a = json_object_get(json_array_get(runs, 4), "pressure_achieved");
	assert_true(json_real_value(json_object_get(a, "faults_per_s")) == 4000.0);
	assert_true(json_real_value(json_object_get(a, "resident_limit_mb")) == 32.0);
	assert_true(has_flag(json_array_get(runs, 5), "not-comparable"));      /* 2x either way */
	assert_true(has_flag(json_array_get(runs, 6), "almost-none"));
	assert_false(has_flag(json_array_get(runs, 6), "not-comparable"));     /* 4 vCPUs: other group */
	assert_null(json_object_get(json_object_get(json_array_get(runs, 6), "pressure_achieved"), "vs_baseline"));

	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	achieved__print(f, runs);
	fclose(f);
	assert_non_null(strstr(buf, "NOT COMPARABLE"));
	assert_non_null(strstr(buf, "ALMOST NO PRESSURE"));
	assert_non_null(strstr(buf, "1364 in"));
	assert_null(strstr(buf, "pressure=none"));
	free(buf);
	json_decref(runs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_annotate_flags_runs_far_from_baseline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
