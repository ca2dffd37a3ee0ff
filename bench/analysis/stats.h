/* SPDX-License-Identifier: MIT */
/*
 * Small-sample statistics for comparing benchmark repeats (docs/STATISTICS.md).
 * Built on GSL (t and normal distributions, seeded RNG for the bootstrap).
 * All functions take plain double arrays; none keep state.
 */
#ifndef FB_STATS_H
#define FB_STATS_H

#include <errno.h>
#include <stddef.h>
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

/* The central conf interval of the nv values v (sorted in place), as
 * percentiles; nv == 0: lo = hi = 0. */
void stats__quantile_ci(double *v, size_t nv, double conf, double *lo, double *hi);

/* Percentile bootstrap (nboot resamples, GSL mt19937 seeded with seed) of the
 * mean of x, at level conf.  n == 0: lo = hi = 0. */
void stats__bootstrap_mean_ci(const double *x, unsigned n, unsigned nboot, double conf,
			      uint64_t seed, double *lo, double *hi);

/* Same for the ratio mean(b)/mean(a) (independent resampling of a and b).
 * Resamples with mean(a) == 0 are skipped. */
void stats__bootstrap_ratio_ci(const double *a, unsigned na, const double *b, unsigned nb,
			       unsigned nboot, double conf, uint64_t seed,
			       double *lo, double *hi);

/* ---- multiple comparisons (docs/STATISTICS.md "Multiplicity") ---- */
enum stats_correction { STATS_CORR_HOLM, STATS_CORR_BH, STATS_CORR_NONE };

/* "holm" | "bh" | "none" -> 0 and *out; -EINVAL otherwise. */
int stats__correction_parse(const char *s, enum stats_correction *out);
const char *stats__correction_name(enum stats_correction c);

/* Adjusted p-values of a family of n tests: Holm's step-down (family-wise
 * error), Benjamini-Hochberg step-up (false discovery rate) or none.  NaN
 * entries (no test) are skipped and stay NaN; m is the number of finite
 * p-values.  adj may alias p. */
void stats__adjust_p(const double *p, unsigned n, enum stats_correction c, double *adj);

/* ---- effect sizes with intervals ---- */

/* Relative change of b against a, as a fraction (0.2 = +20 %), with a
 * two-sided interval at level conf.  When every value is > 0 the change is
 * the ratio of means minus one and its interval comes from the delta method
 * on log(mean_b / mean_a) with Welch-Satterthwaite df; otherwise the Welch
 * interval of the difference divided by |mean_a|.  Returns the p-value of
 * Welch's test on the same scale; -1 when n < 2 on a side or mean_a == 0. */
double stats__change_ci(const double *a, unsigned na, const double *b, unsigned nb,
			double conf, double *change, double *lo, double *hi);

/* Same on the log scale: geometric-mean ratio minus one, Welch on log(x).
 * Needs every value > 0 (else returns -1). */
double stats__logratio_ci(const double *a, unsigned na, const double *b, unsigned nb,
			  double conf, double *change, double *lo, double *hi);

/* Two sequential sessions (runs): besides the repeats' own noise, each
 * run's level may be shifted as a whole (machine drift between runs), a
 * random session effect with sd `between` on the log scale (relative to
 * mean_a for data that are not all > 0).  Adds 2 * between^2 to the
 * variance of the change, with dfb degrees of freedom in Satterthwaite's df
 * (INFINITY: a fixed floor).  logs: on log values (geometric-mean ratio,
 * as stats__logratio_ci); else the log of the ratio of means (delta method,
 * as stats__change_ci).  between 0 is Welch's test.  Returns p; -1 when
 * n < 2 on a side or mean_a == 0. */
double stats__session_ci(const double *a, unsigned na, const double *b, unsigned nb, int logs,
			 double between, double dfb, double conf, double *change, double *lo, double *hi);

/* One-way random-effects ANOVA: x holds g groups (sessions) of n[k] values
 * back to back.  The sd of the group effect, sqrt(max(0, (MSB - MSW) / n0))
 * (n0: the unbalanced-design group size), and in *df its Satterthwaite
 * degrees of freedom (g - 1 when the estimate is 0).  NaN when fewer than
 * two non-empty groups or no within-group df. */
double stats__between_sd(const double *x, const unsigned *n, unsigned g, double *df);

/* Paired version (a[i] and b[i] ran side by side): one-sample t on
 * log(b[i]/a[i]) when all values are > 0, else on (b[i]-a[i])/|mean_a|.
 * Returns p; -1 when n < 2. */
double stats__paired_ci(const double *a, const double *b, unsigned n, double conf,
			double *change, double *lo, double *hi);

/* Minimum detectable relative change (fraction) of a two-sample comparison
 * with n repeats per side and coefficient of variation cv (sd of log values
 * for log-scale tests), at two-sided level alpha and the given power:
 * (t_{1-alpha/2,2n-2} + t_{power,2n-2}) * cv * sqrt(2/n).  NaN when n < 2. */
double stats__mde(double cv, unsigned n, double alpha, double power);

/* ---- tail quantiles over repeats ---- */

/* Per-repeat histograms on a shared bucket axis: counts[r * nb + j] is the
 * count of repeat r in bucket j (bucket values ascending in val[]). */
struct stats_hists {
	unsigned nrep, nb;
	const double *val;
	const double *counts;
};

/* q-quantile (0..1) of the histogram pooled over the repeats listed in
 * idx[0..k-1] (a repeat may repeat): the value of the bucket holding rank
 * ceil(q * total).  NaN when empty. */
double stats__pooled_quantile(const struct stats_hists *h, const unsigned *idx, unsigned k, double q);

/* Pooled-histogram quantile, side a = repeats 0..na-1 of h, side b = the
 * rest: change = Qb/Qa - 1; p from the permutation distribution of
 * |log(Qb/Qa)| over the repeat labels (exact up to 5000 arrangements, else
 * 5000 random ones); interval by bootstrap over repeats within each side
 * (nboot resamples, seeded).  Returns p, or -1 when a side has < 2 repeats
 * or a pooled quantile is not > 0. */
double stats__pooled_quantile_test(const struct stats_hists *h, unsigned na, double q,
				   double conf, unsigned nboot, uint64_t seed,
				   double *change, double *lo, double *hi);

#endif
