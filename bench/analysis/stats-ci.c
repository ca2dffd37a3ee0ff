// SPDX-License-Identifier: MIT
/*
 * Confidence intervals of an effect for small samples (stats.h,
 * docs/STATISTICS.md): percentile bootstrap of a mean and of a ratio of
 * means, t-based intervals of a change, a log ratio and paired differences,
 * a change between two sessions with a between-run term and the
 * between-session sd it needs, and the minimum detectable effect.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include "stats.h"

/* ---------------------------------------------------------- bootstrap */

static double resample_mean(gsl_rng *rng, const double *x, unsigned n)
{
	double s = 0;

	for (unsigned i = 0; i < n; i++)
		s += x[gsl_rng_uniform_int(rng, n)];
	return s / n;
}

void stats__quantile_ci(double *v, size_t nv, double conf, double *lo, double *hi)
{
	if (!nv) {
		*lo = *hi = 0;
		return;
	}
	gsl_sort(v, 1, nv);
	*lo = gsl_stats_quantile_from_sorted_data(v, 1, nv, (1 - conf) / 2);
	*hi = gsl_stats_quantile_from_sorted_data(v, 1, nv, (1 + conf) / 2);
}

/* Percentile bootstrap of mean(a), or with b of mean(b) / mean(a) (a and b
 * resampled independently, a first; resamples with mean(a) = 0 left out). */
static void bootstrap_ci(const double *a, unsigned na, const double *b, unsigned nb,
			 unsigned nboot, double conf, uint64_t seed, double *lo, double *hi)
{
	gsl_rng *rng;
	double *v;
	size_t nv = 0;

	*lo = *hi = 0;
	if (!na || (b && !nb) || !nboot)
		return;
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	v = malloc(nboot * sizeof(*v));
	if (!rng || !v)
		goto out;
	gsl_rng_set(rng, (unsigned long)seed);
	for (unsigned i = 0; i < nboot; i++) {
		double ma = resample_mean(rng, a, na), mb = b ? resample_mean(rng, b, nb) : 0;

		if (!b)
			v[nv++] = ma;
		else if (ma != 0)
			v[nv++] = mb / ma;
	}
	stats__quantile_ci(v, nv, conf, lo, hi);
out:
	free(v);
	if (rng)
		gsl_rng_free(rng);
}

void stats__bootstrap_mean_ci(const double *x, unsigned n, unsigned nboot, double conf,
			      uint64_t seed, double *lo, double *hi)
{
	bootstrap_ci(x, n, NULL, 0, nboot, conf, seed, lo, hi);
}

void stats__bootstrap_ratio_ci(const double *a, unsigned na, const double *b, unsigned nb,
			       unsigned nboot, double conf, uint64_t seed,
			       double *lo, double *hi)
{
	bootstrap_ci(a, na, b, nb, nboot, conf, seed, lo, hi);
}

/* ---------------------------------------------------------- effect CIs */

static int all_positive(const double *x, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (!(x[i] > 0))
			return 0;
	return 1;
}

/* Welch on two (mean, variance-of-mean) pairs plus an extra variance vd of
 * the difference known with dfd degrees of freedom (INFINITY: exactly; vd 0:
 * plain Welch): interval of mb - ma, Satterthwaite's df over all three. */
static double welch_diff3(double ma, double va_n, unsigned na, double mb, double vb_n, unsigned nb,
			  double vd, double dfd, double conf, double *lo, double *hi)
{
	double se2 = va_n + vb_n + vd, df, t, q, den;

	if (se2 <= 0) {
		*lo = *hi = mb - ma;
		return mb == ma ? 1.0 : 0.0;
	}
	den = va_n * va_n / (na - 1) + vb_n * vb_n / (nb - 1) + (isfinite(dfd) && dfd > 0 ? vd * vd / dfd : 0);
	df = den > 0 ? se2 * se2 / den : 1e9;
	if (df > 1e9)
		df = 1e9;
	q = gsl_cdf_tdist_Pinv(0.5 + conf / 2, df);
	*lo = mb - ma - q * sqrt(se2);
	*hi = mb - ma + q * sqrt(se2);
	t = (mb - ma) / sqrt(se2);
	return fmin(1.0, 2 * gsl_cdf_tdist_Q(fabs(t), df));
}

