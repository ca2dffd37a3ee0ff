// SPDX-License-Identifier: MIT
/* Runs grouped into variants (repeats merged) for plots and the report. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "design.h"
#include "plot-int.h"
#include "pressure.h"
#include "results.h"

static const char *str_or(json_t *o, const char *k, const char *def)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : def;
}

/* Canonical orders so every plot lists designs and modes the same way:
 * the registries' order (host/designs/registry.c, host/pressure/registry.c),
 * names no registry knows (older results) after them, by name. */
static int design_rank(const char *s)
{
	for (int i = 0; designs[i]; i++)
		if (!strcmp(s, designs[i]->name))
			return i;
	return INT_MAX;
}

static int pressure_rank(const char *s)
{
	for (int i = 0; pressures[i]; i++)
		if (!strcmp(s, pressures[i]->name))
			return i;
	return INT_MAX;
}

static int request_rank(const char *s)
{
	return !strcmp(s, "event") ? 0 : !strcmp(s, "unblock") ? 1 : INT_MAX;
}

static int cmp_named(const char *a, const char *b, int (*rank)(const char *))
{
	int ra = rank(a), rb = rank(b);
	return ra != rb ? (ra < rb ? -1 : 1) : strcmp(a, b);
}

static int cmp_pvar(const void *pa, const void *pb)
{
	const struct pvar *a = pa, *b = pb;
	int c;
	if ((c = strcmp(a->workload, b->workload)))
		return c;
	if ((c = cmp_named(a->design, b->design, design_rank)))
		return c;
	if ((c = cmp_named(a->request, b->request, request_rank)))
		return c;
	if ((c = cmp_named(a->pressure, b->pressure, pressure_rank)))
		return c;
	return (a->vcpus > b->vcpus) - (a->vcpus < b->vcpus);
}

static int cmp_repeat(const void *pa, const void *pb)
{
	json_int_t a = json_integer_value(json_object_get(*(json_t *const *)pa, "repeat"));
	json_int_t b = json_integer_value(json_object_get(*(json_t *const *)pb, "repeat"));
	return (a > b) - (a < b);
}

