// SPDX-License-Identifier: MIT
/*
 * bench history list|show|import|export|trend|gc  (docs/HISTORY.md)
 * Exit: 0 ok, 2 usage / store error / no such run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "builtin.h"
#include "history-sql.h"
#include "history-trend.h"
#include "history.h"
#include "parse-options.h"
#include "results.h"
#include "exit-codes.h"
#include "util.h"

static const char *const history_usage[] = {
	"bench history list [--kernel K] [--host H] [--since DATE] [--scenario S] [--db URL]",
	"bench history show RUN [--db URL]",
	"bench history import DIR... [--db URL]",
	"bench history export RUN --out DIR [--db URL]",
	"bench history trend METRIC [--variant K=V,...] [--by kernel|revision|time] [--out DIR] [--db URL]",
	"bench history gc --keep N [--db URL]",
	NULL,
};

static const char *o_db, *o_out, *o_by, *o_variant, *o_format;
static unsigned o_keep;
static bool o_keep_set;
static struct history_filter o_f;

static int set_keep(const struct option *opt, const char *arg)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 10);

	if (!*arg || *end) {
		fprintf(stderr, "bench history: --keep '%s' is not a number; use e.g. --keep 100\n", arg);
		return -2;
	}
	o_keep = (unsigned)v;
	o_keep_set = true;
	return 0;
}

static const struct option history_options[] = {
	OPT_STRING(0, "db", &o_db, "URL", "history store: a SQLite file or postgresql://... "
		   "(default $FB_HISTORY_DB or " HISTORY_DEFAULT_DB ")"),
	OPT_GROUP("Filters (list, and references such as @last):"),
	OPT_STRING(0, "kernel", &o_f.kernel, "K", "kernel release prefix, e.g. 6.12"),
	OPT_STRING(0, "host", &o_f.host, "H", "host name"),
	OPT_STRING(0, "since", &o_f.since, "DATE", "runs started at or after DATE (ISO, e.g. 2026-11-01)"),
	OPT_STRING(0, "scenario", &o_f.scenario, "S", "scenario source substring (e.g. smoke) or hash prefix"),
	OPT_GROUP("export / trend:"),
	OPT_STRING('o', "out", &o_out, "DIR", "export: results directory to write; trend: plot directory "
		   "(default results/trend)"),
	OPT_STRING(0, "variant", &o_variant, "K=V,...", "trend: variants whose key has these parts"),
	OPT_STRING(0, "by", &o_by, "AXIS", "trend: kernel | revision | time (default time)"),
	OPT_STRING('f', "format", &o_format, "F", "trend: png | svg | both (default png)"),
	OPT_GROUP("gc:"),
	OPT_CALLBACK(0, "keep", NULL, "N", "keep the newest N runs (matching the filters), delete the rest",
		     set_keep),
	OPT_END()
};

void cmd_history_help(void)
{
	usage_with_options(history_usage, history_options, false);
	printf("\n"
	       "Every `bench run` records itself in the history (--no-history to opt out).\n"
	       "RUN is a run id (or a unique prefix), @last, @last~N, or K=V[,K=V][~N] with\n"
	       "kernel, host, scenario, revision, backend, since: the newest matching run.\n"
	       "METRIC is a path as in bench compare: resume_latency.p99, rates.flushes_per_s.\n"
	       "See docs/HISTORY.md.  Exit status: 0 ok, 2 usage or store error.\n");
}

static int fail(const char *err)
{
	fprintf(stderr, "bench history: %s\n", err);
	return FB_EXIT_USAGE;
}

static int h_list(struct history *h, int argc, char **argv)
{
	struct history_rows r = { 0 };
	char err[1024];

	if (argc)
		return fail("list takes no arguments; filter with --kernel, --host, --since, --scenario");
	if (history__list(h, &o_f, &r, err, sizeof(err)))
		return fail(err);
	printf("%-24s %-20s %-12s %-22s %-7s %-22s %5s %-16s\n", "run", "start", "host", "kernel",
	       "backend", "scenario", "v x r", "revision");
	for (unsigned i = 0; i < r.n; i++) {
		char vr[32];
#define G(c) (history_rows__get(&r, i, c) ? history_rows__get(&r, i, c) : "-")
		const char *sc = strrchr(G(5), '/') ? strrchr(G(5), '/') + 1 : G(5);
		snprintf(vr, sizeof(vr), "%sx%s", G(7), G(8));
		printf("%-24s %-20s %-12.12s %-22.22s %-7s %-22.22s %5s %-16.16s%s\n", G(0), G(1), G(2), G(3),
		       G(4), sc, vr, G(9), !strcmp(G(13), "0") ? "  (incomplete)" : "");
#undef G
	}
	printf("%u run(s) in %s\n", r.n, h->st.url);
	history_rows__free(&r);
	return 0;
}

static int resolve1(struct history *h, int argc, char **argv, char *id, size_t idlen, const char *what)
{
	char err[1024], ref[HISTORY_ID_LEN + 2];

	if (argc != 1) {
		snprintf(err, sizeof(err), "%s needs exactly one RUN (a run id, @last, @last~N or K=V), got %d",
			 what, argc);
		return fail(err);
	}
	if (!history__resolve(h, argv[0], &o_f, id, idlen, err, sizeof(err)))
		return 0;
	/* a bare run id (no '@') is accepted too */
	snprintf(ref, sizeof(ref), "@%s", argv[0]);
	if (argv[0][0] != '@' && !strchr(argv[0], '=') &&
	    !history__resolve(h, ref, &o_f, id, idlen, err, sizeof(err)))
		return 0;
	return fail(err);
}

