// SPDX-License-Identifier: MIT
/*
 * Command-line parsing from a declarative table (perf/git parse-options).
 * Errors are ONE line on stderr: "<cmd>: <what>; <fix>"; the caller exits 2.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "suggest.h"
#include "parse-options.h"
#include "scenario.h"

#define MAX_FLAGS 128

/* A switch named "no-..." already is the negation: no "--[no-]no-plot". */
static bool bool__negatable(const struct option *o)
{
	return o->type == OPTION_BOOLEAN && strncmp(o->long_name, "no-", 3);
}

static const struct option *find_long(const struct option *opts, const char *name)
{
	for (const struct option *o = opts; o && o->type != OPTION_END; o++)
		if (o->type != OPTION_GROUP && o->long_name && !strcmp(o->long_name, name))
			return o;
	return NULL;
}

static const struct option *find_short(const struct option *opts, char c)
{
	for (const struct option *o = opts; o && o->type != OPTION_END; o++)
		if (o->type != OPTION_GROUP && o->short_name && o->short_name == c)
			return o;
	return NULL;
}

static bool takes_value(const struct option *o)
{
	switch (o->type) {
	case OPTION_STRING:
	case OPTION_UINT:
	case OPTION_DOUBLE:
		return true;
	case OPTION_CALLBACK:
		return o->argh != NULL;
	default:
		return false;
	}
}

/*
 * Store one flag.  @shown is how the user spelled it ("--out", "-o"), @val
 * the inline value or NULL (then the next argv element is taken if needed).
 */
static int apply(const char *cmd, const struct option *o, const char *shown, const char *val,
		 bool neg, int *i, int argc, char **argv)
{
	if (neg && val) {
		fprintf(stderr, "%s: option '%s' takes no value\n", cmd, shown);
		return -1;
	}
	if (takes_value(o) && !val) {
		if (*i + 1 >= argc) {
			fprintf(stderr, "%s: option '%s' needs a value (see '%s --help')\n",
				cmd, shown, cmd);
			return -1;
		}
		val = argv[++*i];
	} else if (!takes_value(o) && val && o->type != OPTION_BOOLEAN) {
		fprintf(stderr, "%s: option '%s' takes no value\n", cmd, shown);
		return -1;
	}

	switch (o->type) {
	case OPTION_BOOLEAN: {
		bool b = !neg;
		if (val && options__parse_bool(val, &b)) {
			fprintf(stderr, "%s: option '%s': '%s' is not a boolean (true or false)\n",
				cmd, shown, val);
			return -1;
		}
		if (o->value)
			*(bool *)o->value = b;
		return 0;
	}
	case OPTION_STRING:
		if (o->value)
			*(const char **)o->value = val;
		return 0;
	case OPTION_UINT: {
		uint64_t x;
		if (options__parse_u64(val, &x) || x > UINT_MAX) {
			fprintf(stderr, "%s: option '%s': '%s' is not a non-negative integer\n",
				cmd, shown, val);
			return -1;
		}
		if (o->value)
			*(unsigned *)o->value = (unsigned)x;
		return 0;
	}
	case OPTION_DOUBLE: {
		double x;
		if (options__parse_double(val, &x)) {
			fprintf(stderr, "%s: option '%s': '%s' is not a number\n", cmd, shown, val);
			return -1;
		}
		if (o->value)
			*(double *)o->value = x;
		return 0;
	}
	case OPTION_CALLBACK: {
		int r = o->callback ? o->callback(o, val) : 0;
		if (r == -1) {
			if (val)
				fprintf(stderr, "%s: option '%s': invalid value '%s' (see '%s --help')\n",
					cmd, shown, val, cmd);
			else
				fprintf(stderr, "%s: option '%s' failed\n", cmd, shown);
		}
		return r < 0 ? -1 : 0;
	}
	default:
		return 0;
	}
}

/* The closest long name among the command's flags and (with sc) the scenario keys. */
static const char *suggest(const struct option *opts, const char *name, bool keys)
{
	const char *names[MAX_FLAGS + 128];
	unsigned n = 0;
	for (const struct option *o = opts; o && o->type != OPTION_END && n < MAX_FLAGS; o++)
		if (o->type != OPTION_GROUP && o->long_name)
			names[n++] = o->long_name;
	if (keys)
		for (const struct bench_option *b = options__table(); b->name && n < MAX_FLAGS + 127; b++)
			names[n++] = b->name;
	return suggest__closest(name, names, n);
}

static int unknown_long(const char *cmd, const struct option *opts, const char *name, bool keys)
{
	const char *s = suggest(opts, name, keys);
	if (s)
		fprintf(stderr, "%s: unknown option '--%s'; did you mean '--%s'? (see '%s --help')\n",
			cmd, name, s, cmd);
	else
		fprintf(stderr, "%s: unknown option '--%s' (see '%s --help')\n", cmd, name, cmd);
	return -1;
}

