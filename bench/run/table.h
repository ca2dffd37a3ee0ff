/* SPDX-License-Identifier: MIT */
/*
 * The console tables of `bench run` and the per-variant verdicts.  Every
 * number goes through results__fmt(): a metric with no samples prints "-",
 * a censored one ">=x" (docs/RESULTS.md).
 */
#ifndef FB_TABLE_H
#define FB_TABLE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* "a=1,b=2" -> "1/2" (+ " #r" for repeats > 0): a row label */
void table__label(json_t *run, char *key, size_t len);
/* Exit-floor runs (null / hypercall workloads) vs flush/inhibit (mixed). */
bool table__is_rtt(json_t *run);
/* One table for the mixed runs, one for the exit floor. */
void table__print_runs(json_t *runs);
/* The variants the supervisor recorded as failed / timeout, with the
 * cause; returns how many. */
unsigned table__print_failures(json_t *runs);
/* Print what is not "ok" (oracle failures with their events, timeouts,
 * stalls) and return the exit code: 1 for an oracle failure of a correct
 * design or a timeout, 0 otherwise (stalled is a finding, not a failure).
 * A run's design is that of its variant (variants[run.variant], resolved). */
int  table__verdicts(json_t *runs, const struct run_config *variants, unsigned nr_variants);

#endif