/* Welch on two (mean, variance-of-mean) pairs: interval of mb - ma. */
static double welch_diff(double ma, double va_n, unsigned na, double mb, double vb_n, unsigned nb,
			 double conf, double *lo, double *hi)
{
	return welch_diff3(ma, va_n, na, mb, vb_n, nb, 0, INFINITY, conf, lo, hi);
}

double stats__change_ci(const double *a, unsigned na, const double *b, unsigned nb,
			double conf, double *change, double *lo, double *hi)
{
	double ma = stats__mean(a, na), mb = stats__mean(b, nb);
	double va = stats__stddev(a, na), vb = stats__stddev(b, nb), p;

	*change = *lo = *hi = NAN;
	if (na < 2 || nb < 2 || ma == 0)
		return -1;
	va *= va;
	vb *= vb;
	*change = (mb - ma) / fabs(ma);
	if (all_positive(a, na) && all_positive(b, nb)) {
		double l, h;

		/* delta method: var(log mean) ~= var(mean) / mean^2 */
		p = welch_diff(log(ma), va / na / (ma * ma), na, log(mb), vb / nb / (mb * mb), nb, conf, &l, &h);
		*lo = expm1(l);
		*hi = expm1(h);
		/* the test itself stays Welch on the raw scale */
		return stats__welch_p(a, na, b, nb, NULL, NULL);
	}
	p = welch_diff(ma, va / na, na, mb, vb / nb, nb, conf, lo, hi);
	*lo /= fabs(ma);
	*hi /= fabs(ma);
	return p;
}

double stats__logratio_ci(const double *a, unsigned na, const double *b, unsigned nb,
			  double conf, double *change, double *lo, double *hi)
{
	double *la, *lb, p = -1, l, h;

	*change = *lo = *hi = NAN;
	if (na < 2 || nb < 2 || !all_positive(a, na) || !all_positive(b, nb))
		return -1;
	la = malloc(na * sizeof(*la));
	lb = malloc(nb * sizeof(*lb));
	if (la && lb) {
		for (unsigned i = 0; i < na; i++)
			la[i] = log(a[i]);
		for (unsigned i = 0; i < nb; i++)
			lb[i] = log(b[i]);
		double ma = stats__mean(la, na), mb = stats__mean(lb, nb);
		double sa = stats__stddev(la, na), sb = stats__stddev(lb, nb);

		p = welch_diff(ma, sa * sa / na, na, mb, sb * sb / nb, nb, conf, &l, &h);
		*change = expm1(mb - ma);
		*lo = expm1(l);
		*hi = expm1(h);
	}
	free(la);
	free(lb);
	return p;
}

double stats__session_ci(const double *a, unsigned na, const double *b, unsigned nb, int logs,
			 double between, double dfb, double conf, double *change, double *lo, double *hi)
{
	double ma, mb, va, vb, vd = 2 * between * between, p, l, h;
	double *la = NULL, *lb = NULL;

	*change = *lo = *hi = NAN;
	if (na < 2 || nb < 2 || !(between >= 0))
		return -1;
	if (logs && all_positive(a, na) && all_positive(b, nb)) {
		la = malloc(na * sizeof(*la));
		lb = malloc(nb * sizeof(*lb));
		if (!la || !lb) {
			free(la);
			free(lb);
			return -1;
		}
		for (unsigned i = 0; i < na; i++)
			la[i] = log(a[i]);
		for (unsigned i = 0; i < nb; i++)
			lb[i] = log(b[i]);
		ma = stats__mean(la, na);
		mb = stats__mean(lb, nb);
		va = stats__stddev(la, na);
		vb = stats__stddev(lb, nb);
		free(la);
		free(lb);
		p = welch_diff3(ma, va * va / na, na, mb, vb * vb / nb, nb, vd, dfb, conf, &l, &h);
		*change = expm1(mb - ma);
		*lo = expm1(l);
		*hi = expm1(h);
		return p;
	}
	ma = stats__mean(a, na);
	mb = stats__mean(b, nb);
	va = stats__stddev(a, na);
	vb = stats__stddev(b, nb);
	if (ma == 0)
		return -1;
	if (all_positive(a, na) && all_positive(b, nb)) {
		/* delta method on log(mean_b / mean_a), as stats__change_ci() */
		p = welch_diff3(log(ma), va * va / na / (ma * ma), na, log(mb), vb * vb / nb / (mb * mb), nb,
				vd, dfb, conf, &l, &h);
		*change = mb / ma - 1;
		*lo = expm1(l);
		*hi = expm1(h);
		return p;
	}
	/* relative difference: the session sd is relative to |mean_a| */
	p = welch_diff3(0, va * va / na / (ma * ma), na, (mb - ma) / fabs(ma), vb * vb / nb / (ma * ma), nb,
			vd, dfb, conf, lo, hi);
	*change = (mb - ma) / fabs(ma);
	return p;
}

