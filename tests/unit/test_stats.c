// SPDX-License-Identifier: MIT
/*
 * bench/analysis/stats.c: descriptive statistics, t-interval coverage, Welch and
 * Mann-Whitney against reference values and by simulation (size and power),
 * the normal-ish rule and the bootstrap.  All random input comes from seeded
 * GSL generators, so results are reproducible.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
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

static void test_describe_matches_hand_values(void **state)
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

/* Size (false positives on identical distributions, sd 50 around 1000) and
 * power (a 20 % shift, sd 60) of a two-sample test by simulation, n values
 * a side: the rejection rates at 0.05. */
static void size_power(double (*test)(const double *, unsigned, const double *, unsigned),
		       unsigned n, unsigned trials, double *fp_rate, double *tp_rate)
{
	unsigned fp = 0, tp = 0;
	double a[16], b[16];

	assert_true(n <= 16);
	for (unsigned t = 0; t < trials; t++) {
		normal(a, n, 1000, 50);
		normal(b, n, 1000, 50);
		fp += test(a, n, b, n) < 0.05;
		normal(b, n, 1200, 60);
		tp += test(a, n, b, n) < 0.05;
	}
	*fp_rate = (double)fp / trials;
	*tp_rate = (double)tp / trials;
}

static double welch(const double *a, unsigned na, const double *b, unsigned nb)
{
	return stats__welch_p(a, na, b, nb, NULL, NULL);
}

static double mann_whitney(const double *a, unsigned na, const double *b, unsigned nb)
{
	return stats__mann_whitney_p(a, na, b, nb, NULL);
}

/* 5 repeats, 5 % noise */
static void test_welch_size_power(void **state)
{
	double a[5], b[5], fp, tp;

	size_power(welch, 5, 2000, &fp, &tp);
	/* Welch is slightly conservative at n = 5 (about 4 %) */
	assert_true(fp > 0.015 && fp < 0.075);
	assert_true(tp > 0.95);
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
	double fp, tp;

	size_power(mann_whitney, 12, 2000, &fp, &tp);
	/* normal approximation with continuity correction is conservative */
	assert_true(fp < 0.07);
	assert_true(fp > 0.01);
	assert_true(tp > 0.95);
}

static void test_normalish_rejects_outliers(void **state)
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

static void test_bootstrap_ci_covers_mean(void **state)
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

/* Holm and Benjamini-Hochberg against hand-computed values; NaN skipped. */
static void test_adjust_p(void **state)
{
	double p[5] = { 0.01, 0.04, 0.03, NAN, 0.005 }, adj[5];
	enum stats_correction c;

	stats__adjust_p(p, 5, STATS_CORR_HOLM, adj);
	NEAR(adj[0], 0.03, 1e-12);
	NEAR(adj[1], 0.06, 1e-12);      /* monotone: max(0.06, 0.04) */
	NEAR(adj[2], 0.06, 1e-12);
	assert_true(isnan(adj[3]));
	NEAR(adj[4], 0.02, 1e-12);
	stats__adjust_p(p, 5, STATS_CORR_BH, adj);
	NEAR(adj[0], 0.02, 1e-12);
	NEAR(adj[1], 0.04, 1e-12);
	NEAR(adj[2], 0.04, 1e-12);
	NEAR(adj[4], 0.02, 1e-12);
	stats__adjust_p(p, 5, STATS_CORR_NONE, adj);
	NEAR(adj[1], 0.04, 1e-12);
	assert_int_equal(stats__correction_parse("holm", &c), 0);
	assert_int_equal(c, STATS_CORR_HOLM);
	assert_int_equal(stats__correction_parse("bonferroni", &c), -EINVAL);
}

/* Family-wise error of 6 null Welch-log tests (n=5 per side, lognormal):
 * without correction about 1-(0.95)^6 = 26 % of families have a hit; Holm
 * keeps it at or under alpha. */
