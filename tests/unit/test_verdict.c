// SPDX-License-Identifier: MIT
/*
 * bench verdict against a stored fixture: tests/data/verdict/results.json
 * (a real 3-repeat smoke run, one repeat of targeted/unblock marked stalled
 * with a censored resume p99) must render exactly expected.txt and
 * expected.md; plus the rules the text must keep whatever the numbers:
 * 72 columns, one CI per finding, one-repeat runs flagged.
 * Regenerate after an intended change:
 *   build/bench verdict tests/data/verdict > tests/data/verdict/expected.txt
 *   build/bench verdict tests/data/verdict --format markdown > tests/data/verdict/expected.md
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include "datadir.h"
#include "results.h"
#include "verdict.h"

static char datadir[4096];

static char *slurp(const char *name)
{
	char path[4200];
	FILE *f;
	long n;
	char *buf;

	snprintf(path, sizeof(path), "%s/%s", datadir, name);
	f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static char *render(json_t *root, const char *format)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct verdict_opts o = { .format = format };

	assert_non_null(f);
	assert_int_equal(verdict__write(root, NULL, &o, f), 0);
	fclose(f);
	return buf;
}

static json_t *fixture(void)
{
	char err[512], path[4200];
	json_t *r;

	snprintf(path, sizeof(path), "%s/results.json", datadir);
	r = results__load(path, err, sizeof(err));
	if (!r)
		fail_msg("%s", err);
	return r;
}

static void test_matches_fixture(void **state)
{
	json_t *root = fixture();
	char *txt = render(root, "text"), *md = render(root, "markdown");
	char *want_txt = slurp("expected.txt"), *want_md = slurp("expected.md");

	assert_string_equal(txt, want_txt);
	assert_string_equal(md, want_md);
	free(txt); free(md); free(want_txt); free(want_md);
	json_decref(root);
}

static void test_verdict_lines_findings_and_cis(void **state)
{
	json_t *root = fixture();
	char *txt = render(root, "text"), *save = NULL;
	unsigned findings = 0, cis = 0;
	bool in_findings = false;

	for (char *l = strtok_r(txt, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		assert_true(strlen(l) <= 72);
		if (!strncmp(l, "Findings", 8))
			in_findings = true;
		else if (!strncmp(l, "Not ok", 6) || !strncmp(l, "Reproduce", 9))
			in_findings = false;
		if (in_findings && !strncmp(l, "- ", 2))
			findings++;
	}
	free(txt);
	txt = render(root, "text");
	for (const char *p = txt; (p = strstr(p, "95 % CI")); p++)
		cis++;
	/* 2 pairs x 3 metrics, each with its CI; the stalled variant named */
	assert_int_equal(findings, 6);
	assert_int_equal(cis, 6);
	assert_non_null(strstr(txt, "targeted\n  stalled in 1 of 3 repeats") ?: strstr(txt, "targeted stalled in 1 of 3"));
	assert_non_null(strstr(txt, "at least"));
	assert_non_null(strstr(txt, "not significantly different"));
	assert_non_null(strstr(txt, "bench run --scenario configs/smoke.ini --repeat 3"));
	free(txt);
	json_decref(root);
}

/* Only repeat 0 of each variant: flagged, nothing claimed as tested; no
 * "verdict" fields (older files): derived from the oracle, all ok. */
static void test_one_repeat_claims_nothing(void **state)
{
	json_t *root = fixture(), *runs = json_object_get(root, "runs"), *keep = json_array(), *r;
	size_t i;
	char *txt;

	json_array_foreach(runs, i, r) {
		json_object_del(r, "verdict");
		json_object_del(json_object_get(json_object_get(r, "metrics"), "resume_latency"), "lower_bound");
		if (json_integer_value(json_object_get(r, "repeat")) == 0)
			json_array_append(keep, r);
	}
	json_object_set_new(root, "runs", keep);
	txt = render(root, "text");
	assert_non_null(strstr(txt, "ONE repeat"));
	assert_non_null(strstr(txt, "not tested"));
	assert_null(strstr(txt, "significantly"));
	assert_null(strstr(txt, "Not ok"));
	free(txt);
	json_decref(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matches_fixture),
		cmocka_unit_test(test_verdict_lines_findings_and_cis),
		cmocka_unit_test(test_one_repeat_claims_nothing),
	};
	test__datadir("verdict", datadir, sizeof(datadir));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
