// SPDX-License-Identifier: MIT
/* The latency plots of `bench plot`: CDF and percentile bars (docs/PLOTS.md). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot-int.h"
#include "exit-codes.h"
#include "util.h"

/* ---- 1. CDF ---------------------------------------------------------- */

struct bucket { double high; double count; };

static int cmp_bucket(const void *a, const void *b)
{
	double x = ((const struct bucket *)a)->high, y = ((const struct bucket *)b)->high;
	return (x > y) - (x < y);
}

/* Buckets of metric summed over the variant's repeats, sorted. */
static struct bucket *merged_hist(const struct pvar *v, const char *metric, size_t *nr)
{
	struct bucket *b = NULL;
	size_t n = 0, cap = 0, out = 0;

	for (unsigned r = 0; r < v->nr_runs; r++) {
		json_t *h = json_object_get(json_object_get(json_object_get(v->runs[r], "metrics"), metric), "hist");
		json_t *e;
		size_t i;
		json_array_foreach(h, i, e) {
			if (n == cap) {
				cap = cap ? cap * 2 : 256;
				b = realloc(b, cap * sizeof(*b));
				if (!b)
					die(FB_EXIT_BUG, "out of memory");
			}
			b[n].high = json_number_value(json_array_get(e, 0));
			b[n].count = json_number_value(json_array_get(e, 1));
			if (b[n].count > 0 && b[n].high > 0)
				n++;
		}
	}
	if (!n) {
		free(b);
		*nr = 0;
		return NULL;
	}
	qsort(b, n, sizeof(*b), cmp_bucket);
	for (size_t i = 1; i < n; i++) {
		if (b[i].high == b[out].high)
			b[out].count += b[i].count;
		else
			b[++out] = b[i];
	}
	*nr = out + 1;
	return b;
}

static bool metric_in_every_panel(struct plot_ctx *c, const char *metric, long vcpus)
{
	for (unsigned p = 0; p < c->set.nr_pressures; p++) {
		bool any = false;
		for (unsigned k = 0; k < c->set.nr && !any; k++) {
			struct pvar *v = &c->set.v[k];
			size_t n;
			struct bucket *b;
			if (v->vcpus != vcpus || strcmp(v->pressure, c->set.pressures[p]))
				continue;
			b = merged_hist(v, metric, &n);
			any = n > 0;
			free(b);
		}
		if (!any)
			return false;
	}
	return true;
}

static const char *const latency_metrics[] = { "resume_latency", "flush_latency" };
#define NR_LATENCY_METRICS 2

static void pressure_list(struct plot_ctx *c, char *buf, size_t len)
{
	buf[0] = 0;
	for (unsigned p = 0; p < c->set.nr_pressures; p++) {
		char safe[64];
		plot__safe(safe, sizeof(safe), c->set.pressures[p]);
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", p ? " " : "", safe);
	}
}

/* What the two latency plots share: the vCPU count they show, the latency
 * metrics every panel has (space separated), the series and the panels. */
struct latency_plot {
	long vcpus;
	char metrics[128], names[4096], colors[4096], dashes[4096], panels[512]; /* one len for the three lists */
	unsigned idx[PLOT_MAX_LIST], ns, nm;
};

/* The common start of the latency plots: the metrics, the series lists and
 * the panel list.  The number of metrics; 0 after a note that the plot is
 * skipped. */
static unsigned plot__prepare(struct plot_ctx *c, struct latency_plot *lp, const char *plot,
			      const char *skipped)
{
	lp->vcpus = plot__focus_vcpus(c);
	lp->ns = lp->nm = 0;
	lp->metrics[0] = '\0';
	for (unsigned m = 0; m < NR_LATENCY_METRICS; m++)
		if (metric_in_every_panel(c, latency_metrics[m], lp->vcpus))
			snprintf(lp->metrics + strlen(lp->metrics), sizeof(lp->metrics) - strlen(lp->metrics),
				 "%s%s", lp->nm++ ? " " : "", latency_metrics[m]);
	if (!lp->nm) {
		plot__note(c, plot, "%s", skipped);
		return 0;
	}
	lp->ns = plot__series_lists(c, lp->vcpus, NULL, lp->names, lp->colors, lp->dashes,
				    sizeof(lp->names), lp->idx);
	pressure_list(c, lp->panels, sizeof(lp->panels));
	return lp->nm;
}

/* The template variables both latency plots have. */
static void plot__latency_vars(struct plot_ctx *c, const struct latency_plot *lp, struct vars *vs,
			       const char *name, const char *title, unsigned width, unsigned height)
{
	plot__common_vars(c, vs, name, title, width, height);
	vars__add(vs, "METRICS", "%s", lp->metrics);
	vars__add(vs, "PANELS", "%s", lp->panels);
}