static void test_holm_fwer(void **state)
{
	unsigned hit_none = 0, hit_holm = 0, fam = 2000;

	for (unsigned f = 0; f < fam; f++) {
		double p[6], adj[6], ch, lo, hi;
		int any = 0, anyh = 0;

		for (unsigned t = 0; t < 6; t++) {
			double a[5], b[5];

			for (unsigned i = 0; i < 5; i++) {
				a[i] = exp(gsl_ran_gaussian(rng, 0.3));
				b[i] = exp(gsl_ran_gaussian(rng, 0.3));
			}
			p[t] = stats__logratio_ci(a, 5, b, 5, 0.95, &ch, &lo, &hi);
			any |= p[t] < 0.05;
		}
		stats__adjust_p(p, 6, STATS_CORR_HOLM, adj);
		for (unsigned t = 0; t < 6; t++)
			anyh |= adj[t] < 0.05;
		hit_none += any;
		hit_holm += anyh;
	}
	assert_true(hit_none > 0.18 * fam);
	assert_true(hit_holm < 0.065 * fam);
}

/* The change interval covers the true ratio about 95 % of the time, on the
 * log scale (lognormal data) and on the raw scale (delta method). */
static void test_change_ci_coverage(void **state)
{
	unsigned cov_log = 0, cov_raw = 0, paired = 0, trials = 2000;

	for (unsigned k = 0; k < trials; k++) {
		double a[6], b[6], ch, lo, hi;

		for (unsigned i = 0; i < 6; i++) {
			double pair = gsl_ran_gaussian(rng, 0.2);   /* shared by a[i], b[i] */

			a[i] = exp(pair + gsl_ran_gaussian(rng, 0.05));
			b[i] = 1.2 * exp(pair + gsl_ran_gaussian(rng, 0.05));
		}
		/* paired: the shared term cancels (an unpaired interval would be
		 * far too wide here) */
		stats__paired_ci(a, b, 6, 0.95, &ch, &lo, &hi);
		paired += lo <= 0.2 && 0.2 <= hi;
		for (unsigned i = 0; i < 6; i++) {
			a[i] = exp(gsl_ran_gaussian(rng, 0.2));
			b[i] = 1.2 * exp(gsl_ran_gaussian(rng, 0.2));
		}
		stats__logratio_ci(a, 6, b, 6, 0.95, &ch, &lo, &hi);
		cov_log += lo <= 0.2 && 0.2 <= hi;
		normal(a, 6, 100, 3);
		normal(b, 6, 120, 3);
		stats__change_ci(a, 6, b, 6, 0.95, &ch, &lo, &hi);
		cov_raw += lo <= 0.2 && 0.2 <= hi;
	}
	assert_true(cov_log > 0.92 * trials && cov_log < 0.98 * trials);
	assert_true(cov_raw > 0.92 * trials && cov_raw < 0.98 * trials);
	assert_true(paired > 0.92 * trials && paired < 0.98 * trials);
}

/* A shift of exactly the MDE is detected about 80 % of the time. */
static void test_mde_power(void **state)
{
	double cv = 0.05, mde = stats__mde(cv, 5, 0.05, 0.8);
	unsigned hit = 0, trials = 3000;

	NEAR(mde, (2.306004 + 0.889592) * 0.05 * sqrt(2.0 / 5), 1e-4);
	assert_true(isnan(stats__mde(cv, 1, 0.05, 0.8)));
	assert_true(stats__mde(cv, 10, 0.05, 0.8) < mde);
	for (unsigned k = 0; k < trials; k++) {
		double a[5], b[5], ch, lo, hi;

		for (unsigned i = 0; i < 5; i++) {
			a[i] = exp(gsl_ran_gaussian(rng, cv));
			b[i] = exp(mde + gsl_ran_gaussian(rng, cv));
		}
		hit += stats__logratio_ci(a, 5, b, 5, 0.95, &ch, &lo, &hi) < 0.05;
	}
	assert_true(hit > 0.74 * trials && hit < 0.86 * trials);
}

