// SPDX-License-Identifier: MIT
/* Minimum detectable effects (docs/STATISTICS.md): from a calibration tree
 * (bench calibrate) for bench compare's verdicts, and from a variant's own
 * repeats for bench run's adaptive repeats (compare.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "compare-int.h"
#include "results.h"
#include "stats.h"

static json_t *calib_entry(json_t *calib, const char *key, const char *metric)
{
	json_t *e, *best = NULL;
	size_t i;
	double worst = -1;

	json_array_foreach(json_object_get(calib, "metrics"), i, e) {
		const char *m = json_string_value(json_object_get(e, "metric"));
		const char *v = json_string_value(json_object_get(e, "variant"));
		double cv = json_number_value(json_object_get(e, "cv"));

		if (!m || strcmp(m, metric))
			continue;
		if (v && key && !strcmp(v, key))
			return e;
		if (cv > worst) {       /* no exact variant: the noisiest one */
			worst = cv;
			best = e;
		}
	}
	return best;
}

double compare__between_sd(const struct compare_opts *o, const char *key, const char *metric, int quiet,
			   double *df, const char **src)
{
	const char *b = o->between_run ? o->between_run : "auto";
	json_t *e;
	double v;

	*df = INFINITY;
	if (src)
		*src = "off";
	if (o->paired || !strcmp(b, "off"))
		return 0;
	if (strcmp(b, "auto")) {
		v = strtod(b, NULL);    /* checked by compare__check_opts */
		if (src)
			*src = v > 0 ? "--between-run" : "off";
		return v > 0 ? log1p(v / 100) : 0;
	}
	e = o->calib ? calib_entry(o->calib, key, metric) : NULL;
	v = json_number_value(json_object_get(e, "between_sd"));
	if (e && json_is_number(json_object_get(e, "between_sd")) && v >= 0) {
		double d = json_number_value(json_object_get(e, "between_df"));

		*df = d >= 1 ? d : INFINITY;
		if (src)
			*src = "calibration";
		return v;
	}
	if (src)
		*src = quiet ? "quiet default" : "busy default";
	if (isnan(compare__tail_q(metric)))
		v = quiet ? COMPARE_BETWEEN_OTHER_QUIET_PCT : COMPARE_BETWEEN_OTHER_BUSY_PCT;
	else
		v = quiet ? COMPARE_BETWEEN_TAIL_QUIET_PCT : COMPARE_BETWEEN_TAIL_BUSY_PCT;
	return log1p(v / 100);
}

double compare__mde_pct(json_t *calib, const char *key, const char *metric, unsigned n, unsigned m,
			double between, const struct compare_opts *o)
{
	json_t *e = calib_entry(calib, key, metric);
	const char *tm = o->tail_method ? o->tail_method : "log";
	double cv, a_sig, sig, ci;

	if (!e || n < 2)
		return NAN;
	int logs = !isnan(compare__tail_q(metric)) && strcmp(tm, "mean");

	cv = json_number_value(json_object_get(e, logs ? "cv_log" : "cv"));
	if (!(cv >= 0)) {
		logs = 0;
		cv = json_number_value(json_object_get(e, "cv"));
	}
	if (!(cv >= 0))
		return NAN;             /* -1: the calibration had no spread for it */
	/* a shift of each whole run adds 2 between^2 to the variance of the
	 * change: the same as a per-repeat sd of sqrt(cv^2 + n between^2) */
	if (between > 0)
		cv = sqrt(cv * cv + n * between * between);
	/* the first Holm step (and the worst BH step for one real effect) */
	a_sig = o->correction == STATS_CORR_NONE || m < 2 ? o->alpha : o->alpha / m;
	sig = stats__mde(cv, n, a_sig, o->power);
	/* the interval rule: threshold + the interval's reach, on the test's scale */
	ci = (logs ? log1p(o->threshold_pct / 100) : o->threshold_pct / 100) + stats__mde(cv, n, o->alpha, o->power);
	return 100 * (logs ? expm1(sig > ci ? sig : ci) : (sig > ci ? sig : ci));
}

double compare__variant_mde_pct(json_t *runs, unsigned variant, const char *metric, unsigned *n)
{
	size_t i, cap = json_array_size(runs) + 1;
	double *x = calloc(cap, sizeof(*x)), cv, mde;
	int logs = !isnan(compare__tail_q(metric));
	json_t *run;

	*n = 0;
	if (!x)
		return INFINITY;
	json_array_foreach(runs, i, run) {
		double v;

		if ((unsigned)json_integer_value(json_object_get(run, "variant")) != variant ||
		    !compare__has_sample(run, metric, &v))
			continue;
		if (logs && !(v > 0))
			logs = 0;
		x[(*n)++] = v;
	}
	if (*n < 2) {
		free(x);
		return INFINITY;
	}
	if (logs) {
		for (unsigned k = 0; k < *n; k++)
			x[k] = log(x[k]);
		cv = stats__stddev(x, *n);
	} else {
		cv = stats__cv(x, *n);
	}
	free(x);
	mde = stats__mde(cv, *n, 0.05, 0.8);
	return 100 * (logs ? expm1(mde) : mde);
}
