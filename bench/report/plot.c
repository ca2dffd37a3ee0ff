// SPDX-License-Identifier: MIT
/* `bench plot` of one results tree: cdf, percentiles, scaling, timeseries
 * (docs/PLOTS.md).  Each plot: data file(s) -> filled template -> gnuplot.
 * This file runs them and holds what every plot uses; the plots are
 * plot-latency.c, plot-scaling.c and plot-timeseries.c. */
#define _GNU_SOURCE     /* vasprintf */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "plot-int.h"
#include "exit-codes.h"
#include "util.h"

void vars__add(struct vars *vs, const char *name, const char *fmt, ...)
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
void vars__addq(struct vars *vs, const char *name, const char *raw)
{
	char *q = gp__quote(raw);
	vars__add(vs, name, "%s", q);
	free(q);
}

void vars__free(struct vars *vs)
{
	for (unsigned i = 0; i < vs->n; i++)
		free(vs->owned[i]);
	vs->n = 0;
}

void plot__note(struct plot_ctx *c, const char *plot, const char *fmt, ...)
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

int dfile__open(struct dfile *d, const char *what)
{
	d->buf = NULL;
	d->f = open_memstream(&d->buf, &d->len);
	if (!d->f)
		return -errno;
	fprintf(d->f, "# flushbench plot data: %s (written by bench plot; see docs/PLOTS.md)\n", what);
	return 0;
}

int dfile__commit(struct plot_ctx *c, struct dfile *d, const char *rel)
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

void plot__common_vars(struct plot_ctx *c, struct vars *vs, const char *name, const char *title,
			unsigned width, unsigned height)
{
	vars__add(vs, "NAME", "%s", name);
	vars__add(vs, "DATA", "data/%s.dat", name);
	vars__addq(vs, "TITLE", title);
	vars__addq(vs, "CAPTION", c->caption);
	vars__add(vs, "WIDTH", "%u", width);
	vars__add(vs, "HEIGHT", "%u", height);
}

int plot__draw(struct plot_ctx *c, const char *name, struct vars *vs)
{
	struct plot_job job = { .dir = c->dir, .name = name, .format = c->format };
	int ret = plot__render(&job, vs->v, vs->n, c->err, c->errlen);
	if (!ret)
		plot__note(c, name, "%s", job.made);
	return ret;
}

long plot__focus_vcpus(struct plot_ctx *c)
{
	return c->set.nr_vcpus ? c->set.vcpus[c->set.nr_vcpus - 1] : 0;
}

/* Series labels (design/request) present at vcpus, space separated, and
 * their colour and dash lists; the three buffers are len bytes each. */
unsigned plot__series_lists(struct plot_ctx *c, long vcpus, const char *pressure, char *names,
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
	int (*const plots[])(struct plot_ctx *) = { plot__cdf, plot__percentiles, plot__scaling, plot__timeseries };
	struct plot_ctx c = { .dir = dir, .format = format, .root = root, .log = log, .err = err, .errlen = errlen };
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
		plot__note(&c, "all", "skipped, results have no runs");
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
