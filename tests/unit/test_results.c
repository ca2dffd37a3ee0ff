// SPDX-License-Identifier: MIT
/*
 * bench/analysis/results.c: results__metrics_json -> results__write ->
 * results__load -> results__metric_value round trip of results.json, the
 * versioned results.csv, and no temp files left behind.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "results.h"

/* results__metrics_json -> results__write -> results__load -> metric_value */
static void test_results_roundtrip(void **state)
{
	struct run_metrics *m = calloc(1, sizeof(*m));
	char dir[] = "/tmp/fb-test-results-XXXXXX", sub[256], path[600], err[256];
	json_t *root, *run, *loaded;
	double v;
	FILE *f;
	DIR *d;
	struct dirent *de;
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
	/* no temp files left behind; then remove what was written */
	d = opendir(sub);
	assert_non_null(d);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		assert_null(strstr(de->d_name, "tmp"));
		snprintf(path, sizeof(path), "%s/%s", sub, de->d_name);
		assert_int_equal(unlink(path), 0);
	}
	closedir(d);
	assert_int_equal(rmdir(sub), 0);
	snprintf(path, sizeof(path), "%s/a", dir);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(rmdir(dir), 0);
	json_decref(root);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_results_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
