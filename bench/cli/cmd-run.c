/* SPDX-License-Identifier: MIT */
/*
 * bench run: expand the scenario, run every (variant, repeat) in a seeded
 * shuffled order, each in a forked worker (bench/run/supervisor.c), append its
 * record and rewrite results.json/csv atomically after every one, print the
 * table, plot.  This process is the supervisor: it owns the output, the
 * machine state (swap-mode lock, repair after each worker), time budgets
 * and signals (docs/ARCHITECTURE.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
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
#include "numa.h"
#include "options.h"
#include "parse-options.h"
#include "perf.h"
#include "plot.h"
#include "pressure.h"
#include "report.h"
#include "results.h"
#include "table.h"
#include "run.h"
#include "scenario.h"
#include "stats.h"
#include "supervisor.h"
#include "pressure/zram.h"
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
	OPT_STRING('o', "out", &opt_out, "DIR", "results directory (default: results/<time>, linked as results/latest)"),
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

/* Check we can create files in dir before spending minutes on a run. */
static int dir_writable(const char *dir)
{
	char p[4200];
	snprintf(p, sizeof(p), "%s/.bench-write-test.%d", dir, (int)getpid());
	int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return -errno;
	close(fd);
	unlink(p);
	return 0;
}

/* Open files: the kvm backend holds one fd per vCPU (plus its mmap'd
 * kvm_run), the rest of the harness a few dozen.  Raise the soft limit up to
 * the hard one if needed; else one line and exit 2 (never one per vCPU). */
static void run__check_nofile(const struct scenario *sc)
{
	unsigned vcpus = 0;
	for (unsigned i = 0; i < sc->nr_variants; i++)
		if (strcmp(sc->variants[i].backend, "native") && sc->variants[i].vcpus > vcpus)
			vcpus = sc->variants[i].vcpus;
	if (!vcpus)
		return;
	rlim_t need = (rlim_t)vcpus + 64;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= need)
		return;
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need) {
		rl.rlim_cur = need;
		if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
			return;
	}
	run__die(FB_EXIT_USAGE, "%u vCPUs need about %llu open files; the limit is %llu: run `ulimit -n %llu`",
		 vcpus, (unsigned long long)need, (unsigned long long)rl.rlim_max, (unsigned long long)need);
}

/* Guest memory must fit in the machine (swap mode may page it, but its
 * memory cgroup limit is a part of it, so RAM + swap bounds it). */
static void run__check_memory(const struct scenario *sc)
{
	unsigned long long total_kb = 0, swap_kb = 0, v;
	char key[64];
	FILE *f = fopen("/proc/meminfo", "re");
	if (!f)
		return;
	while (fscanf(f, "%63s %llu kB ", key, &v) == 2) {
		if (!strcmp(key, "MemTotal:"))
			total_kb = v;
		else if (!strcmp(key, "SwapTotal:"))
			swap_kb = v;
	}
	fclose(f);
	for (unsigned i = 0; i < sc->nr_variants; i++) {
		const struct run_config *c = &sc->variants[i];
		unsigned long long room = total_kb + (strcmp(c->pressure, "none") ? swap_kb : 0);
		if (total_kb && (unsigned long long)c->mem_mb * 1024 > room)
			run__die(FB_EXIT_USAGE, "mem_mb=%u needs %u MiB of guest memory; this machine has %llu MiB "
				 "of RAM%s: lower --mem-mb", c->mem_mb, c->mem_mb, total_kb / 1024,
				 strcmp(c->pressure, "none") ? " + swap" : "");
	}
}

/* results/<time>, created exclusively: a run started in the same second
 * gets <time>-2, -3, ... (never a shared directory). */
static void run__make_default_out(char *outdir, size_t len)
{
	char t[32];
	results__time_name("", t, sizeof(t));
	int r = mkdir_p("results");
	if (r)
		run__die(FB_EXIT_USAGE, "cannot create 'results': %s; choose --out", strerror(-r));
	for (unsigned n = 1; n < 1000; n++) {
		if (n == 1)
			snprintf(outdir, len, "results/%s", t);
		else
			snprintf(outdir, len, "results/%s-%u", t, n);
		if (mkdir(outdir, 0755) == 0)
			return;
		if (errno != EEXIST)
			run__die(FB_EXIT_USAGE, "cannot create '%s': %s; choose --out", outdir, strerror(errno));
	}
	run__die(FB_EXIT_USAGE, "results/%s-1..999 all exist; choose --out", t);
}

