/* SPDX-License-Identifier: MIT */
/*
 * A scenario: keys from an INI file (libinih) plus CLI overrides, whose values
 * may be comma-separated lists, expanded into the cartesian product of
 * resolved run_configs (variants).  Format and rules: docs/SCENARIOS.md.
 *
 * Life cycle:
 *   struct scenario sc = {0};            (or scenario__init(&sc))
 *   scenario__override(&sc, "vcpus", "8,64", ...)   any time, also before load
 *   scenario__load(&sc, path or NULL, ...)          file keys, then CLI on top
 *   scenario__expand(&sc, ...)                      -> sc.variants[]
 *   scenario__free(&sc)
 * CLI overrides given before the load are kept and re-applied on top of the
 * file, so parse_options() may see `--vcpus 8` before `--scenario x.ini`.
 */
#ifndef FB_SCENARIO_H
#define FB_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "config.h"

#define SCENARIO_MAX_VARIANTS 4096

struct scenario {
	char source[256];             /* "embedded:default.ini" or the path */
	json_t *keys;                 /* as given (file, then CLI): key -> value or [list] */
	unsigned repeat;              /* scenario-level keys, also copied into each variant */
	uint64_t seed;
	double warmup_s;
	struct run_config *variants;  /* after scenario__expand */
	unsigned nr_variants;
	unsigned nr_collapsed;        /* variants dropped: axes their workload ignores */
	/* private */
	json_t *raw_;                 /* key -> [value texts], file then CLI */
	json_t *cli_;                 /* key -> [value texts] given by scenario__override */
	json_t *lines_;               /* key -> line number in the file */
};

void scenario__init(struct scenario *sc);
/* path NULL = the embedded default.ini; "embedded:NAME" = an embedded file.
 * 0 or -errno; err = one line "file:line: what is wrong". */
int scenario__load(struct scenario *sc, const char *path, char *err, size_t len);
/* The same from a NUL-terminated string; name is used in source and messages. */
int scenario__load_string(struct scenario *sc, const char *name, const char *text,
			  char *err, size_t len);
/* CLI --key value[,value...]: replaces the file's value for that key. */
int scenario__override(struct scenario *sc, const char *key, const char *value,
		       char *err, size_t len);
/* Cartesian product into sc->variants (order: workload > vcpus > other keys in
 * table order > pressure > design > request, the last varying fastest); then
 * the axes a variant's workload ignores collapse (null/hypercall ignore the
 * [workload] knobs, design and pressure keys: their first value is kept and
 * the duplicates dropped, counted in nr_collapsed). */
int scenario__expand(struct scenario *sc, char *err, size_t len);
void scenario__free(struct scenario *sc);
/* malloc'd "k=v,k=v": workload, design, request, pressure, vcpus always, then
 * every other key that varies in this scenario (table order). */
char *scenario__variant_key(const struct scenario *sc, const struct run_config *c);
/* Number of values given for a key (1 if not given); 0 if the key is unknown. */
unsigned scenario__nr_values(const struct scenario *sc, const char *key);

#endif
