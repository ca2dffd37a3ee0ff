/* SPDX-License-Identifier: MIT */
/*
 * bench: the flushbench command line.  A command table in the style of
 * kvmtool's kvm-cmd.c / perf.c; each command lives in bench/cmd-<name>.c.
 * `bench X --help` is `bench help X`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "options.h"
#include "suggest.h"
#include "exit-codes.h"
#include "util.h"

struct cmd_struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	void (*help)(void);
	const char *summary;
};

static int cmd_help(int argc, char **argv);
static void cmd_help_help(void);
static int cmd_version(int argc, char **argv);

static const struct cmd_struct commands[] = {
	{ "run",         cmd_run,         cmd_run_help,         "Run a scenario on a real VM and write results" },
	{ "compare",     cmd_compare,     cmd_compare_help,     "Compare two result sets with statistics (regression check)" },
	{ "ab",          cmd_ab,          cmd_ab_help,          "Interleaved A/B of two bench builds, paired regression gate" },
	{ "calibrate",   cmd_calibrate,   cmd_calibrate_help,   "A/A calibration: CV, false-positive rate and MDE of the gate" },
	{ "plot",        cmd_plot,        cmd_plot_help,        "Draw gnuplot comparison plots from results" },
	{ "report",      cmd_report,      cmd_report_help,      "Write a self-contained HTML report" },
	{ "perf-report", cmd_perf_report, cmd_perf_report_help, "Summarise perf profiles recorded with --perf record" },
	{ "history",     cmd_history,     cmd_history_help,     "Results history: list, show, import, export, trend, gc" },
	{ "verdict",     cmd_verdict,     cmd_verdict_help,     "The findings of a run as text for a review reply" },
	{ "info",        cmd_info,        cmd_info_help,        "Show the machine, KVM, designs and available modes" },
	{ "help",        cmd_help,        cmd_help_help,        "Show help for a command" },
	{ "version",     cmd_version,     NULL,                 "Print the version" },
	{ NULL, NULL, NULL, NULL },
};

static const struct cmd_struct *cmd__find(const char *name)
{
	for (const struct cmd_struct *c = commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static void bench__usage(FILE *f)
{
	fprintf(f, "usage: bench <command> [options]\n\n"
		   "flushbench measures how KVM's TLB-flush uninhibit path wakes suspended\n"
		   "flushers under each design.  Commands:\n\n");
	for (const struct cmd_struct *c = commands; c->name; c++)
		fprintf(f, "   %-12s %s\n", c->name, c->summary);
	fprintf(f, "\nSee 'bench help <command>' or 'bench <command> --help'.\n"
		   "Exit status: 0 ok, 1 regression or oracle failure, 2 usage/config error, 4 skipped.\n");
}

static void cmd_help_help(void)
{
	printf("usage: bench help [COMMAND]\n");
}

static int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		bench__usage(stdout);
		return 0;
	}
	const struct cmd_struct *c = cmd__find(argv[1]);
	if (!c) {
		fprintf(stderr, "bench help: unknown command '%s'; see 'bench help'\n", argv[1]);
		return FB_EXIT_USAGE;
	}
	if (c->help)
		c->help();
	else
		printf("bench %s: %s\n", c->name, c->summary);
	return 0;
}

static int cmd_version(int argc, char **argv)
{
	printf("flushbench %s (%s)\n", FB_VERSION, FB_GIT_REV);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		bench__usage(stderr);
		return FB_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(1, argv);
	if (!strcmp(argv[1], "--version"))
		return cmd_version(1, argv);

	const struct cmd_struct *c = cmd__find(argv[1]);
	if (!c) {
		const char *names[sizeof(commands) / sizeof(commands[0])];
		unsigned n = 0;
		for (const struct cmd_struct *k = commands; k->name; k++)
			names[n++] = k->name;
		const char *s = suggest__closest(argv[1], names, n);
		if (s)
			fprintf(stderr, "bench: unknown command '%s'; did you mean '%s'? (see 'bench help')\n", argv[1], s);
		else
			fprintf(stderr, "bench: unknown command '%s' (see 'bench help')\n", argv[1]);
		return FB_EXIT_USAGE;
	}
	int r = c->fn(argc - 1, argv + 1);
	/* perf's run_builtin(): a result nobody could read is a failure */
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "bench %s: writing to standard output failed\n", c->name);
		return r ? r : FB_EXIT_USAGE;
	}
	return r;
}