static bool run__uses_swap(const struct scenario *sc, const bool *keep)
{
	for (unsigned i = 0; i < sc->nr_variants; i++)
		if (keep[i] && !strcmp(sc->variants[i].pressure, "swap"))
			return true;
	return false;
}

/* The machine-wide swap-mode lock, held until exit: swap-mode runs go one
 * after the other and never adopt each other's zram. */
static void run__swap_lock(void)
{
	int holder, fd = swap__lock(false, &holder);
	if (fd == -EWOULDBLOCK) {
		if (opt_no_wait)
			run__die(FB_EXIT_USAGE, "another swap-mode run (pid %d) holds /run/flushbench-swap.lock; "
				 "wait for it or drop --no-wait", holder);
		fprintf(stderr, "bench run: waiting for another swap-mode run (pid %d) to finish "
			"(/run/flushbench-swap.lock; --no-wait refuses instead)\n", holder);
		fd = swap__lock(true, &holder);
	}
	if (fd == -EINTR)
		run__die(FB_EXIT_INTERRUPTED, "interrupted while waiting for the swap-mode lock; nothing written");
	if (fd < 0)
		run__die(FB_EXIT_USAGE, "cannot take /run/flushbench-swap.lock: %s", strerror(-fd));
	/* kept open (and inherited by the workers) until we exit */
}

/* A zram swap of a live process that is not ours (a run that does not take
 * the lock): wait for it to go rather than adopt it or fail. */
