// SPDX-License-Identifier: MIT
/* Pure logic of bench plot: template filling, quoting, grouping runs into
 * variants, the caption line, and every embedded template filling cleanly. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "design.h"
#include "embedded.h"
#include "plot.h"
#include "plot-int.h"
#include "results.h"

static void test_fill_substitutes_known_vars(void **state)
{
	const char *t = "a='@A@' b=@B_2@ mail@host @ @X";
	struct tvar v[] = { { "A", "x y" }, { "B_2", "42" } };
	char *out = NULL, err[256] = "";

	assert_int_equal(tmpl__fill(t, strlen(t), v, 2, &out, err, sizeof(err)), 0);
	assert_string_equal(out, "a='x y' b=42 mail@host @ @X");
	free(out);
}

static void test_fill_unknown_var_is_an_error(void **state)
{
	const char *t = "plot '@DATA@' title '@TYPO@'";
	struct tvar v[] = { { "DATA", "d.dat" } };
	char *out = NULL, err[256] = "";

	assert_int_equal(tmpl__fill(t, strlen(t), v, 1, &out, err, sizeof(err)), -EINVAL);
	assert_null(out);
	assert_non_null(strstr(err, "@TYPO@"));
}

static void test_quote_safe(void **state)
{
	char *q = gp__quote("it's\na 'test'");
	char buf[64];

	assert_string_equal(q, "it''s a ''test''");
	free(q);
	plot__safe(buf, sizeof(buf), "srcu/event' \"x\" #1");
	assert_string_equal(buf, "srcu/event___x___1");
	plot__safe(buf, 5, "abcdefgh");
	assert_string_equal(buf, "abcd");
}

static json_t *run(const char *design, const char *request, const char *pressure, int vcpus,
		   int repeat, double p99)
{
	char key[256];
	snprintf(key, sizeof(key), "workload=mixed,design=%s,request=%s,pressure=%s,vcpus=%d",
		 design, request, pressure, vcpus);
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:i,s:{s:{s:f,s:[[i,i],[i,i]]}}}",
			 "key", key, "workload", "mixed", "design", design, "request", request,
			 "pressure", pressure, "vcpus", vcpus, "repeat", repeat,
			 "metrics", "resume_latency", "p99", p99, "hist", 1000, 3, 2000, 1);
}

/* Every registered design gets its own colour (by registry index, none of
 * them the regression red) and plots order designs as the registry does:
 * a new design needs no edit of the plot code. */
static void test_designs_from_registry(void **state)
{
	unsigned n = 0;

	for (; designs[n]; n++) {
		const char *c = plot__design_color(designs[n]->name);
		assert_string_not_equal(c, "#d62728");
		for (unsigned j = 0; j < n && j < 10; j++)
			if (n < 10)
				assert_string_not_equal(c, plot__design_color(designs[j]->name));
	}
	assert_true(n >= 3);
	json_t *runs = json_array(), *root;
	struct pset s;
	for (unsigned i = n; i-- > 0;)          /* reverse registry order */
		json_array_append_new(runs, run(designs[i]->name, "event", "none", 8, 0, 10));
	root = json_pack("{s:o}", "runs", runs);
	assert_int_equal(pset__build(&s, root), 0);
	assert_int_equal(s.nr, n);
	for (unsigned i = 0; i < n; i++)
		assert_string_equal(s.v[i].design, designs[i]->name);
	pset__free(&s);
	json_decref(root);
}

