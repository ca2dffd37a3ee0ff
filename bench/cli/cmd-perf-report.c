// SPDX-License-Identifier: MIT
/*
 * bench perf-report DIR [VARIANT]: summarise the profiles `bench run --perf
 * record --out DIR` left in DIR/perf/ (docs/PERF.md).
 *
 * For each DIR/perf/<variant>.data: the top symbols per event (perf report
 * --stdio --sort symbol --percent-limit 1), and DIR/perf/<variant>.folded,
 * the collapsed stacks ("comm;outer;...;inner count", Brendan Gregg's folded
 * format; Debian's perf ships no stackcollapse script, so the collapse is
 * done here) for flamegraph.pl / speedscope / inferno.
 * --check verifies every run of results.json against its perf output:
 * record data only inside the recorded window, stat counts present.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "builtin.h"
#include "parse-options.h"
#include "perf.h"
#include "results.h"
#include "exit-codes.h"
#include "util.h"

#define WINDOW_SLACK_NS 1000000ull    /* two readers of CLOCK_MONOTONIC */

static const char *const perf_report_usage[] = {
	"bench perf-report DIR [VARIANT] [options]",
	NULL,
};

static unsigned top_n = 15;
static const char *fold_event = "cpu-clock";
static bool per_thread, check, fold = true;

static const struct option perf_report_options[] = {
	OPT_UINT('n', "top", &top_n, "symbols shown per event (default 15)"),
	OPT_STRING('e', "event", &fold_event, "EVENT",
		   "event whose call chains are folded (default cpu-clock)"),
	OPT_BOOLEAN(0, "per-thread", &per_thread,
		    "keep thread names as they are (default: 'vcpu-12' folds into 'vcpu')"),
	OPT_BOOLEAN(0, "fold", &fold, "write DIR/perf/<variant>.folded (default; --no-fold skips)"),
	OPT_BOOLEAN(0, "check", &check,
		    "verify each run's perf output against results.json (window, counts); exit 1 on a violation"),
	OPT_END()
};

void cmd_perf_report_help(void)
{
	usage_with_options(perf_report_usage, perf_report_options, false);
	printf("\n"
	       "DIR is a `bench run --perf record --out DIR` directory.  VARIANT selects one\n"
	       "profile: its file name (with or without .data) or a substring of it.\n"
	       "Writes DIR/perf/<variant>.folded; make a flame graph with e.g.\n"
	       "  flamegraph.pl DIR/perf/<variant>.folded > flame.svg\n"
	       "Exit: 0 ok, 1 --check found a violation, 2 usage error.\n");
}

/* ---- small helpers ------------------------------------------------------- */

/* 'it'\''s' quoting for popen(). */
static char *shq(const char *s)
{
	size_t n = 3;
	char *o, *p;

	for (const char *c = s; *c; c++)
		n += *c == '\'' ? 4 : 1;
	o = p = xzalloc(n);
	*p++ = '\'';
	for (const char *c = s; *c; c++) {
		if (*c == '\'') {
			memcpy(p, "'\\''", 4);   // NOLINT(bugprone-not-null-terminated-result): 4 of n bytes
			p += 4;
		} else {
			*p++ = *c;
		}
	}
	*p = '\'';
	return o;
}

static FILE *perf_pipe(const char *args, const char *file)
{
	char perf[4096], *cmd, *qp, *qf;
	FILE *f;

	perf__path(perf, sizeof(perf));
	qp = shq(perf);
	qf = shq(file);
	if (asprintf(&cmd, "%s %s -i %s 2>/dev/null", qp, args, qf) < 0)
		die(FB_EXIT_BUG, "out of memory");
	f = popen(cmd, "r");    // NOLINT(cert-env33-c): runs perf; both arguments are shq()-quoted
	free(cmd);
	free(qp);
	free(qf);
	return f;
}

static bool ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcmp(s + a - b, suf);
}

/* ---- top symbols ------------------------------------------------------------- */

static void print_top(const char *file)
{
	FILE *f = perf_pipe("report --stdio --no-children --sort symbol --percent-limit 1 -g none", file);
	char line[1024];
	unsigned shown = 0;
	bool in_event = false;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *ev = strstr(line, "# Samples: ");

		line[strcspn(line, "\n")] = 0;
		if (ev) {
			printf("  %s\n", ev + 2);
			in_event = true;
			shown = 0;
			continue;
		}
		if (!in_event || line[0] == '#' || !line[0])
			continue;
		/* "    58.06%  [.] spin     -   -" : drop the IPC columns */
		size_t l = strlen(line);
		while (l && (isspace((unsigned char)line[l - 1]) || line[l - 1] == '-'))
			line[--l] = 0;
		if (shown++ < top_n)
			printf("  %s\n", line);
	}
	pclose(f);
}

