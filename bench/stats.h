/* SPDX-License-Identifier: MIT */
/*
 * Small-sample statistics for comparing benchmark repeats (docs/STATISTICS.md).
 * Built on GSL (t and normal distributions, seeded RNG for the bootstrap).
 * All functions take plain double arrays; none keep state.
 */
#ifndef FB_STATS_H
#define FB_STATS_H

#include <stdint.h>

struct sample_stats {
	unsigned n;
	double mean, sd, cv;     /* sd: sample (n-1); cv = sd/|mean| (0 if mean 0) */
	double ci_lo, ci_hi;     /* 95 % t-interval of the mean (= mean when n < 2) */
	double min, max;
};

double stats__mean(const double *x, unsigned n);          /* 0 when n == 0 */
double stats__stddev(const double *x, unsigned n);        /* sample sd; 0 when n < 2 */
double stats__cv(const double *x, unsigned n);
double stats__min(const double *x, unsigned n);
double stats__max(const double *x, unsigned n);
double stats__median(const double *x, unsigned n);        /* copies, does not reorder x */

/* Two-sided t confidence interval of the mean at level conf (0.95): mean +-
 * t_{n-1,(1+conf)/2} * sd/sqrt(n).  n < 2: lo = hi = mean.  */
void stats__ci_mean(const double *x, unsigned n, double conf, double *lo, double *hi);
static inline void stats__ci95(const double *x, unsigned n, double *lo, double *hi)
{
	stats__ci_mean(x, n, 0.95, lo, hi);
}

void stats__describe(const double *x, unsigned n, struct sample_stats *out);

/* Welch's unequal-variance t-test, two-sided p-value; df by Welch-
 * Satterthwaite.  Returns 1.0 when either n < 2; when both variances are 0
 * returns 0.0 if the means differ, else 1.0.  *t_out / *df_out optional. */
double stats__welch_p(const double *a, unsigned na, const double *b, unsigned nb,
		      double *t_out, double *df_out);

/* Mann-Whitney U (Wilcoxon rank-sum), two-sided p-value.  Exact (enumerated
 * null distribution) when na+nb <= 20 and there are no ties; otherwise the
 * normal approximation with tie-corrected variance and continuity correction.
 * Returns 1.0 when either side is empty.  *u_out optional (U of sample a). */
double stats__mann_whitney_p(const double *a, unsigned na, const double *b, unsigned nb,
			     double *u_out);

/* "Looks normal-ish" check used to pick Welch vs Mann-Whitney: n >= 3,
 * |sample skewness| < 1.5, and (n >= 4) no outlier by the externally
 * studentized residual test (t_{n-2}, Bonferroni over n points at 1 %).
 * Constant samples count as normal-ish.  docs/STATISTICS.md. */
int stats__normalish(const double *x, unsigned n);

/* Percentile bootstrap (nboot resamples, GSL mt19937 seeded with seed) of the
 * mean of x, at level conf.  n == 0: lo = hi = 0. */
void stats__bootstrap_mean_ci(const double *x, unsigned n, unsigned nboot, double conf,
			      uint64_t seed, double *lo, double *hi);

/* Same for the ratio mean(b)/mean(a) (independent resampling of a and b).
 * Resamples with mean(a) == 0 are skipped. */
void stats__bootstrap_ratio_ci(const double *a, unsigned na, const double *b, unsigned nb,
			       unsigned nboot, double conf, uint64_t seed,
			       double *lo, double *hi);

#endif
