// SPDX-License-Identifier: MIT
/*
 * Scenario expansion: the cartesian product of the keys' value lists into
 * resolved run_configs, checked, with the axes a workload ignores collapsed;
 * and the variant key that names one of them (see scenario.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "scenario.h"
#include "scenario-int.h"

/* Slowest first; request varies fastest so neighbouring rows compare designs. */
static const char *const order_head[] = { "workload", "vcpus", NULL };
static const char *const order_tail[] = { "pressure", "design", "request", NULL };

static bool in_list(const char *const *l, const char *k)
{
	for (unsigned i = 0; l[i]; i++)
		if (!strcmp(l[i], k))
			return true;
	return false;
}

/* Expansion order of all options. */
static unsigned expansion_order(const struct bench_option **out)
{
	unsigned n = 0;
	for (unsigned i = 0; order_head[i]; i++)
		out[n++] = options__find(order_head[i]);
	for (const struct bench_option *o = options__table(); o->name; o++)
		if (!in_list(order_head, o->key) && !in_list(order_tail, o->key))
			out[n++] = o;
	for (unsigned i = 0; order_tail[i]; i++)
		out[n++] = options__find(order_tail[i]);
	return n;
}

/* Keys a workload ignores: null and hypercall measure bare exits, so the
 * flush/inhibit/touch knobs ([workload] keys other than workload itself),
 * the designs and the pressure modes do not apply to them. */
static bool workload_ignores(const char *workload, const struct bench_option *o)
{
	if (!strcmp(workload, "mixed") || !strcmp(o->key, "workload"))
		return false;
	return !strcmp(o->section, "workload") || !strcmp(o->section, "design") ||
	       !strcmp(o->section, "pressure");
}

/* Axes a variant's workload ignores collapse: each such list key takes its
 * first value, and variants that became identical are dropped (first kept).
 * Returns the new count; sc->nr_collapsed says how many were dropped. */
static unsigned long scenario__collapse(struct scenario *sc, struct run_config *v, unsigned long total,
					const struct bench_option *const *lists, json_t *const *vals,
					unsigned nl)
{
	unsigned long n = 0;
	char why[512];
	char **keys = calloc(total, sizeof(*keys));

	sc->nr_collapsed = 0;
	if (!keys)
		return total;
	for (unsigned long i = 0; i < total; i++) {
		struct run_config c = v[i];
		bool dup = false;

		for (unsigned k = 0; k < nl; k++)
			if (workload_ignores(c.workload, lists[k]))
				(void)options__set(&c, lists[k], json_string_value(json_array_get(vals[k], 0)),
						   why, sizeof(why));
		char *key = scenario__variant_key(sc, &c);
		for (unsigned long j = 0; key && j < n && !dup; j++)
			dup = keys[j] && !strcmp(keys[j], key);
		if (dup) {
			free(key);
			continue;
		}
		keys[n] = key;
		v[n++] = c;
	}
	for (unsigned long j = 0; j < n; j++)
		free(keys[j]);
	free(keys);
	sc->nr_collapsed = (unsigned)(total - n);
	return n;
}

int scenario__expand(struct scenario *sc, char *err, size_t len)
{
	const struct bench_option *order[128];
	const struct bench_option *lists[128];
	json_t *vals[128];
	unsigned nl = 0;
	struct run_config base;
	char why[512];

	if (scenario__ensure_init(sc)) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	scenario__sync_level(sc);
	free(sc->variants);
	sc->variants = NULL;
	sc->nr_variants = 0;

	options__defaults(&base);
	unsigned no = expansion_order(order);
	unsigned long total = 1;
	for (unsigned i = 0; i < no; i++) {
		json_t *a = json_object_get(sc->raw_, order[i]->key);
		if (!a)
			continue;
		if (json_array_size(a) == 1) {
			if (options__set(&base, order[i], json_string_value(json_array_get(a, 0)),
					 why, sizeof(why))) {
				snprintf(err, len, "%s", why);
				return -EINVAL;
			}
			continue;
		}
		lists[nl] = order[i];
		vals[nl++] = a;
		total *= json_array_size(a);
		if (total > SCENARIO_MAX_VARIANTS) {
			snprintf(err, len, "%s%sthe lists expand to more than %u variants; "
				 "shorten some lists or split the scenario", sc->source,
				 *sc->source ? ": " : "", (unsigned)SCENARIO_MAX_VARIANTS);
			return -E2BIG;
		}
	}
	base.repeat = sc->repeat;
	base.seed = sc->seed;
	base.warmup_s = sc->warmup_s;

	struct run_config *v = calloc(total, sizeof(*v));
	if (!v) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	for (unsigned long idx = 0; idx < total; idx++) {
		struct run_config *c = &v[idx];
		unsigned long rem = idx;
		*c = base;
		for (unsigned k = nl; k-- > 0;) {
			size_t n = json_array_size(vals[k]);
			const char *t = json_string_value(json_array_get(vals[k], rem % n));
			rem /= n;
			if (options__set(c, lists[k], t, why, sizeof(why))) {
				snprintf(err, len, "%s", why);
				free(v);
				return -EINVAL;
			}
		}
		if (options__check(c, why, sizeof(why))) {
			char *key = scenario__variant_key(sc, c);
			snprintf(err, len, "%s%svariant %s: %s", sc->source, *sc->source ? ": " : "",
				 key ? key : "?", why);
			free(key);
			free(v);
			return -EINVAL;
		}
	}
	total = scenario__collapse(sc, v, total, lists, vals, nl);
	sc->variants = v;
	sc->nr_variants = (unsigned)total;
	return 0;
}

char *scenario__variant_key(const struct scenario *sc, const struct run_config *c)
{
	static const char *const always[] = {
		"workload", "design", "request", "pressure", "vcpus", NULL,
	};
	size_t cap = 256, n = 0;
	char *s = malloc(cap);
	char val[512];
	if (!s)
		return NULL;
	s[0] = '\0';
	unsigned nk = 0;
	const struct bench_option *keys[128];
	for (unsigned i = 0; always[i]; i++)
		keys[nk++] = options__find(always[i]);
	for (const struct bench_option *o = options__table(); o->name; o++)
		if (!in_list(always, o->key) && scenario__nr_values(sc, o->key) > 1)
			keys[nk++] = o;
	for (unsigned i = 0; i < nk; i++) {
		options__format(c, keys[i], val, sizeof(val));
		size_t need = strlen(keys[i]->key) + strlen(val) + 3;
		if (n + need > cap) {
			cap = (n + need) * 2;
			char *t = realloc(s, cap);
			if (!t) {
				free(s);
				return NULL;
			}
			s = t;
		}
		n += (size_t)snprintf(s + n, cap - n, "%s%s=%s", i ? "," : "", keys[i]->key, val);
	}
	return s;
}
