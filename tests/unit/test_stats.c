// SPDX-License-Identifier: MIT
/*
 * bench/stats.c: descriptive statistics, t-interval coverage, Welch and
 * Mann-Whitney against reference values and by simulation (size and power),
 * the normal-ish rule and the bootstrap.  All random input comes from seeded
 * GSL generators, so results are reproducible.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include "stats.h"

#define NEAR(a, b, eps) do { double _a = (a), _b = (b); \
	if (fabs(_a - _b) > (eps)) fail_msg("%s = %.6g, expected %.6g (+-%g)", #a, _a, _b, (double)(eps)); \
} while (0)

static gsl_rng *rng;

static int setup(void **state)
{
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, 42);
	return 0;
}

static int teardown(void **state)
{
	gsl_rng_free(rng);
	return 0;
}

static void normal(double *x, unsigned n, double mean, double sd)
{
	for (unsigned i = 0; i < n; i++)
		x[i] = mean + gsl_ran_gaussian(rng, sd);
}

static void test_describe(void **state)
{
	const double x[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	struct sample_stats s;

	stats__describe(x, 8, &s);
	assert_int_equal(s.n, 8);
	NEAR(s.mean, 5.0, 1e-12);
	NEAR(s.sd, sqrt(32.0 / 7), 1e-12);
	NEAR(s.cv, sqrt(32.0 / 7) / 5, 1e-12);
	NEAR(s.min, 2, 0);
	NEAR(s.max, 9, 0);
	/* t_{7,0.975} = 2.364624 */
	NEAR(s.ci_hi - s.mean, 2.364624 * sqrt(32.0 / 7) / sqrt(8), 1e-5);
	NEAR(s.mean - s.ci_lo, s.ci_hi - s.mean, 1e-12);
	NEAR(stats__median(x, 8), 4.5, 1e-12);
	assert_true(x[0] == 2 && x[7] == 9);    /* median did not reorder */

	stats__describe(x, 1, &s);
	NEAR(s.sd, 0, 0);
	NEAR(s.ci_lo, 2, 0);
	NEAR(s.ci_hi, 2, 0);
	stats__describe(x, 0, &s);
	assert_int_equal(s.n, 0);
	NEAR(s.mean, 0, 0);
}

/* ~95 % of 95 % intervals must contain the true mean. */
static void test_ci_coverage(void **state)
{
	unsigned trials = 4000, hit = 0;
	double x[8];

	for (unsigned t = 0; t < trials; t++) {
		double lo, hi;

		normal(x, 8, 100, 15);
		stats__ci95(x, 8, &lo, &hi);
		hit += lo <= 100 && 100 <= hi;
	}
	/* binomial sd at 4000 trials is 0.34 %: +-1.5 % is > 4 sd */
	NEAR((double)hit / trials, 0.95, 0.015);
}

static void test_welch_reference(void **state)
{
	const double a[] = { 1, 2, 3, 4, 5 }, b[] = { 2, 4, 6, 8, 10 };
	double t, df, p;

	/* Reference: t = 3/sqrt(2.5), df = 6.25/1.0625, p from numerically
	 * integrating the Student t density (R's t.test gives 0.1075). */
	p = stats__welch_p(a, 5, b, 5, &t, &df);
	NEAR(t, 1.8973666, 1e-6);
	NEAR(df, 5.8823529, 1e-6);
	NEAR(p, 0.1075312, 1e-5);
	NEAR(stats__welch_p(b, 5, a, 5, &t, NULL), p, 1e-12);   /* symmetric */
	NEAR(t, -1.8973666, 1e-6);
	/* degenerate inputs */
	NEAR(stats__welch_p(a, 1, b, 5, NULL, NULL), 1.0, 0);
	const double c1[] = { 3, 3, 3 }, c2[] = { 4, 4, 4 };
	NEAR(stats__welch_p(c1, 3, c2, 3, NULL, NULL), 0.0, 0);
	NEAR(stats__welch_p(c1, 3, c1, 3, NULL, NULL), 1.0, 0);
}

/* Size (false positives on identical distributions) and power (20 % shift,
 * 5 % noise, 5 repeats) by simulation. */
static void test_welch_size_power(void **state)
{
	unsigned trials = 2000, fp = 0, tp = 0;
	double a[5], b[5];

	for (unsigned t = 0; t < trials; t++) {
		normal(a, 5, 1000, 50);
		normal(b, 5, 1000, 50);
		fp += stats__welch_p(a, 5, b, 5, NULL, NULL) < 0.05;
		normal(b, 5, 1200, 60);
		tp += stats__welch_p(a, 5, b, 5, NULL, NULL) < 0.05;
	}
	/* Welch is slightly conservative at n = 5 (about 4 %) */
	assert_true((double)fp / trials > 0.015 && (double)fp / trials < 0.075);
	assert_true((double)tp / trials > 0.95);
	normal(a, 5, 1000, 50);
	normal(b, 5, 1200, 60);
	assert_true(stats__welch_p(a, 5, b, 5, NULL, NULL) < 0.01);
}

