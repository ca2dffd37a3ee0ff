// SPDX-License-Identifier: MIT
/*
 * bench report DIR [--compare BASE]
 * Redraws DIR/plots as SVG (and the compare plot with --compare), then writes
 * DIR/report.html.  Exit: 0 ok, 2 usage/input error.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "builtin.h"
#include "parse-options.h"
#include "plot.h"
#include "plot-int.h"
#include "report.h"
#include "results.h"
#include "exit-codes.h"
#include "util.h"

static const char *const report_usage[] = {
	"bench report DIR [--compare BASE]",
	NULL,
};

static const char *compare_base;

static const struct option report_options[] = {
	OPT_STRING('c', "compare", &compare_base, "BASE",
		   "add the verdict table and compare plot of DIR against BASE"),
	OPT_END()
};

void cmd_report_help(void)
{
	usage_with_options(report_usage, report_options, false);
	printf("\n"
	       "Writes DIR/report.html: one self-contained page (inline SVG plots, no\n"
	       "network, no JavaScript) with the comparison table against the baseline\n"
	       "design=srcu,request=event, the oracle results, every plot, the environment\n"
	       "and the scenario; with --compare, the verdict table of DIR (NEW) vs BASE.\n"
	       "Plots are redrawn from results.json first (gnuplot; without it the report\n"
	       "has no plots and a warning is printed).  See docs/PLOTS.md.\n");
}

int cmd_report(int argc, char **argv)
{
	char err[1024] = "", dir[4096], basedir[4096];
	json_t *root, *base = NULL;
	int ret, code = 0;

	compare_base = NULL;
	argc = parse_options("bench report", argc, argv, report_options, report_usage, NULL);
	if (argc == -2)
		return 0;
	if (argc < 0)
		return FB_EXIT_USAGE;
	if (argc != 1) {
		fprintf(stderr, "bench report: expected one results directory, got %d; "
			"see 'bench report --help'\n", argc);
		return FB_EXIT_USAGE;
	}
	if (!(root = results__load_for("bench report", argv[0], dir, sizeof(dir))))
		return FB_EXIT_USAGE;
	if (compare_base && !(base = results__load_for("bench report", compare_base, basedir, sizeof(basedir)))) {
		json_decref(root);
		return FB_EXIT_USAGE;
	}
	/* The report inlines SVG: draw them from this results.json. */
	if (plot__check_gnuplot(err, sizeof(err))) {
		fprintf(stderr, "bench report: %s (report written without plots)\n", err);
	} else {
		ret = plot__results(dir, root, "svg", stdout, err, sizeof(err));
		if (ret >= 0 && base)
			ret = plot__compare(dir, base, root, "svg", stdout, err, sizeof(err));
		if (ret < 0)
			fprintf(stderr, "bench report: %s (report written with the plots that exist)\n", err);
	}
	ret = report__write(dir, root, base, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "bench report: %s\n", err);
		code = FB_EXIT_USAGE;
	} else {
		printf("report: %s/report.html\n", dir);
	}
	json_decref(root);
	json_decref(base);
	if (!code && fflush(stdout)) {
		fprintf(stderr, "bench report: cannot write to stdout: %s\n", strerror(errno));
		code = FB_EXIT_USAGE;
	}
	return code;
}