int plot__cdf(struct plot_ctx *c)
{
	struct latency_plot lp;
	char title[256];
	struct dfile d;
	struct vars vs = { 0 };
	int ret;

	if (!plot__prepare(c, &lp, "cdf",
			   "skipped, no run has resume_latency or flush_latency histograms"))
		return 0;

	char xmin[128] = "", xmax[128] = "";
	if ((ret = dfile__open(&d, "latency CDF; blocks per (metric, pressure, series)")))
		return ret;
	fprintf(d.f, "# columns: latency_us cumulative_fraction\n");
	for (unsigned m = 0; m < NR_LATENCY_METRICS; m++) {
		double lo = INFINITY, hi = 0;
		if (!metric_in_every_panel(c, latency_metrics[m], lp.vcpus))
			continue;
		for (unsigned p = 0; p < c->set.nr_pressures; p++) {
			for (unsigned s = 0; s < lp.ns; s++) {
				struct pvar *v = pset__find(&c->set, c->set.labels[lp.idx[s]], c->set.pressures[p], lp.vcpus);
				struct bucket *b = NULL;
				size_t n = 0;
				double total = 0, cum = 0;

				fprintf(d.f, "\n\n# %s pressure=%s %s\n", latency_metrics[m], c->set.pressures[p],
					c->set.labels[lp.idx[s]]);
				if (v)
					b = merged_hist(v, latency_metrics[m], &n);
				for (size_t i = 0; i < n; i++)
					total += b[i].count;
				if (!n) {
					/* keeps block numbering; gnuplot skips it */
					fprintf(d.f, "NaN NaN\n");
					continue;
				}
				lo = fmin(lo, b[0].high / 1000.0);
				hi = fmax(hi, b[n - 1].high / 1000.0);
				fprintf(d.f, "%.4f 0\n", b[0].high / 1000.0);
				for (size_t i = 0; i < n; i++) {
					cum += b[i].count;
					fprintf(d.f, "%.4f %.6f\n", b[i].high / 1000.0, cum / total);
				}
				free(b);
			}
		}
		/* whole decades, the same for every panel of the row */
		snprintf(xmin + strlen(xmin), sizeof(xmin) - strlen(xmin), "%s%.12g", *xmin ? " " : "",
			 pow(10, floor(log10(lo))));
		snprintf(xmax + strlen(xmax), sizeof(xmax) - strlen(xmax), "%s%.12g", *xmax ? " " : "",
			 pow(10, ceil(log10(hi))));
	}
	if ((ret = dfile__commit(c, &d, "data/cdf.dat")))
		return ret;

	snprintf(title, sizeof(title), "Latency CDF at %ld vCPUs (repeats merged)", lp.vcpus);
	plot__latency_vars(c, &lp, &vs, "cdf", title,
			   c->set.nr_pressures > 1 ? 560 * c->set.nr_pressures + 160 : 900, 380 * lp.nm + 210);
	vars__add(&vs, "SERIES", "%s", lp.names);
	vars__add(&vs, "COLORS", "%s", lp.colors);
	vars__add(&vs, "DASHES", "%s", lp.dashes);
	vars__add(&vs, "XMIN", "%s", xmin);
	vars__add(&vs, "XMAX", "%s", xmax);
	ret = plot__draw(c, "cdf", &vs);
	vars__free(&vs);
	return ret ? ret : 1;
}

/* ---- 2. percentile bars ---------------------------------------------- */

int plot__percentiles(struct plot_ctx *c)
{
	static const char *const fields[] = { "p50", "p99", "p999" };
	struct latency_plot lp;
	char title[256];
	struct dfile d;
	struct vars vs = { 0 };
	int ret;

	if (!plot__prepare(c, &lp, "percentiles",
			   "skipped, no run has resume_latency or flush_latency"))
		return 0;

	char ymin[128] = "";
	if ((ret = dfile__open(&d, "percentile bars; blocks per (metric, pressure)")))
		return ret;
	fprintf(d.f, "# columns: group p50 min max p99 min max p999 min max label  (µs; mean and min..max over repeats)\n");
	for (unsigned m = 0; m < NR_LATENCY_METRICS; m++) {
		double low = INFINITY;
		if (!metric_in_every_panel(c, latency_metrics[m], lp.vcpus))
			continue;
		for (unsigned p = 0; p < c->set.nr_pressures; p++) {
			fprintf(d.f, "\n\n# %s pressure=%s\n", latency_metrics[m], c->set.pressures[p]);
			for (unsigned s = 0; s < lp.ns; s++) {
				struct pvar *v = pset__find(&c->set, c->set.labels[lp.idx[s]], c->set.pressures[p], lp.vcpus);
				bool lower = false;      /* a censored bar: its label says ">=" */
				fprintf(d.f, "%u", s);
				for (unsigned f = 0; f < 3; f++) {
					char path[64];
					double x[256], lo = NAN, mean = NAN, hi = NAN;
					unsigned n = 0;
					snprintf(path, sizeof(path), "%s.%s", latency_metrics[m], fields[f]);
					if (v) {
						n = pvar__values(v, path, x, 256);
						lower |= pvar__lower_bound(v, path);
					}
					plot__minmeanmax(x, n, &lo, &mean, &hi);
					if (lo > 0)
						low = fmin(low, lo / 1000);
					fprintf(d.f, " %.4f %.4f %.4f", mean / 1000, lo / 1000, hi / 1000);
				}
				fprintf(d.f, " \"%s%s\"\n", c->set.labels[lp.idx[s]], lower ? " (>=)" : "");
			}
		}
		/* a decade below the smallest bar, so short bars stay visible */
		snprintf(ymin + strlen(ymin), sizeof(ymin) - strlen(ymin), "%s%.12g", *ymin ? " " : "",
			 isfinite(low) ? pow(10, floor(log10(low / 2))) : 1.0);
	}
	if ((ret = dfile__commit(c, &d, "data/percentiles.dat")))
		return ret;

	snprintf(title, sizeof(title), "Latency percentiles at %ld vCPUs (bar: mean over repeats)", lp.vcpus);
	plot__latency_vars(c, &lp, &vs, "percentiles", title,
			   c->set.nr_pressures > 1 ? 620 * c->set.nr_pressures + 160 : 900, 400 * lp.nm + 210);
	vars__add(&vs, "NGROUPS", "%u", lp.ns);
	vars__add(&vs, "YMIN", "%s", ymin);
	ret = plot__draw(c, "percentiles", &vs);
	vars__free(&vs);
	return ret ? ret : 1;
}
