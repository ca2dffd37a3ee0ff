// SPDX-License-Identifier: MIT
/* Unit tests: scenario files, CLI overrides, expansion, parse_options. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "design.h"
#include "options.h"
#include "parse-options.h"
#include "pressure.h"
#include "scenario.h"

/* The registries: tests/unit/lib/stub_registries.c (weak stand-ins of the
 * designs), the real pressure modes. */

static char err[1024];

static int load(struct scenario *sc, const char *text)
{
	err[0] = '\0';
	return scenario__load_string(sc, "t.ini", text, err, sizeof(err));
}

/* Loading @text must fail with exactly @msg. */
static void expect_load_err(const char *text, const char *msg)
{
	struct scenario sc = { 0 };
	int r = load(&sc, text);
	if (r != -EINVAL || strcmp(err, msg))
		fail_msg("load of <<%s>>: r=%d err \"%s\", want \"%s\"", text, r, err, msg);
	scenario__free(&sc);
}

static void test_load_errors(void **state)
{
	expect_load_err("vcpus = 8\nvcpu = 4\n", "t.ini:2: unknown key 'vcpu' (did you mean 'vcpus'?)");
	expect_load_err("flush_think = 4\n",
			"t.ini:1: unknown key 'flush_think' (did you mean 'flush_think_us'?)");
	expect_load_err("flush-think = 4\n",
			"t.ini:1: unknown key 'flush-think' (did you mean 'flush-think-us'?)");
	expect_load_err("; c\n\nfoo = 1\n",
			"t.ini:3: unknown key 'foo' (see docs/SCENARIOS.md or 'bench info --options')");
	expect_load_err("[vm]\n\nvcpus = 0\n", "t.ini:3: vcpus: 0 is out of range (1..1024)");
	expect_load_err("vcpus = 8, 0x10\n", "t.ini:1: vcpus: '0x10' is not a non-negative integer");
	expect_load_err("design =\n",
			"t.ini:1: design: empty value; give one or more values separated by commas");
	expect_load_err("design = ,\n", "t.ini:1: design: empty element in list ','");
	expect_load_err("design = srcu,,targeted\n",
			"t.ini:1: design: empty element in list 'srcu,,targeted'");
	expect_load_err("design = srcu, targeted, srcu\n", "t.ini:1: design: 'srcu' is listed twice");
	expect_load_err("vcpus = 8, 08\n", "t.ini:1: vcpus: '08' is listed twice");
	expect_load_err("design = srcu, bogus\n",
			"t.ini:1: design: unknown design 'bogus' (registered: srcu, srcu-private, "
			"targeted, srcu-nogp)");
	expect_load_err("request = evnt\n",
			"t.ini:1: request: 'evnt' is not one of event, unblock; did you mean 'event'?");
	expect_load_err("vcpus = 8\n\nvcpus = 16\n",
			"t.ini:3: key 'vcpus' is given twice (first on line 1); give all values in one list");
	expect_load_err("[vm]\nduration_s = 1\n",
			"t.ini:2: key 'duration_s' belongs in section [run], not [vm]");
	expect_load_err("repeat = 1, 2\n",
			"t.ini:1: repeat: scenario-level key takes one value, not a list");
	expect_load_err("vcpus = 8\njust words\n", "t.ini:2: expected 'key = value', got 'just words'");
	expect_load_err("[vm\nvcpus = 8\n", "t.ini:1: bad section header '[vm'; write [name]");
	/* a syntax error before a bad value: the first one is reported */
	expect_load_err("oops\nvcpus = 0\n", "t.ini:1: expected 'key = value', got 'oops'");
	expect_load_err("vcpus = 0\noops\n", "t.ini:1: vcpus: 0 is out of range (1..1024)");
	expect_load_err("vcpus = 8\n  design = srcu\n",
			"t.ini:2: this indented line continues the value of 'vcpus'; remove the "
			"leading whitespace");
	expect_load_err("seed = 1\n  2\n",
			"t.ini:2: seed: takes one value; an indented line continues the previous "
			"value, remove the leading whitespace");
	expect_load_err("touch_verify = perhaps\n",
			"t.ini:1: touch_verify: 'perhaps' is not a boolean (true or false)");

	char longline[1200];
	memset(longline, ' ', sizeof(longline));
	memcpy(longline, "vcpus = 1", 9);
	strcpy(longline + sizeof(longline) - 3, "2\n");
	struct scenario sc = { 0 };
	assert_int_equal(load(&sc, longline), -EINVAL);
	assert_non_null(strstr(err, "t.ini:1: line is too long"));
	scenario__free(&sc);
}

