// SPDX-License-Identifier: MIT
#include <string.h>

#include "design.h"

/*
 * Weak stand-ins for the design registry (host/designs/registry.c), so these
 * tests see a short fixed list of designs; if the real registry is linked
 * in, it wins.  Names mirror the real ones.  The pressure modes are the real
 * ones (host/pressure/registry.c): their knobs are part of the option table.
 * Linked into the unit tests of the option table and of scenarios
 * (tests/CMakeLists.txt).
 */
static const struct design_ops t_designs[] = {
	{ .name = "srcu" }, { .name = "srcu-private" }, { .name = "targeted" },
	{ .name = "srcu-nogp", .flags = DESIGN_F_BROKEN },
};
__attribute__((weak)) const struct design_ops *const designs[] = {
	&t_designs[0], &t_designs[1], &t_designs[2], &t_designs[3], NULL,
};
__attribute__((weak)) const struct design_ops *design__find(const char *name)
{
	for (unsigned i = 0; designs[i]; i++)
		if (!strcmp(designs[i]->name, name))
			return designs[i];
	return NULL;
}
