/* SPDX-License-Identifier: MIT */
/*
 * Interleaved repeats of two `bench` binaries (bench ab, bench calibrate):
 * every repeat is one `BIN run --repeat 1` child, the two sides alternate
 * (A B, then B A, ...) so slow drift of the machine hits both alike, and
 * the children's results are merged into one tree per side with
 * run["repeat"] = the round, so repeats of one round pair up
 * (compare_opts.paired).
 */
#ifndef FB_INTERLEAVE_H
#define FB_INTERLEAVE_H

#include <stdbool.h>
#include <jansson.h>

struct interleave {
	const char *bin[2];     /* side 0 (A, base, old) and side 1 (B, new) */
	const char *scenario;   /* --scenario for the children, or NULL */
	char **extra;           /* more `bench run` arguments */
	int nextra;
	unsigned rounds;        /* repeats per side */
	unsigned groups;        /* independent A/B pairs (calibrate's --pairs); 1 for ab */
	const char *workdir;    /* children write workdir/g<k>-<side>-r<round>/ */
	const char *cmd;        /* "ab" | "calibrate", for messages */
	bool quiet;
};

/* Run groups x rounds x 2 children; trees[2*k + side] = merged result of
 * group k's side (new references).  0, or -errno with one line in err. */
int interleave__run(const struct interleave *il, json_t **trees, char *err, size_t len);

/* One sequential session (bench calibrate --sessions): `bin[0] run
 * --repeat rounds --seed 1` into workdir/s<s>/, as a user's run; *tree its
 * results (new reference).  0, or -errno with one line in err. */
int interleave__session(const struct interleave *il, unsigned s, json_t **tree, char *err, size_t len);

/* The running bench binary (/proc/self/exe), for calibrate's A/A sides. */
const char *interleave__self(void);

#endif