static void test_load_parses_sections_and_lists(void **state)
{
	struct scenario sc = { 0 };
	assert_int_equal(load(&sc,
		"; comment\n# comment\n[vm]\nvcpus = 8, 16 ; inline comment\n"
		"[design]\ndesign = srcu, srcu-private, targeted\nrequest: event, unblock\n"
		"[anything]\nflush-think-us = 50\nperf_events = cycles,instructions\n"
		"backing_file =\nwarmup_s = 0.25\nseed = 7\nrepeat = 2\n"), 0);
	assert_string_equal(sc.source, "t.ini");
	assert_int_equal(sc.repeat, 2);
	assert_int_equal(sc.seed, 7);
	assert_true(sc.warmup_s == 0.25);
	/* keys as given, typed, canonical underscore spelling */
	json_t *v = json_object_get(sc.keys, "vcpus");
	assert_true(json_is_array(v));
	assert_int_equal(json_array_size(v), 2);
	assert_int_equal(json_integer_value(json_array_get(v, 1)), 16);
	assert_int_equal(json_integer_value(json_object_get(sc.keys, "flush_think_us")), 50);
	assert_string_equal(json_string_value(json_object_get(sc.keys, "perf_events")),
			    "cycles,instructions");
	assert_string_equal(json_string_value(json_object_get(sc.keys, "backing_file")), "");
	assert_null(json_object_get(sc.keys, "flush-think-us"));
	assert_int_equal(scenario__nr_values(&sc, "design"), 3);
	assert_int_equal(scenario__nr_values(&sc, "perf-events"), 1);
	assert_int_equal(scenario__nr_values(&sc, "mem_mb"), 1);
	assert_int_equal(scenario__nr_values(&sc, "nope"), 0);

	/* 2 x 3 x 2 */
	assert_int_equal(scenario__expand(&sc, err, sizeof(err)), 0);
	assert_int_equal(sc.nr_variants, 12);
	/* request varies fastest, then design, then vcpus */
	assert_int_equal(sc.variants[0].vcpus, 8);
	assert_string_equal(sc.variants[0].design, "srcu");
	assert_string_equal(sc.variants[0].request, "event");
	assert_string_equal(sc.variants[1].request, "unblock");
	assert_string_equal(sc.variants[1].design, "srcu");
	assert_string_equal(sc.variants[2].design, "srcu-private");
	assert_int_equal(sc.variants[5].vcpus, 8);
	assert_string_equal(sc.variants[5].design, "targeted");
	assert_int_equal(sc.variants[6].vcpus, 16);
	for (unsigned i = 0; i < sc.nr_variants; i++) {
		const struct run_config *c = &sc.variants[i];
		assert_int_equal(c->flush_think_us, 50);
		assert_int_equal(c->repeat, 2);
		assert_int_equal(c->seed, 7);
		assert_true(c->warmup_s == 0.25);
		assert_string_equal(c->perf_events, "cycles,instructions");
		assert_int_equal(c->mem_mb, 256);        /* default */
		/* every variant distinct */
		char *ki = scenario__variant_key(&sc, c);
		for (unsigned j = 0; j < i; j++) {
			char *kj = scenario__variant_key(&sc, &sc.variants[j]);
			assert_string_not_equal(ki, kj);
			free(kj);
		}
		free(ki);
	}
	char *k = scenario__variant_key(&sc, &sc.variants[3]);
	assert_string_equal(k, "workload=mixed,design=srcu-private,request=unblock,pressure=none,vcpus=8");
	free(k);
	/* expanding again replaces the variants (no leak, same result) */
	assert_int_equal(scenario__expand(&sc, err, sizeof(err)), 0);
	assert_int_equal(sc.nr_variants, 12);
	scenario__free(&sc);
	assert_null(sc.keys);
}