/* Sequential runs with a random whole-run shift (sd 0.2 on the log scale)
 * and tight repeats (sd 0.05): Welch on the repeats rejects most A/A pairs;
 * with the between-run term the size is back near alpha, and the interval
 * covers the true ratio; between 0 is exactly Welch on the logs. */
static void test_session_term_holds_alpha_under_run_shifts(void **state)
{
	unsigned rej_w = 0, rej_s = 0, cover = 0, trials = 3000;
	double a[5], b[5], ch, lo, hi, ch2, lo2, hi2, p1, p2;

	for (unsigned k = 0; k < trials; k++) {
		double ua = gsl_ran_gaussian(rng, 0.2), ub = gsl_ran_gaussian(rng, 0.2);

		for (unsigned i = 0; i < 5; i++) {
			a[i] = exp(ua + gsl_ran_gaussian(rng, 0.05));
			b[i] = exp(ub + gsl_ran_gaussian(rng, 0.05));
		}
		rej_w += stats__logratio_ci(a, 5, b, 5, 0.95, &ch, &lo, &hi) < 0.05;
		rej_s += stats__session_ci(a, 5, b, 5, 1, 0.2, INFINITY, 0.95, &ch, &lo, &hi) < 0.05;
		cover += lo <= 0 && 0 <= hi;
	}
	assert_true(rej_w > 0.5 * trials);
	assert_true(rej_s < 0.07 * trials);
	assert_true(cover > 0.93 * trials && cover < 0.97 * trials);

	p1 = stats__logratio_ci(a, 5, b, 5, 0.95, &ch, &lo, &hi);
	p2 = stats__session_ci(a, 5, b, 5, 1, 0, INFINITY, 0.95, &ch2, &lo2, &hi2);
	NEAR(p1, p2, 1e-12);
	NEAR(lo, lo2, 1e-12);
	NEAR(hi, hi2, 1e-12);
	/* the term widens the interval; fewer df for it widen it more */
	stats__session_ci(a, 5, b, 5, 1, 0.1, INFINITY, 0.95, &ch, &lo, &hi);
	stats__session_ci(a, 5, b, 5, 1, 0.1, 3, 0.95, &ch2, &lo2, &hi2);
	assert_true(isfinite(hi - lo) && isfinite(hi2 - lo2));
	assert_true(hi2 - lo2 > hi - lo);
	/* means (delta method) and non-positive data work too */
	assert_true(stats__session_ci(a, 5, b, 5, 0, 0.1, INFINITY, 0.95, &ch, &lo, &hi) >= 0);
	a[0] = -1;
	assert_true(stats__session_ci(a, 5, b, 5, 1, 0.1, INFINITY, 0.95, &ch, &lo, &hi) >= 0);
	assert_true(stats__session_ci(a, 1, b, 5, 1, 0.1, INFINITY, 0.95, &ch, &lo, &hi) < 0);
}

/* One-way random-effects ANOVA recovers the between-group sd. */
static void test_between_sd_recovers_session_effect(void **state)
{
	double x[40 * 5], df;
	unsigned n[40], sum = 0, trials = 200;
	double est_sum = 0;

	for (unsigned t = 0; t < trials; t++) {
		for (unsigned g = 0; g < 40; g++) {
			double u = gsl_ran_gaussian(rng, 0.2);

			n[g] = 5;
			for (unsigned i = 0; i < 5; i++)
				x[g * 5 + i] = u + gsl_ran_gaussian(rng, 0.1);
		}
		est_sum += stats__between_sd(x, n, 40, &df);
		sum += df > 10 && df < 60;
	}
	NEAR(est_sum / trials, 0.2, 0.02);
	assert_true(sum > 0.9 * trials);
	/* no group effect at all: 0, with g - 1 df */
	for (unsigned g = 0; g < 4; g++) {
		n[g] = 3;
		x[g * 3] = 1;
		x[g * 3 + 1] = 2;
		x[g * 3 + 2] = 3;
	}
	NEAR(stats__between_sd(x, n, 4, &df), 0, 0);
	NEAR(df, 3, 0);
	/* unbalanced groups and an empty one, against the formulas by hand:
	 * groups {0,2} and {10,12,14}, MSW = (2 + 8) / 3, one df between */
	double y[] = { 0, 2, 10, 12, 14 };
	unsigned m[] = { 2, 0, 3 };
	double grand = 38.0 / 5, msb = 2 * (1 - grand) * (1 - grand) + 3 * (12 - grand) * (12 - grand);
	double msw = (2.0 + 8.0) / 3, n0 = (5 - (4.0 + 9.0) / 5) / 1;

	NEAR(stats__between_sd(y, m, 3, &df), sqrt((msb - msw) / n0), 1e-9);
	assert_true(isnan(stats__between_sd(y, m, 1, &df)));      /* one group */
}

