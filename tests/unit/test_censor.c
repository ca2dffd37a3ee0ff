// SPDX-License-Identifier: MIT
/*
 * Censored measurements (bench/analysis/results.c, host/censor.c; docs/RESULTS.md):
 * what was still in flight at the end of a window is kept at its age, the
 * statistics it can move are marked lower bounds, "count" stays the observed
 * samples, and a metric with nothing is absent and printed "-", never 0.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "censor.h"
#include "hist.h"
#include "results.h"

static struct hist *hist_new(void)
{
	void *p = NULL;

	if (posix_memalign(&p, 64, sizeof(struct hist)))
		fail_msg("out of memory");
	struct hist *h = p;
	hist__init(h);
	return h;
}

static bool lower(json_t *m, const char *field)
{
	return results__is_lower_bound(m, field);
}

/* A run object holding one metric, for the formatter. */
static json_t *run_with(const char *name, json_t *metric)
{
	json_t *metrics = json_object();

	if (metric)
		json_object_set_new(metrics, name, metric);
	json_object_set_new(metrics, "counters", json_pack("{s:i}", "suspends", 0));
	return json_pack("{s:o}", "metrics", metrics);
}

/* No censored observation: the plain histogram, nothing marked. */
static void test_uncensored_is_exact(void **state)
{
	struct hist *h = hist_new();
	(void)state;

	for (uint64_t v = 1; v <= 1000; v++)
		hist__record(h, v * 1000);
	json_t *m = results__hist_json_censored(h, "ns", NULL, 0);
	assert_non_null(m);
	assert_null(json_object_get(m, "censored"));
	assert_null(json_object_get(m, "lower_bound"));
	assert_int_equal(json_integer_value(json_object_get(m, "count")), 1000);
	json_decref(m);
	free(h);
}

/* The stalled srcu row of the evidence: nothing completed, 28 flushers
 * pending for ~2.3 s.  Every statistic is a lower bound of ~2.3 s, and
 * count says 0 observed samples. */
static void test_all_censored(void **state)
{
	struct hist *h = hist_new();
	uint64_t ages[28];
	(void)state;

	for (unsigned i = 0; i < 28; i++)
		ages[i] = 2281000000ull + i * 1000000ull;
	json_t *m = results__hist_json_censored(h, "ns", ages, 28);
	assert_non_null(m);
	assert_int_equal(json_integer_value(json_object_get(m, "count")), 0);
	assert_int_equal(json_integer_value(json_object_get(m, "censored")), 28);
	assert_true(json_integer_value(json_object_get(m, "p50")) >= 2281000000ll * 98 / 100);
	assert_true(lower(m, "p50"));
	assert_true(lower(m, "p99"));
	assert_true(lower(m, "max"));
	assert_true(lower(m, "mean"));
	/* the console shows it as a bound, with a unit that fits */
	char buf[64];
	json_t *run = run_with("resume_latency", m);
	results__fmt(run, "resume_latency.p99", RESULTS_FMT_NS, buf, sizeof(buf));
	assert_memory_equal(buf, ">=2.", 4);
	assert_int_equal(buf[strlen(buf) - 1], 's');
	json_decref(run);
	free(h);
}

/* Many fast samples and a few young censored ones: the median cannot move
 * (exact), the tail can (lower bound). */
static void test_tail_only(void **state)
{
	struct hist *h = hist_new();
	uint64_t ages[20];
	(void)state;

	for (unsigned i = 0; i < 20; i++)
		ages[i] = 50000000 + i * 1000000;               /* 50..69 ms old */
	for (unsigned i = 0; i < 10000; i++)
		hist__record(h, 100000 + (i % 100) * 1000);     /* 100..199 us */
	json_t *m = results__hist_json_censored(h, "ns", ages, 20);
	assert_int_equal(json_integer_value(json_object_get(m, "count")), 10000);
	assert_false(lower(m, "p50"));
	assert_false(lower(m, "p99"));          /* 20 in 10020 cannot reach the 99th */
	assert_true(lower(m, "p999"));          /* ... but do reach the 99.9th */
	assert_true(lower(m, "max"));
	json_decref(m);
	free(h);
}

/* Young censored observations (10 us old) outnumbering the samples: where
 * they end up decides the median, so it is a lower bound; with fewer of them
 * than the samples above the median it would be exact (see above). */
static void test_young_censored_moves_median(void **state)
{
	struct hist *h = hist_new();
	uint64_t ages[150];
	(void)state;

	for (unsigned i = 0; i < 100; i++)
		hist__record(h, 1000000);                      /* 1 ms */
	for (unsigned i = 0; i < 150; i++)
		ages[i] = 10000;                               /* 10 us old */
	json_t *m = results__hist_json_censored(h, "ns", ages, 150);
	assert_true(lower(m, "p50"));
	assert_true(lower(m, "min"));
	assert_true(json_integer_value(json_object_get(m, "p50")) < 1000000);   /* the bound, not the truth */
	json_decref(m);
	free(h);
}

/* Nothing at all: absent from the metrics, "-" in print, never "0". */
static void test_empty_prints_dash(void **state)
{
	char buf[64];
	(void)state;

	json_t *run = run_with("resume_latency", NULL);
	assert_string_equal(results__fmt(run, "resume_latency.p50", RESULTS_FMT_NS, buf, sizeof(buf)), "-");
	assert_string_equal(results__fmt(run, "grace_period.p99", RESULTS_FMT_NS, buf, sizeof(buf)), "-");
	/* a real zero counter is a number, not a missing metric */
	assert_string_equal(results__fmt(run, "counters.suspends", RESULTS_FMT_INT, buf, sizeof(buf)), "0");
	json_decref(run);
}

/* The censored set grows and frees cleanly (host/censor.c). */
static void test_censor_set(void **state)
{
	struct censor_set c;
	(void)state;

	censor__init(&c);
	for (unsigned i = 0; i < 1000; i++)
		censor__add(&c, FB_H_resume_ns, i);
	censor__add(&c, FB_H_gp_ns, 7);
	assert_int_equal(c.m[FB_H_resume_ns].n, 1000);
	assert_int_equal(c.m[FB_H_resume_ns].age[999], 999);
	assert_int_equal(c.m[FB_H_gp_ns].n, 1);
	assert_int_equal(c.m[FB_H_flush_ns].n, 0);
	censor__free(&c);
	assert_int_equal(c.m[FB_H_resume_ns].n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uncensored_is_exact),
		cmocka_unit_test(test_all_censored),
		cmocka_unit_test(test_tail_only),
		cmocka_unit_test(test_young_censored_moves_median),
		cmocka_unit_test(test_empty_prints_dash),
		cmocka_unit_test(test_censor_set),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
