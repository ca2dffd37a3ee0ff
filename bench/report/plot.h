/* SPDX-License-Identifier: MIT */
/*
 * `bench plot`: gnuplot pictures of a results tree (docs/PLOTS.md).
 *
 * For each plot the data is written to DIR/plots/data/<name>.dat, the
 * template plots/<name>.gp (embedded in the binary) is filled in and saved as
 * DIR/plots/<name>.gp so it can be re-run by hand, and gnuplot renders
 * DIR/plots/<name>.{png,svg} into a temp name renamed on success.
 * Plots the data cannot support are skipped with one line on log.
 */
#ifndef FB_PLOT_H
#define FB_PLOT_H

#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

/* Plots of one results tree: cdf, percentiles, scaling, timeseries.
 * format: "png", "svg" or "both" (NULL = "both").  One line per plot made or
 * skipped goes to log (NULL = silent).  Returns the number of plots made, or
 * -errno with one line in err: -ENOENT gnuplot missing, -EINVAL bad format,
 * other -errno for I/O or gnuplot failures. */
int plot__results(const char *dir, json_t *root, const char *format, FILE *log,
		  char *err, size_t errlen);

/* compare plot of NEW against BASE into OUTDIR/plots/compare.{png,svg}.
 * Returns 1 (plots made), 0 if no variant is in both trees (one line on log),
 * or -errno with err set. */
int plot__compare(const char *outdir, json_t *base, json_t *newr, const char *format,
		  FILE *log, char *err, size_t errlen);

/* Per (variant, metric) comparison used by the compare plot and the HTML
 * report's verdict table.  Returns a new JSON array of
 *   {"key", "label", "metric", "direction" (+1 higher is better, -1 lower),
 *    "n_base", "n_new", "base", "new" (means over repeats),
 *    "change_pct", "ci_lo_pct", "ci_hi_pct" (95 % bootstrap CI of the change),
 *    "p", "test" ("welch"|"mann-whitney"|"none"),
 *    "verdict" ("regressed"|"improved"|"no significant change")}
 * for the default metrics (resume_latency.p99, flush_latency.p99,
 * rates.flushes_per_s) of every variant key present in both trees, with the
 * threshold (5 %) and alpha (0.05) of `bench compare`. */
json_t *plot__compare_rows(json_t *base, json_t *newr);

/* The caption line: "kernel K · backend B · N vCPUs · R repeats · date". */
void plot__caption(json_t *root, char *buf, size_t len);

/* "gnuplot not found ..." check: 0 when gnuplot is in PATH, else -ENOENT
 * with the one-line install hint in err. */
int plot__check_gnuplot(char *err, size_t errlen);

#endif
