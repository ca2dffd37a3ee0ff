/* SPDX-License-Identifier: MIT */
/*
 * Pieces of bench calibrate (cmd-calibrate.c) that work on result trees:
 * the between-session analysis of sequential A/A runs (docs/STATISTICS.md,
 * "Between-run drift"); quiet comparisons are compare__json().
 */
#ifndef FB_CALIBRATE_H
#define FB_CALIBRATE_H

#include <jansson.h>
#include "compare.h"

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