static void test_multiline_list(void **state)
{
	struct scenario sc = { 0 };
	assert_int_equal(load(&sc, "vcpus = 1, 2,\n        4, 8 ; four\n\tdesign_x\n"), -EINVAL);
	assert_string_equal(err, "t.ini:3: vcpus: 'design_x' is not a non-negative integer");
	scenario__free(&sc);
	assert_int_equal(load(&sc, "vcpus = 1, 2,\n        4, 8\nduration_s = 1, 2\n"), 0);
	assert_int_equal(scenario__nr_values(&sc, "vcpus"), 4);
	assert_int_equal(scenario__expand(&sc, err, sizeof(err)), 0);
	assert_int_equal(sc.nr_variants, 8);
	/* a varying non-fixed key shows up in the variant key */
	char *k = scenario__variant_key(&sc, &sc.variants[7]);
	assert_string_equal(k, "workload=mixed,design=srcu,request=event,pressure=none,vcpus=8,"
			       "duration_s=2");
	free(k);
	/* order: vcpus slower than duration_s (other keys sit between vcpus and pressure) */
	assert_true(sc.variants[0].duration_s == 1 && sc.variants[1].duration_s == 2);
	assert_int_equal(sc.variants[1].vcpus, 1);
	scenario__free(&sc);
}

