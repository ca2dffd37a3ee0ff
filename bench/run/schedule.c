// SPDX-License-Identifier: MIT
/* The run order of `bench run`: shuffled rounds, adaptive repeats (schedule.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cleanup.h"
#include "compare.h"
#include "results.h"
#include "scenario.h"
#include "schedule.h"
#include "stats.h"
#include "util.h"

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Fisher-Yates over order[first, first + n) */
static void schedule__shuffle(struct schedule *s, unsigned first, unsigned n)
{
	for (unsigned i = n; i > 1; i--) {
		unsigned j = (unsigned)(splitmix(&s->seed) % i), t = s->order[first + i - 1];
		s->order[first + i - 1] = s->order[first + j];
		s->order[first + j] = t;
	}
}

void schedule__init(struct schedule *s, const struct scenario *sc, const bool *keep)
{
	unsigned repeat = sc->repeat ? sc->repeat : 1;

	s->nr_variants = sc->nr_variants;
	s->round = repeat;
	s->seed = sc->seed;
	s->n = 0;
	s->order = xcalloc((size_t)sc->nr_variants * repeat, sizeof(unsigned));
	for (unsigned rep = 0; rep < repeat; rep++)
		for (unsigned v = 0; v < sc->nr_variants; v++)
			if (keep[v])
				s->order[s->n++] = rep * sc->nr_variants + v;
	schedule__shuffle(s, 0, s->n);
}

/* Relative standard error (%) of metric over the runs of variant v so far;
 * n = number of runs that have it. */
static double schedule__rse(json_t *runs, unsigned v, const char *metric, unsigned *n)
{
	double x[1024];
	size_t i;
	json_t *run;
	struct sample_stats st;

	*n = 0;
	json_array_foreach(runs, i, run) {
		double val;
		if ((unsigned)json_integer_value(json_object_get(run, "variant")) != v || *n >= 1024 ||
		    results__metric_value(run, metric, &val))
			continue;
		x[(*n)++] = val;
	}
	if (*n < 2)
		return 100.0;
	stats__describe(x, *n, &st);
	return st.mean != 0 ? st.sd / sqrt((double)*n) / fabs(st.mean) * 100.0 : 0.0;
}

unsigned schedule__adaptive_round(struct schedule *s, const struct scenario *sc, const bool *keep,
				  json_t *runs, bool quiet)
{
	const struct run_config *c0 = &sc->variants[0];
	unsigned add = 0, first = s->n;

	if (!c0->repeat_max || s->round >= c0->repeat_max || cleanup__interrupted())
		return 0;
	s->order = xrealloc(s->order, sizeof(*s->order) * (s->n + sc->nr_variants));
	for (unsigned v = 0; v < sc->nr_variants; v++) {
		unsigned n;
		if (!keep[v] || (c0->repeat_mde_pct > 0 ? compare__variant_mde_pct(runs, v, c0->repeat_metric, &n) <=
				 c0->repeat_mde_pct : schedule__rse(runs, v, c0->repeat_metric, &n) <= c0->repeat_rse_pct))
			continue;
		s->order[s->n++] = s->round * sc->nr_variants + v;
		add++;
	}
	schedule__shuffle(s, first, add);
	if (add && !quiet)
		fprintf(stderr, "\nbench run: adaptive repeats: round %u for %u variant(s) above %.1f%% %s of %s\n",
			s->round + 1, add, c0->repeat_mde_pct > 0 ? c0->repeat_mde_pct : c0->repeat_rse_pct,
			c0->repeat_mde_pct > 0 ? "MDE" : "RSE", c0->repeat_metric);
	if (add)
		s->round++;
	return add;
}

json_t *schedule__adaptive_json(const struct scenario *sc, json_t *runs)
{
	const struct run_config *c0 = &sc->variants[0];
	json_t *o = json_object(), *per = json_array();

	json_object_set_new(o, "metric", json_string(c0->repeat_metric));
	json_object_set_new(o, "target_rse_pct", json_real(c0->repeat_rse_pct));
	if (c0->repeat_mde_pct > 0)
		json_object_set_new(o, "target_mde_pct", json_real(c0->repeat_mde_pct));
	json_object_set_new(o, "max", json_integer(c0->repeat_max));
	for (unsigned v = 0; v < sc->nr_variants; v++) {
		unsigned n;
		double rse = schedule__rse(runs, v, c0->repeat_metric, &n);
		json_array_append_new(per, json_pack("{s:i,s:i,s:f}", "variant", (int)v, "runs", (int)n, "rse_pct", rse));
	}
	json_object_set_new(o, "variants", per);
	return o;
}

json_t *schedule__order_json(const struct schedule *s)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < s->n; i++)
		json_array_append_new(a, json_integer(s->order[i]));
	return a;
}

void schedule__free(struct schedule *s)
{
	free(s->order);
	s->order = NULL;
}