/* ---- folding ------------------------------------------------------------------
 * perf script -F comm,tid,event,ip,sym prints, per sample:
 *   "<comm> <tid> <event>: "
 *   "\t<ip> <sym>"            innermost frame first
 *   ""                        end of sample
 * Folded: "<comm>;<outermost>;...;<innermost> <count>", one line per stack. */

struct fold {
	char **stacks;
	size_t n, cap;
	char comm[256];
	char *frames[512];
	unsigned nr_frames;
	bool want;
};

static void fold_comm(char *comm)
{
	if (comm[0] == ':') {           /* perf knew no name: ":<tid>" */
		if (!per_thread)
			strcpy(comm, "[unnamed]");
		return;
	}
	if (per_thread)
		return;
	size_t l = strlen(comm);
	while (l && isdigit((unsigned char)comm[l - 1]))
		l--;
	while (l > 1 && strchr("-_/:.", comm[l - 1]))
		l--;
	if (l)
		comm[l] = 0;
}

static void fold_end_sample(struct fold *fs)
{
	size_t len = strlen(fs->comm) + 1;
	char *s, *p;

	if (fs->want && fs->nr_frames) {
		for (unsigned i = 0; i < fs->nr_frames; i++)
			len += strlen(fs->frames[i]) + 1;
		s = p = xzalloc(len);
		p = stpcpy(p, fs->comm);
		for (unsigned i = fs->nr_frames; i-- > 0;) {
			*p++ = ';';
			p = stpcpy(p, fs->frames[i]);
		}
		if (fs->n == fs->cap) {
			fs->cap = fs->cap ? 2 * fs->cap : 1024;
			fs->stacks = realloc(fs->stacks, fs->cap * sizeof(*fs->stacks));
			if (!fs->stacks)
				die(FB_EXIT_BUG, "out of memory");
		}
		fs->stacks[fs->n++] = s;
	}
	for (unsigned i = 0; i < fs->nr_frames; i++)
		free(fs->frames[i]);
	fs->nr_frames = 0;
	fs->want = false;
}

static void fold_header(struct fold *fs, char *line)
{
	char *tok[64];
	int n = 0;

	for (char *t = strtok(line, " \t"); t && n < 64; t = strtok(NULL, " \t"))
		tok[n++] = t;
	/* event = last token ending in ':'; tid before it; comm = the rest */
	int e = n - 1;
	while (e >= 0 && !ends_with(tok[e], ":"))
		e--;
	if (e < 1) {
		fs->want = false;
		return;
	}
	tok[e][strlen(tok[e]) - 1] = 0;
	fs->want = !strcmp(tok[e], fold_event);
	fs->comm[0] = 0;
	for (int i = 0; i < e - 1; i++) {
		if (i)
			strncat(fs->comm, " ", sizeof(fs->comm) - strlen(fs->comm) - 1);
		strncat(fs->comm, tok[i], sizeof(fs->comm) - strlen(fs->comm) - 1);
	}
	if (!fs->comm[0])
		snprintf(fs->comm, sizeof(fs->comm), "?");
	for (char *c = fs->comm; *c; c++)
		if (*c == ';')
			*c = ':';
	fold_comm(fs->comm);
}

