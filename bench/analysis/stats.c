// SPDX-License-Identifier: MIT
/*
 * Small-sample statistics (stats.h, docs/STATISTICS.md).  Benchmarks give a
 * handful of repeats per variant, so everything here is written for n from
 * 2 to a few dozen: t-based intervals, Welch's test, exact Mann-Whitney for
 * tiny samples, multiplicity corrections.  Confidence intervals of an effect
 * (t-based and bootstrap) are stats-ci.c, pooled histogram quantiles
 * stats-pooled.c.
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

double stats__mean(const double *x, unsigned n)
{
	double s = 0;

	for (unsigned i = 0; i < n; i++)
		s += x[i];
	return n ? s / n : 0.0;
}

double stats__stddev(const double *x, unsigned n)
{
	double m = stats__mean(x, n), s = 0;

	if (n < 2)
		return 0.0;
	for (unsigned i = 0; i < n; i++)
		s += (x[i] - m) * (x[i] - m);
	return sqrt(s / (n - 1));
}

double stats__cv(const double *x, unsigned n)
{
	double m = stats__mean(x, n);

	return m != 0 ? stats__stddev(x, n) / fabs(m) : 0.0;
}

double stats__min(const double *x, unsigned n)
{
	double v = n ? x[0] : 0;

	for (unsigned i = 1; i < n; i++)
		if (x[i] < v)
			v = x[i];
	return v;
}

double stats__max(const double *x, unsigned n)
{
	double v = n ? x[0] : 0;

	for (unsigned i = 1; i < n; i++)
		if (x[i] > v)
			v = x[i];
	return v;
}

double stats__median(const double *x, unsigned n)
{
	double *c, m;

	if (!n)
		return 0.0;
	c = malloc(n * sizeof(*c));
	if (!c)
		return stats__mean(x, n);
	memcpy(c, x, n * sizeof(*c));
	gsl_sort(c, 1, n);
	m = gsl_stats_median_from_sorted_data(c, 1, n);
	free(c);
	return m;
}

void stats__ci_mean(const double *x, unsigned n, double conf, double *lo, double *hi)
{
	double m = stats__mean(x, n), half;

	if (n < 2) {
		*lo = *hi = m;
		return;
	}
	half = gsl_cdf_tdist_Pinv(0.5 + conf / 2, n - 1) * stats__stddev(x, n) / sqrt(n);
	*lo = m - half;
	*hi = m + half;
}

void stats__describe(const double *x, unsigned n, struct sample_stats *out)
{
	out->n = n;
	out->mean = stats__mean(x, n);
	out->sd = stats__stddev(x, n);
	out->cv = out->mean != 0 ? out->sd / fabs(out->mean) : 0.0;
	stats__ci95(x, n, &out->ci_lo, &out->ci_hi);
	out->min = stats__min(x, n);
	out->max = stats__max(x, n);
}

double stats__welch_p(const double *a, unsigned na, const double *b, unsigned nb,
		      double *t_out, double *df_out)
{
	double ma, mb, va, vb, se2, t, df, p;

	if (t_out)
		*t_out = 0;
	if (df_out)
		*df_out = 0;
	if (na < 2 || nb < 2)
		return 1.0;
	ma = stats__mean(a, na);
	mb = stats__mean(b, nb);
	va = stats__stddev(a, na);
	vb = stats__stddev(b, nb);
	va *= va;
	vb *= vb;
	se2 = va / na + vb / nb;
	if (se2 <= 0) {
		/* Both samples constant: any difference is certain. */
		return ma == mb ? 1.0 : 0.0;
	}
	t = (mb - ma) / sqrt(se2);
	df = se2 * se2 / ((va / na) * (va / na) / (na - 1) + (vb / nb) * (vb / nb) / (nb - 1));
	p = 2 * gsl_cdf_tdist_Q(fabs(t), df);
	if (t_out)
		*t_out = t;
	if (df_out)
		*df_out = df;
	return p > 1 ? 1.0 : p;
}

