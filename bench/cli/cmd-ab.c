// SPDX-License-Identifier: MIT
/*
 * bench ab OLD_BENCH NEW_BENCH [--scenario F] [--repeat N] [-- RUN-ARGS]:
 * interleaved repeats of two builds in one session, gated on the paired
 * difference (docs/STATISTICS.md section 6).
 * Exit: 0 no regression, 1 NEW regressed, 2 usage/input error, >=125 bug.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "builtin.h"
#include "cleanup.h"
#include "compare.h"
#include "interleave.h"
#include "parse-options.h"
#include "results.h"
#include "exit-codes.h"
#include "util.h"

static const char *const ab_usage[] = {
	"bench ab OLD_BENCH NEW_BENCH [--scenario FILE] [--repeat N] [options] [-- RUN-OPTIONS...]",
	NULL,
};

static struct compare_opts aopts;
static const char *ab_scenario, *ab_out;
static unsigned ab_repeat = 5;

static const struct option ab_options[] = {
	OPT_STRING('s', "scenario", &ab_scenario, "FILE", "scenario both builds run (default: their embedded default)"),
	OPT_UINT('r', "repeat", &ab_repeat, "repeats per build, interleaved (default 5)"),
	OPT_STRING('o', "out", &ab_out, "DIR", "where the runs and the merged old/ and new/ results go "
		   "(default results/ab-<time>)"),
	OPT_CALLBACK('m', "metric", &aopts, "M", "metric to gate on, repeatable (default: compare's)", compare__opt_metric),
	OPT_DOUBLE('t', "threshold", &aopts.threshold_pct, "minimum change in % (default 5)"),
	OPT_DOUBLE('a', "alpha", &aopts.alpha, "significance level (default 0.05)"),
	OPT_CALLBACK(0, "correction", &aopts, "C", "holm (default), bh or none", compare__opt_correction),
	OPT_STRING('f', "format", &aopts.format, "F", "text | markdown | json (default text)"),
	OPT_END()
};

static void ab_help_tail(void)
{
	printf("\n"
	       "Runs OLD_BENCH and NEW_BENCH (two builds of bench) repeat by repeat in one\n"
	       "session: round r runs one `run --repeat 1` of each, alternating which goes\n"
	       "first, so drift of the machine hits both alike.  The gate is bench compare's\n"
	       "rule on the paired differences of the rounds (--paired).  Arguments after\n"
	       "`--` go to both runs (e.g. -- --vcpus 8 --duration 1).  Use it for harness\n"
	       "and design changes; a kernel change needs a reboot: use bench compare.\n"
	       "\n"
	       "Exit status: 0 no regression, 1 NEW regressed, 2 error.\n");
}

void cmd_ab_help(void)
{
	usage_with_options(ab_usage, ab_options, false);
	ab_help_tail();
}

/* Runs whose oracle did not pass (bench run exits 1 for those). */
static unsigned oracle_failures(json_t *tree)
{
	json_t *run;
	size_t i;
	unsigned n = 0;

	json_array_foreach(json_object_get(tree, "runs"), i, run) {
		json_t *ok = json_object_get(json_object_get(run, "oracle"), "ok");

		n += json_is_boolean(ok) && !json_is_true(ok);
	}
	return n;
}

static int executable(const char *p)
{
	return access(p, X_OK) == 0;
}

int cmd_ab(int argc, char **argv)
{
	struct interleave il = { .groups = 1, .cmd = "ab" };
	char out[4096], err[1024], path[4200];
	json_t *trees[2] = { NULL, NULL };
	int dd = argc, npos, ret = FB_EXIT_USAGE;

	compare__default_opts(&aopts);
	aopts.cmd = "ab";
	aopts.paired = true;
	dd = parse_options__dashdash(argc, argv);
	npos = parse_options("bench ab", dd, argv, ab_options, ab_usage, NULL);
	if (npos == -2) {
		ab_help_tail();
		return FB_EXIT_OK;
	}
	if (npos < 0)
		return FB_EXIT_USAGE;
	if (npos != 2) {
		fprintf(stderr, "bench ab: need OLD_BENCH and NEW_BENCH (got %d); e.g. bench ab old/bench build/bench\n", npos);
		return FB_EXIT_USAGE;
	}
	for (int i = 0; i < 2; i++)
		if (!executable(argv[i])) {
			fprintf(stderr, "bench ab: '%s' is not an executable bench; give the path of a built bench\n", argv[i]);
			return FB_EXIT_USAGE;
		}
	if (ab_repeat < 2) {
		fprintf(stderr, "bench ab: --repeat %u gives no test; use at least 2 (5 recommended)\n", ab_repeat);
		return FB_EXIT_USAGE;
	}
	if (ab_out)
		snprintf(out, sizeof(out), "%s", ab_out);
	else
		results__time_name("results/ab-", out, sizeof(out));
	il.bin[0] = argv[0];
	il.bin[1] = argv[1];
	il.scenario = ab_scenario;
	il.rounds = ab_repeat;
	il.extra = argv + (dd < argc ? dd + 1 : argc);
	il.nextra = dd < argc ? argc - dd - 1 : 0;
	snprintf(path, sizeof(path), "%s/runs", out);
	il.workdir = path;
	cleanup__install_signals();
	if (interleave__run(&il, trees, err, sizeof(err))) {
		fprintf(stderr, "bench ab: %s\n", err);
		ret = cleanup__interrupted() ? FB_EXIT_INTERRUPTED : FB_EXIT_USAGE;
		goto out;
	}
	for (int i = 0; i < 2; i++) {
		int r;

		snprintf(path, sizeof(path), "%s/%s", out, i ? "new" : "old");
		json_object_set_new(trees[i], "command", json_string(il.bin[i]));
		r = results__write(path, trees[i]);
		if (r) {
			fprintf(stderr, "bench ab: writing %s failed: %s\n", path, strerror(-r));
			goto out;
		}
	}
	ret = compare__runs(trees[0], trees[1], &aopts, stdout);
	if (ret == 0 && oracle_failures(trees[1]) && !oracle_failures(trees[0])) {
		fprintf(stderr, "bench ab: NEW failed the oracle (lost wakeups or early resumes) in %u repeat(s), "
			"OLD in none; see %s/new/results.json\n", oracle_failures(trees[1]), out);
		ret = FB_EXIT_FAIL;
	}
	if (strcmp(aopts.format ? aopts.format : "text", "json"))
		printf("results: %s/old, %s/new (compare again with bench compare --paired)\n", out, out);
out:
	json_decref(trees[0]);
	json_decref(trees[1]);
	return ret;
}
