// SPDX-License-Identifier: MIT
/* The pressure modes.  Adding one = one file in host/pressure/ + one line here. */
#include <string.h>

#include "pressure.h"
#include "util.h"

extern const struct pressure_ops pressure_none;
extern const struct pressure_ops pressure_paging;
extern const struct pressure_ops pressure_swap;

const struct pressure_ops *const pressures[] = {
	&pressure_none,
	&pressure_paging,
	&pressure_swap,
	NULL,
};

/* cf. fio's check_engine_ops(): a mode with a wrong version or a missing
 * required hook is a build bug, caught on first lookup. */
static void pressure__check(const struct pressure_ops *p)
{
	if (p->version != PRESSURE_OPS_VERSION || !p->name || !p->available ||
	    !p->setup || !p->teardown) {
		pr_err("pressure mode '%s': ops version %u (want %u) or a required hook missing",
		       p->name ? p->name : "?", p->version, PRESSURE_OPS_VERSION);
		BUG_ON(1);
	}
}

const struct pressure_ops *pressure__find(const char *name)
{
	for (unsigned i = 0; pressures[i]; i++) {
		if (!strcmp(pressures[i]->name, name)) {
			pressure__check(pressures[i]);
			return pressures[i];
		}
	}
	return NULL;
}
