// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compare_fixture.h"
#include "datadir.h"
#include "results.h"

char compare_datadir[4096];

int compare_fixture_setup(void **state)
{
	(void)state;
	test__datadir("compare", compare_datadir, sizeof(compare_datadir));
	return 0;
}

json_t *compare_load(const char *name)
{
	char path[4200], err[512];
	json_t *r;

	snprintf(path, sizeof(path), "%s/%s", compare_datadir, name);
	r = results__load(path, err, sizeof(err));
	if (!r)
		fail_msg("load %s: %s", path, err);
	return r;
}

int run_compare(const char *basename, const char *newname, struct compare_opts *o, char **text)
{
	json_t *a = compare_load(basename), *b = newname ? compare_load(newname) : NULL;
	size_t len;
	FILE *f = open_memstream(text, &len);
	int rc;

	assert_non_null(f);
	rc = b ? compare__runs(a, b, o, f) : compare__within(a, o, f);
	fclose(f);
	json_decref(a);
	json_decref(b);
	return rc;
}

json_t *run_compare_json(const char *basename, const char *newname, struct compare_opts *o, int want)
{
	json_error_t je;
	json_t *j;
	char *out;

	o->format = "json";
	assert_int_equal(run_compare(basename, newname, o, &out), want);
	j = json_loads(out, 0, &je);
	if (!j)
		fail_msg("compare json output does not parse: %s", je.text);
	free(out);
	return j;
}

int count_str(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}