static void run__wait_foreign_swap(void)
{
	bool said = false;
	int pid;

	while ((pid = zram__foreign_owner()) && !cleanup__interrupted()) {
		if (!said && !opt_quiet)
			fprintf(stderr, "\nbench run: waiting for the zram swap of process %d to go\n", pid);
		said = true;
		struct timespec ts = { 0, 200L * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

static bool run__is_write_error(int r)
{
	return r == -ENOSPC || r == -EIO || r == -EDQUOT || r == -EROFS || r == -EFBIG;
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Validate everything we can before the first VM: backend, vCPU limit,
 * pressure modes (unavailable ones are dropped with a warning), perf. */
static int run__preflight(struct scenario *sc, const struct backend_ops **backend,
			  char *note, size_t nlen, bool *keep)
{
	char err[512], why[512];
	unsigned kept = 0;
	const char *want = sc->variants[0].backend;

	for (unsigned i = 1; i < sc->nr_variants; i++)
		if (strcmp(sc->variants[i].backend, want))
			run__die(FB_EXIT_USAGE, "all variants must use one backend (got '%s' and '%s')",
			    want, sc->variants[i].backend);
	*backend = env__backend(want, note, nlen, err, sizeof(err));
	if (!*backend)
		run__die(FB_EXIT_USAGE, "%s; use --backend native to run without KVM", err);
	if (note[0] && strcmp(want, "native"))
		pr_warn("%s", note);

	int max_vcpus = FB_MAX_VCPUS;
	if (*backend == &backend_kvm) {
		json_t *k = json_object();
		if (backend_kvm__info(k) == 0 && json_integer_value(json_object_get(k, "max_vcpus")) > 0)
			max_vcpus = (int)json_integer_value(json_object_get(k, "max_vcpus"));
		json_decref(k);
	}
	for (unsigned i = 0; i < sc->nr_variants; i++) {
		struct run_config *c = &sc->variants[i];
		if (max_vcpus > 0 && c->vcpus > (unsigned)max_vcpus)
			run__die(FB_EXIT_USAGE, "vcpus=%u exceeds KVM_CAP_MAX_VCPUS=%d on this kernel; lower --vcpus",
			    c->vcpus, max_vcpus);
		if ((c->r.srcu_gp & CFG_GP_KERNEL) && strcmp(c->srcu_gp, "auto") && *backend != &backend_kvm)
			run__die(FB_EXIT_USAGE, "srcu-gp=%s needs the kvm backend (a real kvm->srcu); use --srcu-gp vmm",
			    c->srcu_gp);
		if (c->mem_node[0] && numa__check(c->mem_node, why, sizeof(why)))
			run__die(FB_EXIT_USAGE, "%s", why);
		if (strcmp(c->perf, "none") && !perf__available(c->perf, why, sizeof(why)))
			run__die(FB_EXIT_USAGE, "--perf %s: %s", c->perf, why);
	}
	/* each pressure mode in use is asked once whether it can run here */
	for (unsigned k = 0; pressures[k]; k++) {
		bool used = false, ok;
		for (unsigned i = 0; i < sc->nr_variants; i++)
			used |= sc->variants[i].r.pressure == pressures[k];
		if (!used)
			continue;
		ok = pressures[k]->available(why, sizeof(why));
		if (!ok)
			pr_warn("skipping pressure=%s: %s", pressures[k]->name, why);
		for (unsigned i = 0; i < sc->nr_variants; i++)
			if (sc->variants[i].r.pressure == pressures[k])
				keep[i] = ok;
	}
	for (unsigned i = 0; i < sc->nr_variants; i++)
		kept += keep[i];
	if (!kept)
		run__die(FB_EXIT_USAGE, "no variant can run here (see the warnings above)");
	return 0;
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

static int run__cmp(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t vx = json_integer_value(json_object_get(x, "variant"));
	json_int_t vy = json_integer_value(json_object_get(y, "variant"));
	json_int_t rx = json_integer_value(json_object_get(x, "repeat"));
	json_int_t ry = json_integer_value(json_object_get(y, "repeat"));

	return vx != vy ? (vx < vy ? -1 : 1) : (rx < ry ? -1 : rx > ry);
}

/* runs[] in scenario order (variant, repeat); the run order is in scenario.order */
static void run__sort(json_t *runs)
{
	size_t n = json_array_size(runs);
	json_t **v = xcalloc(n, sizeof(*v));

	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(runs, i));
	qsort(v, n, sizeof(*v), run__cmp);
	json_array_clear(runs);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(runs, v[i]);
	free(v);
}

/* Variants the supervisor recorded as failed / timeout, with the cause. */
static unsigned run__print_failures(json_t *runs)
{
	size_t i;
	json_t *run;
	char key[512];
	unsigned n = 0;

	json_array_foreach(runs, i, run) {
		json_t *f = json_object_get(run, "failure");
		if (!f)
			continue;
		if (!n++)
			printf("\nfailed variants:\n");
		table__label(run, key, sizeof(key));
		printf("  %s: %s: %s\n", key, json_string_value(json_object_get(run, "verdict")),
		       json_string_value(json_object_get(f, "cause")));
	}
	return n;
}

/* The root for compare/plots/report: only runs that have measurements. */
static json_t *run__measured_view(json_t *root)
{
	json_t *view = json_copy(root), *runs = json_array(), *run;
	size_t i;

	json_array_foreach(json_object_get(root, "runs"), i, run)
		if (json_object_get(run, "metrics"))
			json_array_append(runs, run);
	json_object_set_new(view, "runs", runs);
	return view;
}

/* Relative standard error (%) of metric over the runs of variant v so far;
 * n = number of runs that have it. */
static double run__rse(json_t *runs, unsigned v, const char *metric, unsigned *n)
{
	double x[1024];
	size_t i;
	json_t *run;
	struct sample_stats st;

	*n = 0;
	json_array_foreach(runs, i, run) {
		double val;
		if ((unsigned)json_integer_value(json_object_get(run, "variant")) != v || *n >= 1024 ||
		    results__metric_value(run, metric, &val))
			continue;
		x[(*n)++] = val;
	}
	if (*n < 2)
		return 100.0;
	stats__describe(x, *n, &st);
	return st.mean != 0 ? st.sd / sqrt((double)*n) / fabs(st.mean) * 100.0 : 0.0;
}

/* Phoronix-style adaptive repeats: queue one more (shuffled) round for every
 * variant whose metric is still noisier than repeat_rse_pct, until
 * repeat_max runs.  Returns the number of runs added. */
static unsigned run__adaptive_round(struct scenario *sc, const bool *keep, json_t *runs, unsigned round,
				    unsigned **order, unsigned *npairs, uint64_t *seed)
{
	const struct run_config *c0 = &sc->variants[0];
	unsigned add = 0, first = *npairs;

	if (!c0->repeat_max || round >= c0->repeat_max || cleanup__interrupted())
		return 0;
	*order = realloc(*order, sizeof(**order) * (*npairs + sc->nr_variants));
	if (!*order)
		run__die(FB_EXIT_BUG, "out of memory");
	for (unsigned v = 0; v < sc->nr_variants; v++) {
		unsigned n;
		if (!keep[v] || (c0->repeat_mde_pct > 0 ? compare__variant_mde_pct(runs, v, c0->repeat_metric, &n) <=
				 c0->repeat_mde_pct : run__rse(runs, v, c0->repeat_metric, &n) <= c0->repeat_rse_pct))
			continue;
		(*order)[(*npairs)++] = round * sc->nr_variants + v;
		add++;
	}
	for (unsigned i = add; i > 1; i--) {
		unsigned j = (unsigned)(splitmix(seed) % i), t = (*order)[first + i - 1];
		(*order)[first + i - 1] = (*order)[first + j];
		(*order)[first + j] = t;
	}
	if (add && !opt_quiet)
		fprintf(stderr, "\nbench run: adaptive repeats: round %u for %u variant(s) above %.1f%% %s of %s\n",
			round + 1, add, c0->repeat_mde_pct > 0 ? c0->repeat_mde_pct : c0->repeat_rse_pct,
			c0->repeat_mde_pct > 0 ? "MDE" : "RSE", c0->repeat_metric);
	return add;
}

/* What adaptive repeating ended with, per variant, for results.json. */
static json_t *run__adaptive_json(struct scenario *sc, json_t *runs)
{
	const struct run_config *c0 = &sc->variants[0];
	json_t *o = json_object(), *per = json_array();

	json_object_set_new(o, "metric", json_string(c0->repeat_metric));
	json_object_set_new(o, "target_rse_pct", json_real(c0->repeat_rse_pct));
	if (c0->repeat_mde_pct > 0)
		json_object_set_new(o, "target_mde_pct", json_real(c0->repeat_mde_pct));
	json_object_set_new(o, "max", json_integer(c0->repeat_max));
	for (unsigned v = 0; v < sc->nr_variants; v++) {
		unsigned n;
		double rse = run__rse(runs, v, c0->repeat_metric, &n);
		json_array_append_new(per, json_pack("{s:i,s:i,s:f}", "variant", (int)v, "runs", (int)n, "rse_pct", rse));
	}
	json_object_set_new(o, "variants", per);
	return o;
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

int cmd_run(int argc, char **argv)
{
	struct scenario sc;
	char err[1024], note[512], outdir[4096];
	const struct backend_ops *backend;
	bool default_out;
	int rc = 0;

	char *cmdline = run__command_line(argc, argv);
	/* the spelling of the two most used keys */
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--duration"))
			argv[i] = "--duration-s";
		else if (!strcmp(argv[i], "--warmup"))
			argv[i] = "--warmup-s";
		else if (!strncmp(argv[i], "--duration=", 11) || !strncmp(argv[i], "--warmup=", 9)) {
			const char *eq = strchr(argv[i], '=');
			char *a = xzalloc(strlen(argv[i]) + 3);
			sprintf(a, "%.*s-s%s", (int)(eq - argv[i]), argv[i], eq);
			argv[i] = a;
		}
	}
	/* --scenario must be loaded before the CLI overrides apply */
	for (int i = 1; i < argc; i++) {
		if ((!strcmp(argv[i], "--scenario") || !strcmp(argv[i], "-s")) && i + 1 < argc)
			opt_scenario = argv[i + 1];
		else if (!strncmp(argv[i], "--scenario=", 11))
			opt_scenario = argv[i] + 11;
	}
	scenario__init(&sc);
	if (scenario__load(&sc, opt_scenario, err, sizeof(err)))
		run__die(FB_EXIT_USAGE, "%s", err);
	int nargs = parse_options("run", argc, argv, run_options, run_usage, &sc);
	if (nargs < 0) {
		scenario__free(&sc);
		free(cmdline);
		return nargs == -2 ? 0 : FB_EXIT_USAGE;
	}
	if (nargs > 0)
		run__die(FB_EXIT_USAGE, "unexpected argument '%s' (see 'bench run --help')", argv[0]);
	if (opt_quiet)
		fb_log_level = 0;
	if (opt_verbose)
		fb_log_level = 2;
	if (strcmp(opt_plot_format, "png") && strcmp(opt_plot_format, "svg") && strcmp(opt_plot_format, "both"))
		run__die(FB_EXIT_USAGE, "--plot-format must be png, svg or both");
	if (scenario__expand(&sc, err, sizeof(err)))
		run__die(FB_EXIT_USAGE, "%s", err);
	char why[256];
	if (design__check_all(why, sizeof(why)))
		run__die(FB_EXIT_BUG, "design table is broken: %s", why);

	run__check_nofile(&sc);
	run__check_memory(&sc);
	bool *keep = xcalloc(sc.nr_variants, sizeof(bool));
	run__preflight(&sc, &backend, note, sizeof(note), keep);

	/* signals count from here; the workers are told, never this process killed */
	cleanup__install_supervisor_signals();
	if (run__uses_swap(&sc, keep))
		run__swap_lock();

	default_out = !opt_out;
	if (default_out) {
		run__make_default_out(outdir, sizeof(outdir));
	} else {
		snprintf(outdir, sizeof(outdir), "%s", opt_out);
		int r0 = mkdir_p(outdir);
		if (r0)
			run__die(FB_EXIT_USAGE, "cannot write results to '%s': %s; choose another --out",
				 outdir, strerror(-r0));
	}
	int r = dir_writable(outdir);
	if (r)
		run__die(FB_EXIT_USAGE, "cannot write results to '%s': %s; choose another --out", outdir, strerror(-r));

	/* (variant, repeat) pairs, shuffled so drift does not favour a variant */
	unsigned repeat = sc.repeat ? sc.repeat : 1, npairs = 0;
	unsigned *order = xcalloc((size_t)sc.nr_variants * repeat, sizeof(unsigned));
	for (unsigned rep = 0; rep < repeat; rep++)
		for (unsigned v = 0; v < sc.nr_variants; v++)
			if (keep[v])
				order[npairs++] = rep * sc.nr_variants + v;
	uint64_t s = sc.seed;
	for (unsigned i = npairs; i > 1; i--) {
		unsigned j = (unsigned)(splitmix(&s) % i);
		unsigned t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}

	json_t *root = json_object(), *runs = json_array(), *jorder = json_array();
	json_t *env = env__json();
	json_object_set_new(env, "backend", json_string(backend->name));
	json_object_set_new(env, "backend_note", json_string(note));
	if (backend == &backend_native) {
		/* found (or calibrated) once, here, so no VM's setup time holds it */
		const char *tsc_src;
		uint64_t tsc_t0 = now_ns(), khz = tsc__khz(&tsc_src);
		json_object_set_new(env, "tsc_source", json_pack("{s:s,s:I,s:f}", "source", tsc_src,
			"khz", (json_int_t)khz, "ms", (double)(now_ns() - tsc_t0) / 1e6));
	}
	json_object_set_new(root, "schema", json_string(RESULTS_SCHEMA));
	json_object_set_new(root, "complete", json_false());
	json_object_set_new(root, "tool", json_pack("{s:s,s:s,s:s}", "name", "flushbench",
						    "version", FB_VERSION, "git", FB_GIT_REV));
	json_object_set_new(root, "command", json_string(cmdline));
	json_object_set_new(root, "env", env);
	for (unsigned i = 0; i < npairs; i++)
		json_array_append_new(jorder, json_integer(order[i]));
	char seed[24];      /* u64: a decimal string everywhere (docs/RESULTS.md) */
	snprintf(seed, sizeof(seed), "%" PRIu64, sc.seed);
	json_object_set_new(root, "scenario", json_pack("{s:s,s:O,s:i,s:i,s:s,s:f,s:o}",
		"source", sc.source, "keys", sc.keys, "variants", (int)sc.nr_variants, "repeat", (int)repeat,
		"seed", seed, "warmup_s", sc.warmup_s, "order", jorder));
	json_object_set_new(root, "runs", runs);

	bool tty = isatty(STDERR_FILENO);
	uint64_t t0 = now_ns();
	bool interrupted = false, aborted = false, stopped = false, written = false;
	unsigned nfailed = 0;
	unsigned max_vcpus = 0;
	for (unsigned i = 0; i < sc.nr_variants; i++)
		if (keep[i] && sc.variants[i].vcpus > max_vcpus)
			max_vcpus = sc.variants[i].vcpus;
	/* what the numbers come from, before any number (also env.warnings) */
	hosthdr__print(opt_quiet ? NULL : stdout, env, backend->name, max_vcpus);
	fflush(stdout);
	if (!opt_quiet && sc.nr_collapsed)
		fprintf(stderr, "bench run: %u variants dropped: the null/hypercall workloads ignore design, "
			"request, pressure and the flush/touch keys\n", sc.nr_collapsed);
	if (!opt_quiet)
		fprintf(stderr, "bench run: %u variants x %u repeats on the %s backend -> %s\n",
			sc.nr_variants, repeat, backend->name, outdir);
	unsigned round = repeat;
	for (unsigned k = 0;; k++) {
		if (cleanup__interrupted()) {
			interrupted = true;
			break;
		}
		if (k == npairs) {
			/* adaptive repeats: another round for the noisy variants */
			if (!run__adaptive_round(&sc, keep, runs, round, &order, &npairs, &s))
				break;
			round++;
		}
		unsigned v = order[k] % sc.nr_variants, rep = order[k] / sc.nr_variants;
		struct run_config *c = &sc.variants[v];
		char *key = scenario__variant_key(&sc, c);
		struct run_ctx ctx = { .outdir = outdir, .key = key, .variant = v, .repeat = rep, .backend = backend };
		struct worker_result wr;

		run__progress(k, npairs, key, rep, t0, tty);
		if (!strcmp(c->pressure, "swap"))
			run__wait_foreign_swap();
		if (cleanup__interrupted()) {
			free(key);
			interrupted = true;
			break;
		}
		supervisor__run_variant(c, &ctx, opt_budget_s > 0 ? opt_budget_s : supervisor__budget(c), &wr);
		if (wr.outcome == WORKER_ABORTED) {
			aborted = interrupted = true;
			if (!wr.record) {
				free(key);
				break;
			}
			/* finished numbers that arrived before the kill are kept */
		}
		if (wr.outcome == WORKER_INTERRUPTED) {
			free(key);
			interrupted = true;
			break;
		}
		if (wr.outcome == WORKER_CONFIG) {
			if (tty && !opt_quiet)
				fputc('\n', stderr);
			pr_err("run: variant %u repeat %u: %s", v, rep, wr.cause);
			free(key);
			rc = FB_EXIT_USAGE;
			stopped = true;
			break;
		}
		if (wr.outcome == WORKER_FAILED || wr.outcome == WORKER_TIMEOUT) {
			if (tty && !opt_quiet)
				fputc('\n', stderr);
			pr_err("run: variant %u repeat %u (%s): %s: %s", v, rep, key,
			       wr.outcome == WORKER_TIMEOUT ? "timeout" : "failed", wr.cause);
			nfailed++;
		}
		json_t *run = supervisor__record(c, &ctx, &wr);
		free(key);
		if (!json_object_get(env, "vm_setup_ms") && json_real_value(json_object_get(run, "vm_setup_ms")) > 0)
			json_object_set(env, "vm_setup_ms", json_object_get(run, "vm_setup_ms"));
		if (!json_object_get(env, "tsc_khz") && json_object_get(run, "tsc_khz"))
			json_object_set(env, "tsc_khz", json_object_get(run, "tsc_khz"));
		json_array_append_new(runs, run);
		/* after every variant: a kill of anything loses at most the one in flight */
		run__sort(runs);
		r = results__write(outdir, root);
		if (r) {
			if (tty && !opt_quiet)
				fputc('\n', stderr);
			pr_err("run: writing %s/results.json: %s", outdir, strerror(-r));
			rc = FB_EXIT_USAGE;
			stopped = true;
			break;
		}
		written = true;
		if (aborted)
			break;
	}
	if (tty && !opt_quiet)
		fputc('\n', stderr);
	if (aborted) {
		/* the worker is dead and the machine restored (supervisor__run_variant) */
		fprintf(stderr, "bench run: aborted: kept %zu finished runs in %s (complete=false)\n",
			json_array_size(runs), outdir);
		if (!json_array_size(runs))
			rmdir(outdir);
		exit(FB_EXIT_INTERRUPTED);
	}
	char tend[64];
	env__iso_time(tend, sizeof(tend));
	json_object_set_new(env, "end_time", json_string(tend));
	json_object_set_new(env, "wall_s", json_real((double)(now_ns() - t0) / 1e9));
	if (sc.variants[0].repeat_max)
		json_object_set_new(json_object_get(root, "scenario"), "adaptive", run__adaptive_json(&sc, runs));

	if (json_array_size(runs) == 0) {
		rmdir(outdir);      /* nothing half-written left behind */
		if (interrupted)
			run__die(FB_EXIT_INTERRUPTED, "interrupted before any run finished; nothing written");
		json_decref(root);
		scenario__free(&sc);
		return rc ? rc : FB_EXIT_BUG;
	}
	if (stopped && rc == FB_EXIT_USAGE && json_array_size(runs) && !interrupted) {
		/* results.json already holds what finished (complete=false) */
		if (written)
			printf("results: %s/results.json (complete=false)\n", outdir);
		json_decref(root);
		scenario__free(&sc);
		return rc;
	}
	run__sort(runs);
	/* The one place the results root is final: every run is in, "complete"
	 * says whether all planned variants ran (failed ones included). */
	json_object_set(root, "complete", json_boolean(!interrupted && !stopped));
	hosthdr__exit_floor(NULL, env, runs);
	achieved__annotate(runs, opt_baseline);
	r = results__write(outdir, root);
	if (r)
		run__die(FB_EXIT_USAGE, "writing %s/results.json: %s", outdir, strerror(-r));
	if (default_out) {
		/* results/latest -> newest run (replace atomically) */
		char tmp[64];
		snprintf(tmp, sizeof(tmp), "results/.latest.%d", (int)getpid());
		unlink(tmp);
		if (symlink(outdir + strlen("results/"), tmp) == 0 && rename(tmp, "results/latest"))
			unlink(tmp);
	}
	/* results history (docs/HISTORY.md); a failure costs the record, not the results */
	if (!opt_no_history && history__record_run(root, outdir, opt_db, err, sizeof(err)))
		fprintf(stderr, "bench run: warning: %s; results kept in %s\n", err, outdir);

	json_t *view = run__measured_view(root);
	json_t *mruns = json_object_get(view, "runs");
	if (json_array_size(mruns)) {
		json_t *r0 = json_array_get(mruns, 0);
		const char *k0 = json_string_value(json_object_get(r0, "key"));
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
	table__print_runs(runs);
	run__print_failures(runs);
	achieved__print(stdout, runs);
	if (json_is_true(json_object_get(json_object_get(env, "exit_floor"), "measured"))) {
		putchar('\n');
		hosthdr__exit_floor(stdout, env, runs);
	}
	if (!interrupted && json_array_size(mruns) > 1) {
		struct compare_opts co;
		compare__default_opts(&co);
		co.baseline = opt_baseline;
		size_t ri;
		json_t *rr;
		bool mixed = false;
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
	if (!opt_no_plot && !interrupted && json_array_size(mruns)) {
		char perr[512];
		int np = plot__results(outdir, view, opt_plot_format, opt_quiet ? NULL : stderr, perr, sizeof(perr));
		int rr = np < 0 ? np : report__write(outdir, view, NULL, perr, sizeof(perr));
		if (rr && run__is_write_error(rr)) {
			/* a full or failing disk is an error, not a warning */
			pr_err("run: %s: %s", np < 0 ? "plots not drawn" : "report not written", perr);
			if (!strstr(perr, strerror(-rr)))
				pr_err("run: cause: %s", strerror(-rr));
			rc = FB_EXIT_USAGE;
		} else if (np < 0) {
			pr_warn("plots not drawn: %s", perr);
		} else if (rr) {
			pr_warn("report not written: %s", perr);
		} else {
			printf("\nplots:  %s/plots/\nreport: %s/report.html\n", outdir, outdir);
		}
	}
	json_decref(view);
	printf("results: %s/results.json%s\n", outdir, default_out ? " (also results/latest)" : "");
	if (interrupted) {
		fprintf(stderr, "bench run: interrupted: kept %zu finished runs in %s (complete=false)\n",
			json_array_size(runs), outdir);
		rc = FB_EXIT_INTERRUPTED;
	}
	if (nfailed) {
		fprintf(stderr, "bench run: %u variant run(s) failed or timed out (see \"failure\" in results.json)\n",
			nfailed);
		if (!rc)
			rc = FB_EXIT_FAIL;
	}
	int orc = table__verdicts(runs, sc.variants, sc.nr_variants);
	if (!rc)
		rc = orc;
	json_decref(root);
	scenario__free(&sc);
	free(order);
	free(keep);
	free(cmdline);
	return rc;
}