/* --key[=value] / --no-key as a scenario key; 1 = not a key, 0 = done, -1 = error. */
static int scenario_key(const char *cmd, struct scenario *sc, const char *name, const char *val,
			int *i, int argc, char **argv)
{
	const struct bench_option *b = options__find(name);
	bool neg = false;
	char err[768];

	if (!b && !strncmp(name, "no-", 3)) {
		b = options__find(name + 3);
		if (!b || b->kind != OPT_KIND_BOOL)
			return 1;
		neg = true;
	}
	if (!b)
		return 1;
	if (b->kind == OPT_KIND_BOOL) {
		/* like a switch: never takes the next argument */
		if (neg && val) {
			fprintf(stderr, "%s: option '--%s' takes no value\n", cmd, name);
			return -1;
		}
		if (!val)
			val = neg ? "false" : "true";
	} else if (!val) {
		if (*i + 1 >= argc) {
			fprintf(stderr, "%s: option '--%s' needs a value (see '%s --help')\n",
				cmd, name, cmd);
			return -1;
		}
		val = argv[++*i];
	}
	if (scenario__override(sc, b->name, val, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", cmd, err);
		return -1;
	}
	return 0;
}

int parse_options(const char *cmd_in, int argc, char **argv, const struct option *opts,
		  const char *const usage[], struct scenario *sc)
{
	int npos = 0;
	bool only_pos = false;
	char cmd[80];

	/* messages say "bench run: ..." and "see 'bench run --help'" even when
	 * the caller passes just "run" */
	if (!cmd_in || !*cmd_in)
		snprintf(cmd, sizeof(cmd), "bench");
	else if (!strncmp(cmd_in, "bench", 5))
		snprintf(cmd, sizeof(cmd), "%s", cmd_in);
	else
		snprintf(cmd, sizeof(cmd), "bench %s", cmd_in);

	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (only_pos || a[0] != '-' || !a[1]) {
			argv[npos++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_pos = true;
			continue;
		}
		if (a[1] == '-') {
			char name[128];
			const char *val = NULL;
			const char *eq = strchr(a + 2, '=');
			size_t nl = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
			if (nl >= sizeof(name))
				nl = sizeof(name) - 1;
			memcpy(name, a + 2, nl);
			name[nl] = '\0';
			if (eq)
				val = eq + 1;

			if (!strcmp(name, "help") && !find_long(opts, "help")) {
				usage_with_options(usage, opts, sc != NULL);
				return -2;
			}
			const struct option *o = find_long(opts, name);
			bool neg = false;
			if (!o && !strncmp(name, "no-", 3)) {
				o = find_long(opts, name + 3);
				if (o && bool__negatable(o))
					neg = true;
				else
					o = NULL;
			}
			if (o) {
				char shown[140];
				snprintf(shown, sizeof(shown), "--%s", name);
				if (apply(cmd, o, shown, val, neg, &i, argc, argv))
					return -1;
				continue;
			}
			if (sc) {
				int r = scenario_key(cmd, sc, name, val, &i, argc, argv);
				if (r < 0)
					return -1;
				if (r == 0)
					continue;
			}
			return unknown_long(cmd, opts, name, sc != NULL);
		}

		/* short switch: -x, -x VALUE, -xVALUE (no bundling) */
		const struct option *o = find_short(opts, a[1]);
		if (!o && a[1] == 'h' && !a[2]) {
			usage_with_options(usage, opts, sc != NULL);
			return -2;
		}
		char shown[3] = { '-', a[1], '\0' };
		if (!o) {
			fprintf(stderr, "%s: unknown switch '%s' (see '%s --help')\n", cmd, shown, cmd);
			return -1;
		}
		if (a[2] && !takes_value(o)) {
			fprintf(stderr, "%s: switch '%s' takes no value (in '%s'; switches are not "
				"bundled)\n", cmd, shown, a);
			return -1;
		}
		if (apply(cmd, o, shown, a[2] ? a + 2 : NULL, false, &i, argc, argv))
			return -1;
	}
	if (npos < argc)
		argv[npos] = NULL;
	return npos;
}

int parse_options__dashdash(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--"))
			return i;
	return argc;
}

void usage_with_options(const char *const usage[], const struct option *opts,
			bool with_scenario_keys)
{
	FILE *f = stdout;
	for (unsigned i = 0; usage && usage[i]; i++)
		fprintf(f, "%s %s\n", i ? "   or:" : "usage:", usage[i]);
	if (opts && opts->type != OPTION_END)
		fputc('\n', f);
	for (const struct option *o = opts; o && o->type != OPTION_END; o++) {
		if (o->type == OPTION_GROUP) {
			fprintf(f, "%s%s\n", o == opts ? "" : "\n", o->help ? o->help : "");
			continue;
		}
		char left[96];
		int n = 0;
		if (o->short_name)
			n += snprintf(left + n, sizeof(left) - (size_t)n, "-%c", o->short_name);
		if (o->long_name)
			n += snprintf(left + n, sizeof(left) - (size_t)n, "%s--%s%s",
				      o->short_name ? ", " : "    ",
				      bool__negatable(o) ? "[no-]" : "", o->long_name);
		if (takes_value(o) && o->argh)
			snprintf(left + n, sizeof(left) - (size_t)n, " %s", o->argh);
		if (strlen(left) > 28)
			fprintf(f, "    %s\n    %-28s %s\n", left, "", o->help ? o->help : "");
		else
			fprintf(f, "    %-28s %s\n", left, o->help ? o->help : "");
	}
	if (with_scenario_keys) {
		fprintf(f, "\nscenario keys (any key of docs/SCENARIOS.md may be given as "
			   "--key VALUE[,VALUE...]):\n");
		options__print_help(f, NULL);
	}
}
