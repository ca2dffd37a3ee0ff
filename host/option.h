/* SPDX-License-Identifier: MIT */
/*
 * One option: the descriptor of the single option table (fio's struct
 * fio_option).  Host-level so that plug-ins (host/designs/, host/pressure/)
 * can declare their own knobs: a plug-in lists them in its ops table
 * (.options, .options_size, .check; see design.h and pressure.h) with
 * offsets into its own options struct, and bench/scenario/options-merge.c merges
 * them, rebased into struct run_config's plugin_opts, into the one table
 * that drives CLI flags, INI keys, defaults, --help, docs/options.md and
 * results.json run.config.
 */
#ifndef FB_OPTION_H
#define FB_OPTION_H

#include <stddef.h>

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
	size_t offset;                  /* offsetof(struct run_config, field); in a plug-in's
					 * list: offsetof(its options struct, field) */
	size_t size;                    /* sizeof the field (string buffers) */
	const char *def;                /* default, as text */
	const char *unit;               /* "us", "MiB", ... or "" */
	const char *help;
	double min, max;                /* numeric kinds: inclusive range */
	const char *const *choices;     /* CHOICE: NULL-terminated static set */
	const char *section;            /* vm, workload, design, pressure, kernel-ref, run, perf;
					 * a plug-in may leave it NULL: its registry's section */
	/* additions */
	const char *key;                /* underscore spelling == the field name */
	unsigned flags;                 /* OPT_F_* */
	/* Dynamic choice sets (plug-in registries): i-th valid name, NULL past the end. */
	const char *(*choice_at)(unsigned i);
	/* Extra validation of a text value; 0 or -EINVAL with a message (no name prefix). */
	int (*check)(const char *value, char *err, size_t len);
	/* Another accepted spelling on input ("duration" for duration-s), or NULL. */
	const char *alias;
};

/* .key, .offset and .size of field f of struct type T (one table entry). */
#define OPT_FIELD(T, f) .key = #f, .offset = offsetof(T, f), .size = sizeof(((T *)0)->f)

/*
 * The sanity of one option list (a plug-in's, NULL-name-terminated, fields
 * inside a struct of @size bytes): name, key, help and default set, the
 * dashed name spells the key, the field lies inside the struct and has the
 * size of its kind, no name twice.  @what names the list in the message
 * ("pressure mode swap").  0 or -EINVAL with a message.
 */
int option__check_list(const char *what, const struct bench_option *list, size_t size,
		       char *why, size_t len);

/*
 * Where plug-in @ops (a struct design_ops or pressure_ops with
 * options_size != 0) keeps its options struct inside run_config.plugin_opts,
 * for the registries @ds and @ps: designs, then pressure modes, in registry
 * order, each block aligned for any type.  PLUGIN_OPTS_NONE if @ops has no
 * block there.  *end (if not NULL): the bytes all blocks need.  The option
 * table and design__opts()/pressure__opts() both use it, so they agree.
 */
struct design_ops;
struct pressure_ops;
#define PLUGIN_OPTS_NONE ((size_t)-1)
size_t plugin_opts__offset(const struct design_ops *const *ds, const struct pressure_ops *const *ps,
			   const void *ops, size_t *end);

#endif