static int cmp_press(const void *a, const void *b)
{
	return cmp_named(*(const char *const *)a, *(const char *const *)b, pressure_rank);
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

void plot__safe(char *buf, size_t len, const char *s)
{
	size_t i = 0;
	for (; s && *s && i + 1 < len; s++)
		buf[i++] = (char)((strchr("'\"\\ \t\n\r#@`$", *s) || (unsigned char)*s < 0x20) ? '_' : *s);
	buf[i] = 0;
}

int pset__build(struct pset *s, json_t *root)
{
	json_t *runs = json_object_get(root, "runs"), *run;
	size_t i;

	memset(s, 0, sizeof(*s));
	if (!json_is_array(runs) || !json_array_size(runs))
		return 0;
	s->v = calloc(json_array_size(runs), sizeof(*s->v));
	if (!s->v)
		return -ENOMEM;
	json_array_foreach(runs, i, run) {
		struct pvar *v = NULL;
		const char *key = str_or(run, "key", NULL);
		char keybuf[512];

		if (!json_is_object(run))
			continue;
		if (!key) {     /* older trees: identity from the fields */
			snprintf(keybuf, sizeof(keybuf), "workload=%s,design=%s,request=%s,pressure=%s,vcpus=%lld",
				 str_or(run, "workload", "?"), str_or(run, "design", "-"),
				 str_or(run, "request", "-"), str_or(run, "pressure", "none"),
				 (long long)json_integer_value(json_object_get(run, "vcpus")));
			key = keybuf;
		}
		for (unsigned k = 0; k < s->nr; k++)
			// NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): v[k < nr].key is a checked strdup()
			if (!strcmp(s->v[k].key, key))
				v = &s->v[k];
		if (!v) {
			v = &s->v[s->nr++];
			v->key = strdup(key);
			v->workload = str_or(run, "workload", "?");
			v->design = str_or(run, "design", v->workload);
			v->request = str_or(run, "request", "");
			v->pressure = str_or(run, "pressure", "none");
			v->vcpus = (long)json_integer_value(json_object_get(run, "vcpus"));
			v->runs = calloc(json_array_size(runs), sizeof(*v->runs));
			if (!v->key || !v->runs)
				return -ENOMEM;
			char raw[96];
			snprintf(raw, sizeof(raw), "%s%s%s", v->design, *v->request ? "/" : "", v->request);
			plot__safe(v->label, sizeof(v->label), raw);
		}
		v->runs[v->nr_runs++] = run;
	}
	qsort(s->v, s->nr, sizeof(*s->v), cmp_pvar);
	for (unsigned k = 0; k < s->nr; k++) {
		struct pvar *v = &s->v[k];
		unsigned j;

		qsort(v->runs, v->nr_runs, sizeof(*v->runs), cmp_repeat);
		for (j = 0; j < s->nr_pressures && strcmp(s->pressures[j], v->pressure); j++)
			;
		if (j == s->nr_pressures && s->nr_pressures < PLOT_MAX_LIST)
			s->pressures[s->nr_pressures++] = v->pressure;
		for (j = 0; j < s->nr_vcpus && s->vcpus[j] != v->vcpus; j++)
			;
		if (j == s->nr_vcpus && s->nr_vcpus < PLOT_MAX_LIST)
			s->vcpus[s->nr_vcpus++] = v->vcpus;
		if (pset__label_index(s, v->label) == s->nr_labels && s->nr_labels < PLOT_MAX_LIST)
			strcpy(s->labels[s->nr_labels++], v->label);
	}
	qsort(s->pressures, s->nr_pressures, sizeof(s->pressures[0]), cmp_press);
	qsort(s->vcpus, s->nr_vcpus, sizeof(s->vcpus[0]), cmp_long);
	return 0;
}

void pset__free(struct pset *s)
{
	for (unsigned k = 0; k < s->nr; k++) {
		free((char *)s->v[k].key);
		free(s->v[k].runs);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

unsigned pset__label_index(struct pset *s, const char *label)
{
	unsigned i;
	for (i = 0; i < s->nr_labels && strcmp(s->labels[i], label); i++)
		;
	return i;
}

struct pvar *pset__find(struct pset *s, const char *label, const char *pressure, long vcpus)
{
	for (unsigned k = 0; k < s->nr; k++)
		if (!strcmp(s->v[k].label, label) && !strcmp(s->v[k].pressure, pressure) &&
		    s->v[k].vcpus == vcpus)
			return &s->v[k];
	return NULL;
}

double pvar__metric(json_t *run, const char *path)
{
	double x;
	return results__metric_value(run, path, &x) == 0 && isfinite(x) ? x : NAN;
}

bool pvar__lower_bound(const struct pvar *v, const char *path)
{
	for (unsigned r = 0; r < v->nr_runs; r++) {
		double x;
		bool lower;
		if (!results__metric_bound(v->runs[r], path, &x, &lower) && lower)
			return true;
	}
	return false;
}

unsigned pvar__values(const struct pvar *v, const char *path, double *out, unsigned max)
{
	unsigned n = 0;
	for (unsigned r = 0; r < v->nr_runs && n < max; r++) {
		double x = pvar__metric(v->runs[r], path);
		if (!isnan(x))
			out[n++] = x;
	}
	return n;
}

void plot__minmeanmax(const double *x, unsigned n, double *min, double *mean, double *max)
{
	double lo = NAN, hi = NAN, sum = 0;
	for (unsigned i = 0; i < n; i++) {
		if (!i || x[i] < lo)
			lo = x[i];
		if (!i || x[i] > hi)
			hi = x[i];
		sum += x[i];
	}
	*min = lo;
	*max = hi;
	*mean = n ? sum / n : NAN;
}

/* Colour = design, by its index in the registry (fixed, so pictures are
 * comparable across runs; a design no registry knows gets one by hash);
 * red is kept for regressions in the compare plot. */
const char *plot__design_color(const char *design)
{
	static const char *const palette[] = {
		"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b",
		"#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79",
	};
	const size_t n = sizeof(palette) / sizeof(palette[0]);
	int i = design_rank(design);
	unsigned h = 0;

	if (i != INT_MAX)
		return palette[(size_t)i % n];
	for (const char *p = design; *p; p++)
		h = h * 31 + (unsigned char)*p;
	return palette[h % n];
}

/* Dash = request: event solid, unblock dashed. */
int plot__request_dash(const char *request)
{
	if (!strcmp(request, "unblock"))
		return 2;
	if (!strcmp(request, "event") || !*request)
		return 1;
	return 4;
}

void plot__caption(json_t *root, char *buf, size_t len)
{
	json_t *env = json_object_get(root, "env"), *runs = json_object_get(root, "runs"), *run;
	json_t *scn = json_object_get(root, "scenario");
	const char *kernel = str_or(env, "kernel", "unknown kernel");
	const char *backend = str_or(env, "backend", "?");
	const char *start = str_or(env, "start_time", "");
	long vmin = -1, vmax = -1, rep = (long)json_integer_value(json_object_get(scn, "repeat"));
	char vcpus[64], date[32] = "";
	size_t i;

	json_array_foreach(runs, i, run) {
		long v = (long)json_integer_value(json_object_get(run, "vcpus"));
		long r = (long)json_integer_value(json_object_get(run, "repeat")) + 1;
		if (vmin < 0 || v < vmin)
			vmin = v;
		if (v > vmax)
			vmax = v;
		if (r > rep)
			rep = r;
	}
	if (vmin == vmax)
		snprintf(vcpus, sizeof(vcpus), "%ld vCPUs", vmax);
	else
		snprintf(vcpus, sizeof(vcpus), "%ld-%ld vCPUs", vmin, vmax);
	/* "2026-11-25T14:00:00Z" -> "2026-11-25 14:00 UTC" */
	if (strlen(start) >= 16) {
		snprintf(date, sizeof(date), "%.10s %.5s%s", start, start + 11,
			 start[strlen(start) - 1] == 'Z' ? " UTC" : "");
	}
	snprintf(buf, len, "kernel %s · backend %s · %s · %ld repeat%s%s%s", kernel, backend,
		 vcpus, rep < 1 ? 1 : rep, rep > 1 ? "s" : "", *date ? " · " : "", date);
}
