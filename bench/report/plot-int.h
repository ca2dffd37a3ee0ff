/* SPDX-License-Identifier: MIT */
/* Internals shared by plot*.c and report.c: variants grouped from runs,
 * template filling and the gnuplot runner. */
#ifndef FB_PLOT_INT_H
#define FB_PLOT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

#define PLOT_MAX_LIST 64

/* One variant: the runs (repeats) sharing run["key"]. */
struct pvar {
	const char *key, *workload, *design, *request, *pressure;
	long vcpus;
	json_t **runs;          /* borrowed, sorted by repeat */
	unsigned nr_runs;
	char label[96];         /* "srcu/event" (design/request), gnuplot-safe */
};

struct pset {
	struct pvar *v;         /* sorted: workload, design, request, pressure, vcpus */
	unsigned nr;
	const char *pressures[PLOT_MAX_LIST];   /* distinct, canonical order */
	unsigned nr_pressures;
	long vcpus[PLOT_MAX_LIST];              /* distinct, ascending */
	unsigned nr_vcpus;
	char labels[PLOT_MAX_LIST][96];         /* distinct series labels, in order */
	unsigned nr_labels;
};


int pset__build(struct pset *s, json_t *root);     /* 0 or -ENOMEM */
void pset__free(struct pset *s);
/* Variant with this label / pressure / vcpus, or NULL. */
struct pvar *pset__find(struct pset *s, const char *label, const char *pressure, long vcpus);
unsigned pset__label_index(struct pset *s, const char *label);

/* Numeric metric of one run ("resume_latency.p99"); NAN when absent. */
double pvar__metric(json_t *run, const char *path);
/* Values of path over the variant's repeats (finite ones only); count. */
unsigned pvar__values(const struct pvar *v, const char *path, double *out, unsigned max);
/* Is any repeat's value of path only a lower bound (censored)? */
bool pvar__lower_bound(const struct pvar *v, const char *path);
/* min/mean/max of values (NAN when n == 0). */
void plot__minmeanmax(const double *x, unsigned n, double *min, double *mean, double *max);

const char *plot__design_color(const char *design);
int plot__request_dash(const char *request);

/* Copy s into buf keeping only characters that are safe inside a gnuplot
 * single-quoted string and a data-file token; others become '_'. */
void plot__safe(char *buf, size_t len, const char *s);

/* Template filling: "@NAME@" -> value.  Unknown names are an error (-EINVAL,
 * err names it) so a typo in a template cannot go unnoticed. */
struct tvar { const char *name; const char *value; };
int tmpl__fill(const char *tmpl, size_t len, const struct tvar *vars, unsigned nr,
	       char **out, char *err, size_t errlen);
/* Escape for a gnuplot single-quoted string ('' for '); malloc'd. */
char *gp__quote(const char *s);

/* Render one plot: write dir/plots/<name>.gp from the embedded template
 * <name>.gp with vars, then run gnuplot for each requested format. */
struct plot_job {
	const char *dir;        /* results dir; plots go to dir/plots */
	const char *name;       /* "cdf" */
	const char *format;     /* png|svg|both */
	char made[2048];        /* out: paths of the files written, space separated */
};
int plot__render(struct plot_job *job, const struct tvar *vars, unsigned nr,
		 char *err, size_t errlen);
/* mkdir -p dir/plots/data; 0 or -errno. */
int plot__mkdirs(const char *dir, char *err, size_t errlen);
/* Write a whole in-memory file atomically under dir/plots/<rel>. */
int plot__write(const char *dir, const char *rel, const char *buf, size_t len,
		char *err, size_t errlen);

#endif