static void test_mann_whitney_exact(void **state)
{
	const double a[] = { 1, 2, 3, 4, 5 }, b[] = { 6, 7, 8, 9, 10 };
	double u;

	/* complete separation: P = 2 / C(6,3) and 2 / C(10,5) */
	NEAR(stats__mann_whitney_p(a, 3, b, 3, &u), 2.0 / 20, 1e-12);
	NEAR(u, 0, 0);
	NEAR(stats__mann_whitney_p(a, 5, b, 5, &u), 2.0 / 252, 1e-12);
	NEAR(stats__mann_whitney_p(b, 5, a, 5, &u), 2.0 / 252, 1e-12);
	NEAR(u, 25, 0);
	/* interleaved samples: no evidence */
	const double c[] = { 1, 3, 5, 7, 9 }, d[] = { 2, 4, 6, 8, 10 };
	assert_true(stats__mann_whitney_p(c, 5, d, 5, NULL) > 0.5);
	NEAR(stats__mann_whitney_p(a, 0, b, 5, NULL), 1.0, 0);
}

static void test_mann_whitney_ties(void **state)
{
	const double a[] = { 1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
	const double b[] = { 3, 4, 5, 5, 6, 8, 9, 10, 12, 13, 14, 15, 16 };
	const double t[] = { 7, 7, 7, 7 };
	double u;

	/* reference: midranks, tie-corrected variance, continuity correction */
	NEAR(stats__mann_whitney_p(a, 12, b, 13, &u), 0.0529850, 1e-6);
	NEAR(u, 42, 0);
	NEAR(stats__mann_whitney_p(t, 2, t + 2, 2, NULL), 1.0, 0);     /* all tied */
}

static void test_mann_whitney_size_power(void **state)
{
	unsigned trials = 2000, fp = 0, tp = 0;
	double a[12], b[12];

	for (unsigned k = 0; k < trials; k++) {
		normal(a, 12, 1000, 50);
		normal(b, 12, 1000, 50);
		fp += stats__mann_whitney_p(a, 12, b, 12, NULL) < 0.05;
		normal(b, 12, 1200, 60);
		tp += stats__mann_whitney_p(a, 12, b, 12, NULL) < 0.05;
	}
	/* normal approximation with continuity correction is conservative */
	assert_true((double)fp / trials < 0.07);
	assert_true((double)fp / trials > 0.01);
	assert_true((double)tp / trials > 0.95);
}

static void test_normalish(void **state)
{
	const double ok[] = { 10, 10.2, 9.9, 10.1, 9.8 };
	const double outlier[] = { 10, 10.1, 9.9, 10.2, 10.05, 10.0, 50 };
	const double constant[] = { 5, 5, 5 };
	double x[30];

	assert_true(stats__normalish(ok, 5));
	assert_false(stats__normalish(outlier, 7));
	assert_true(stats__normalish(constant, 3));
	assert_false(stats__normalish(ok, 2));
	normal(x, 30, 0, 1);
	assert_true(stats__normalish(x, 30));
	for (unsigned i = 0; i < 30; i++)   /* heavy right tail */
		x[i] = exp(3 * gsl_ran_gaussian(rng, 1));
	assert_false(stats__normalish(x, 30));
}

static void test_bootstrap(void **state)
{
	double a[40], b[40], lo, hi, lo2, hi2;

	normal(a, 40, 100, 10);
	normal(b, 40, 120, 12);
	stats__bootstrap_mean_ci(a, 40, 2000, 0.95, 7, &lo, &hi);
	assert_true(lo < stats__mean(a, 40) && stats__mean(a, 40) < hi);
	assert_true(lo < 100 && 100 < hi);
	stats__bootstrap_mean_ci(a, 40, 2000, 0.95, 7, &lo2, &hi2);
	NEAR(lo2, lo, 0);       /* seeded: reproducible */
	NEAR(hi2, hi, 0);
	/* close to the t-interval for a normal sample */
	stats__ci95(a, 40, &lo2, &hi2);
	NEAR(hi - lo, hi2 - lo2, 0.25 * (hi2 - lo2));
	stats__bootstrap_ratio_ci(a, 40, b, 40, 2000, 0.95, 7, &lo, &hi);
	assert_true(lo < 1.2 && 1.2 < hi);
	assert_true(lo > 1.0);
	stats__bootstrap_mean_ci(a, 0, 100, 0.95, 1, &lo, &hi);
	NEAR(lo, 0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_ci_coverage),
		cmocka_unit_test(test_welch_reference),
		cmocka_unit_test(test_welch_size_power),
		cmocka_unit_test(test_mann_whitney_exact),
		cmocka_unit_test(test_mann_whitney_ties),
		cmocka_unit_test(test_mann_whitney_size_power),
		cmocka_unit_test(test_normalish),
		cmocka_unit_test(test_bootstrap),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
