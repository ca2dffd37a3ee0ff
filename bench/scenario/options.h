/* SPDX-License-Identifier: MIT */
/*
 * The single option table (fio's struct fio_option): one entry per field of
 * struct run_config (host/config.h), the plug-ins' knobs included (merged
 * from their ops tables, see options__table()).  It drives INI keys, CLI --key flags,
 * defaults, validation, --help, `bench info --options`, docs/options.md,
 * results.json run.config and "did you mean".
 *
 * Spelling: the table name is dashed ("flush-think-us", the CLI flag); '_'
 * and '-' are interchangeable on input.  Machine output (results.json
 * config/keys, variant keys) uses the underscore spelling, which is exactly
 * the run_config field name (struct bench_option.key).
 */
#ifndef FB_OPTIONS_H
#define FB_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "config.h"
#include "option.h"   /* struct bench_option, OPT_KIND_*, OPT_F_* */

struct design_ops;
struct pressure_ops;

/* NULL-terminated section names, in table order. */
extern const char *const options_sections[];
/*
 * The table, terminated by an entry with name == NULL: the core options
 * (options.c) and every plug-in's own list (.options of each design and
 * pressure mode), section by section, built once on first use.  A broken
 * merge (two options of one name, blocks that outgrow plugin_opts) is a
 * build bug: every command dies at its first option lookup.
 */
const struct bench_option *options__table(void);
/* Merge the core options with the option lists of registries @ds and @ps
 * into *out (malloc'd, NULL-name-terminated), offsets rebased into struct
 * run_config.  0, or -EINVAL with a message (clash, bad list, too big). */
int options__merge(const struct design_ops *const *ds, const struct pressure_ops *const *ps,
		   struct bench_option **out, char *err, size_t len);

/* The core list (options.c), for options__merge() only: read options__table(). */
extern const struct bench_option options_core[];
/* Option names compare with '-' == '_' and case folded (suggest__fold()). */
int options__name_cmp(const char *a, const char *b);
/* By name or alias; '-' and '_' are equivalent; NULL if unknown. */
const struct bench_option *options__find(const char *name);
/* Parse + validate (range, choice, length); 0 or -EINVAL with err like
 * "vcpus: 0 is out of range (1..1024)". */
int options__set(struct run_config *c, const struct bench_option *o,
		 const char *value, char *err, size_t len);
/* Same, but the message names the key as @spelled (what the user wrote). */
int options__set_as(struct run_config *c, const struct bench_option *o,
		    const char *value, const char *spelled, char *err, size_t len);
void options__defaults(struct run_config *c);
/* The field's current value as text (inverse of options__set). */
void options__format(const struct run_config *c, const struct bench_option *o,
		     char *buf, size_t len);
/* Typed JSON value of one field / every key (underscore spelling) -> value. */
json_t *options__value_json(const struct run_config *c, const struct bench_option *o);
json_t *options__to_json(const struct run_config *c);
/* Inverse of options__to_json (unknown keys are an error; missing keys keep
 * their current value).  0 or -EINVAL. */
int options__from_json(struct run_config *c, const json_t *obj, char *err, size_t len);
/* Cross-field checks of one variant (role counts vs vcpus, touch_mb vs
 * mem_mb, broken designs need allow_broken, ...), and options__resolve():
 * the one place names become pointers/enums (c->r).  0 or -EINVAL. */
int options__check(struct run_config *c, char *err, size_t len);
/* Only resolve the names into c->r (unknown name: -EINVAL). */
int options__resolve(struct run_config *c, char *err, size_t len);
/* Closest option name by edit distance (dashed), or NULL ("did you mean";
 * suggest.h has the rule and suggest__closest() for other name sets). */
const char *options__suggest(const char *unknown);
/* Help listing (`--key VALUE  help (default X)`), one section or all. */
void options__print_help(FILE *f, const char *section_or_NULL);
/* Full reference: format "text", "markdown" or "json".  0, -EINVAL if the
 * format is unknown, -EIO if writing failed. */
int options__print_doc(FILE *f, const char *format);

/* Number parsers shared with bench/cli/parse-options.c: 0 or -EINVAL/-ERANGE. */
/* The i-th valid value of a choice option (fixed or from a registry), NULL
 * past the end. */
const char *options__choice(const struct bench_option *o, unsigned i);
/* The valid values of a choice option joined by sep (cut at len). */
void options__list_choices(const struct bench_option *o, const char *sep, char *buf, size_t len);
/* "min..max" of a numeric option. */
void options__range(const struct bench_option *o, char *buf, size_t len);
/* The --mem-node check ("", N, interleave, local); options-doc.c names its
 * values. */
int options__check_mem_node(const char *v, char *err, size_t len);
int options__parse_u64(const char *s, uint64_t *v);
int options__parse_double(const char *s, double *v);
int options__parse_bool(const char *s, bool *v);

#endif
