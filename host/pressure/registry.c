// SPDX-License-Identifier: MIT
/* The pressure modes.  Adding one = one file in host/pressure/ + one line here. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pressure.h"

/* One line per mode, in the order bench info, docs and plots list them.
 * X(n) names `const struct pressure_ops pressure_<n>`. */
#define FB_PRESSURES(X)                 \
	X(none)                         \
	X(paging)                       \
	X(swap)                         \
	/* a new mode: one line above this one */

#define PRESSURE_EXTERN(n) extern const struct pressure_ops pressure_##n;
#define PRESSURE_ENTRY(n)  &pressure_##n,
FB_PRESSURES(PRESSURE_EXTERN)

const struct pressure_ops *const pressures[] = {
	FB_PRESSURES(PRESSURE_ENTRY)
	NULL,
};

/* cf. fio's check_engine_ops(), and design__check_all(): version, required
 * hooks, unique names, the mode's option list.  -EINVAL with a message; bench run checks at start. */
int pressure__check_all(char *why, size_t len)
{
	for (unsigned i = 0; pressures[i]; i++) {
		const struct pressure_ops *p = pressures[i];
		if (!p->name || !*p->name) {
			snprintf(why, len, "pressure mode #%u has no name", i);
			return -EINVAL;
		}
		if (p->version != PRESSURE_OPS_VERSION) {
			snprintf(why, len, "pressure mode %s: ops version %u, expected %u", p->name, p->version,
				 (unsigned)PRESSURE_OPS_VERSION);
			return -EINVAL;
		}
		if (!p->desc || !p->available || !p->setup || !p->start || !p->stop || !p->teardown) {
			snprintf(why, len, "pressure mode %s: missing a required hook "
				 "(desc, available, setup, start, stop, teardown)", p->name);
			return -EINVAL;
		}
		for (unsigned j = 0; j < i; j++)
			if (!strcmp(pressures[j]->name, p->name)) {
				snprintf(why, len, "pressure mode %s registered twice", p->name);
				return -EINVAL;
			}
		char what[96];
		snprintf(what, sizeof(what), "pressure mode %s", p->name);
		if (option__check_list(what, p->options, p->options_size, why, len))
			return -EINVAL;
	}
	return 0;
}

const struct pressure_ops *pressure__find(const char *name)
{
	for (unsigned i = 0; pressures[i]; i++)
		if (!strcmp(pressures[i]->name, name))
			return pressures[i];
	return NULL;
}
