/* SPDX-License-Identifier: MIT */
/*
 * The order `bench run` runs (variant, repeat) pairs in: every repeat round
 * shuffled by the scenario seed, so drift does not favour a variant; and
 * Phoronix-style adaptive repeats, one more shuffled round for each variant
 * still noisier than the target, up to repeat_max.
 */
#ifndef FB_SCHEDULE_H
#define FB_SCHEDULE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct scenario;

struct schedule {
	unsigned *order;        /* pair k = order[k]: variant order % nv, repeat order / nv */
	unsigned n;             /* pairs planned so far */
	unsigned nr_variants;
	unsigned round;         /* rounds planned so far */
	uint64_t seed;          /* the shuffle's state */
};

/* Plan the scenario's repeat rounds over the variants that are kept. */
void schedule__init(struct schedule *s, const struct scenario *sc, const bool *keep);
/* Queue one more round for the variants whose metric is still noisier than
 * the scenario's target (repeat_rse_pct / repeat_mde_pct) over the runs so
 * far; 0 when adaptive repeating is off, done or interrupted.  Says so on
 * stderr unless quiet. */
unsigned schedule__adaptive_round(struct schedule *s, const struct scenario *sc, const bool *keep,
				  json_t *runs, bool quiet);
/* What adaptive repeating ended with, per variant (results.json scenario.adaptive). */
json_t *schedule__adaptive_json(const struct scenario *sc, json_t *runs);
/* The planned order as a JSON array (results.json scenario.order). */
json_t *schedule__order_json(const struct schedule *s);
void schedule__free(struct schedule *s);

#endif
