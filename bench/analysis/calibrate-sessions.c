// SPDX-License-Identifier: MIT
/*
 * bench calibrate on result trees (calibrate.h): the sequential sessions
 * that measure the between-run drift a sequential `bench compare` must
 * allow for.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "calibrate.h"
#include "compare.h"
#include "results.h"
#include "stats.h"

double calibrate__between(json_t **trees, unsigned ns, const char *key, const char *metric, double *df)
{
	size_t cap = 1, i;
	unsigned *n = calloc(ns + 1, sizeof(*n)), tot = 0;
	double *x, sd = NAN, mean = 0;
	int logs = 1;
	json_t *run;

	*df = NAN;
	for (unsigned s = 0; s < ns; s++)
		cap += json_array_size(json_object_get(trees[s], "runs"));
	x = calloc(cap, sizeof(*x));
	if (!n || !x)
		goto out;
	for (unsigned s = 0; s < ns; s++)
		json_array_foreach(json_object_get(trees[s], "runs"), i, run) {
			double v;

			if (strcmp(results__variant_key(run), key) || !compare__has_sample(run, metric, &v))
				continue;
			logs &= v > 0;
			x[tot++] = v;
			n[s]++;
		}
	for (unsigned k = 0; k < tot; k++)
		mean += x[k] / tot;
	if (!tot || (!logs && mean == 0))
		goto out;
	/* the scale of compare's tests: log values, else relative to the mean */
	for (unsigned k = 0; k < tot; k++)
		x[k] = logs ? log(x[k]) : x[k] / fabs(mean);
	sd = stats__between_sd(x, n, ns, df);
out:
	free(n);
	free(x);
	return sd;
}

int calibrate__session_fp(json_t **trees, unsigned ns, const struct compare_opts *o, unsigned *any)
{
	unsigned fp = 0;
	json_t *row;
	size_t i;

	*any = 0;
	for (unsigned a = 0; a < ns; a++)
		for (unsigned b = a + 1; b < ns; b++) {
			json_t *j = compare__json(trees[a], trees[b], o);
			int hit = 0;

			if (!j)
				return -1;
			fp += json_integer_value(json_object_get(j, "exit")) == 1;
			json_array_foreach(json_object_get(j, "rows"), i, row) {
				const char *v = json_string_value(json_object_get(row, "verdict")) ?: "";

				hit |= strcmp(v, "no significant change") && strcmp(v, "insufficient repeats");
			}
			*any += hit;
			json_decref(j);
		}
	return (int)fp;
}