static void test_override_replaces_axis(void **state)
{
	struct scenario sc = { 0 };
	assert_int_equal(load(&sc, "vcpus = 8, 16\ndesign = srcu, targeted\n"), 0);
	assert_int_equal(scenario__override(&sc, "vcpus", "32", err, sizeof(err)), 0);
	assert_int_equal(json_integer_value(json_object_get(sc.keys, "vcpus")), 32);
	assert_int_equal(scenario__expand(&sc, err, sizeof(err)), 0);
	assert_int_equal(sc.nr_variants, 2);
	for (unsigned i = 0; i < sc.nr_variants; i++)
		assert_int_equal(sc.variants[i].vcpus, 32);
	/* CLI list replaces the file's list */
	assert_int_equal(scenario__override(&sc, "design", "srcu-private,targeted,srcu", err,
					    sizeof(err)), 0);
	assert_int_equal(scenario__override(&sc, "request", "event,unblock", err, sizeof(err)), 0);
	assert_int_equal(scenario__expand(&sc, err, sizeof(err)), 0);
	assert_int_equal(sc.nr_variants, 6);
	assert_string_equal(sc.variants[0].design, "srcu-private");
	/* errors: value, unknown key, scenario-level list */
	assert_int_equal(scenario__override(&sc, "vcpus", "8,0", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "--vcpus: 0 is out of range (1..1024)");
	assert_int_equal(scenario__override(&sc, "vcpu", "8", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "unknown key 'vcpu'; did you mean 'vcpus'?");
	assert_int_equal(scenario__override(&sc, "seed", "1,2", err, sizeof(err)), -EINVAL);
	/* a failed override changes nothing */
	assert_int_equal(json_integer_value(json_object_get(sc.keys, "vcpus")), 32);
	scenario__free(&sc);

	/* overrides given before the load survive it and win over the file */
	assert_int_equal(scenario__override(&sc, "vcpus", "4", err, sizeof(err)), 0);
	assert_int_equal(scenario__override(&sc, "seed", "9", err, sizeof(err)), 0);
	assert_int_equal(load(&sc, "vcpus = 8, 16\nseed = 3\nrepeat = 2\n"), 0);
	assert_int_equal(json_integer_value(json_object_get(sc.keys, "vcpus")), 4);
	assert_int_equal(sc.seed, 9);
	assert_int_equal(sc.repeat, 2);
	assert_int_equal(scenario__expand(&sc, err, sizeof(err)), 0);
	assert_int_equal(sc.nr_variants, 1);
	assert_int_equal(sc.variants[0].vcpus, 4);
	assert_int_equal(sc.variants[0].seed, 9);
	scenario__free(&sc);

	/* no file at all: defaults + CLI */
	scenario__init(&sc);
	assert_int_equal(sc.repeat, 1);
	assert_int_equal(scenario__expand(&sc, err, sizeof(err)), 0);
	assert_int_equal(sc.nr_variants, 1);
	assert_int_equal(sc.variants[0].vcpus, 64);
	scenario__free(&sc);
}

static void test_expand_errors(void **state)
{
	struct scenario sc = { 0 };
	/* cap: 64 x 65 = 4160 > 4096 */
	char text[2048];
	int n = snprintf(text, sizeof(text), "vcpus = 1");
	for (int i = 2; i <= 64; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, ",%d", i);
	n += snprintf(text + n, sizeof(text) - (size_t)n, "\ntouch_batch = 1");
	for (int i = 2; i <= 65; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, ",\n  %d", i);
	assert_int_equal(load(&sc, text), 0);
	assert_int_equal(scenario__expand(&sc, err, sizeof(err)), -E2BIG);
	assert_non_null(strstr(err, "more than 4096 variants"));
	assert_int_equal(sc.nr_variants, 0);
	scenario__free(&sc);

	assert_int_equal(load(&sc, "vcpus = 4, 64\nflushers = 8\n"), 0);
	assert_int_equal(scenario__expand(&sc, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.ini: variant workload=mixed,design=srcu,request=event,"
				 "pressure=none,vcpus=4: flushers + inhibitors + touchers = 8 "
				 "exceeds vcpus = 4");
	scenario__free(&sc);

	assert_int_equal(load(&sc, "design = srcu, srcu-nogp\n"), 0);
	assert_int_equal(scenario__expand(&sc, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "design 'srcu-nogp' is deliberately broken"));
	assert_int_equal(scenario__override(&sc, "allow-broken", "true", err, sizeof(err)), 0);
	assert_int_equal(scenario__expand(&sc, err, sizeof(err)), 0);
	assert_int_equal(sc.nr_variants, 2);
	scenario__free(&sc);
}

static const char *src_dir(char *buf, size_t len)
{
	snprintf(buf, len, "%s", __FILE__);
	char *p = strstr(buf, "tests/unit/test_scenario.c");
	if (p)
		*p = '\0';
	else
		snprintf(buf, len, "./");
	return buf;
}

/* Axes a workload ignores collapse: null/hypercall x design x request x
 * pressure is 2 variants, mixed keeps its full product. */
static void test_ignored_axes_collapse(void **state)
{
	struct scenario sc = { 0 };
	(void)state;
	assert_int_equal(load(&sc, "workload = null, hypercall\ndesign = srcu, srcu-private, targeted\n"
			      "request = event, unblock\npressure = none, paging, swap\n"
			      "flush-think-us = 0, 200\nvcpus = 8, 16\n"), 0);
	assert_int_equal(scenario__expand(&sc, err, sizeof(err)), 0);
	assert_int_equal(sc.nr_variants, 4);                  /* 2 workloads x 2 vcpus */
	assert_int_equal(sc.nr_collapsed, 2 * 2 * 3 * 2 * 3 * 2 - 4);
	for (unsigned i = 0; i < sc.nr_variants; i++) {
		assert_string_equal(sc.variants[i].design, "srcu");   /* the first value */
		assert_string_equal(sc.variants[i].request, "event");
		assert_string_equal(sc.variants[i].pressure, "none");
	}
	assert_string_equal(sc.variants[0].workload, "null");
	assert_int_equal(sc.variants[0].vcpus, 8);
	assert_int_equal(sc.variants[1].vcpus, 16);
	assert_string_equal(sc.variants[3].workload, "hypercall");
	scenario__free(&sc);

	/* mixed next to null: mixed keeps design x request, null collapses */
	assert_int_equal(load(&sc, "workload = mixed, null\ndesign = srcu, targeted\nrequest = event, unblock\n"), 0);
	assert_int_equal(scenario__expand(&sc, err, sizeof(err)), 0);
	assert_int_equal(sc.nr_variants, 5);
	assert_int_equal(sc.nr_collapsed, 3);
	assert_string_equal(sc.variants[4].workload, "null");
	assert_string_equal(sc.variants[3].design, "targeted");
	assert_string_equal(sc.variants[3].request, "unblock");
	scenario__free(&sc);

	/* vCPU count is not an ignored axis */
	assert_int_equal(load(&sc, "workload = null\nvcpus = 1, 2, 4\n"), 0);
	assert_int_equal(scenario__expand(&sc, err, sizeof(err)), 0);
	assert_int_equal(sc.nr_variants, 3);
	assert_int_equal(sc.nr_collapsed, 0);
	scenario__free(&sc);
}

static void test_shipped_configs_expand(void **state)
{
	struct scenario sc = { 0 };
	char dir[1024], path[1200];
	static const struct { const char *name; unsigned variants; } cfgs[] = {
		{ "default.ini", 18 }, { "smoke.ini", 4 }, { "scaling.ini", 22 },
		{ "pressure.ini", 6 }, { "full.ini", 54 },
	};
	src_dir(dir, sizeof(dir));
	for (unsigned i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++) {
		snprintf(path, sizeof(path), "%sconfigs/%s", dir, cfgs[i].name);
		if (scenario__load(&sc, path, err, sizeof(err)) ||
		    scenario__expand(&sc, err, sizeof(err)))
			fail_msg("%s: %s", path, err);
		assert_string_equal(sc.source, path);
		assert_int_equal(sc.nr_variants, cfgs[i].variants);
		scenario__free(&sc);
	}

	/* the embedded default is the same file */
	assert_int_equal(scenario__load(&sc, NULL, err, sizeof(err)), 0);
	assert_string_equal(sc.source, "embedded:default.ini");
	assert_int_equal(scenario__expand(&sc, err, sizeof(err)), 0);
	assert_int_equal(sc.nr_variants, 18);     /* 3 designs x 2 requests x 3 pressure modes */
	assert_int_equal(sc.variants[0].vcpus, 64);
	assert_true(sc.variants[0].duration_s == 2.0);
	assert_true(sc.warmup_s == 0.5);
	/* whole default run under 90 s: measured + warm-up time leaves >= 20 s
	 * for VM setup, pressure setup and teardown of 18 variants */
	assert_true(sc.nr_variants * sc.repeat * (sc.variants[0].duration_s + sc.warmup_s) <= 70);
	scenario__free(&sc);
	assert_int_equal(scenario__load(&sc, "embedded:default.ini", err, sizeof(err)), 0);
	scenario__free(&sc);
	assert_int_equal(scenario__load(&sc, "embedded:nope.ini", err, sizeof(err)), -ENOENT);
	scenario__free(&sc);

	assert_int_equal(scenario__load(&sc, "/nonexistent/x.ini", err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "/nonexistent/x.ini: cannot open scenario: No such file or directory");
	scenario__free(&sc);

	char tmp[] = "/tmp/fb-scenario-XXXXXX";
	int fd = mkstemp(tmp);
	assert_true(fd >= 0);
	const char bad[] = "[vm]\nvcpus = 8\n\n[design]\ndesing = srcu\n";
	assert_int_equal(write(fd, bad, sizeof(bad) - 1), (ssize_t)sizeof(bad) - 1);
	close(fd);
	assert_int_equal(scenario__load(&sc, tmp, err, sizeof(err)), -EINVAL);
	char want[256];
	snprintf(want, sizeof(want), "%s:5: unknown key 'desing' (did you mean 'design'?)", tmp);
	assert_string_equal(err, want);
	scenario__free(&sc);
	/* NUL byte: not a text file */
	fd = open(tmp, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "vcpus = 8\0\n", 11), 11);
	close(fd);
	assert_int_equal(scenario__load(&sc, tmp, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "NUL byte"));
	scenario__free(&sc);
	unlink(tmp);
}

/* ---- parse_options ------------------------------------------------------ */

static const char *const usage[] = { "bench run [options]", NULL };
static const char *o_out;
static bool o_quiet;
static unsigned o_n;
static double o_x;
static int cb_calls;

static int cb(const struct option *opt, const char *arg)
{
	cb_calls++;
	return strcmp(arg, "bad") ? 0 : -1;
}

static const struct option opts[] = {
	OPT_GROUP("Output:"),
	OPT_STRING('o', "out", &o_out, "DIR", "write results to DIR"),
	OPT_BOOLEAN('q', "quiet", &o_quiet, "less output"),
	OPT_UINT('n', "count", &o_n, "a number"),
	OPT_DOUBLE(0, "ratio", &o_x, "a ratio"),
	OPT_CALLBACK(0, "plot", NULL, "WHAT", "a callback", cb),
	OPT_END(),
};

/* Run parse_options with stderr captured; returns its result, *line = stderr text. */
static int run_parse(struct scenario *sc, char *line, size_t len, int argc, ...)
{
	char *argv[32];
	va_list ap;
	va_start(ap, argc);
	for (int i = 0; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	argv[argc] = NULL;

	fflush(stderr);
	fflush(stdout);
	int saved = dup(2), saved_out = dup(1);
	FILE *cap = tmpfile();
	dup2(fileno(cap), 2);
	int devnull = open("/dev/null", O_WRONLY);
	dup2(devnull, 1);
	int r = parse_options("bench run", argc, argv, opts, usage, sc);
	fflush(stderr);
	fflush(stdout);
	dup2(saved, 2);
	dup2(saved_out, 1);
	close(saved);
	close(saved_out);
	close(devnull);
	rewind(cap);
	size_t n = fread(line, 1, len - 1, cap);
	line[n] = '\0';
	fclose(cap);
	if (r > 0) {
		/* positional args were moved to the front */
		static char pos[256];
		pos[0] = '\0';
		for (int i = 0; i < r; i++)
			snprintf(pos + strlen(pos), sizeof(pos) - strlen(pos), "%s%s", i ? " " : "",
				 argv[i]);
		snprintf(line, len, "%s", pos);
	}
	return r;
}

static void test_parse_options(void **state)
{
	struct scenario sc = { 0 };
	char out[1024];

	o_out = NULL;
	o_quiet = false;
	int r = run_parse(&sc, out, sizeof(out), 14, "run", "a", "--out", "dir", "-q",
			  "--vcpus", "8", "--design=srcu,targeted", "-n7", "--ratio=0.5",
			  "--allow-broken", "--", "--not-an-option", "b");
	assert_int_equal(r, 3);
	assert_string_equal(out, "a --not-an-option b");
	assert_string_equal(o_out, "dir");
	assert_true(o_quiet);
	assert_int_equal(o_n, 7);
	assert_true(o_x == 0.5);
	assert_int_equal(scenario__nr_values(&sc, "design"), 2);
	assert_true(json_is_true(json_object_get(sc.keys, "allow_broken")));
	assert_int_equal(json_integer_value(json_object_get(sc.keys, "vcpus")), 8);

	r = run_parse(&sc, out, sizeof(out), 5, "run", "--no-quiet", "--no-allow-broken",
		      "--flush_think_us", "5");
	assert_int_equal(r, 0);
	assert_false(o_quiet);
	assert_true(json_is_false(json_object_get(sc.keys, "allow_broken")));
	assert_int_equal(json_integer_value(json_object_get(sc.keys, "flush_think_us")), 5);

	cb_calls = 0;
	assert_int_equal(run_parse(&sc, out, sizeof(out), 3, "run", "--plot", "x"), 0);
	assert_int_equal(cb_calls, 1);

	/* errors: exactly one line each */
	static const struct { int argc; const char *argv[4]; const char *msg; } bad[] = {
		{ 2, { "run", "--vcpu" },
		  "bench run: unknown option '--vcpu'; did you mean '--vcpus'? (see 'bench run --help')\n" },
		{ 2, { "run", "--qiet" },
		  "bench run: unknown option '--qiet'; did you mean '--quiet'? (see 'bench run --help')\n" },
		{ 2, { "run", "--zzzzzz" },
		  "bench run: unknown option '--zzzzzz' (see 'bench run --help')\n" },
		{ 2, { "run", "-z" }, "bench run: unknown switch '-z' (see 'bench run --help')\n" },
		{ 2, { "run", "--out" },
		  "bench run: option '--out' needs a value (see 'bench run --help')\n" },
		{ 2, { "run", "--vcpus" },
		  "bench run: option '--vcpus' needs a value (see 'bench run --help')\n" },
		{ 3, { "run", "--vcpus", "0" }, "bench run: --vcpus: 0 is out of range (1..1024)\n" },
		{ 2, { "run", "--design=srcu,nope" },
		  "bench run: --design: unknown design 'nope' (registered: srcu, srcu-private, "
		  "targeted, srcu-nogp)\n" },
		{ 3, { "run", "-n", "x" }, "bench run: option '-n': 'x' is not a non-negative integer\n" },
		{ 2, { "run", "--quiet=maybe" },
		  "bench run: option '--quiet': 'maybe' is not a boolean (true or false)\n" },
		{ 2, { "run", "--no-quiet=1" }, "bench run: option '--no-quiet' takes no value\n" },
		{ 2, { "run", "-qq" },
		  "bench run: switch '-q' takes no value (in '-qq'; switches are not bundled)\n" },
		{ 3, { "run", "--plot", "bad" },
		  "bench run: option '--plot': invalid value 'bad' (see 'bench run --help')\n" },
		{ 2, { "run", "--no-vcpus" },
		  "bench run: unknown option '--no-vcpus'; did you mean '--vcpus'? (see 'bench run --help')\n" },
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = run_parse(&sc, out, sizeof(out), bad[i].argc, bad[i].argv[0], bad[i].argv[1],
			      bad[i].argv[2], bad[i].argv[3]);
		assert_int_equal(r, -1);
		if (strcmp(out, bad[i].msg))
			fail_msg("case %u: got \"%s\" want \"%s\"", i, out, bad[i].msg);
	}
	/* without a scenario, keys are unknown options */
	r = run_parse(NULL, out, sizeof(out), 3, "run", "--vcpus", "8");
	assert_int_equal(r, -1);
	assert_string_equal(out, "bench run: unknown option '--vcpus' (see 'bench run --help')\n");

	assert_int_equal(run_parse(&sc, out, sizeof(out), 2, "run", "--help"), -2);
	assert_int_equal(run_parse(&sc, out, sizeof(out), 2, "run", "-h"), -2);
	assert_string_equal(out, "");
	scenario__free(&sc);
}

static void test_usage_lists_options_and_keys(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	fflush(stdout);
	int saved = dup(1);
	FILE *cap = tmpfile();
	dup2(fileno(cap), 1);
	usage_with_options(usage, opts, true);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	fseek(cap, 0, SEEK_END);
	len = (size_t)ftell(cap);
	rewind(cap);
	buf = calloc(1, len + 1);
	assert_int_equal(fread(buf, 1, len, cap), len);
	fclose(cap);
	assert_non_null(strstr(buf, "usage: bench run [options]"));
	assert_non_null(strstr(buf, "-o, --out DIR"));
	assert_non_null(strstr(buf, "-q, --[no-]quiet"));
	assert_non_null(strstr(buf, "scenario keys (any key of docs/SCENARIOS.md may be given as "
				    "--key VALUE[,VALUE...])"));
	assert_non_null(strstr(buf, "--flush-think-us N"));
	assert_non_null(strstr(buf, "[kernel-ref]"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_load_parses_sections_and_lists),
		cmocka_unit_test(test_multiline_list),
		cmocka_unit_test(test_override_replaces_axis),
		cmocka_unit_test(test_expand_errors),
		cmocka_unit_test(test_ignored_axes_collapse),
		cmocka_unit_test(test_shipped_configs_expand),
		cmocka_unit_test(test_parse_options),
		cmocka_unit_test(test_usage_lists_options_and_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
