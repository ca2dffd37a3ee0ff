/* SPDX-License-Identifier: MIT */
/* Reading what perf wrote (host/perf-output.c), for perf__finish(). */
#ifndef FB_PERF_OUTPUT_H
#define FB_PERF_OUTPUT_H

#include <jansson.h>

/* perf stat -x, CSV at path into perf["events"] (number, or null when not
 * counted), perf["units"] and perf["unsupported"]; 0, -errno, or -ENODATA
 * when no event was counted. */
int perf__parse_stat(const char *path, json_t *perf);
/* The sample count from perf record's closing message in its log, -1 if none. */
long perf__record_samples(const char *log);

#endif
