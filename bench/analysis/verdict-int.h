/* SPDX-License-Identifier: MIT */
/* Shared by verdict.c (findings, sentences), verdict-header.c (what was run)
 * and verdict-text.c (the words). */
#ifndef FB_VERDICT_INT_H
#define FB_VERDICT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

struct verdict_opts;

#define VERDICT_WIDTH 72

/* verdict-text.c: the words */
void verdict__context(const char *key, const char *skip, char *out, size_t len);
void verdict__nice_metric(const char *path, char *out, size_t len);
void verdict__fmt_factor(double x, char *out, size_t len);
void verdict__fmt_ns(double ns, char *out, size_t len);

/* verdict-header.c */
void verdict__distinct(json_t *root, const char *name, char *out, size_t len, unsigned *count);
void verdict__header(json_t *root, json_t *base, const char *axis, const char *mnames, bool md,
		    const struct verdict_opts *o, FILE *out);
unsigned verdict__problems(json_t *root, const char *axis, bool md, FILE *out);
void verdict__wrap_cmd(FILE *out, const char *cmd);

#endif
