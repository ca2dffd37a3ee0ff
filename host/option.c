// SPDX-License-Identifier: MIT
/*
 * Plug-in options: the sanity of one option list, and where each plug-in's
 * options struct lives inside struct run_config.plugin_opts.  The place is
 * a pure function of the registries (designs, then pressure modes, in
 * registry order, each block aligned for any type), so the option table
 * (bench/scenario/options-merge.c) and the plug-ins' accessors agree without
 * storing anything.
 */
#include <errno.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "design.h"
#include "option.h"
#include "pressure.h"
#include "util.h"

static size_t kind_size(const struct bench_option *o)
{
	switch (o->kind) {
	case OPT_KIND_UINT:   return sizeof(unsigned);
	case OPT_KIND_U64:    return sizeof(uint64_t);
	case OPT_KIND_DOUBLE: return sizeof(double);
	case OPT_KIND_BOOL:   return sizeof(bool);
	case OPT_KIND_STRING:
	case OPT_KIND_CHOICE: return o->size >= 2 ? o->size : 0;   /* char[size] */
	}
	return 0;
}

int option__check_list(const char *what, const struct bench_option *list, size_t size,
		       char *why, size_t len)
{
	for (const struct bench_option *o = list; o && o->name; o++) {
		char k[64];
		snprintf(k, sizeof(k), "%s", o->name);
		for (char *p = k; *p; p++)
			if (*p == '-')
				*p = '_';
		if (!o->key || strcmp(k, o->key) || !o->help || !o->def) {
			snprintf(why, len, "%s: option '%s' needs OPT_FIELD() spelling its name, "
				 "a help and a default", what, o->name);
			return -EINVAL;
		}
		if (!kind_size(o) || o->size != kind_size(o) || o->offset + o->size > size) {
			snprintf(why, len, "%s: option '%s' does not match a field of its "
				 "options struct (%zu bytes)", what, o->name, size);
			return -EINVAL;
		}
		for (const struct bench_option *p = list; p < o; p++)
			if (!strcmp(p->name, o->name)) {
				snprintf(why, len, "%s: option '%s' listed twice", what, o->name);
				return -EINVAL;
			}
	}
	return 0;
}

#define BLOCK_ALIGN alignof(max_align_t)

static size_t block_end(size_t at, size_t size)
{
	return size ? ((at + BLOCK_ALIGN - 1) & ~(BLOCK_ALIGN - 1)) + size : at;
}

size_t plugin_opts__offset(const struct design_ops *const *ds, const struct pressure_ops *const *ps,
			   const void *ops, size_t *end)
{
	size_t at = 0, found = PLUGIN_OPTS_NONE;
	for (unsigned i = 0; ds && ds[i]; i++) {
		at = block_end(at, ds[i]->options_size);
		if (ds[i] == ops && ds[i]->options_size)
			found = at - ds[i]->options_size;
	}
	for (unsigned i = 0; ps && ps[i]; i++) {
		at = block_end(at, ps[i]->options_size);
		if (ps[i] == ops && ps[i]->options_size)
			found = at - ps[i]->options_size;
	}
	if (end)
		*end = at;
	return found;
}

static const void *block(const struct run_config *c, const void *ops)
{
	size_t at = plugin_opts__offset(designs, pressures, ops, NULL);
	/* a plug-in without options, or not in its registry: a build bug */
	BUG_ON(at == PLUGIN_OPTS_NONE);
	return c->plugin_opts + at;
}

const void *design__opts(const struct run_config *c, const struct design_ops *d)
{
	return block(c, d);
}

const void *pressure__opts(const struct run_config *c, const struct pressure_ops *p)
{
	return block(c, p);
}