static void test_pset_canonical_order_and_repeats(void **state)
{
	json_t *runs = json_array(), *root;
	struct pset s;
	double x[8], lo, mean, hi;

	/* deliberately out of canonical order, repeats shuffled */
	json_array_append_new(runs, run("targeted", "unblock", "paging", 64, 1, 30));
	json_array_append_new(runs, run("srcu", "unblock", "none", 64, 0, 10));
	json_array_append_new(runs, run("targeted", "unblock", "paging", 64, 0, 10));
	json_array_append_new(runs, run("srcu", "event", "paging", 64, 0, 10));
	json_array_append_new(runs, run("srcu", "event", "none", 8, 0, 10));
	json_array_append_new(runs, run("targeted", "unblock", "paging", 64, 2, 20));
	root = json_pack("{s:o}", "runs", runs);

	assert_int_equal(pset__build(&s, root), 0);
	assert_int_equal(s.nr, 4 + 0);     /* 4 distinct keys */
	assert_int_equal(s.nr_pressures, 2);
	assert_string_equal(s.pressures[0], "none");
	assert_int_equal(s.nr_vcpus, 2);
	assert_int_equal(s.vcpus[0], 8);
	assert_int_equal(s.vcpus[1], 64);
	/* canonical order: srcu before targeted, event before unblock */
	assert_string_equal(s.v[0].label, "srcu/event");
	assert_string_equal(s.v[s.nr - 1].label, "targeted/unblock");
	assert_int_equal(s.nr_labels, 3);

	struct pvar *v = pset__find(&s, "targeted/unblock", "paging", 64);
	assert_non_null(v);
	assert_int_equal(v->nr_runs, 3);
	/* repeats sorted */
	for (unsigned r = 0; r < 3; r++)
		assert_int_equal(json_integer_value(json_object_get(v->runs[r], "repeat")), r);
	assert_int_equal(pvar__values(v, "resume_latency.p99", x, 8), 3);
	plot__minmeanmax(x, 3, &lo, &mean, &hi);
	assert_true(lo == 10 && hi == 30 && mean == 20);
	assert_null(pset__find(&s, "targeted/unblock", "none", 64));
	pset__free(&s);
	json_decref(root);
}

static void test_caption_names_kernel_backend_repeats(void **state)
{
	json_t *root = json_pack("{s:{s:s,s:s,s:s},s:{s:i},s:[{s:i,s:i},{s:i,s:i}]}",
				 "env", "kernel", "6.18.44", "backend", "native", "start_time",
				 "2026-11-25T14:00:07Z", "scenario", "repeat", 3,
				 "runs", "vcpus", 1, "repeat", 0, "vcpus", 64, "repeat", 2);
	char buf[256];

	plot__caption(root, buf, sizeof(buf));
	assert_string_equal(buf, "kernel 6.18.44 · backend native · 1-64 vCPUs · 3 repeats · 2026-11-25 14:00 UTC");
	json_decref(root);
}

/* Every embedded template fills with the variables plot.c passes: catches a
 * template using a name the C side forgot (or a typo). */
static void test_templates_embedded(void **state)
{
	static const char *const common[] = { "NAME", "DATA", "TITLE", "CAPTION", "WIDTH", "HEIGHT" };
	static const struct { const char *file; const char *vars[12]; } t[] = {
		{ "cdf.gp", { "METRICS", "PANELS", "SERIES", "COLORS", "DASHES", "XMIN", "XMAX" } },
		{ "percentiles.gp", { "METRICS", "PANELS", "NGROUPS", "YMIN" } },
		{ "scaling.gp", { "SERIES", "COLORS", "DASHES", "YMIN", "YMAX" } },
		{ "timeseries.gp", { "SUBTITLE", "TITLES", "FAULTS", "YMIN", "YMAX", "Y2MAX" } },
		{ "compare.gp", { "METRICS", "NROWS", "LMARGIN", "TOP", "BOTTOM", "KEYY" } },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const struct fb_embedded *e = embedded__find(t[i].file);
		struct tvar v[20];
		unsigned n = 0;
		char *out = NULL, err[256] = "";

		assert_non_null(e);
		for (size_t k = 0; k < 6; k++)
			v[n++] = (struct tvar){ common[k], "1" };
		for (size_t k = 0; t[i].vars[k]; k++)
			v[n++] = (struct tvar){ t[i].vars[k], "1" };
		if (tmpl__fill(e->data, e->len, v, n, &out, err, sizeof(err)))
			fail_msg("%s: %s", t[i].file, err);
		assert_null(strstr(out, "@DATA@"));
		free(out);
	}
}

static void test_resolve_needs_results_json(void **state)
{
	char dir[256], err[256];

	assert_int_equal(results__resolve("/nonexistent/x", dir, sizeof(dir), err, sizeof(err)), -ENOENT);
	assert_int_equal(results__resolve("/", dir, sizeof(dir), err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "has no results.json"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fill_substitutes_known_vars),
		cmocka_unit_test(test_fill_unknown_var_is_an_error),
		cmocka_unit_test(test_quote_safe),
		cmocka_unit_test(test_pset_canonical_order_and_repeats),
		cmocka_unit_test(test_designs_from_registry),
		cmocka_unit_test(test_caption_names_kernel_backend_repeats),
		cmocka_unit_test(test_templates_embedded),
		cmocka_unit_test(test_resolve_needs_results_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
