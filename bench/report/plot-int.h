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

/* ---- one `bench plot` of a results tree (plot.c, plot-<name>.c) ---- */

/* Template variables with owned values. */
struct vars {
	struct tvar v[32];
	char *owned[32];
	unsigned n;
};

void vars__add(struct vars *vs, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A string that lands inside '...' in the template. */
void vars__addq(struct vars *vs, const char *name, const char *raw);
void vars__free(struct vars *vs);

struct plot_ctx {
	const char *dir, *format;
	json_t *root;
	FILE *log;
	struct pset set;
	char caption[512];
	char *err;
	size_t errlen;
};

/* "plot <plot>: ..." on the log, when there is one. */
void plot__note(struct plot_ctx *c, const char *plot, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Memory stream for one data file; committed with plot__write(). */
struct dfile {
	char *buf;
	size_t len;
	FILE *f;
};

int dfile__open(struct dfile *d, const char *what);
int dfile__commit(struct plot_ctx *c, struct dfile *d, const char *rel);

/* NAME, DATA, TITLE, CAPTION, WIDTH, HEIGHT */
void plot__common_vars(struct plot_ctx *c, struct vars *vs, const char *name, const char *title,
		       unsigned width, unsigned height);
/* Fill and run template name with vs; notes the files made. */
int plot__draw(struct plot_ctx *c, const char *name, struct vars *vs);
/* The vCPU count the single-count plots show: the largest. */
long plot__focus_vcpus(struct plot_ctx *c);
/* Series labels (design/request) present at vcpus, space separated, and
 * their colour and dash lists; the three buffers are len bytes each. */
unsigned plot__series_lists(struct plot_ctx *c, long vcpus, const char *pressure, char *names,
			    char *colors, char *dashes, size_t len, unsigned *idx);

/* The plots: 1 when made, 0 when skipped (with a note), -errno. */
int plot__cdf(struct plot_ctx *c);             /* plot-latency.c */
int plot__percentiles(struct plot_ctx *c);     /* plot-latency.c */
int plot__scaling(struct plot_ctx *c);         /* plot-scaling.c */
int plot__timeseries(struct plot_ctx *c);      /* plot-timeseries.c */

#endif
