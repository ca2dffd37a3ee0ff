/* SPDX-License-Identifier: MIT */
/* bench run's output directory (outdir.c): made or claimed before the
 * first VM, results/latest after the last. */
#ifndef FB_OUTDIR_H
#define FB_OUTDIR_H

#include <stdbool.h>
#include <stddef.h>

/* out NULL: a new results/<time>[-N], created exclusively.  Else out,
 * created if missing, used if empty, refused if it holds anything, and
 * flock'ed until exit.  Then a test write.  outdir = the directory; created
 * = whether this run made it (so it may rmdir it if nothing gets written).
 * 0, or -1 with one line in err (exit FB_EXIT_USAGE). */
int outdir__open(const char *out, char *outdir, size_t len, bool *created, char *err, size_t errlen);
/* results/latest -> outdir (a results/<time> one), replaced atomically */
void outdir__link_latest(const char *outdir);

#endif
