/* SPDX-License-Identifier: MIT */
/*
 * bench run: expand the scenario, run every (variant, repeat) in a seeded
 * shuffled order (bench/run/schedule.c), each in a forked worker
 * (bench/run/supervisor.c), append its record and rewrite results.json/csv
 * atomically after every one, print the table, plot.  kvmtool's shape:
 * run__init() -> run__work() -> run__finish() -> run__exit().  This process
 * is the supervisor: it owns the output (bench/run/outdir.c), the machine
 * state (swap-mode lock: bench/run/swaplock.c; repair after each worker),
 * time budgets and signals (docs/ARCHITECTURE.md).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "backend-kvm.h"
#include "builtin.h"
#include "cleanup.h"
#include "compare.h"
#include "design.h"
#include "achieved.h"
#include "env.h"
#include "hosthdr.h"
#include "history.h"
#include "options.h"
#include "outdir.h"
#include "parse-options.h"
#include "plot.h"
#include "preflight.h"
#include "pressure.h"
#include "report.h"
#include "results.h"
#include "table.h"
#include "run.h"
#include "scenario.h"
#include "schedule.h"
#include "stats.h"
#include "supervisor.h"
#include "swaplock.h"
#include "tsc.h"
#include "exit-codes.h"
#include "util.h"
#include "vm.h"

static const char *const run_usage[] = {
	"bench run [--scenario FILE] [--out DIR] [--KEY VALUE[,VALUE...]]...",
	NULL,
};

static const char *opt_scenario, *opt_out, *opt_baseline = "design=srcu,request=event";
static const char *opt_plot_format = "both";
static const char *opt_db;
static bool opt_quiet, opt_verbose, opt_no_plot, opt_no_history, opt_no_wait;
static double opt_budget_s;

static const struct option run_options[] = {
	OPT_GROUP("Run options:"),
	OPT_STRING('s', "scenario", &opt_scenario, "FILE", "scenario INI file (default: the embedded configs/default.ini)"),
	OPT_STRING('o', "out", &opt_out, "DIR", "results directory, new or empty (default: a new results/<time>, linked as results/latest)"),
	OPT_STRING(0, "baseline", &opt_baseline, "K=V,...", "row the final table compares against (default design=srcu,request=event)"),
	OPT_BOOLEAN(0, "no-plot", &opt_no_plot, "do not draw plots or write report.html"),
	OPT_STRING(0, "plot-format", &opt_plot_format, "FMT", "png, svg or both (default both)"),
	OPT_BOOLEAN(0, "no-history", &opt_no_history, "do not record the run in the results history"),
	OPT_STRING(0, "db", &opt_db, "URL", "history store: SQLite file or postgresql://... (default $FB_HISTORY_DB or results/history.sqlite)"),
	OPT_BOOLEAN(0, "no-wait", &opt_no_wait, "refuse instead of waiting when another swap-mode run holds the machine"),
	OPT_DOUBLE(0, "budget-s", &opt_budget_s, "seconds one variant may take before it is killed and recorded as timeout "
		   "(default: max(5, 2 x (warmup + duration)) + setup allowance)"),
	OPT_BOOLEAN('q', "quiet", &opt_quiet, "no progress line, warnings only"),
	OPT_BOOLEAN('v', "verbose", &opt_verbose, "more detail"),
	OPT_END(),
};

void cmd_run_help(void)
{
	usage_with_options(run_usage, run_options, true);
}

/* One line, "bench run: <what>; <how to fix>", and out. */
static void run__die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void run__die(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("bench run: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static bool run__is_write_error(int r)
{
	return r == -ENOSPC || r == -EIO || r == -EDQUOT || r == -EROFS || r == -EFBIG;
}

static void run__progress(unsigned k, unsigned n, const char *key, unsigned rep, uint64_t t0, bool tty)
{
	if (!tty || opt_quiet)
		return;
	double el = (double)(now_ns() - t0) / 1e9;
	double eta = k ? el / k * (n - k) : 0;
	fprintf(stderr, "\r\033[K[%u/%u] %s repeat %u  elapsed %.0fs  eta %.0fs", k + 1, n, key, rep, el, eta);
	fflush(stderr);
}

static char *run__command_line(int argc, char **argv)
{
	size_t len = 16;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *s = xzalloc(len);
	strcpy(s, "bench");
	for (int i = 0; i < argc; i++) {
		strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* Everything one `bench run` holds between init and exit. */
struct run_state {
	struct scenario sc;
	bool *keep;                       /* variants that can run here */
	const struct backend_ops *backend;
	char note[512], outdir[4096];
	bool default_out, created_out;    /* created_out: ours to rmdir if empty */
	char *cmdline;
	struct schedule sched;
	json_t *root, *runs, *env;        /* runs, env: borrowed from root */
	uint64_t t0;
	bool tty, interrupted, aborted, stopped, written;
	unsigned nfailed;
	int rc;
};

/* --scenario must be loaded before the CLI overrides apply */
static void run__find_scenario(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if ((!strcmp(argv[i], "--scenario") || !strcmp(argv[i], "-s")) && i + 1 < argc)
			opt_scenario = argv[i + 1];
		else if (!strncmp(argv[i], "--scenario=", 11))
			opt_scenario = argv[i] + 11;
	}
}

static void run__open_out(struct run_state *st)
{
	char err[4400];

	st->default_out = !opt_out;
	if (outdir__open(opt_out, st->outdir, sizeof(st->outdir), &st->created_out, err, sizeof(err)))
		run__die(FB_EXIT_USAGE, "%s", err);
}

/* env + the results root, and the header saying what the numbers come from */
static void run__open_results(struct run_state *st)
{
	struct scenario *sc = &st->sc;
	unsigned repeat = sc->repeat ? sc->repeat : 1, max_vcpus = 0;

	st->env = env__json();
	json_object_set_new(st->env, "backend", json_string(st->backend->name));
	json_object_set_new(st->env, "backend_note", json_string(st->note));
	if (st->backend == &backend_native) {
		/* found (or calibrated) once, here, so no VM's setup time holds it */
		const char *tsc_src;
		uint64_t tsc_t0 = now_ns(), khz = tsc__khz(&tsc_src);
		json_object_set_new(st->env, "tsc_source", json_pack("{s:s,s:I,s:f}", "source", tsc_src,
			"khz", (json_int_t)khz, "ms", (double)(now_ns() - tsc_t0) / 1e6));
	}
	st->root = results__new_root(st->cmdline, st->env, sc, repeat, schedule__order_json(&st->sched));
	st->runs = json_object_get(st->root, "runs");

	for (unsigned i = 0; i < sc->nr_variants; i++)
		if (st->keep[i] && sc->variants[i].vcpus > max_vcpus)
			max_vcpus = sc->variants[i].vcpus;
	hosthdr__print(opt_quiet ? NULL : stdout, st->env, st->backend->name, max_vcpus);
	fflush(stdout);
	if (!opt_quiet && sc->nr_collapsed)
		fprintf(stderr, "bench run: %u variants dropped: the null/hypercall workloads ignore design, "
			"request, pressure and the flush/touch keys\n", sc->nr_collapsed);
	if (!opt_quiet)
		fprintf(stderr, "bench run: %u variants x %u repeats on the %s backend -> %s\n",
			sc->nr_variants, repeat, st->backend->name, st->outdir);
}

/* Parse, validate, preflight, lock, output directory, plan, results root.
 * 0, or the exit code to return at once (help printed, usage error). */
static int run__init(struct run_state *st, int argc, char **argv)
{
	char err[1024];

	st->cmdline = run__command_line(argc, argv);
	run__find_scenario(argc, argv);
	scenario__init(&st->sc);
	if (scenario__load(&st->sc, opt_scenario, err, sizeof(err)))
		run__die(FB_EXIT_USAGE, "%s", err);
	int nargs = parse_options("run", argc, argv, run_options, run_usage, &st->sc);
	if (nargs < 0)
		return nargs == -2 ? -1 : FB_EXIT_USAGE;
	if (nargs > 0)
		run__die(FB_EXIT_USAGE, "unexpected argument '%s' (see 'bench run --help')", argv[0]);
	if (opt_quiet)
		fb_log_level = 0;
	if (opt_verbose)
		fb_log_level = 2;
	if (strcmp(opt_plot_format, "png") && strcmp(opt_plot_format, "svg") && strcmp(opt_plot_format, "both"))
		run__die(FB_EXIT_USAGE, "--plot-format must be png, svg or both");
	/* both plug-in registries, the same way (a broken entry is a build bug) */
	if (design__check_all(err, sizeof(err)) || pressure__check_all(err, sizeof(err)))
		run__die(FB_EXIT_BUG, "plug-in registry is broken: %s", err);
	if (scenario__expand(&st->sc, err, sizeof(err)))
		run__die(FB_EXIT_USAGE, "%s", err);

	st->keep = xcalloc(st->sc.nr_variants, sizeof(bool));
	if (preflight__nofile(&st->sc, err, sizeof(err)) || preflight__memory(&st->sc, err, sizeof(err)) ||
	    preflight__run(&st->sc, &st->backend, st->note, sizeof(st->note), st->keep, err, sizeof(err)))
		run__die(FB_EXIT_USAGE, "%s", err);

	/* signals count from here; the workers are told, never this process killed */
	cleanup__install_supervisor_signals();
	if (swaplock__needed(&st->sc, st->keep)) {
		int rc = swaplock__take(opt_no_wait, err, sizeof(err));

		if (rc)
			run__die(rc, "%s", err);
	}
	run__open_out(st);
	schedule__init(&st->sched, &st->sc, st->keep);
	run__open_results(st);
	st->tty = isatty(STDERR_FILENO);
	st->t0 = now_ns();
	return 0;
}

/* One (variant, repeat) in a worker; false = stop the run. */
static bool run__one(struct run_state *st, unsigned k)
{
	struct scenario *sc = &st->sc;
	unsigned v = st->sched.order[k] % sc->nr_variants, rep = st->sched.order[k] / sc->nr_variants;
	struct run_config *c = &sc->variants[v];
	char *key = scenario__variant_key(sc, c);
	struct run_ctx ctx = { .outdir = st->outdir, .key = key, .variant = v, .repeat = rep,
			       .backend = st->backend };
	struct worker_result wr;
	bool go_on = true;

	run__progress(k, st->sched.n, key, rep, st->t0, st->tty);
	if (c->r.pressure->flags & PRESSURE_F_SWAP)
		swaplock__wait_foreign(opt_quiet);
	if (cleanup__interrupted()) {
		st->interrupted = true;
		goto out;
	}
	supervisor__run_variant(c, &ctx, opt_budget_s > 0 ? opt_budget_s : supervisor__budget(c), &wr);
	if (wr.outcome == WORKER_ABORTED) {
		st->aborted = st->interrupted = true;
		if (!wr.record)
			goto out;
		/* finished numbers that arrived before the kill are kept */
	}
	if (wr.outcome == WORKER_INTERRUPTED) {
		st->interrupted = true;
		goto out;
	}
	if (wr.outcome == WORKER_CONFIG) {
		if (st->tty && !opt_quiet)
			fputc('\n', stderr);
		pr_err("run: variant %u repeat %u: %s", v, rep, wr.cause);
		st->rc = FB_EXIT_USAGE;
		st->stopped = true;
		goto out;
	}
	if (wr.outcome == WORKER_FAILED || wr.outcome == WORKER_TIMEOUT) {
		if (st->tty && !opt_quiet)
			fputc('\n', stderr);
		pr_err("run: variant %u repeat %u (%s): %s: %s", v, rep, key,
		       wr.outcome == WORKER_TIMEOUT ? "timeout" : "failed", wr.cause);
		st->nfailed++;
	}
	json_t *run = supervisor__record(c, &ctx, &wr);
	if (!json_object_get(st->env, "vm_setup_ms") && json_real_value(json_object_get(run, "vm_setup_ms")) > 0)
		json_object_set(st->env, "vm_setup_ms", json_object_get(run, "vm_setup_ms"));
	if (!json_object_get(st->env, "tsc_khz") && json_object_get(run, "tsc_khz"))
		json_object_set(st->env, "tsc_khz", json_object_get(run, "tsc_khz"));
	json_array_append_new(st->runs, run);
	/* after every variant: a kill of anything loses at most the one in flight */
	results__sort_runs(st->runs);
	int r = results__write(st->outdir, st->root);
	if (r) {
		if (st->tty && !opt_quiet)
			fputc('\n', stderr);
		pr_err("run: writing %s/results.json: %s", st->outdir, strerror(-r));
		st->rc = FB_EXIT_USAGE;
		st->stopped = true;
		goto out;
	}
	st->written = true;
	go_on = !st->aborted;
out:
	free(key);
	return go_on && !st->interrupted && !st->stopped;
}

/* Every planned pair, then the adaptive rounds, until done or stopped. */
static void run__work(struct run_state *st)
{
	for (unsigned k = 0;; k++) {
		if (cleanup__interrupted()) {
			st->interrupted = true;
			break;
		}
		if (k == st->sched.n &&
		    !schedule__adaptive_round(&st->sched, &st->sc, st->keep, st->runs, opt_quiet))
			break;
		if (!run__one(st, k))
			break;
	}
	if (st->tty && !opt_quiet)
		fputc('\n', stderr);
}

/* "variant = design/request/..." over the table: the keys of the first row */
static void run__print_variant_axes(json_t *mruns)
{
	const char *k0 = json_string_value(json_object_get(json_array_get(mruns, 0), "key"));

	printf("\nvariant = ");
	for (const char *p = k0; p && *p; p++) {
		if (*p == '=') {
			while (*p && *p != ',')
				p++;
			if (!*p)
				break;
			putchar('/');
			continue;
		}
		putchar(*p);
	}
	putchar('\n');
}

static void run__compare(json_t *view, json_t *mruns)
{
	struct compare_opts co;
	size_t ri;
	json_t *rr;
	bool mixed = false;

	compare__default_opts(&co);
	co.baseline = opt_baseline;
	json_array_foreach(mruns, ri, rr)
		mixed |= !table__is_rtt(rr);
	if (!mixed) {       /* exit-floor runs: compare round trips, not flushes */
		co.metrics[0] = "exit_rtt.p50";
		co.metrics[1] = "hypercall_rtt.p50";
		co.metrics[2] = "rates.exits_per_s";
		co.nr_metrics = 3;
	}
	co.cmd = "run";
	printf("\n");
	compare__within(view, &co, stdout);
}

/* Plots + report.html; a full or failing disk is an error, else a warning. */
static int run__plot(const char *outdir, json_t *view)
{
	char perr[512];
	int np = plot__results(outdir, view, opt_plot_format, opt_quiet ? NULL : stderr, perr, sizeof(perr));
	int rr = np < 0 ? np : report__write(outdir, view, NULL, perr, sizeof(perr));

	if (rr && run__is_write_error(rr)) {
		pr_err("run: %s: %s", np < 0 ? "plots not drawn" : "report not written", perr);
		if (!strstr(perr, strerror(-rr)))
			pr_err("run: cause: %s", strerror(-rr));
		return FB_EXIT_USAGE;
	}
	if (np < 0)
		pr_warn("plots not drawn: %s", perr);
	else if (rr)
		pr_warn("report not written: %s", perr);
	else
		printf("\nplots:  %s/plots/\nreport: %s/report.html\n", outdir, outdir);
	return 0;
}

/* The tables, comparison, plots and the final words; the exit code. */
static int run__summary(struct run_state *st)
{
	json_t *view = results__measured_view(st->root);
	json_t *mruns = json_object_get(view, "runs");
	int rc = st->rc;

	if (json_array_size(mruns))
		run__print_variant_axes(mruns);
	table__print_runs(st->runs);
	table__print_failures(st->runs);
	achieved__print(stdout, st->runs);
	if (json_is_true(json_object_get(json_object_get(st->env, "exit_floor"), "measured"))) {
		putchar('\n');
		hosthdr__exit_floor(stdout, st->env, st->runs);
	}
	if (!st->interrupted && json_array_size(mruns) > 1)
		run__compare(view, mruns);
	if (!opt_no_plot && !st->interrupted && json_array_size(mruns) && run__plot(st->outdir, view))
		rc = FB_EXIT_USAGE;
	json_decref(view);
	printf("results: %s/results.json%s\n", st->outdir, st->default_out ? " (also results/latest)" : "");
	if (st->interrupted) {
		fprintf(stderr, "bench run: interrupted: kept %zu finished runs in %s (complete=false)\n",
			json_array_size(st->runs), st->outdir);
		rc = FB_EXIT_INTERRUPTED;
	}
	if (st->nfailed) {
		fprintf(stderr, "bench run: %u variant run(s) failed or timed out (see \"failure\" in results.json)\n",
			st->nfailed);
		if (!rc)
			rc = FB_EXIT_FAIL;
	}
	int orc = table__verdicts(st->runs, st->sc.variants, st->sc.nr_variants);
	return rc ? rc : orc;
}

/* The one place the results root is final, then the summary; exit code. */
static int run__finish(struct run_state *st)
{
	char tend[64], err[1024];

	if (st->aborted) {
		/* the worker is dead and the machine restored (supervisor__run_variant) */
		fprintf(stderr, "bench run: aborted: kept %zu finished runs in %s (complete=false)\n",
			json_array_size(st->runs), st->outdir);
		if (!json_array_size(st->runs) && st->created_out)
			rmdir(st->outdir);
		exit(FB_EXIT_INTERRUPTED);
	}
	env__iso_time(tend, sizeof(tend));
	json_object_set_new(st->env, "end_time", json_string(tend));
	json_object_set_new(st->env, "wall_s", json_real((double)(now_ns() - st->t0) / 1e9));
	if (st->sc.variants[0].repeat_max)
		json_object_set_new(json_object_get(st->root, "scenario"), "adaptive",
				    schedule__adaptive_json(&st->sc, st->runs));
	if (json_array_size(st->runs) == 0) {
		if (st->created_out)
			rmdir(st->outdir);      /* nothing half-written left behind */
		if (st->interrupted)
			run__die(FB_EXIT_INTERRUPTED, "interrupted before any run finished; nothing written");
		return st->rc ? st->rc : FB_EXIT_BUG;
	}
	if (st->stopped && st->rc == FB_EXIT_USAGE && !st->interrupted) {
		/* results.json already holds what finished (complete=false) */
		if (st->written)
			printf("results: %s/results.json (complete=false)\n", st->outdir);
		return st->rc;
	}
	results__sort_runs(st->runs);
	/* every run is in; "complete" says whether all planned variants ran
	 * (failed ones included) */
	json_object_set(st->root, "complete", json_boolean(!st->interrupted && !st->stopped));
	hosthdr__exit_floor(NULL, st->env, st->runs);
	achieved__annotate(st->runs, opt_baseline);
	int r = results__write(st->outdir, st->root);
	if (r)
		run__die(FB_EXIT_USAGE, "writing %s/results.json: %s", st->outdir, strerror(-r));
	if (st->default_out)
		outdir__link_latest(st->outdir);
	/* results history (docs/HISTORY.md); a failure costs the record, not the results */
	if (!opt_no_history && history__record_run(st->root, st->outdir, opt_db, err, sizeof(err)))
		fprintf(stderr, "bench run: warning: %s; results kept in %s\n", err, st->outdir);
	return run__summary(st);
}

static void run__exit(struct run_state *st)
{
	json_decref(st->root);
	scenario__free(&st->sc);
	schedule__free(&st->sched);
	free(st->keep);
	free(st->cmdline);
}

int cmd_run(int argc, char **argv)
{
	struct run_state st = { 0 };
	int rc = run__init(&st, argc, argv);

	if (!rc) {
		run__work(&st);
		rc = run__finish(&st);
	}
	run__exit(&st);
	return rc < 0 ? 0 : rc;
}
