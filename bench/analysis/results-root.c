// SPDX-License-Identifier: MIT
/*
 * The results root of one `bench run` (docs/RESULTS.md): made once with
 * its identity (results__new_root()), runs kept in scenario order, and the
 * view of the runs that have measurements (compare, plots, report).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "results.h"
#include "scenario.h"
#include "util.h"

json_t *results__new_root(const char *cmdline, json_t *env, const struct scenario *sc, unsigned repeat,
			  json_t *order)
{
	json_t *root = json_object();
	char seed[24];      /* u64: a decimal string everywhere (docs/RESULTS.md) */

	snprintf(seed, sizeof(seed), "%" PRIu64, sc->seed);
	json_object_set_new(root, "schema", json_string(RESULTS_SCHEMA));
	json_object_set_new(root, "complete", json_false());
	json_object_set_new(root, "tool", json_pack("{s:s,s:s,s:s}", "name", "flushbench",
						    "version", FB_VERSION, "git", FB_GIT_REV));
	json_object_set_new(root, "command", json_string(cmdline));
	json_object_set_new(root, "env", env);
	json_object_set_new(root, "scenario", json_pack("{s:s,s:O,s:i,s:i,s:s,s:f,s:o}",
		"source", sc->source, "keys", sc->keys, "variants", (int)sc->nr_variants, "repeat", (int)repeat,
		"seed", seed, "warmup_s", sc->warmup_s, "order", order));
	json_object_set_new(root, "runs", json_array());
	return root;
}

static int results__run_cmp(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t vx = json_integer_value(json_object_get(x, "variant"));
	json_int_t vy = json_integer_value(json_object_get(y, "variant"));
	json_int_t rx = json_integer_value(json_object_get(x, "repeat"));
	json_int_t ry = json_integer_value(json_object_get(y, "repeat"));

	return vx != vy ? (vx < vy ? -1 : 1) : (rx < ry ? -1 : rx > ry);
}

/* runs[] in scenario order (variant, repeat); the run order is in scenario.order */
void results__sort_runs(json_t *runs)
{
	size_t n = json_array_size(runs);
	json_t **v = xcalloc(n, sizeof(*v));

	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(runs, i));
	qsort(v, n, sizeof(*v), results__run_cmp);
	json_array_clear(runs);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(runs, v[i]);
	free(v);
}

/* The root for compare/plots/report: only runs that have measurements. */
json_t *results__measured_view(json_t *root)
{
	json_t *view = json_copy(root), *runs = json_array(), *run;
	size_t i;

	json_array_foreach(json_object_get(root, "runs"), i, run)
		if (json_object_get(run, "metrics"))
			json_array_append(runs, run);
	json_object_set_new(view, "runs", runs);
	return view;
}
