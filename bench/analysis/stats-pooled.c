// SPDX-License-Identifier: MIT
/* Quantiles of pooled histograms and their exact permutation test (stats.h, docs/STATISTICS.md). */
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

/* ---------------------------------------------------------- pooled quantiles */

double stats__pooled_quantile(const struct stats_hists *h, const unsigned *idx, unsigned k, double q)
{
	double total = 0, rank, acc = 0;

	for (unsigned r = 0; r < k; r++)
		for (unsigned j = 0; j < h->nb; j++)
			total += h->counts[(size_t)idx[r] * h->nb + j];
	if (total <= 0)
		return NAN;
	rank = ceil(q * total);
	if (rank < 1)
		rank = 1;
	for (unsigned j = 0; j < h->nb; j++) {
		for (unsigned r = 0; r < k; r++)
			acc += h->counts[(size_t)idx[r] * h->nb + j];
		if (acc >= rank)
			return h->val[j];
	}
	return h->val[h->nb - 1];
}

/* |log(Qb/Qa)| for the split "side a = idx[0..na-1]"; NaN if undefined */
static double split_stat(const struct stats_hists *h, const unsigned *idx, unsigned na, double q)
{
	double qa = stats__pooled_quantile(h, idx, na, q);
	double qb = stats__pooled_quantile(h, idx + na, h->nrep - na, q);

	return qa > 0 && qb > 0 ? fabs(log(qb / qa)) : NAN;
}

/* next combination of k out of n in c[] (ascending); 0 when done */
static int next_comb(unsigned *c, unsigned k, unsigned n)
{
	int i = (int)k - 1;

	while (i >= 0 && c[i] == n - k + (unsigned)i)
		i--;
	if (i < 0)
		return 0;
	c[i]++;
	for (unsigned j = (unsigned)i + 1; j < k; j++)
		c[j] = c[j - 1] + 1;
	return 1;
}

double stats__pooled_quantile_test(const struct stats_hists *h, unsigned na, double q,
				   double conf, unsigned nboot, uint64_t seed,
				   double *change, double *lo, double *hi)
{
	unsigned n = h->nrep, nb = n - na, *idx, *comb;
	double obs, qa, qb, ncomb = 1, ge = 0, tot = 0, *v;
	gsl_rng *rng;
	size_t nv = 0;

	*change = *lo = *hi = NAN;
	if (na < 2 || nb < 2)
		return -1;
	idx = malloc(n * sizeof(*idx));
	comb = malloc(n * sizeof(*comb));
	v = malloc((nboot + 1) * sizeof(*v));
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (!idx || !comb || !v || !rng) {
		obs = -1;
		goto out;
	}
	gsl_rng_set(rng, (unsigned long)seed);
	for (unsigned i = 0; i < n; i++)
		idx[i] = i;
	qa = stats__pooled_quantile(h, idx, na, q);
	qb = stats__pooled_quantile(h, idx + na, nb, q);
	if (!(qa > 0 && qb > 0)) {
		obs = -1;
		goto out;
	}
	*change = qb / qa - 1;
	obs = fabs(log(qb / qa));
	for (unsigned i = 0; i < na; i++)
		ncomb = ncomb * (n - i) / (i + 1);
	if (ncomb <= 5000) {
		for (unsigned i = 0; i < na; i++)
			comb[i] = i;
		do {
			unsigned w = 0, x = na;
			/* side a = comb[], side b = the rest, in order */
			for (unsigned i = 0, c = 0; i < n; i++) {
				if (c < na && comb[c] == i) {
					idx[w++] = i;
					c++;
				} else
					idx[x++] = i;
			}
			double s = split_stat(h, idx, na, q);
			tot++;
			ge += !isnan(s) && s >= obs * (1 - 1e-12);
		} while (next_comb(comb, na, n));
	} else {
		for (unsigned it = 0; it < 5000; it++) {
			for (unsigned i = 0; i < n; i++)
				idx[i] = i;
			gsl_ran_shuffle(rng, idx, n, sizeof(*idx));
			double s = split_stat(h, idx, na, q);
			tot++;
			ge += !isnan(s) && s >= obs * (1 - 1e-12);
		}
		/* the observed split counts once (Phipson & Smyth) */
		tot++;
		ge++;
	}
	/* bootstrap over repeats within each side */
	for (unsigned it = 0; it < nboot; it++) {
		for (unsigned i = 0; i < na; i++)
			idx[i] = (unsigned)gsl_rng_uniform_int(rng, na);
		for (unsigned i = 0; i < nb; i++)
			idx[na + i] = na + (unsigned)gsl_rng_uniform_int(rng, nb);
		double a = stats__pooled_quantile(h, idx, na, q), b = stats__pooled_quantile(h, idx + na, nb, q);
		if (a > 0 && b > 0)
			v[nv++] = b / a - 1;
	}
	stats__quantile_ci(v, nv, conf, lo, hi);
	obs = tot ? ge / tot : 1.0;
out:
	free(idx);
	free(comb);
	free(v);
	if (rng)
		gsl_rng_free(rng);
	return obs;
}
