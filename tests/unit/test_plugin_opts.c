// SPDX-License-Identifier: MIT
/*
 * Unit tests: plug-in options merged into the one option table
 * (bench/scenario/options-merge.c, host/option.c).  This file brings its
 * own registries - a design and a pressure mode with knobs, one of each
 * without - so it proves the design path too, which no real design uses yet.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "design.h"
#include "options.h"
#include "pressure.h"
#include "scenario.h"

/* ---- a design with knobs ------------------------------------------------ */

/* field names are the keys (results.json run.config spells them so) */
struct knob_opts {
	unsigned knob_period_us;
	char knob_mode[16];
	bool knob_fast;
	double knob_ratio;
};

static const char *const knob_modes[] = { "calm", "eager", NULL };

static const struct bench_option knob_options[] = {
	{ .name = "knob-period-us", OPT_FIELD(struct knob_opts, knob_period_us), .kind = OPT_KIND_UINT,
	  .def = "250", .unit = "us", .min = 0, .max = 100000,
	  .help = "knobbed: period of the test design" },
	{ .name = "knob-mode", OPT_FIELD(struct knob_opts, knob_mode), .kind = OPT_KIND_CHOICE,
	  .def = "calm", .choices = knob_modes, .help = "knobbed: how eager it is" },
	{ .name = "knob-fast", OPT_FIELD(struct knob_opts, knob_fast), .kind = OPT_KIND_BOOL,
	  .def = "false", .help = "knobbed: take the fast path" },
	{ .name = "knob-ratio", OPT_FIELD(struct knob_opts, knob_ratio), .kind = OPT_KIND_DOUBLE,
	  .def = "0.5", .min = 0, .max = 1, .help = "knobbed: a share" },
	{ .name = NULL },
};

static const struct design_ops d_knobbed;

static int knob_check(const struct run_config *c, char *err, size_t len)
{
	const struct knob_opts *o = design__opts(c, &d_knobbed);
	if (o->knob_fast && !o->knob_period_us) {
		snprintf(err, len, "knob-fast needs knob-period-us > 0");
		return -EINVAL;
	}
	return 0;
}

static const struct design_ops d_plain = { .name = "srcu" };
static const struct design_ops d_knobbed = {
	.name = "knobbed", .options = knob_options, .options_size = sizeof(struct knob_opts),
	.check = knob_check,
};

/* ---- a pressure mode with one knob (section left to the registry) ------- */

struct squeeze_opts {
	char squeeze_label[8];
	unsigned squeeze_mb;
};

static const struct bench_option squeeze_options[] = {
	{ .name = "squeeze-mb", OPT_FIELD(struct squeeze_opts, squeeze_mb), .kind = OPT_KIND_UINT,
	  .def = "32", .unit = "MiB", .min = 1, .max = 4096, .help = "squeeze: how much" },
	{ .name = NULL },
};

static const struct pressure_ops p_none = { .name = "none" };
static const struct pressure_ops p_squeeze = {
	.name = "squeeze", .options = squeeze_options, .options_size = sizeof(struct squeeze_opts),
};

/* the registries of this program (the real ones are not linked) */
const struct design_ops *const designs[] = { &d_plain, &d_knobbed, NULL };
const struct pressure_ops *const pressures[] = { &p_none, &p_squeeze, NULL };

const struct design_ops *design__find(const char *name)
{
	for (unsigned i = 0; designs[i]; i++)
		if (!strcmp(designs[i]->name, name))
			return designs[i];
	return NULL;
}

const struct pressure_ops *pressure__find(const char *name)
{
	for (unsigned i = 0; pressures[i]; i++)
		if (!strcmp(pressures[i]->name, name))
			return pressures[i];
	return NULL;
}

static unsigned index_of(const char *name)
{
	const struct bench_option *t = options__table(), *o = options__find(name);
	assert_non_null(o);
	return (unsigned)(o - t);
}

/* ---- tests -------------------------------------------------------------- */