/* ---------------------------------------------------------- Mann-Whitney */

struct ranked {
	double v;               /* first: cmp_leading_double() */
	int from_a;
};

/* qsort() order of structs whose first member is the double they sort by
 * (struct ranked, struct pidx). */
static int cmp_leading_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/*
 * Exact null distribution of U for sample sizes m, n (no ties): the number of
 * arrangements with U = u satisfies c(m,n,u) = c(m-1,n,u-n) + c(m,n-1,u).
 * Returns two-sided p = min(1, 2 * min(P(U <= u), P(U >= u))).
 */
static double mw_exact_p(unsigned m, unsigned n, double u)
{
	unsigned umax = m * n, i, j, k;
	/* c[i][j][u] for i <= m, j <= n: small (m + n <= 20 => umax <= 100) */
	double *c = calloc((size_t)(m + 1) * (n + 1) * (umax + 1), sizeof(double));
	double total = 0, le = 0, ge = 0, p;

	if (!c)
		return 1.0;
#define C(i, j, k) c[((size_t)(i) * (n + 1) + (j)) * (umax + 1) + (k)]
	for (i = 0; i <= m; i++)
		for (j = 0; j <= n; j++)
			for (k = 0; k <= i * j; k++) {
				if (i == 0 || j == 0) {
					C(i, j, k) = k == 0;
					continue;
				}
				C(i, j, k) = (k >= j ? C(i - 1, j, k - j) : 0) + C(i, j - 1, k);
			}
	for (k = 0; k <= umax; k++) {
		double v = C(m, n, k);

		total += v;
		if (k <= u + 1e-9)
			le += v;
		if (k + 1e-9 >= u)
			ge += v;
	}
#undef C
	free(c);
	p = 2 * (le < ge ? le : ge) / total;
	return p > 1 ? 1.0 : p;
}

double stats__mann_whitney_p(const double *a, unsigned na, const double *b, unsigned nb,
			     double *u_out)
{
	unsigned n = na + nb, i, j;
	struct ranked *r;
	double ra = 0, u, tie = 0, mu, sigma2, z, p;
	int ties = 0;

	if (u_out)
		*u_out = 0;
	if (!na || !nb)
		return 1.0;
	r = malloc(n * sizeof(*r));
	if (!r)
		return 1.0;
	for (i = 0; i < na; i++)
		r[i] = (struct ranked){ a[i], 1 };
	for (i = 0; i < nb; i++)
		r[na + i] = (struct ranked){ b[i], 0 };
	qsort(r, n, sizeof(*r), cmp_leading_double);
	/* Midranks for ties; accumulate sum(t^3 - t) for the variance. */
	for (i = 0; i < n; i = j) {
		double rank, t;

		for (j = i + 1; j < n && r[j].v == r[i].v; j++)
			;
		rank = (i + 1 + j) / 2.0;       /* mean of ranks i+1 .. j */
		t = j - i;
		if (t > 1) {
			ties = 1;
			tie += t * t * t - t;
		}
		for (unsigned k = i; k < j; k++)
			if (r[k].from_a)
				ra += rank;
	}
	free(r);
	u = ra - na * (na + 1) / 2.0;
	if (u_out)
		*u_out = u;
	if (!ties && n <= 20)
		return mw_exact_p(na, nb, u);
	mu = na * (double)nb / 2;
	sigma2 = na * (double)nb / 12 * ((n + 1) - tie / ((double)n * (n - 1)));
	if (sigma2 <= 0)
		return 1.0;                     /* every value tied */
	z = fabs(u - mu) - 0.5;                 /* continuity correction */
	if (z < 0)
		z = 0;
	z /= sqrt(sigma2);
	p = 2 * gsl_cdf_ugaussian_Q(z);
	return p > 1 ? 1.0 : p;
}

