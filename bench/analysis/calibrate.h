/* SPDX-License-Identifier: MIT */
/*
 * Pieces of bench calibrate (cmd-calibrate.c) that work on result trees:
 * quiet comparisons and the between-session analysis of sequential A/A runs
 * (docs/STATISTICS.md, "Between-run drift").
 */
#ifndef FB_CALIBRATE_H
#define FB_CALIBRATE_H

#include <jansson.h>
#include "compare.h"

/* Compare a with b quietly: the parsed JSON report (new reference), NULL
 * on error. */
json_t *calibrate__compare_json(json_t *a, json_t *b, const struct compare_opts *o);

/* The sd of a whole session's shift (log scale) of metric in variant key,
 * over the ns session trees (one-way random-effects ANOVA on the log
 * values; relative values when one is not > 0); its df in *df.  NaN when
 * fewer than two sessions have the metric. */
double calibrate__between(json_t **trees, unsigned ns, const char *key, const char *metric, double *df);

/* Compare every pair of the ns session trees (earlier one as BASE) under o:
 * pairs exiting 1, and in *any pairs with any row other than "no significant
 * change" / "insufficient repeats".  -1 when a comparison failed. */
int calibrate__session_fp(json_t **trees, unsigned ns, const struct compare_opts *o, unsigned *any);

#endif