double stats__between_sd(const double *x, const unsigned *n, unsigned g, double *df)
{
	double grand = 0, ssw = 0, ssb = 0, sum_n2 = 0, msb, msw, n0, v;
	unsigned total = 0, off = 0, groups = 0;

	*df = NAN;
	for (unsigned k = 0; k < g; k++) {
		for (unsigned i = 0; i < n[k]; i++)
			grand += x[total + i];
		total += n[k];
		sum_n2 += (double)n[k] * n[k];
		groups += n[k] > 0;
	}
	if (groups < 2 || total <= groups)
		return NAN;
	grand /= total;
	for (unsigned k = 0; k < g; k++) {
		double m;

		if (!n[k])
			continue;
		m = stats__mean(x + off, n[k]);
		for (unsigned i = 0; i < n[k]; i++)
			ssw += (x[off + i] - m) * (x[off + i] - m);
		ssb += n[k] * (m - grand) * (m - grand);
		off += n[k];
	}
	msb = ssb / (groups - 1);
	msw = ssw / (total - groups);
	n0 = (total - sum_n2 / total) / (groups - 1);
	v = (msb - msw) / n0;
	if (!(v > 0)) {
		*df = groups - 1;
		return 0;
	}
	/* Satterthwaite: (MSB - MSW) / n0 as a combination of two mean squares */
	*df = (msb - msw) * (msb - msw) / (msb * msb / (groups - 1) + msw * msw / (total - groups));
	return sqrt(v);
}

double stats__paired_ci(const double *a, const double *b, unsigned n, double conf,
			double *change, double *lo, double *hi)
{
	double *d, ma = stats__mean(a, n), md, sd, q, t, p;
	int logs = all_positive(a, n) && all_positive(b, n);

	*change = *lo = *hi = NAN;
	if (n < 2 || (!logs && ma == 0))
		return -1;
	d = malloc(n * sizeof(*d));
	if (!d)
		return -1;
	for (unsigned i = 0; i < n; i++)
		d[i] = logs ? log(b[i] / a[i]) : (b[i] - a[i]) / fabs(ma);
	md = stats__mean(d, n);
	sd = stats__stddev(d, n);
	free(d);
	q = gsl_cdf_tdist_Pinv(0.5 + conf / 2, n - 1);
	if (sd == 0) {
		*lo = *hi = md;
		p = md == 0 ? 1.0 : 0.0;
	} else {
		*lo = md - q * sd / sqrt(n);
		*hi = md + q * sd / sqrt(n);
		t = md / (sd / sqrt(n));
		p = fmin(1.0, 2 * gsl_cdf_tdist_Q(fabs(t), n - 1));
	}
	*change = logs ? expm1(md) : md;
	if (logs) {
		*lo = expm1(*lo);
		*hi = expm1(*hi);
	}
	return p;
}

double stats__mde(double cv, unsigned n, double alpha, double power)
{
	double df;

	if (n < 2 || !(alpha > 0 && alpha < 1) || !(power > 0 && power < 1))
		return NAN;
	df = 2.0 * n - 2;
	return (gsl_cdf_tdist_Pinv(1 - alpha / 2, df) + gsl_cdf_tdist_Pinv(power, df)) * cv * sqrt(2.0 / n);
}
