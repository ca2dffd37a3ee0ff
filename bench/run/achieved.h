/* SPDX-License-Identifier: MIT */
/*
 * The memory pressure each run achieved in its measured window, next to the
 * pressure it asked for: faults/s (paging: faults served), swap-ins/s
 * (swap: /proc/vmstat pswpin, and the memory cgroup's major faults),
 * resident data vs its limit.  Written to runs[].pressure_achieved with
 * flags: "almost-none" (the mode barely paged: its rows are no-pressure rows
 * in disguise) and "not-comparable" (the rate differs from its baseline
 * row's by more than 2x: a design comparison between them is confounded).
 */
#ifndef FB_ACHIEVED_H
#define FB_ACHIEVED_H

#include <jansson.h>
#include <stdio.h>

/* Below this many faults or swap-ins per second a mode "achieved almost none". */
#define ACHIEVED_MIN_PER_S   10.0
/* Rows whose rates differ by more than this factor are not comparable. */
#define ACHIEVED_MAX_RATIO   2.0

/* Fill runs[i].pressure_achieved (idempotent).  baseline: "design=srcu,
 * request=event" style K=V list naming each group's baseline row (NULL: that
 * default); a group is the runs whose keys agree on everything else. */
void achieved__annotate(json_t *runs, const char *baseline);
/* The console block (nothing when no run had pressure). */
void achieved__print(FILE *f, json_t *runs);

#endif