static int h_show(struct history *h, int argc, char **argv)
{
	static const char *const names[] = {
		"run", "start", "host", "kernel", "backend", "scenario", "scenario hash", "variants",
		"repeats", "revision", "version", "kvm module", "kvm nested", "complete", "cpu",
		"host cpus", "kvm tdp", "command", "source", "recorded",
	};
	struct history_rows r = { 0 }, v = { 0 };
	char id[HISTORY_ID_LEN], err[1024];
	int ret;

	if ((ret = resolve1(h, argc, argv, id, sizeof(id), "show")))
		return ret;
	struct history_filter none = { 0 };
	if (history__list(h, &none, &r, err, sizeof(err)))
		return fail(err);
	for (unsigned i = 0; i < r.n; i++) {
		if (strcmp(history_rows__get(&r, i, 0), id))
			continue;
		for (unsigned c = 0; c < r.ncols && c < sizeof(names) / sizeof(names[0]); c++)
			printf("%-14s %s\n", names[c], history_rows__get(&r, i, c) ? history_rows__get(&r, i, c) : "-");
	}
	history_rows__free(&r);
	const char *p[1] = { id };
	if (history__query(h, SQL_RUN_VARIANTS, 1, p, &v, err, sizeof(err)))
		return fail(err);
	printf("\n%-64s %7s %s\n", "variant", "repeats", "verdict");
	for (unsigned i = 0; i < v.n; i++) {
		const char *bad = history_rows__get(&v, i, 6);
		printf("%-72s %7s %s", history_rows__get(&v, i, 0), history_rows__get(&v, i, 5),
		       history_rows__get(&v, i, 7));
		if (bad && strcmp(bad, "0"))
			printf(" (%s of %s repeats)", bad, history_rows__get(&v, i, 5));
		putchar('\n');
	}
	history_rows__free(&v);
	return 0;
}

static int h_import(struct history *h, int argc, char **argv)
{
	char err[1024], id[HISTORY_ID_LEN];
	int rc = 0;

	if (!argc)
		return fail("import needs one or more `bench run` result directories");
	for (int i = 0; i < argc; i++) {
		json_t *root = results__load(argv[i], err, sizeof(err));
		bool dup;

		if (!root) {
			fprintf(stderr, "bench history: %s\n", err);
			rc = FB_EXIT_USAGE;
			continue;
		}
		if (history__add(h, root, argv[i], id, sizeof(id), &dup, err, sizeof(err))) {
			fprintf(stderr, "bench history: import %s: %s\n", argv[i], err);
			rc = FB_EXIT_USAGE;
		} else {
			printf("%s: %s run %s\n", argv[i], dup ? "already in the history as" : "imported as", id);
		}
		json_decref(root);
	}
	return rc;
}

