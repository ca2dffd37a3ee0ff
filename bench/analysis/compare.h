/* SPDX-License-Identifier: MIT */
/*
 * Comparison of results (docs/STATISTICS.md):
 *  - compare__runs(): two result trees, variant by variant (matched by
 *    run["key"]), each metric's per-repeat samples tested for a significant
 *    change; the verdict drives `bench compare`'s exit code.
 *  - compare__within(): one result tree, every variant against a baseline
 *    variant selected by key=value pairs; the table `bench run` prints.
 */
#ifndef FB_COMPARE_H
#define FB_COMPARE_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>
#include "stats.h"

#define COMPARE_MAX_METRICS 16

struct compare_opts {
	const char *metrics[COMPARE_MAX_METRICS]; /* "resume_latency.p99"...; 0 => defaults */
	unsigned nr_metrics;
	double threshold_pct;   /* |change| must exceed this (default 5) */
	double alpha;           /* p must be below this (default 0.05) */
	const char *format;     /* "text" (default) | "markdown" | "json" */
	const char *baseline;   /* "design=srcu,request=event" (within-run) or NULL */
	const char *cmd;        /* command named in error lines ("compare" if NULL) */
	enum stats_correction correction; /* multiplicity control (default holm) */
	const char *tail_method;  /* p90/p99/p999/max: "log" (default) | "pooled" | "mean" */
	bool paired;            /* runs matched by "repeat" across the sides (bench ab) */
	bool drop_disturbed;    /* leave out repeats taken under outside load */
	double disturbed_pct;   /* other processes' CPU share (%) marking a repeat disturbed (10) */
	const char *calibration;  /* calibration.json (bench calibrate) for MDEs, or NULL */
	json_t *calib;          /* the loaded calibration (borrowed), or NULL */
	double power;           /* power the MDE is stated at (0.8) */
	/* Sequential compare (not paired, not within one run): the sd of the
	 * shift of a whole run (machine drift between runs) added to the
	 * variance of the change.  "auto" (default): the calibration's
	 * between-session estimate, else the default floors below; "off";
	 * or a sd in % for every metric. */
	const char *between_run;
};

/* Default between-run sd (%, of the log value) without a calibration, for
 * tail fields (p90 p99 p999 max) and every other metric: "quiet" when both
 * sides' disturbance records show other processes at most at
 * --disturbed-above, else "busy" (also: no record).  The busy values are
 * the between-run sds measured on the shared development machine
 * (docs/STATISTICS.md, "Between-run drift"). */
#define COMPARE_BETWEEN_TAIL_QUIET_PCT 5.0
#define COMPARE_BETWEEN_OTHER_QUIET_PCT 2.0
#define COMPARE_BETWEEN_TAIL_BUSY_PCT 30.0
#define COMPARE_BETWEEN_OTHER_BUSY_PCT 15.0

/* Fill defaults: the three default metrics, threshold 5 %, alpha 0.05,
 * Holm correction, log-scale tail test, disturbed above 10 %, text. */
void compare__default_opts(struct compare_opts *o);

/* --metric and --correction of bench compare, ab and calibrate
 * (parse-options callbacks): opt->value is the struct compare_opts, whose
 * cmd names the command in the one error line. */
struct option;
int compare__opt_metric(const struct option *opt, const char *arg);
int compare__opt_correction(const struct option *opt, const char *arg);

/* +1 higher is better (rates, counters of work done), -1 lower is better
 * (histogram fields p50..max/mean: latencies, durations, scanned vCPUs; cpu.*;
 * error counters), 0 neutral (other counters, config.*, unknown): a
 * significant neutral change is reported as "changed", never a regression. */
int compare__direction(const char *metric_path);

/* 0: no significant regression; 1: at least one regression; 2: error
 * (one line printed to stderr, "bench compare: ...; ...").  A regression
 * needs the corrected p below alpha AND the whole confidence interval of
 * the change beyond the threshold (docs/STATISTICS.md). */
int compare__runs(json_t *base, json_t *newr, const struct compare_opts *o, FILE *out);

/* Every variant vs the baseline (o->baseline key=value pairs matched against
 * run fields design, request, pressure, workload, vcpus, ... or
 * config.<key>; the variant's other key fields must equal the candidate's).
 * o->baseline NULL: first variant of each group.  Prints base, value, ratio
 * per metric.  0 ok, 2 error. */
int compare__within(json_t *root, const struct compare_opts *o, FILE *out);

/* compare__runs(base, root) (base NULL: compare__within(root)) under o
 * with format json, quietly: the parsed report (new reference), or NULL
 * on an error (exit 2: printed to stderr) or no memory.  Only o->format
 * is overridden (compare-format.c). */
json_t *compare__json(json_t *base, json_t *root, const struct compare_opts *o);

/* run's value of metric (a histogram field only when the histogram has
 * samples): 1 when it has one (in *v). */
int compare__has_sample(json_t *run, const char *metric, double *v);

/* Is a run "disturbed" (its disturbance record shows other processes'
 * CPU share above pct, or steal above pct/4)?  -1 when it has no record. */
int compare__run_disturbed(json_t *run, double pct);

/* The minimum detectable effect (%) of metric for variant key with n
 * repeats per side, from a calibration tree (bench calibrate), for a family
 * of m tests under o's rule.  NaN when the calibration does not cover it. */
double compare__mde_pct(json_t *calib, const char *key, const char *metric, unsigned n, unsigned m,
			double between, const struct compare_opts *o);

/* The between-run sd (log scale) a sequential compare adds for (key,
 * metric) under o, its degrees of freedom (INFINITY for a floor) and its
 * source ("calibration", "quiet default", "busy default", "--between-run";
 * "off" and 0 when none).  quiet: both runs' machines were quiet. */
double compare__between_sd(const struct compare_opts *o, const char *key, const char *metric, int quiet,
			   double *df, const char **src);

/* Adaptive repeats by MDE (bench run, repeat_mde_pct): the MDE (%) a
 * two-sample compare of this variant would have with as many repeats per
 * side as it has now (*n), alpha 0.05, 80 % power, no correction; from the
 * CV of its runs so far (of log values for tail fields).  Runs of the
 * variant are those with run["variant"] == variant.  Infinity when n < 2. */
double compare__variant_mde_pct(json_t *runs, unsigned variant, const char *metric, unsigned *n);

#endif
