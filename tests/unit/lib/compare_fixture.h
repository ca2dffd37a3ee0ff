/* SPDX-License-Identifier: MIT */
/* The synthetic results in tests/data/compare/ (regenerate with make.py
 * there), shared by the unit tests of bench/analysis/compare.c. */
#ifndef FB_TEST_COMPARE_FIXTURE_H
#define FB_TEST_COMPARE_FIXTURE_H

#include <jansson.h>
#include "compare.h"

extern char compare_datadir[4096];

/* group setup: find tests/data/compare */
int compare_fixture_setup(void **state);
/* results__load() of tests/data/compare/NAME; a cmocka failure if it fails */
json_t *compare_load(const char *name);
/* compare__runs (or __within when newname is NULL); output in *text (free it) */
int run_compare(const char *basename, const char *newname, struct compare_opts *o, char **text);
/* run_compare() with o->format = "json" (left so), which must return want:
 * the parsed report (json_decref it); a cmocka failure if it does not parse */
json_t *run_compare_json(const char *basename, const char *newname, struct compare_opts *o, int want);
/* how often needle stands in hay */
int count_str(const char *hay, const char *needle);

#endif
