/* SPDX-License-Identifier: MIT */
/*
 * The single option table (fio's struct fio_option): one entry per field of
 * struct run_config (host/config.h).  It drives INI keys, CLI --key flags,
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

enum opt_kind {
	OPT_KIND_UINT,      /* unsigned */
	OPT_KIND_U64,       /* uint64_t */
	OPT_KIND_DOUBLE,    /* double, finite */
	OPT_KIND_BOOL,      /* bool: true|false|yes|no|on|off|1|0 */
	OPT_KIND_STRING,    /* char[size], free text (or checked by ->check) */
	OPT_KIND_CHOICE,    /* char[size], one of ->choices (or ->choice_at) */
};

#define OPT_F_NOLIST    (1u << 0)   /* commas belong to the value: never a list */
#define OPT_F_SCENARIO  (1u << 1)   /* scenario-level (repeat, seed, warmup_s): not listable */

struct bench_option {
	const char *name;               /* CLI flag and INI key, dashed: "flush-think-us" */
	enum opt_kind kind;
	size_t offset;                  /* offsetof(struct run_config, field) */
	size_t size;                    /* sizeof the field (string buffers) */
	const char *def;                /* default, as text */
	const char *unit;               /* "us", "MiB", ... or "" */
	const char *help;
	double min, max;                /* numeric kinds: inclusive range */
	const char *const *choices;     /* CHOICE: NULL-terminated static set */
	const char *section;            /* vm, workload, design, pressure, kernel-ref, run, perf */
	/* additions */
	const char *key;                /* underscore spelling == run_config field name */
	unsigned flags;                 /* OPT_F_* */
	/* Dynamic choice sets (plug-in registries): i-th valid name, NULL past the end. */
	const char *(*choice_at)(unsigned i);
	/* Extra validation of a text value; 0 or -EINVAL with a message (no name prefix). */
	int (*check)(const char *value, char *err, size_t len);
	/* Another accepted spelling on input ("duration" for duration-s), or NULL. */
	const char *alias;
};

/* NULL-terminated section names, in table order. */
extern const char *const options_sections[];
/* The table, terminated by an entry with name == NULL. */
extern const struct bench_option bench_options[];

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
