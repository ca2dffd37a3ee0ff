// SPDX-License-Identifier: MIT
/*
 * bench verdict DIR|@RUN [--compare BASE] [--format text|markdown]
 * Exit: 0 ok, 2 usage / input error.
 */
#include <stdio.h>
#include <string.h>
#include "builtin.h"
#include "history.h"
#include "parse-options.h"
#include "results.h"
#include "exit-codes.h"
#include "util.h"
#include "verdict.h"

static const char *const verdict_usage[] = {
	"bench verdict DIR|@RUN [--compare BASE] [--format text|markdown] [--db URL]",
	NULL,
};

static const char *o_base, *o_format = "text", *o_db, *o_axis;

static const struct option verdict_options[] = {
	OPT_STRING('c', "compare", &o_base, "BASE", "findings of the run against BASE (a directory or history reference)"),
	OPT_STRING('f', "format", &o_format, "F", "text (wrapped at 72 columns, default) | markdown"),
	OPT_STRING(0, "axis", &o_axis, "KEY", "within one run, compare along KEY (default design, else request)"),
	OPT_STRING(0, "db", &o_db, "URL", "history store for @RUN references (default $FB_HISTORY_DB or "
		   HISTORY_DEFAULT_DB ")"),
	OPT_END()
};

void cmd_verdict_help(void)
{
	usage_with_options(verdict_usage, verdict_options, false);
	printf("\n"
	       "Prints what a reviewer would paste into a reply: the question, the\n"
	       "machine, the scenario and repeats, one sentence per finding (ratio, 95 %%\n"
	       "CI, n; largest effect first; non-significant differences said so),\n"
	       "variants that did not end ok (stalled ones with their lower bounds), and\n"
	       "the command that reproduces the run.  Generated from the numbers only;\n"
	       "the statistics are bench compare's (docs/STATISTICS.md).  RUN references\n"
	       "are those of bench compare (docs/HISTORY.md).\n");
}

static json_t *load(const char *arg, char *label, size_t len)
{
	char err[1024], id[HISTORY_ID_LEN];
	json_t *r;

	if (history__is_ref(arg)) {
		r = history__load_ref(o_db, arg, NULL, id, sizeof(id), err, sizeof(err));
		snprintf(label, len, "run %s", id);
	} else {
		r = results__load(arg, err, sizeof(err));
		snprintf(label, len, "%s", arg);
	}
	if (!r)
		fprintf(stderr, "bench verdict: %s\n", err);
	return r;
}

int cmd_verdict(int argc, char **argv)
{
	char lb[600], ln[600];
	json_t *root, *base = NULL;
	int n, ret;

	n = parse_options("bench verdict", argc, argv, verdict_options, verdict_usage, NULL);
	if (n == -2)
		return 0;
	if (n < 0)
		return FB_EXIT_USAGE;
	if (n != 1) {
		fprintf(stderr, "bench verdict: need one results directory or @RUN (got %d); see 'bench verdict --help'\n", n);
		return FB_EXIT_USAGE;
	}
	if (strcmp(o_format, "text") && strcmp(o_format, "markdown")) {
		fprintf(stderr, "bench verdict: unknown --format '%s'; use text or markdown\n", o_format);
		return FB_EXIT_USAGE;
	}
	if (!(root = load(argv[0], ln, sizeof(ln))))
		return FB_EXIT_USAGE;
	if (o_base && !(base = load(o_base, lb, sizeof(lb)))) {
		json_decref(root);
		return FB_EXIT_USAGE;
	}
	struct verdict_opts vo = { .format = o_format, .axis = o_axis, .base_label = lb, .new_label = ln };
	ret = verdict__write(root, base, &vo, stdout);
	json_decref(root);
	json_decref(base);
	return ret ? FB_EXIT_USAGE : 0;
}
