/* SPDX-License-Identifier: MIT */
/*
 * Inside bench compare (compare.c: samples and options; compare-rule.c: the
 * tests and verdicts; compare-mde.c: MDE and between-run sd; compare-format.c: output;
 * compare-runs.c and compare-within.c: the two modes of compare.h).  Not
 * for use outside these files.
 */
#ifndef FB_COMPARE_INT_H
#define FB_COMPARE_INT_H

#include <jansson.h>
#include <stdio.h>

#include "compare.h"
#include "stats.h"

#define MAX_PAIRS 48

struct pairs {
	unsigned n;
	char k[MAX_PAIRS][64];
	char v[MAX_PAIRS][128];
};

enum verdict { V_SAME, V_IMPROVED, V_REGRESSED, V_CHANGED, V_INSUFFICIENT, V_MISSING_BASE, V_MISSING_NEW,
	       V_INCONCLUSIVE, V_SMALL, V_PENDING };


struct row {
	const char *key, *base_key;     /* variant (and its baseline, within mode) */
	const char *metric, *unit;
	int dir;
	struct sample_stats a, b;       /* base, new */
	double change_pct;              /* NAN: base mean 0 */
	double ratio;                   /* b.mean / a.mean, NAN when a.mean == 0 */
	double p;                       /* NAN: no test */
	double p_adj;                   /* p after the multiplicity correction */
	double ch_lo, ch_hi;            /* CI of the change in %, NAN: none */
	const char *test;               /* "welch" | "mann-whitney" | "welch-log" | ... | "-" */
	unsigned dist_a, dist_b;        /* disturbed repeats (before any drop) */
	unsigned tot_a, tot_b;          /* repeats of the variant on each side */
	unsigned cens_a, cens_b;        /* repeats whose value is only a lower bound */
	double mde_pct;                 /* NAN: no calibration */
	double between, between_df;     /* between-run sd (log scale) added; 0: none */
	const char *between_src;        /* compare__between_sd()'s source, or NULL */
	unsigned bad_a, bad_b;          /* "run verdicts" row: repeats not "ok" */
	enum verdict v;
};

extern const char compare__run_verdicts[];   /* the pseudo-metric of the stall rule */

extern const char *const compare__verdict_str[];

struct tally {
	unsigned n[V_PENDING + 1];
};

/* The repeats of one variant on one side. */
struct side {
	unsigned n, total, disturbed, censored;
	double *v;
	int *rep;               /* run["repeat"] of v[i] (pairing) */
	json_t **runs;          /* run of v[i] (borrowed; histograms) */
};

/* Key pairs every variant shares are printed once ("common: ..."), so each
 * row shows only what distinguishes it. */
struct labeler {
	struct pairs common;
	char buf[512];
};

/* compare.c */
const char *compare__cmdname(const struct compare_opts *o);
unsigned compare__unique_keys(json_t *a, json_t *b, const char ***out);
int compare__has_key(json_t *root, const char *key);
const char *compare__metric_unit(json_t *a, json_t *b, const char *metric);
int compare__run_field(json_t *run, const char *k, char *buf, size_t len);
json_t *compare__first_run(json_t *root, const char *key);
/* compare-rule.c: one row's test (r->between set by the caller: 0 = none),
 * then the correction and verdicts over the family */
void compare__analyse(const struct side *sa, const struct side *sb, const struct compare_opts *o, struct row *r);
void compare__finalize(struct row *rows, unsigned n, const struct compare_opts *o);
int compare__check_opts(const struct compare_opts *o, const char **metrics, unsigned *nm);
int compare__keep_metrics(json_t *a, json_t *b, const struct compare_opts *o, const char **metrics, unsigned *nm);
const char *compare__tree_label(json_t *root, char *buf, size_t len);
/* The upper quantile a tail field stands for ("p99" -> 0.99), NAN for others. */
double compare__tail_q(const char *metric);
void pairs__parse(const char *s, struct pairs *p);
const char *pairs__get(const struct pairs *p, const char *k);
void side__free(struct side *s);
int side__collect(json_t *root, const char *key, const char *metric, const struct compare_opts *o, struct side *s);

/* compare-format.c */
void compare__fmt_sample(const struct sample_stats *s, const char *unit, unsigned censored, char *buf, size_t len);
void compare__fmt_change(double c, char *buf, size_t len);
void compare__fmt_p(double p, char *buf, size_t len);
void compare__fmt_ratio(double r, unsigned cens_base, unsigned cens_value, char *buf, size_t len);
void compare__fmt_ci(double lo, double hi, char *buf, size_t len);
void compare__fmt_verdict(const struct row *r, int md, char *buf, size_t len);
void compare__text_header_runs(FILE *out, int w, const struct compare_opts *o);
json_t *compare__row_json(const struct row *r, int within);
json_t *compare__tally_json(const struct tally *t);
void labeler__init(struct labeler *l, const char **keys, unsigned n);
const char *labeler__label(struct labeler *l, const char *key);
void labeler__print_common(struct labeler *l, FILE *out, const char *prefix);
/* The JSON document (root stolen; NULL = could not be built) and a newline:
 * 0, or 2 when it could not be written. */
int compare__emit_json(FILE *out, json_t *root);
/* "\n<what>: 1 regressed, ..." ("**<what>:** " in markdown). */
void compare__emit_summary(FILE *out, const struct tally *t, const char *fmt, const char *what);

#endif
