/* SPDX-License-Identifier: MIT */
/* bench history trend (history-trend.c, docs/HISTORY.md). */
#ifndef FB_HISTORY_TREND_H
#define FB_HISTORY_TREND_H

#include <stdio.h>
#include "history.h"

struct trend_opts {
	const char *metric;     /* "resume_latency.p99" */
	const char *variant;    /* "design=srcu,vcpus=8": key parts a variant must have; NULL all */
	const char *by;         /* "kernel" | "revision" | "time" */
	const char *host, *scenario;    /* optional filters */
	const char *plot_dir;   /* plots go to plot_dir/plots/trend.*; NULL: table only */
	const char *format;     /* png | svg | both */
};

/* Print the table to out and draw the plot.  0 or -errno + ONE line in err
 * (-ENOENT: nothing matched). */
int history__trend(struct history *h, const struct trend_opts *o, FILE *out, char *err, size_t len);

#endif