int stats__normalish(const double *x, unsigned n)
{
	double m = stats__mean(x, n), sd = stats__stddev(x, n), m2 = 0, m3 = 0, g1;

	if (n < 3)
		return 0;
	if (sd == 0)
		return 1;               /* constant: Welch handles it exactly */
	for (unsigned i = 0; i < n; i++) {
		double d = x[i] - m;

		m2 += d * d;
		m3 += d * d * d;
	}
	m2 /= n;
	m3 /= n;
	g1 = m3 / pow(m2, 1.5);
	if (fabs(g1) >= 1.5)
		return 0;
	/* One wild repeat (a stall, a migrated thread) is the common failure.
	 * Externally studentized residual: with the point left out,
	 * (x_i - mean_rest) / (sd_rest * sqrt(1 + 1/(n-1))) ~ t_{n-2} for
	 * normal data; Bonferroni over the n points at 1 %, so genuinely
	 * normal samples are rejected about 1 % of the time. */
	if (n >= 4) {
		for (unsigned i = 0; i < n; i++) {
			double s = 0, s2 = 0, mr, sr, t;

			for (unsigned k = 0; k < n; k++)
				if (k != i)
					s += x[k];
			mr = s / (n - 1);
			for (unsigned k = 0; k < n; k++)
				if (k != i)
					s2 += (x[k] - mr) * (x[k] - mr);
			sr = sqrt(s2 / (n - 2));
			if (sr == 0) {
				if (x[i] != mr)
					return 0;       /* n-1 equal values and one other */
				continue;
			}
			t = fabs(x[i] - mr) / (sr * sqrt(1 + 1.0 / (n - 1)));
			if (n * 2 * gsl_cdf_tdist_Q(t, n - 2) < 0.01)
				return 0;
		}
	}
	return 1;
}

/* ---------------------------------------------------------- multiplicity */

int stats__correction_parse(const char *s, enum stats_correction *out)
{
	if (!strcmp(s, "holm"))
		*out = STATS_CORR_HOLM;
	else if (!strcmp(s, "bh"))
		*out = STATS_CORR_BH;
	else if (!strcmp(s, "none"))
		*out = STATS_CORR_NONE;
	else
		return -EINVAL;
	return 0;
}

const char *stats__correction_name(enum stats_correction c)
{
	return c == STATS_CORR_HOLM ? "holm" : c == STATS_CORR_BH ? "bh" : "none";
}

struct pidx {
	double p;               /* first: cmp_leading_double() */
	unsigned i;
};

void stats__adjust_p(const double *p, unsigned n, enum stats_correction c, double *adj)
{
	struct pidx *v = malloc((n + 1) * sizeof(*v));
	unsigned m = 0;

	if (!v) {               /* no memory: the conservative Bonferroni */
		for (unsigned i = 0; i < n; i++)
			adj[i] = isnan(p[i]) ? NAN : fmin(1.0, p[i] * n);
		return;
	}
	for (unsigned i = 0; i < n; i++)
		if (!isnan(p[i]))
			v[m++] = (struct pidx){ p[i], i };
	for (unsigned i = 0; i < n; i++)
		if (isnan(p[i]))
			adj[i] = NAN;
	qsort(v, m, sizeof(*v), cmp_leading_double);
	if (c == STATS_CORR_HOLM) {
		double run = 0;

		for (unsigned k = 0; k < m; k++) {
			double a = fmin(1.0, (m - k) * v[k].p);

			run = fmax(run, a);     /* monotone step-down */
			adj[v[k].i] = run;
		}
	} else if (c == STATS_CORR_BH) {
		double run = 1.0;

		for (unsigned k = m; k-- > 0;) {
			double a = fmin(1.0, v[k].p * m / (k + 1));

			run = fmin(run, a);     /* monotone step-up */
			adj[v[k].i] = run;
		}
	} else {
		for (unsigned k = 0; k < m; k++)
			adj[v[k].i] = v[k].p;
	}
	free(v);
}