static void test_table_has_plugin_keys(void **state)
{
	struct run_config c;
	char err[256];
	size_t base = offsetof(struct run_config, plugin_opts);
	const struct bench_option *o = options__find("knob_period_us");

	assert_non_null(o);
	assert_string_equal(o->section, "design");
	assert_int_equal(o->offset, base + plugin_opts__offset(designs, pressures, &d_knobbed, NULL) +
				    offsetof(struct knob_opts, knob_period_us));
	o = options__find("squeeze-mb");
	assert_non_null(o);
	assert_string_equal(o->section, "pressure");          /* the registry's */
	assert_int_equal(o->offset, base + plugin_opts__offset(designs, pressures, &p_squeeze, NULL) +
				    offsetof(struct squeeze_opts, squeeze_mb));
	/* blocks are disjoint, aligned, inside plugin_opts */
	size_t kb = plugin_opts__offset(designs, pressures, &d_knobbed, NULL);
	size_t sb = plugin_opts__offset(designs, pressures, &p_squeeze, NULL), end;
	assert_int_equal(plugin_opts__offset(designs, pressures, &d_plain, NULL), PLUGIN_OPTS_NONE);
	plugin_opts__offset(designs, pressures, NULL, &end);
	assert_true(kb + sizeof(struct knob_opts) <= sb);
	assert_int_equal(sb % _Alignof(max_align_t), 0);
	assert_true(end <= CFG_PLUGIN_OPTS);

	/* each section keeps its core entries first, then the plug-ins' */
	assert_true(index_of("lost-timeout-ms") < index_of("knob-period-us"));
	assert_true(index_of("knob-period-us") < index_of("pressure"));
	assert_true(index_of("pressure") < index_of("squeeze-mb"));
	assert_true(index_of("squeeze-mb") < index_of("kernel-ref"));

	/* defaults land in the plug-ins' structs; set by name, read by accessor */
	options__defaults(&c);
	const struct knob_opts *k = design__opts(&c, &d_knobbed);
	const struct squeeze_opts *s = pressure__opts(&c, &p_squeeze);
	assert_int_equal(k->knob_period_us, 250);
	assert_string_equal(k->knob_mode, "calm");
	assert_false(k->knob_fast);
	assert_true(k->knob_ratio == 0.5);
	assert_int_equal(s->squeeze_mb, 32);
	assert_int_equal(options__set(&c, options__find("knob-mode"), "eager", err, sizeof(err)), 0);
	assert_int_equal(options__set(&c, options__find("knob-fast"), "yes", err, sizeof(err)), 0);
	assert_int_equal(options__set(&c, options__find("squeeze-mb"), "640", err, sizeof(err)), 0);
	assert_string_equal(k->knob_mode, "eager");
	assert_true(k->knob_fast);
	assert_int_equal(s->squeeze_mb, 640);
	assert_int_equal(k->knob_period_us, 250);                   /* neighbours untouched */
	assert_int_equal(options__set(&c, options__find("knob-mode"), "xyzzy", err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "knob-mode: 'xyzzy' is not one of calm, eager");
	assert_int_equal(options__set(&c, options__find("squeeze-mb"), "0", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "squeeze-mb: 0 is out of range (1..4096)");
	assert_string_equal(options__suggest("squeeze-m"), "squeeze-mb");

	/* help and the reference list them */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	options__print_help(f, "pressure");
	assert_int_equal(options__print_doc(f, "markdown"), 0);
	fclose(f);
	assert_non_null(strstr(buf, "--squeeze-mb N"));
	assert_non_null(strstr(buf, "| `knob_period_us` |"));
	free(buf);
}

static void test_plugin_check_runs_for_its_variant(void **state)
{
	struct run_config c;
	char err[256];
	options__defaults(&c);
	assert_int_equal(options__set(&c, options__find("knob-fast"), "true", err, sizeof(err)), 0);
	assert_int_equal(options__set(&c, options__find("knob-period-us"), "0", err, sizeof(err)), 0);
	assert_int_equal(options__check(&c, err, sizeof(err)), 0);     /* design srcu: not its knobs */
	snprintf(c.design, sizeof(c.design), "knobbed");
	assert_int_equal(options__check(&c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "knob-fast needs knob-period-us > 0");
}

static void test_json_roundtrip_plugin_keys(void **state)
{
	struct run_config a, b;
	char err[256];
	options__defaults(&a);
	assert_int_equal(options__set(&a, options__find("knob-ratio"), "0.125", err, sizeof(err)), 0);
	assert_int_equal(options__set(&a, options__find("squeeze_mb"), "77", err, sizeof(err)), 0);
	json_t *j = options__to_json(&a);
	assert_int_equal(json_integer_value(json_object_get(j, "squeeze_mb")), 77);
	assert_true(json_real_value(json_object_get(j, "knob_ratio")) == 0.125);
	assert_string_equal(json_string_value(json_object_get(j, "knob_mode")), "calm");
	/* (unit/options takes every key through JSON text) */
	memset(&b, 0, sizeof(b));
	assert_int_equal(options__from_json(&b, j, err, sizeof(err)), 0);
	json_decref(j);
	assert_int_equal(((const struct squeeze_opts *)pressure__opts(&b, &p_squeeze))->squeeze_mb, 77);
	assert_true(((const struct knob_opts *)design__opts(&b, &d_knobbed))->knob_ratio == 0.125);
	assert_int_equal(options__resolve(&a, err, sizeof(err)), 0);
	assert_memory_equal(&a, &b, sizeof(a));
}

static void test_scenario_lists_a_plugin_key(void **state)
{
	struct scenario sc = { 0 };
	char err[512];
	assert_int_equal(scenario__load_string(&sc, "t.ini", "pressure = squeeze\n"
					       "squeeze_mb = 64, 128\nknob-mode = calm, eager\n",
					       err, sizeof(err)), 0);
	assert_int_equal(scenario__expand(&sc, err, sizeof(err)), 0);
	assert_int_equal(sc.nr_variants, 4);
	unsigned seen[2][2] = { { 0 } };
	for (unsigned i = 0; i < sc.nr_variants; i++) {
		const struct squeeze_opts *s = pressure__opts(&sc.variants[i], &p_squeeze);
		const struct knob_opts *k = design__opts(&sc.variants[i], &d_knobbed);
		assert_true(s->squeeze_mb == 64 || s->squeeze_mb == 128);
		assert_ptr_equal(sc.variants[i].r.pressure, &p_squeeze);
		seen[s->squeeze_mb == 128][!strcmp(k->knob_mode, "eager")]++;
	}
	for (unsigned x = 0; x < 2; x++)
		for (unsigned y = 0; y < 2; y++)
			assert_int_equal(seen[x][y], 1);
	scenario__free(&sc);

	assert_int_equal(scenario__load_string(&sc, "t.ini", "squeeze_mb = 64, 0\n", err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "t.ini:1: squeeze_mb: 0 is out of range (1..4096)");
	scenario__free(&sc);
}

/* ---- the merge rejects what would make the table ambiguous or overflow -- */

static void expect_merge_err(const struct design_ops *const *ds, const struct pressure_ops *const *ps,
			     const char *msg)
{
	struct bench_option *t = NULL;
	char err[256] = "";
	assert_int_equal(options__merge(ds, ps, &t, err, sizeof(err)), -EINVAL);
	assert_null(t);
	if (strcmp(err, msg))
		fail_msg("merge: got \"%s\", want \"%s\"", err, msg);
}

struct one { unsigned v, vcpus, duration, knob_mode; };

static const struct bench_option clash_core[] = {
	{ .name = "vcpus", OPT_FIELD(struct one, vcpus), .kind = OPT_KIND_UINT, .def = "1", .max = 9,
	  .help = "takes a core name" },
	{ .name = NULL },
};
static const struct bench_option clash_alias[] = {
	{ .name = "duration", OPT_FIELD(struct one, duration), .kind = OPT_KIND_UINT, .def = "1", .max = 9,
	  .help = "takes a core alias" },
	{ .name = NULL },
};
static const struct bench_option clash_knob[] = {
	{ .name = "knob-mode", OPT_FIELD(struct one, knob_mode), .kind = OPT_KIND_UINT, .def = "1", .max = 9,
	  .help = "takes the design's name, underscored" },
	{ .name = NULL },
};
static const struct bench_option outside[] = {
	{ .name = "v", .key = "v", .offset = sizeof(struct one) - 2, .size = sizeof(unsigned), .kind = OPT_KIND_UINT,
	  .def = "1", .max = 9, .help = "lies past the end of its struct" },
	{ .name = NULL },
};

static void test_merge_rejects_clashes(void **state)
{
	struct bench_option *t = NULL;
	char err[256];
	static const struct pressure_ops p_core = {
		.name = "c", .options = clash_core, .options_size = sizeof(struct one) };
	static const struct pressure_ops p_alias = {
		.name = "a", .options = clash_alias, .options_size = sizeof(struct one) };
	static const struct pressure_ops p_knob = {
		.name = "k", .options = clash_knob, .options_size = sizeof(struct one) };
	static const struct pressure_ops p_outside = {
		.name = "o", .options = outside, .options_size = sizeof(struct one) };
	static const struct pressure_ops p_huge = {
		.name = "h", .options = squeeze_options, .options_size = CFG_PLUGIN_OPTS + 1 };

	/* the registries of this program merge */
	assert_int_equal(options__merge(designs, pressures, &t, err, sizeof(err)), 0);
	free(t);
	expect_merge_err(designs, (const struct pressure_ops *const[]){ &p_core, NULL },
			 "pressure mode c: option 'vcpus' clashes with 'vcpus' of core");
	expect_merge_err(NULL, (const struct pressure_ops *const[]){ &p_alias, NULL },
			 "pressure mode a: option 'duration' clashes with 'duration-s' of core");
	expect_merge_err(designs, (const struct pressure_ops *const[]){ &p_knob, NULL },
			 "pressure mode k: option 'knob-mode' clashes with 'knob-mode' of design knobbed");
	/* the same mode twice: its own names clash */
	expect_merge_err(NULL, (const struct pressure_ops *const[]){ &p_squeeze, &p_squeeze, NULL },
			 "pressure mode squeeze: option 'squeeze-mb' clashes with 'squeeze-mb' of "
			 "pressure mode squeeze");
	expect_merge_err(NULL, (const struct pressure_ops *const[]){ &p_outside, NULL },
			 "pressure mode o: option 'v' does not match a field of its options struct (16 bytes)");
	expect_merge_err(NULL, (const struct pressure_ops *const[]){ &p_huge, NULL },
			 "the plug-ins' options need 1025 bytes, struct run_config has "
			 "CFG_PLUGIN_OPTS = 1024: raise it in host/config.h");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_has_plugin_keys),
		cmocka_unit_test(test_plugin_check_runs_for_its_variant),
		cmocka_unit_test(test_json_roundtrip_plugin_keys),
		cmocka_unit_test(test_scenario_lists_a_plugin_key),
		cmocka_unit_test(test_merge_rejects_clashes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
