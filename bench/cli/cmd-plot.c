// SPDX-License-Identifier: MIT
/*
 * bench plot DIR [--format png|svg|both]
 * bench plot --compare BASE NEW [--out DIR] [--format ...]
 * Exit: 0 ok (plots made or skipped with a note), 2 usage/input/gnuplot
 * missing, 1 gnuplot failed or timed out.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "builtin.h"
#include "parse-options.h"
#include "plot.h"
#include "plot-int.h"
#include "results.h"
#include "exit-codes.h"
#include "util.h"

static const char *const plot_usage[] = {
	"bench plot DIR [--format png|svg|both]",
	"bench plot --compare BASE NEW [--out DIR] [--format png|svg|both]",
	NULL,
};

static const char *format = "both", *compare_base, *out_dir;

static const struct option plot_options[] = {
	OPT_STRING('f', "format", &format, "F", "png | svg | both (default both)"),
	OPT_STRING('c', "compare", &compare_base, "BASE",
		   "compare plot of NEW (the positional argument) against BASE"),
	OPT_STRING('o', "out", &out_dir, "DIR", "with --compare: write DIR/plots (default: NEW's directory)"),
	OPT_END()
};

void cmd_plot_help(void)
{
	usage_with_options(plot_usage, plot_options, false);
	printf("\n"
	       "Writes DIR/plots/<name>.png/.svg, the gnuplot script <name>.gp that made\n"
	       "each (re-run by hand: cd DIR/plots && gnuplot <name>.gp) and its data in\n"
	       "DIR/plots/data/.  Plots: cdf, percentiles, scaling (needs a vCPU sweep),\n"
	       "timeseries; with --compare: compare.  Plots the data cannot support are\n"
	       "skipped with a one-line note.  Needs gnuplot (apt-get install gnuplot-nox).\n"
	       "See docs/PLOTS.md.\n");
}

static int exit_code(int err)
{
	return (err == -EIO || err == -ETIMEDOUT) ? FB_EXIT_FAIL : FB_EXIT_USAGE;
}

int cmd_plot(int argc, char **argv)
{
	char err[1024] = "", dir[4096], basedir[4096];
	json_t *root, *base = NULL;
	int ret;

	format = "both";
	compare_base = out_dir = NULL;
	argc = parse_options("bench plot", argc, argv, plot_options, plot_usage, NULL);
	if (argc == -2)
		return 0;
	if (argc < 0)
		return FB_EXIT_USAGE;
	if (argc != 1) {
		fprintf(stderr, "bench plot: expected one results directory, got %d; "
			"see 'bench plot --help'\n", argc);
		return FB_EXIT_USAGE;
	}
	if (strcmp(format, "png") && strcmp(format, "svg") && strcmp(format, "both")) {
		fprintf(stderr, "bench plot: unknown --format '%s'; use png, svg or both\n", format);
		return FB_EXIT_USAGE;
	}
	if (plot__check_gnuplot(err, sizeof(err))) {
		fprintf(stderr, "bench plot: %s\n", err);
		return FB_EXIT_USAGE;
	}
	if (!(root = results__load_for("bench plot", argv[0], dir, sizeof(dir))))
		return FB_EXIT_USAGE;
	if (compare_base) {
		if (!(base = results__load_for("bench plot", compare_base, basedir, sizeof(basedir)))) {
			json_decref(root);
			return FB_EXIT_USAGE;
		}
		ret = plot__compare(out_dir ? out_dir : dir, base, root, format, stdout, err, sizeof(err));
		json_decref(base);
	} else {
		ret = plot__results(dir, root, format, stdout, err, sizeof(err));
	}
	json_decref(root);
	if (ret < 0) {
		fprintf(stderr, "bench plot: %s\n", err);
		return exit_code(ret);
	}
	if (fflush(stdout)) {
		fprintf(stderr, "bench plot: cannot write to stdout: %s\n", strerror(errno));
		return FB_EXIT_USAGE;
	}
	return 0;
}