/* Pooled-histogram quantile and its permutation test. */
static void test_pooled_quantile(void **state)
{
	/* 3 buckets (10, 20, 30); 4 + 4 repeats */
	double val[3] = { 10, 20, 30 };
	double same[8 * 3], shifted[8 * 3], ch, lo, hi, p;
	unsigned all[4] = { 0, 1, 2, 3 };

	for (unsigned r = 0; r < 8; r++) {
		double c[3] = { 90, 9, 1 };

		for (unsigned j = 0; j < 3; j++) {
			same[r * 3 + j] = c[j] + r % 2;
			/* side b: the tail moved one bucket up */
			shifted[r * 3 + j] = r < 4 ? (j == 0 ? 100 : 0) : (j == 2 ? 100 : 0);
		}
	}
	struct stats_hists h = { .nrep = 8, .nb = 3, .val = val, .counts = same };
	NEAR(stats__pooled_quantile(&h, all, 4, 0.5), 10, 0);
	NEAR(stats__pooled_quantile(&h, all, 4, 0.95), 20, 0);
	NEAR(stats__pooled_quantile(&h, all, 4, 1.0), 30, 0);
	p = stats__pooled_quantile_test(&h, 4, 0.95, 0.95, 500, 1, &ch, &lo, &hi);
	NEAR(p, 1.0, 1e-12);
	NEAR(ch, 0, 1e-12);
	h.counts = shifted;
	p = stats__pooled_quantile_test(&h, 4, 0.95, 0.95, 500, 1, &ch, &lo, &hi);
	NEAR(ch, 2.0, 1e-12);            /* 30 / 10 */
	/* only the observed split and its mirror are as extreme: any mix puts
	 * 30 at both sides' p95.  2 of C(8,4) = 70. */
	NEAR(p, 2.0 / 70, 1e-12);
	assert_true(lo <= 2.0 && hi >= 2.0);
	assert_true(stats__pooled_quantile_test(&h, 1, 0.95, 0.95, 500, 1, &ch, &lo, &hi) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_describe_matches_hand_values),
		cmocka_unit_test(test_ci_coverage),
		cmocka_unit_test(test_welch_reference),
		cmocka_unit_test(test_welch_size_power),
		cmocka_unit_test(test_mann_whitney_exact),
		cmocka_unit_test(test_mann_whitney_ties),
		cmocka_unit_test(test_mann_whitney_size_power),
		cmocka_unit_test(test_normalish_rejects_outliers),
		cmocka_unit_test(test_bootstrap_ci_covers_mean),
		cmocka_unit_test(test_adjust_p),
		cmocka_unit_test(test_holm_fwer),
		cmocka_unit_test(test_change_ci_coverage),
		cmocka_unit_test(test_mde_power),
		cmocka_unit_test(test_pooled_quantile),
		cmocka_unit_test(test_session_term_holds_alpha_under_run_shifts),
		cmocka_unit_test(test_between_sd_recovers_session_effect),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