static void fold_frame(struct fold *fs, char *line)
{
	char *p = line;

	while (isspace((unsigned char)*p))
		p++;
	while (isxdigit((unsigned char)*p))
		p++;
	while (isspace((unsigned char)*p))
		p++;
	size_t l = strlen(p);
	while (l && isspace((unsigned char)p[l - 1]))
		p[--l] = 0;
	if (!*p)
		p = "[unknown]";
	if (fs->nr_frames < sizeof(fs->frames) / sizeof(fs->frames[0])) {
		char *f = xstrdup(p);
		for (char *c = f; *c; c++)
			if (*c == ';')
				*c = ':';
		fs->frames[fs->nr_frames++] = f;
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Returns number of samples folded, or -errno. */
static long write_folded(const char *data, const char *out, size_t *nr_stacks)
{
	struct fold fs = { 0 };
	char *line = NULL, *buf = NULL;
	size_t cap = 0, blen = 0;
	FILE *f = perf_pipe("script -F comm,tid,event,ip,sym", data), *mem;
	long samples;
	int rc;

	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = 0;
		if (!line[0])
			fold_end_sample(&fs);
		else if (isspace((unsigned char)line[0]))
			fold_frame(&fs, line);
		else {
			fold_end_sample(&fs);
			fold_header(&fs, line);
		}
	}
	fold_end_sample(&fs);
	free(line);
	pclose(f);

	if (fs.n)       /* stacks is NULL when nothing was folded; qsort wants nonnull */
		qsort(fs.stacks, fs.n, sizeof(*fs.stacks), cmp_str);
	mem = open_memstream(&buf, &blen);
	*nr_stacks = 0;
	for (size_t i = 0; i < fs.n;) {
		size_t k = i;
		while (k < fs.n && !strcmp(fs.stacks[k], fs.stacks[i]))
			k++;
		fprintf(mem, "%s %zu\n", fs.stacks[i], k - i);
		(*nr_stacks)++;
		i = k;
	}
	fclose(mem);
	samples = (long)fs.n;
	for (size_t i = 0; i < fs.n; i++)
		free(fs.stacks[i]);
	free(fs.stacks);
	rc = write_file_atomic(out, buf, blen);
	free(buf);
	return rc ? rc : samples;
}

/* ---- --check ---------------------------------------------------------------------- */

/* Samples of a record run outside [start, end]; -1 if perf script failed. */
static long count_outside(const char *data, uint64_t start, uint64_t end, long *total)
{
	FILE *f = perf_pipe("script --ns -F time,event", data);
	char line[512];
	long outside = 0;

	*total = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *dot, *end_p;
		unsigned long long sec, frac;

		while (isspace((unsigned char)*p))
			p++;
		sec = strtoull(p, &dot, 10);
		if (dot == p || *dot != '.')
			continue;
		frac = strtoull(dot + 1, &end_p, 10);
		if (*end_p != ':')
			continue;
		for (long d = end_p - (dot + 1); d < 9; d++)     /* to ns */
			frac *= 10;
		uint64_t t = sec * 1000000000ull + frac;
		(*total)++;
		if (t + WINDOW_SLACK_NS < start || t > end + WINDOW_SLACK_NS) {
			if (outside++ < 3)
				fprintf(stderr, "  outside the window: %s", line);
		}
	}
	pclose(f);
	return outside;
}

static int check_runs(const char *dir, json_t *root, const char *variant)
{
	json_t *runs = json_object_get(root, "runs"), *run;
	size_t i;
	int bad = 0, seen = 0;

	json_array_foreach(runs, i, run) {
		json_t *perf = json_object_get(run, "perf");
		const char *key = results__variant_key(run);
		const char *mode = json_string_value(json_object_get(perf, "mode"));
		json_t *win = json_object_get(perf, "window");
		uint64_t start = (uint64_t)json_integer_value(json_object_get(win, "start_ns"));
		uint64_t end = (uint64_t)json_integer_value(json_object_get(win, "end_ns"));

		if (variant && !strstr(key, variant))
			continue;
		seen++;
		if (!perf || !mode) {
			printf("FAIL %s: no \"perf\" object\n", key);
			bad++;
			continue;
		}
		if (json_object_get(perf, "error")) {
			printf("FAIL %s: perf error: %s\n", key,
			       json_string_value(json_object_get(perf, "error")));
			bad++;
			continue;
		}
		if (!start || end <= start) {
			printf("FAIL %s: bad window %llu..%llu\n", key,
			       (unsigned long long)start, (unsigned long long)end);
			bad++;
			continue;
		}
		if (!strcmp(mode, "stat")) {
			json_t *ev = json_object_get(perf, "events");
			double cs = json_number_value(json_object_get(ev, "context-switches"));
			if (!json_is_object(ev) || !json_object_size(ev) || cs <= 0) {
				printf("FAIL %s: stat counts missing (context-switches=%g)\n", key, cs);
				bad++;
			} else {
				printf("ok   %s: stat, %zu counters, context-switches=%.0f\n",
				       key, json_object_size(ev), cs);
			}
			continue;
		}
		char *data = NULL;
		long total, outside;
		if (asprintf(&data, "%s/%s", dir, json_string_value(json_object_get(perf, "data"))) < 0)
			die(FB_EXIT_BUG, "out of memory");
		outside = count_outside(data, start, end, &total);
		if (outside < 0 || total == 0) {
			printf("FAIL %s: %s has no readable samples\n", key, data);
			bad++;
		} else if (outside) {
			printf("FAIL %s: %ld of %ld samples outside the window [%llu, %llu] ns\n",
			       key, outside, total, (unsigned long long)start, (unsigned long long)end);
			bad++;
		} else {
			printf("ok   %s: record, %ld samples, all inside the %.3f s window\n",
			       key, total, (double)(end - start) / 1e9);
		}
		free(data);
	}
	if (!seen) {
		fprintf(stderr, "bench perf-report: no run%s%s in %s/results.json; "
			"check the VARIANT or run bench run --perf record\n",
			variant ? " matching " : "", variant ? variant : "", dir);
		return FB_EXIT_USAGE;
	}
	return bad ? FB_EXIT_FAIL : FB_EXIT_OK;
}

