/* SPDX-License-Identifier: MIT */
/* Shared by scenario.c (files, overrides) and scenario-expand.c (variants). */
#ifndef FB_SCENARIO_INT_H
#define FB_SCENARIO_INT_H

#include "scenario.h"

/* Create the key objects if missing: 0 or -ENOMEM. */
int  scenario__ensure_init(struct scenario *sc);
/* Copy the scenario-level keys (repeat, seed, warmup_s) into sc. */
void scenario__sync_level(struct scenario *sc);

#endif
