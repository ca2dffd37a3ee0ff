/* SPDX-License-Identifier: MIT */
/*
 * Declarative command-line flags (kvmtool/perf/git parse-options style).
 * A command declares a static table of its own flags; any other long option
 * is tried as a scenario key (docs/SCENARIOS.md) when a struct scenario is
 * given: `--vcpus 64`, `--vcpus=8,64`, `--design srcu,targeted`,
 * `--allow-broken` / `--no-allow-broken` for boolean keys.
 *
 *   static const char *const usage[] = { "bench run [options]", NULL };
 *   static const struct option opts[] = {
 *           OPT_GROUP("Output:"),
 *           OPT_STRING('o', "out", &out_dir, "DIR", "write results to DIR"),
 *           OPT_BOOLEAN('q', "quiet", &quiet, "less output"),
 *           OPT_END()
 *   };
 *   argc = parse_options("bench run", argc, argv, opts, usage, &sc);
 *   if (argc == -2) return 0;             // --help was printed
 *   if (argc < 0)   return FB_EXIT_USAGE; // one error line was printed
 *   // argv[0..argc) are the positional arguments
 *
 * argv[0] is the command's own name ("run", as main() passes it) and is
 * skipped, as in perf and git.
 */
#ifndef FB_PARSE_OPTIONS_H
#define FB_PARSE_OPTIONS_H

#include <stdbool.h>

struct scenario;

enum parse_opt_type {
	OPTION_END,
	OPTION_GROUP,
	OPTION_BOOLEAN,   /* bool *: --x sets true, --no-x false, --x=BOOL */
	OPTION_STRING,    /* const char **: --x VALUE, --x=VALUE, -c VALUE, -cVALUE */
	OPTION_UINT,      /* unsigned * */
	OPTION_DOUBLE,    /* double * */
	OPTION_CALLBACK,  /* callback(opt, arg); arg is NULL when argh is NULL (a switch) */
};

struct option {
	enum parse_opt_type type;
	const char *long_name;
	char short_name;
	void *value;
	const char *argh;     /* name of the argument in --help ("DIR") */
	const char *help;
	/* 0 = ok; -1 = bad value (parse_options prints the error line);
	 * -2 = the callback printed its own one-line error */
	int (*callback)(const struct option *opt, const char *arg);
};

#define OPT_END()                   { .type = OPTION_END }
#define OPT_GROUP(h)                { .type = OPTION_GROUP, .help = (h) }
#define OPT_BOOLEAN(s, l, v, h)     { .type = OPTION_BOOLEAN, .short_name = (s), \
				      .long_name = (l), .value = (v), .help = (h) }
#define OPT_STRING(s, l, v, a, h)   { .type = OPTION_STRING, .short_name = (s), \
				      .long_name = (l), .value = (v), .argh = (a), .help = (h) }
#define OPT_UINT(s, l, v, h)        { .type = OPTION_UINT, .short_name = (s), \
				      .long_name = (l), .value = (v), .argh = "N", .help = (h) }
#define OPT_DOUBLE(s, l, v, h)      { .type = OPTION_DOUBLE, .short_name = (s), \
				      .long_name = (l), .value = (v), .argh = "X", .help = (h) }
#define OPT_CALLBACK(s, l, v, a, h, f) { .type = OPTION_CALLBACK, .short_name = (s), \
				      .long_name = (l), .value = (v), .argh = (a), .help = (h), \
				      .callback = (f) }

/* Index of the first "--" in argv[1..argc), or argc: the options of
 * commands that pass the rest on (bench ab, bench calibrate) end there. */
int parse_options__dashdash(int argc, char **argv);

/*
 * Parse argv[1..argc) (argv[0] = command name).  Returns the number of
 * positional arguments, moved to argv[0..n); -1 after printing ONE error line
 * to stderr ("bench run: unknown option '--vcpu'; did you mean '--vcpus'?
 * (see 'bench run --help')"); -2 after printing --help to stdout.
 * With sc != NULL, unknown long options are scenario keys (scenario__override).
 */
int parse_options(const char *cmd, int argc, char **argv, const struct option *opts,
		  const char *const usage[], struct scenario *sc);
/* --help text: usage lines, the command's flags, and optionally the scenario keys. */
void usage_with_options(const char *const usage[], const struct option *opts,
			bool with_scenario_keys);

#endif
