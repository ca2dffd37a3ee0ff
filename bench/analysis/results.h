/* SPDX-License-Identifier: MIT */
/*
 * results.json / results.csv I/O (docs/RESULTS.md, schema "flushbench/1").
 *
 * Writers build jansson trees; results__write() persists them atomically.
 * Readers (compare, plot, report) load a tree with results__load() and pull
 * numbers out with results__metric_value() so nobody hand-walks the schema.
 */
#ifndef FB_RESULTS_H
#define FB_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "hist.h"
#include "metrics.h"

#define RESULTS_SCHEMA      "flushbench/1"
#define RESULTS_CSV_VERSION "# flushbench-csv/2"

/* {unit,count,mean,min,p50,p90,p99,p999,max,hist:[[high,count],...]} with
 * only non-empty buckets in "hist".  New reference. */
json_t *results__hist_json(const struct hist *h, const char *unit);
/* Same, with nc censored observations (ages of what was still in flight):
 * adds "censored", "censored_max", "censored_ages" and "lower_bound" (the
 * statistic keys whose value is only a lower bound).  "count" stays the
 * observed samples. */
json_t *results__hist_json_censored(const struct hist *h, const char *unit,
				    const uint64_t *cens, unsigned nc);

/* The run's "metrics" object: one entry per FB_HIST_METRICS with count > 0,
 * "counters" (FB_COUNT_METRICS), "rates" (<counter>_per_s over m->wall_s for
 * flushes, inhibits, hypercalls, exits, suspends) and "cpu". New reference. */
json_t *results__metrics_json(const struct run_metrics *m);
struct censor_set;
json_t *results__metrics_json_censored(const struct run_metrics *m, const struct censor_set *cs);

/* A new results root, "complete": false, no runs yet: schema, tool
 * (version, git), the command line, env (taken), and the scenario's
 * source, keys, variant count, repeat, seed (a decimal string), warm-up
 * and planned order (taken).  The caller appends to root.runs.  New
 * reference. */
struct scenario;
json_t *results__new_root(const char *cmdline, json_t *env, const struct scenario *sc, unsigned repeat,
			  json_t *order);

/* runs[] in scenario order (variant, repeat); the run order is in
 * scenario.order. */
void results__sort_runs(json_t *runs);
/* A copy of root whose runs are only those with measurements (for compare,
 * plots, report).  New reference. */
json_t *results__measured_view(json_t *root);

/* mkdir -p dir; write dir/results.json (indent 2) and dir/results.csv
 * (header "# flushbench-csv/1", then variant,repeat,key,metric,field,value
 * for every numeric metric field of every run), each temp + rename.
 * Returns 0 or -errno. */
int results__write(const char *dir, json_t *root);

/* Render the CSV text for root (what results__write() stores).  malloc'd
 * string, NULL on OOM. */
char *results__csv(json_t *root);

/* Load a results tree.  path may be a directory (DIR/results.json is read) or
 * a file.  Checks "schema" == "flushbench/1" and that "runs" is an array.
 * On failure returns NULL and writes ONE line into err (no trailing '\n'). */
json_t *results__load(const char *path, char *err, size_t errlen);
/* "<prefix><local time YYYYmmdd-HHMMSS>": the default output directory names
 * (results/<time>, results/ab-<time>, results/calibrate-<time>). */
void results__time_name(const char *prefix, char *out, size_t len);
/* PATH is a results directory or a results.json: *dir = the directory that
 * gets plots/ and report.html; 0, or -ENOENT with one line in err. */
int results__resolve(const char *path, char *dir, size_t len, char *err, size_t errlen);
/* For commands (bench plot, bench report): resolve + load; NULL after one
 * line "<cmd>: <why>" on stderr. */
json_t *results__load_for(const char *cmd, const char *path, char *dir, size_t len);

/* Numeric value of a metric path inside run["metrics"]: "resume_latency.p99",
 * "rates.flushes_per_s", "counters.suspends", "cpu.user_s".  A path with no
 * dot names a counter or a run field ("duration_s").  0 or -ENOENT. */
int results__metric_value(json_t *run, const char *path, double *out);

/* run["key"], the variant identity ("workload=...,design=...,...");
 * "" when missing.  Borrowed from the tree. */
const char *results__variant_key(json_t *run);
/* The value of part k in a variant key ("a=1,b=2"), copied into buf; ""
 * when absent.  Returns buf. */
const char *results__key_part(const char *key, const char *k, char *buf, size_t len);
/* A run's verdict: run["verdict"] when it has one, else from the oracle
 * ("ok" or "failed"). */
const char *results__run_verdict(json_t *run);

/* Is field ("p99") of a metric object only a lower bound (censored)? */
bool results__is_lower_bound(json_t *metric, const char *field);
/* results__metric_value() plus whether the value is a lower bound. */
int results__metric_bound(json_t *run, const char *path, double *out, bool *lower);

/* A metric for people: "-" when it has no samples (never 0), ">=" before a
 * lower bound, times with a unit that fits ("812.3us", "12.40ms", "2.28s").
 * Returns buf. */
enum results_fmt { RESULTS_FMT_NS, RESULTS_FMT_INT, RESULTS_FMT_REAL };
const char *results__fmt(json_t *run, const char *path, enum results_fmt how, char *buf, size_t len);

#endif