static int h_export(struct history *h, int argc, char **argv)
{
	char id[HISTORY_ID_LEN], err[1024];
	json_t *root;
	int ret;

	if (!o_out)
		return fail("export needs --out DIR (the results directory to write)");
	if ((ret = resolve1(h, argc, argv, id, sizeof(id), "export")))
		return ret;
	if (!(root = history__load(h, id, err, sizeof(err))))
		return fail(err);
	ret = results__write(o_out, root);
	json_decref(root);
	if (ret) {
		snprintf(err, sizeof(err), "cannot write %s/results.json: %s", o_out, strerror(-ret));
		return fail(err);
	}
	printf("run %s -> %s/results.json\n", id, o_out);
	return 0;
}

static int h_trend(struct history *h, int argc, char **argv)
{
	struct trend_opts t = {
		.metric = argc ? argv[0] : NULL, .variant = o_variant, .by = o_by ? o_by : "time",
		.host = o_f.host, .scenario = o_f.scenario, .plot_dir = o_out ? o_out : "results/trend",
		.format = o_format ? o_format : "png",
	};
	char err[1024];

	if (argc != 1)
		return fail("trend needs one METRIC, e.g. resume_latency.p99");
	if (!strchr(t.metric, '.'))
		return fail("trend METRIC is <metric>.<field>, e.g. resume_latency.p99 or rates.flushes_per_s");
	if (strcmp(t.by, "kernel") && strcmp(t.by, "revision") && strcmp(t.by, "time"))
		return fail("--by must be kernel, revision or time");
	if (strcmp(t.format, "png") && strcmp(t.format, "svg") && strcmp(t.format, "both"))
		return fail("--format must be png, svg or both");
	if (history__trend(h, &t, stdout, err, sizeof(err)))
		return fail(err);
	return 0;
}

static int h_gc(struct history *h, int argc, char **argv)
{
	struct history_rows r = { 0 };
	char err[1024];
	unsigned del = 0;

	if (argc || !o_keep_set)
		return fail("gc takes no arguments and needs --keep N");
	if (history__list(h, &o_f, &r, err, sizeof(err)))
		return fail(err);
	for (unsigned i = o_keep; i < r.n; i++) {
		if (history__delete(h, history_rows__get(&r, i, 0), err, sizeof(err))) {
			history_rows__free(&r);
			return fail(err);
		}
		del++;
	}
	printf("gc: kept %u run(s), deleted %u\n", r.n - del, del);
	history_rows__free(&r);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(struct history *h, int argc, char **argv);
} subs[] = {
	{ "list", h_list }, { "show", h_show }, { "import", h_import },
	{ "export", h_export }, { "trend", h_trend }, { "gc", h_gc },
};

int cmd_history(int argc, char **argv)
{
	struct history h;
	char err[1024], cmd[64];
	int n, ret;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		cmd_history_help();
		return argc < 2 ? FB_EXIT_USAGE : 0;
	}
	unsigned s = 0;
	for (; s < sizeof(subs) / sizeof(subs[0]) && strcmp(subs[s].name, argv[1]); s++)
		;
	if (s == sizeof(subs) / sizeof(subs[0])) {
		fprintf(stderr, "bench history: unknown subcommand '%s'; use list, show, import, export, trend or gc\n",
			argv[1]);
		return FB_EXIT_USAGE;
	}
	snprintf(cmd, sizeof(cmd), "bench history %s", argv[1]);
	n = parse_options(cmd, argc - 1, argv + 1, history_options, history_usage, NULL);
	if (n == -2)
		return 0;
	if (n < 0)
		return FB_EXIT_USAGE;
	if (history__open(&h, o_db, err, sizeof(err)))
		return fail(err);
	ret = subs[s].fn(&h, n, argv + 1);
	history__close(&h);
	return ret;
}
