// SPDX-License-Identifier: MIT
/* `bench plot` of one results tree: cdf, percentiles, scaling, timeseries
 * (docs/PLOTS.md).  Each plot: data file(s) -> filled template -> gnuplot. */
#define _GNU_SOURCE     /* vasprintf */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "plot-int.h"
#include "exit-codes.h"
#include "util.h"

/* Template variables with owned values. */
struct vars {
	struct tvar v[32];
	char *owned[32];
	unsigned n;
};

static void vars__add(struct vars *vs, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void vars__add(struct vars *vs, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *s;

	BUG_ON(vs->n >= 32);
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		die(FB_EXIT_BUG, "out of memory");
	vs->owned[vs->n] = s;
	vs->v[vs->n].name = name;
	vs->v[vs->n++].value = s;
}

/* A string that lands inside '...' in the template. */
static void vars__addq(struct vars *vs, const char *name, const char *raw)
{
	char *q = gp__quote(raw);
	vars__add(vs, name, "%s", q);
	free(q);
}

static void vars__free(struct vars *vs)
{
	for (unsigned i = 0; i < vs->n; i++)
		free(vs->owned[i]);
	vs->n = 0;
}

struct ctx {
	const char *dir, *format;
	json_t *root;
	FILE *log;
	struct pset set;
	char caption[512];
	char *err;
	size_t errlen;
};

static void note(struct ctx *c, const char *plot, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void note(struct ctx *c, const char *plot, const char *fmt, ...)
{
	va_list ap;
	if (!c->log)
		return;
	fprintf(c->log, "plot %s: ", plot);
	va_start(ap, fmt);
	vfprintf(c->log, fmt, ap);
	va_end(ap);
	fputc('\n', c->log);
}

/* Memory stream for one data file; committed with plot__write(). */
struct dfile {
	char *buf;
	size_t len;
	FILE *f;
};

static int dfile__open(struct dfile *d, const char *what)
{
	d->buf = NULL;
	d->f = open_memstream(&d->buf, &d->len);
	if (!d->f)
		return -errno;
	fprintf(d->f, "# flushbench plot data: %s (written by bench plot; see docs/PLOTS.md)\n", what);
	return 0;
}

static int dfile__commit(struct ctx *c, struct dfile *d, const char *rel)
{
	int ret;
	if (fclose(d->f)) {
		free(d->buf);
		return -ENOMEM;
	}
	ret = plot__write(c->dir, rel, d->buf, d->len, c->err, c->errlen);
	free(d->buf);
	return ret;
}

static void common_vars(struct ctx *c, struct vars *vs, const char *name, const char *title,
			unsigned width, unsigned height)
{
	vars__add(vs, "NAME", "%s", name);
	vars__add(vs, "DATA", "data/%s.dat", name);
	vars__addq(vs, "TITLE", title);
	vars__addq(vs, "CAPTION", c->caption);
	vars__add(vs, "WIDTH", "%u", width);
	vars__add(vs, "HEIGHT", "%u", height);
}

static int render(struct ctx *c, const char *name, struct vars *vs)
{
	struct plot_job job = { .dir = c->dir, .name = name, .format = c->format };
	int ret = plot__render(&job, vs->v, vs->n, c->err, c->errlen);
	if (!ret)
		note(c, name, "%s", job.made);
	return ret;
}

static long focus_vcpus(struct ctx *c)
{
	return c->set.nr_vcpus ? c->set.vcpus[c->set.nr_vcpus - 1] : 0;
}

/* Series labels (design/request) present at vcpus, space separated, and
 * their colour and dash lists. */
static unsigned series_lists(struct ctx *c, long vcpus, const char *pressure, char *names,
			     char *colors, char *dashes, size_t len, unsigned *idx)
{
	unsigned n = 0;
	names[0] = colors[0] = dashes[0] = 0;
	for (unsigned l = 0; l < c->set.nr_labels; l++) {
		struct pvar *v = NULL;
		for (unsigned k = 0; k < c->set.nr && !v; k++)
			if (!strcmp(c->set.v[k].label, c->set.labels[l]) && c->set.v[k].vcpus == vcpus &&
			    (!pressure || !strcmp(c->set.v[k].pressure, pressure)))
				v = &c->set.v[k];
		if (!v)
			continue;
		idx[n++] = l;
		snprintf(names + strlen(names), len - strlen(names), "%s%s", n > 1 ? " " : "", v->label);
		snprintf(colors + strlen(colors), len - strlen(colors), "%s%s", n > 1 ? " " : "",
			 plot__design_color(v->design));
		snprintf(dashes + strlen(dashes), len - strlen(dashes), "%s%d", n > 1 ? " " : "",
			 plot__request_dash(v->request));
	}
	return n;
}

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

static bool metric_in_every_panel(struct ctx *c, const char *metric, long vcpus)
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

static void pressure_list(struct ctx *c, char *buf, size_t len)
{
	buf[0] = 0;
	for (unsigned p = 0; p < c->set.nr_pressures; p++) {
		char safe[64];
		plot__safe(safe, sizeof(safe), c->set.pressures[p]);
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", p ? " " : "", safe);
	}
}

/* The common start of the latency plots: the latency metrics every panel
 * has (space-separated into metrics[128]), the series lists and the panel
 * list.  The number of metrics; 0 after a note that the plot is skipped. */
static unsigned latency_lists(struct ctx *c, long vcpus, const char *plot, const char *skipped,
			      char *metrics, char *names, char *colors, char *dashes, size_t len,
			      char *panels, size_t plen, unsigned *idx, unsigned *ns)
{
	unsigned nm = 0;

	metrics[0] = '\0';
	for (unsigned m = 0; m < NR_LATENCY_METRICS; m++)
		if (metric_in_every_panel(c, latency_metrics[m], vcpus))
			snprintf(metrics + strlen(metrics), 128 - strlen(metrics), "%s%s",
				 nm++ ? " " : "", latency_metrics[m]);
	if (!nm) {
		note(c, plot, "%s", skipped);
		return 0;
	}
	*ns = series_lists(c, vcpus, NULL, names, colors, dashes, len, idx);
	pressure_list(c, panels, plen);
	return nm;
}

static int plot_cdf(struct ctx *c)
{
	long vcpus = focus_vcpus(c);
	char metrics[128], names[4096], colors[2048], dashes[512], panels[512], title[256];
	unsigned idx[PLOT_MAX_LIST], ns = 0, nm;
	struct dfile d;
	struct vars vs = { 0 };
	int ret;

	nm = latency_lists(c, vcpus, "cdf", "skipped, no run has resume_latency or flush_latency histograms",
			   metrics, names, colors, dashes, sizeof(names), panels, sizeof(panels), idx, &ns);
	if (!nm)
		return 0;

	char xmin[128] = "", xmax[128] = "";
	if ((ret = dfile__open(&d, "latency CDF; blocks per (metric, pressure, series)")))
		return ret;
	fprintf(d.f, "# columns: latency_us cumulative_fraction\n");
	for (unsigned m = 0; m < NR_LATENCY_METRICS; m++) {
		double lo = INFINITY, hi = 0;
		if (!metric_in_every_panel(c, latency_metrics[m], vcpus))
			continue;
		for (unsigned p = 0; p < c->set.nr_pressures; p++) {
			for (unsigned s = 0; s < ns; s++) {
				struct pvar *v = pset__find(&c->set, c->set.labels[idx[s]], c->set.pressures[p], vcpus);
				struct bucket *b = NULL;
				size_t n = 0;
				double total = 0, cum = 0;

				fprintf(d.f, "\n\n# %s pressure=%s %s\n", latency_metrics[m], c->set.pressures[p],
					c->set.labels[idx[s]]);
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

	snprintf(title, sizeof(title), "Latency CDF at %ld vCPUs (repeats merged)", vcpus);
	common_vars(c, &vs, "cdf", title, c->set.nr_pressures > 1 ? 560 * c->set.nr_pressures + 160 : 900,
		    380 * nm + 210);
	vars__add(&vs, "METRICS", "%s", metrics);
	vars__add(&vs, "PANELS", "%s", panels);
	vars__add(&vs, "SERIES", "%s", names);
	vars__add(&vs, "COLORS", "%s", colors);
	vars__add(&vs, "DASHES", "%s", dashes);
	vars__add(&vs, "XMIN", "%s", xmin);
	vars__add(&vs, "XMAX", "%s", xmax);
	ret = render(c, "cdf", &vs);
	vars__free(&vs);
	return ret ? ret : 1;
}

/* ---- 2. percentile bars ---------------------------------------------- */

static int plot_percentiles(struct ctx *c)
{
	static const char *const fields[] = { "p50", "p99", "p999" };
	long vcpus = focus_vcpus(c);
	char metrics[128], names[4096], colors[2048], dashes[512], panels[512], title[256];
	unsigned idx[PLOT_MAX_LIST], ns = 0, nm;
	struct dfile d;
	struct vars vs = { 0 };
	int ret;

	nm = latency_lists(c, vcpus, "percentiles", "skipped, no run has resume_latency or flush_latency",
			   metrics, names, colors, dashes, sizeof(names), panels, sizeof(panels), idx, &ns);
	if (!nm)
		return 0;

	char ymin[128] = "";
	if ((ret = dfile__open(&d, "percentile bars; blocks per (metric, pressure)")))
		return ret;
	fprintf(d.f, "# columns: group p50 min max p99 min max p999 min max label  (µs; mean and min..max over repeats)\n");
	for (unsigned m = 0; m < NR_LATENCY_METRICS; m++) {
		double low = INFINITY;
		if (!metric_in_every_panel(c, latency_metrics[m], vcpus))
			continue;
		for (unsigned p = 0; p < c->set.nr_pressures; p++) {
			fprintf(d.f, "\n\n# %s pressure=%s\n", latency_metrics[m], c->set.pressures[p]);
			for (unsigned s = 0; s < ns; s++) {
				struct pvar *v = pset__find(&c->set, c->set.labels[idx[s]], c->set.pressures[p], vcpus);
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
				fprintf(d.f, " \"%s%s\"\n", c->set.labels[idx[s]], lower ? " (>=)" : "");
			}
		}
		/* a decade below the smallest bar, so short bars stay visible */
		snprintf(ymin + strlen(ymin), sizeof(ymin) - strlen(ymin), "%s%.12g", *ymin ? " " : "",
			 isfinite(low) ? pow(10, floor(log10(low / 2))) : 1.0);
	}
	if ((ret = dfile__commit(c, &d, "data/percentiles.dat")))
		return ret;

	snprintf(title, sizeof(title), "Latency percentiles at %ld vCPUs (bar: mean over repeats)", vcpus);
	common_vars(c, &vs, "percentiles", title,
		    c->set.nr_pressures > 1 ? 620 * c->set.nr_pressures + 160 : 900, 400 * nm + 210);
	vars__add(&vs, "METRICS", "%s", metrics);
	vars__add(&vs, "PANELS", "%s", panels);
	vars__add(&vs, "NGROUPS", "%u", ns);
	vars__add(&vs, "YMIN", "%s", ymin);
	ret = render(c, "percentiles", &vs);
	vars__free(&vs);
	return ret ? ret : 1;
}

/* ---- 3. scaling -------------------------------------------------------- */

static int plot_scaling(struct ctx *c)
{
	const char *pressure;
	char names[4096] = "", colors[2048] = "", dashes[512] = "", title[256];
	unsigned ns = 0, points = 0;
	double ylo = INFINITY, yhi = 0;
	struct dfile d;
	struct vars vs = { 0 };
	int ret;

	if (c->set.nr_vcpus < 2) {
		note(c, "scaling", "skipped, results have a single vCPU count");
		return 0;
	}
	pressure = c->set.pressures[0];     /* "none" when present */
	if ((ret = dfile__open(&d, "scaling; one block per series")))
		return ret;
	fprintf(d.f, "# columns: vcpus p99_resume_us min max flushes_per_s min max (mean, min..max over repeats)\n");
	for (unsigned l = 0; l < c->set.nr_labels; l++) {
		unsigned rows = 0;
		const char *design = NULL, *request = NULL;
		for (unsigned k = 0; k < c->set.nr; k++) {
			struct pvar *v = &c->set.v[k];
			double x[256], lo, mean, hi, flo, fmean, fhi;
			unsigned n;
			if (strcmp(v->label, c->set.labels[l]) || strcmp(v->pressure, pressure))
				continue;
			n = pvar__values(v, "resume_latency.p99", x, 256);
			plot__minmeanmax(x, n, &lo, &mean, &hi);
			n = pvar__values(v, "rates.flushes_per_s", x, 256);
			plot__minmeanmax(x, n, &flo, &fmean, &fhi);
			if (isnan(mean) && isnan(fmean))
				continue;
			if (lo > 0)
				ylo = fmin(ylo, lo / 1000);
			if (hi > 0)
				yhi = fmax(yhi, hi / 1000);
			if (!rows++) {
				fprintf(d.f, "\n\n# %s pressure=%s\n", v->label, pressure);
				design = v->design;
				request = v->request;
			}
			fprintf(d.f, "%ld %.4f %.4f %.4f %.2f %.2f %.2f\n", v->vcpus,
				mean / 1000, lo / 1000, hi / 1000, fmean, flo, fhi);
		}
		if (rows < 1)
			continue;
		points += rows;
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", ns ? " " : "", c->set.labels[l]);
		snprintf(colors + strlen(colors), sizeof(colors) - strlen(colors), "%s%s", ns ? " " : "",
			 plot__design_color(design));
		snprintf(dashes + strlen(dashes), sizeof(dashes) - strlen(dashes), "%s%d", ns ? " " : "",
			 plot__request_dash(request));
		ns++;
	}
	if (!ns || points <= ns) {
		fclose(d.f);
		free(d.buf);
		note(c, "scaling", "skipped, no design has resume latency or flush rate at two vCPU counts");
		return 0;
	}
	if ((ret = dfile__commit(c, &d, "data/scaling.dat")))
		return ret;
	snprintf(title, sizeof(title), "Scaling with vCPUs (pressure=%s)", pressure);
	common_vars(c, &vs, "scaling", title, 1240, 600);
	vars__add(&vs, "SERIES", "%s", names);
	vars__add(&vs, "COLORS", "%s", colors);
	vars__add(&vs, "DASHES", "%s", dashes);
	vars__add(&vs, "YMIN", "%.12g", isfinite(ylo) ? pow(10, floor(log10(ylo))) : 1.0);
	vars__add(&vs, "YMAX", "%.12g", yhi > 0 ? pow(10, ceil(log10(yhi * 1.05))) : 1e6);
	ret = render(c, "scaling", &vs);
	vars__free(&vs);
	return ret ? ret : 1;
}

/* ---- 4. time series ---------------------------------------------------- */

static json_t *run_timeseries(json_t *run)
{
	json_t *ts = json_object_get(run, "timeseries");
	return json_array_size(json_object_get(ts, "t_s")) >= 2 ? ts : NULL;
}

static double arr_at(json_t *ts, const char *k, size_t i)
{
	json_t *a = json_object_get(ts, k);
	return json_is_number(json_array_get(a, i)) ? json_number_value(json_array_get(a, i)) : NAN;
}

static int plot_timeseries(struct ctx *c)
{
	long vcpus = focus_vcpus(c);
	const char *request = NULL, *pressure = c->set.pressures[0];
	char titles[1024] = "", title[256], sub[256];
	double ylo = INFINITY, yhi = 0, y2hi = 0;
	unsigned np = 0;
	bool faults = false;
	long repeat = -1;
	struct dfile d;
	struct vars vs = { 0 };
	int ret;

	/* One comparable set: request=unblock when present, the first real
	 * pressure mode when there is one, the largest vCPU count. */
	for (unsigned k = 0; k < c->set.nr; k++) {
		struct pvar *v = &c->set.v[k];
		if (!request || !strcmp(v->request, "unblock"))
			request = v->request;
	}
	for (unsigned p = 0; p < c->set.nr_pressures; p++)
		if (strcmp(c->set.pressures[p], "none")) {
			pressure = c->set.pressures[p];
			break;
		}
	if (!request || !pressure) {
		note(c, "timeseries", "skipped, no runs");
		return 0;
	}
	if ((ret = dfile__open(&d, "time series; one block per design")))
		return ret;
	fprintf(d.f, "# columns: t_s gp_max_us resume_max_us faults_per_s (NaN: nothing measured in the interval)\n");
	for (unsigned k = 0; k < c->set.nr; k++) {
		struct pvar *v = &c->set.v[k];
		json_t *ts = NULL, *run = NULL;
		double interval;
		size_t n;
		bool any = false;

		// NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): pset__build() never stores NULL here
		if (v->vcpus != vcpus || strcmp(v->request, request) || strcmp(v->pressure, pressure))
			continue;
		for (unsigned r = 0; r < v->nr_runs && !ts; r++)
			if ((ts = run_timeseries(v->runs[r])))
				run = v->runs[r];
		if (!ts)
			continue;
		n = json_array_size(json_object_get(ts, "t_s"));
		for (size_t i = 0; i < n; i++)
			any |= arr_at(ts, "gp_max_ns", i) > 0 || arr_at(ts, "resume_max_ns", i) > 0;
		if (!any)
			continue;
		interval = json_number_value(json_object_get(ts, "interval_ms")) / 1000.0;
		if (!(interval > 0))
			interval = arr_at(ts, "t_s", 1) - arr_at(ts, "t_s", 0);
		fprintf(d.f, "\n\n# design=%s request=%s pressure=%s vcpus=%ld repeat=%lld\n", v->design,
			v->request, v->pressure, v->vcpus, (long long)json_integer_value(json_object_get(run, "repeat")));
		bool gps = false;
		for (size_t i = 0; i < n; i++) {
			double gp = arr_at(ts, "gp_max_ns", i), rs = arr_at(ts, "resume_max_ns", i);
			double f = arr_at(ts, "faults", i);
			faults |= f > 0;
			gps |= gp > 0;
			if (gp > 0)
				ylo = fmin(ylo, gp / 1000), yhi = fmax(yhi, gp / 1000);
			if (rs > 0)
				ylo = fmin(ylo, rs / 1000), yhi = fmax(yhi, rs / 1000);
			if (interval > 0 && f > 0)
				y2hi = fmax(y2hi, f / interval);
			fprintf(d.f, "%.3f %.4f %.4f %.1f\n", arr_at(ts, "t_s", i),
				gp > 0 ? gp / 1000 : NAN, rs > 0 ? rs / 1000 : NAN,
				interval > 0 && !isnan(f) ? f / interval : NAN);
		}
		char safe[64];
		plot__safe(safe, sizeof(safe), v->design);
		snprintf(titles + strlen(titles), sizeof(titles) - strlen(titles), "%s\"design %s%s\"",
			 np ? " " : "", safe, gps ? "" : " (no grace periods)");
		if (repeat < 0)
			repeat = (long)json_integer_value(json_object_get(run, "repeat"));
		np++;
	}
	if (!np) {
		fclose(d.f);
		free(d.buf);
		note(c, "timeseries", "skipped, runs have no timeseries");
		return 0;
	}
	if ((ret = dfile__commit(c, &d, "data/timeseries.dat")))
		return ret;
	faults |= strcmp(pressure, "none") != 0;
	snprintf(title, sizeof(title), "Stalls over time: grace period and resume latency%s",
		 faults ? " vs fault rate" : "");
	snprintf(sub, sizeof(sub), "request=%s, pressure=%s, %ld vCPUs, repeat %ld, max per sampling interval",
		 *request ? request : "-", pressure, vcpus, repeat);
	common_vars(c, &vs, "timeseries", title, 1100, 270 * np + 230);
	vars__addq(&vs, "SUBTITLE", sub);
	vars__add(&vs, "TITLES", "%s", titles);
	vars__add(&vs, "FAULTS", "%d", faults ? 1 : 0);
	vars__add(&vs, "YMIN", "%.12g", pow(10, floor(log10(ylo))));
	vars__add(&vs, "YMAX", "%.12g", pow(10, ceil(log10(yhi * 1.05))));
	vars__add(&vs, "Y2MAX", "%.12g", y2hi > 0 ? y2hi * 1.1 : 1.0);
	ret = render(c, "timeseries", &vs);
	vars__free(&vs);
	return ret ? ret : 1;
}

static int check_format(const char *format, char *err, size_t errlen)
{
	if (!format || !strcmp(format, "png") || !strcmp(format, "svg") || !strcmp(format, "both"))
		return 0;
	snprintf(err, errlen, "unknown plot format '%s'; use png, svg or both", format);
	return -EINVAL;
}

int plot__results(const char *dir, json_t *root, const char *format, FILE *log,
		  char *err, size_t errlen)
{
	int (*const plots[])(struct ctx *) = { plot_cdf, plot_percentiles, plot_scaling, plot_timeseries };
	struct ctx c = { .dir = dir, .format = format, .root = root, .log = log, .err = err, .errlen = errlen };
	int ret, made = 0;

	if ((ret = check_format(format, err, errlen)) || (ret = plot__check_gnuplot(err, errlen)))
		return ret;
	if ((ret = plot__mkdirs(dir, err, errlen)))
		return ret;
	if ((ret = pset__build(&c.set, root))) {
		snprintf(err, errlen, "out of memory");
		return ret;
	}
	if (!c.set.nr) {
		note(&c, "all", "skipped, results have no runs");
		pset__free(&c.set);
		return 0;
	}
	plot__caption(root, c.caption, sizeof(c.caption));
	for (size_t i = 0; i < sizeof(plots) / sizeof(plots[0]); i++) {
		ret = plots[i](&c);
		if (ret < 0)
			break;
		made += ret;
	}
	pset__free(&c.set);
	return ret < 0 ? ret : made;
}
