// SPDX-License-Identifier: MIT
/*
 * The one option table = the core options (options.c) + each plug-in's own
 * list (.options of every design and pressure mode), merged once.  A
 * plug-in's offsets are relative to its options struct; here they are
 * rebased to where that struct lives in struct run_config (plugin_opts +
 * plugin_opts__offset(), host/option.c), so everything driven by the table
 * (options__set/format, JSON, scenarios, --help, docs/options.md) treats a
 * plug-in knob exactly like a core field.
 *
 * Order: section by section (options_sections), the core entries first,
 * then the plug-ins' in registry order (designs, then pressure modes), so
 * docs, --help and results.json run.config keep a stable order.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "design.h"
#include "options.h"
#include "pressure.h"
#include "util.h"

struct src {
	char what[80];                  /* "core", "design x", "pressure mode y" */
	const struct bench_option *list;
	size_t base;                    /* offset of its fields in struct run_config */
	const char *section;            /* of entries that name none */
};

static int add_plugin(struct src *s, const char *kind, const char *name,
		      const struct bench_option *list, size_t size, size_t at,
		      const char *section, char *err, size_t len)
{
	snprintf(s->what, sizeof(s->what), "%s %s", kind, name);
	s->list = list;
	s->base = offsetof(struct run_config, plugin_opts) + at;
	s->section = section;
	return option__check_list(s->what, list, size, err, len);
}

static bool known_section(const char *s)
{
	for (unsigned i = 0; s && options_sections[i]; i++)
		if (!strcmp(options_sections[i], s))
			return true;
	return false;
}

static const struct bench_option *clash(const struct bench_option *t, unsigned n,
					const struct bench_option *o)
{
	for (unsigned i = 0; i < n; i++) {
		const char *a[2] = { t[i].name, t[i].alias }, *b[2] = { o->name, o->alias };
		for (unsigned x = 0; x < 2; x++)
			for (unsigned y = 0; y < 2; y++)
				if (a[x] && b[y] && !options__name_cmp(a[x], b[y]))
					return &t[i];
	}
	return NULL;
}

int options__merge(const struct design_ops *const *ds, const struct pressure_ops *const *ps,
		   struct bench_option **out, char *err, size_t len)
{
	unsigned nd = 0, np = 0, ns = 0, n = 0, k = 0;
	struct bench_option *t = NULL, *flat = NULL;
	const char **from = NULL;
	size_t end;
	int r = -EINVAL;

	while (ds && ds[nd])
		nd++;
	while (ps && ps[np])
		np++;
	struct src *src = xcalloc(1 + nd + np, sizeof(*src));
	snprintf(src[ns].what, sizeof(src[ns].what), "core");
	src[ns++].list = options_core;
	for (unsigned i = 0; i < nd; i++)
		if (ds[i]->options && add_plugin(&src[ns++], "design", ds[i]->name, ds[i]->options,
						 ds[i]->options_size,
						 plugin_opts__offset(ds, ps, ds[i], NULL), "design", err, len))
			goto out;
	for (unsigned i = 0; i < np; i++)
		if (ps[i]->options && add_plugin(&src[ns++], "pressure mode", ps[i]->name, ps[i]->options,
						 ps[i]->options_size,
						 plugin_opts__offset(ds, ps, ps[i], NULL), "pressure", err, len))
			goto out;
	plugin_opts__offset(ds, ps, NULL, &end);
	if (end > CFG_PLUGIN_OPTS) {
		snprintf(err, len, "the plug-ins' options need %zu bytes, struct run_config has "
			 "CFG_PLUGIN_OPTS = %u: raise it in host/config.h", end, CFG_PLUGIN_OPTS);
		goto out;
	}

	for (unsigned s = 0; s < ns; s++)
		for (const struct bench_option *o = src[s].list; o->name; o++, n++)
			if (!known_section(o->section ? o->section : src[s].section)) {
				snprintf(err, len, "%s: option '%s' has no known section", src[s].what, o->name);
				goto out;
			}
	/* in source order (core, designs, pressure modes): a clash names the
	 * later plug-in */
	flat = xcalloc(n + 1, sizeof(*flat));
	from = xcalloc(n + 1, sizeof(*from));
	for (unsigned s = 0; s < ns; s++)
		for (const struct bench_option *o = src[s].list; o->name; o++) {
			const struct bench_option *c = clash(flat, k, o);
			if (c) {
				snprintf(err, len, "%s: option '%s' clashes with '%s' of %s",
					 src[s].what, o->name, c->name, from[c - flat]);
				goto out;
			}
			flat[k] = *o;
			flat[k].offset += src[s].base;
			if (!o->section)
				flat[k].section = src[s].section;
			from[k++] = src[s].what;
		}
	/* then section by section, each in source order */
	t = xcalloc(n + 1, sizeof(*t));
	k = 0;
	for (unsigned sec = 0; options_sections[sec]; sec++)
		for (unsigned i = 0; i < n; i++)
			if (!strcmp(flat[i].section, options_sections[sec]))
				t[k++] = flat[i];
	BUG_ON(k != n);
	*out = t;
	t = NULL;
	r = 0;
out:
	free(t);
	free(flat);
	free(from);
	free(src);
	return r;
}

static struct bench_option *table;

static void table__build(void)
{
	char err[256];
	if (options__merge(designs, pressures, &table, err, sizeof(err)))
		die(FB_EXIT_BUG, "the option table is broken: %s", err);
}

const struct bench_option *options__table(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, table__build);
	return table;
}