/* ---- main ---------------------------------------------------------------------------- */

int cmd_perf_report(int argc, char **argv)
{
	char perfdir[4096], why[512];
	const char *dir, *variant;
	struct stat st;
	DIR *d;
	struct dirent *de;
	int found = 0, failed = 0;

	argc = parse_options("bench perf-report", argc, argv, perf_report_options,
			     perf_report_usage, NULL);
	if (argc == -2)
		return 0;
	if (argc < 0)
		return FB_EXIT_USAGE;
	if (argc < 1 || argc > 2) {
		fprintf(stderr, "bench perf-report: expected DIR [VARIANT]; see 'bench perf-report --help'\n");
		return FB_EXIT_USAGE;
	}
	dir = argv[0];
	variant = argc == 2 ? argv[1] : NULL;
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "bench perf-report: %s: not a directory; give a `bench run --out DIR` directory\n",
			dir);
		return FB_EXIT_USAGE;
	}
	if (!perf__available("record", why, sizeof(why))) {
		fprintf(stderr, "bench perf-report: %s\n", why);
		return FB_EXIT_USAGE;
	}
	if (check) {
		char err[512];
		json_t *root = results__load(dir, err, sizeof(err));
		int rc;

		if (!root) {
			fprintf(stderr, "bench perf-report: %s\n", err);
			return FB_EXIT_USAGE;
		}
		rc = check_runs(dir, root, variant);
		json_decref(root);
		return rc;
	}

	snprintf(perfdir, sizeof(perfdir), "%s/perf", dir);
	d = opendir(perfdir);
	if (!d) {
		fprintf(stderr, "bench perf-report: %s has no perf/ directory; record one with "
			"`bench run --perf record --out %s`\n", dir, dir);
		return FB_EXIT_USAGE;
	}
	while ((de = readdir(d))) {
		char data[8192], folded[8192], name[256];
		size_t stacks = 0;

		if (de->d_name[0] == '.' || !ends_with(de->d_name, ".data"))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(strlen(de->d_name) - 5), de->d_name);
		if (variant && strcmp(name, variant) && strcmp(de->d_name, variant) &&
		    !strstr(name, variant))
			continue;
		found++;
		if ((size_t)snprintf(data, sizeof(data), "%s/%s", perfdir, de->d_name) >= sizeof(data) ||
		    (size_t)snprintf(folded, sizeof(folded), "%s/%s.folded", perfdir, name) >= sizeof(folded))
			continue;
		printf("== %s ==\n", name);
		print_top(data);
		if (fold) {
			long n = write_folded(data, folded, &stacks);
			if (n < 0) {
				fprintf(stderr, "bench perf-report: %s: %s\n", folded, strerror((int)-n));
				failed++;
			} else if (n == 0) {
				printf("  no %s samples with call chains: %s not written\n", fold_event, folded);
			} else {
				printf("  folded stacks: %s (%zu stacks, %ld %s samples)\n",
				       folded, stacks, n, fold_event);
			}
		}
		printf("\n");
	}
	closedir(d);
	if (!found) {
		fprintf(stderr, "bench perf-report: no perf data%s%s in %s; record with "
			"`bench run --perf record --out %s`\n",
			variant ? " matching " : "", variant ? variant : "", perfdir, dir);
		return FB_EXIT_USAGE;
	}
	if (fflush(stdout) || ferror(stdout))
		return FB_EXIT_BUG;
	return failed ? FB_EXIT_FAIL : FB_EXIT_OK;
}
