/* SPDX-License-Identifier: MIT */
/*
 * Disturbance record of one repeat (docs/RESULTS.md "disturbance",
 * docs/STATISTICS.md): what else the machine did during the measured
 * window.  run.c calls disturb__begin() when the window opens,
 * disturb__end() when it closes and disturb__report(run) when it builds the
 * run object.  One window at a time per process.
 */
#ifndef FB_DISTURB_H
#define FB_DISTURB_H

#include <jansson.h>

void disturb__begin(void);
void disturb__end(void);

/* run["disturbance"] = { wall_s, host_cpus, loadavg_1m, loadavg_1m_end,
 * other_cpu_s, other_cpu_pct, steal_s, steal_pct, own_cpu_s,
 * ctx_involuntary }; nothing when no complete window was recorded or
 * /proc/stat was unreadable. */
void disturb__report(json_t *run);

#endif
