/* SPDX-License-Identifier: MIT */
/*
 * bench verdict: the findings of a run (or of a run against a base) as the
 * text a reviewer pastes into a reply, generated from the numbers only
 * (verdict.c).  The statistics are compare.c's (compare__within /
 * compare__runs, read back from their JSON); the ratio CIs are
 * stats__bootstrap_ratio_ci over the per-repeat values.
 */
#ifndef FB_VERDICT_H
#define FB_VERDICT_H

#include <stdio.h>
#include <jansson.h>

struct verdict_opts {
	const char *format;     /* "text" (default, wrapped at 72 columns) | "markdown" */
	const char *axis;       /* key compared within a run; NULL: design (else request) */
	const char *base_label; /* how to name the base with a base tree ("BASE") */
	const char *new_label;  /* how to name the run ("this run") */
};

/* 0 ok, 2 error (one line on stderr). base may be NULL. */
int verdict__write(json_t *root, json_t *base, const struct verdict_opts *o, FILE *out);

/* Word-wrap text at width columns; continuation lines start with indent. */
void verdict__wrap(FILE *out, const char *text, unsigned width, const char *first, const char *indent);

#endif
