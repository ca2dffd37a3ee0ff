// SPDX-License-Identifier: MIT
#include <string.h>

#include "design.h"
#include "pressure.h"

/*
 * Weak stand-ins for the design/pressure registries (host/designs/registry.c,
 * host/pressure/registry.c) so these tests need none of the VMM; if the real
 * registries are linked in, they win.  Names mirror the real ones.  Linked
 * into the unit tests of the option table and of scenarios
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
static const struct pressure_ops t_press[] = {
	{ .name = "none" }, { .name = "paging" }, { .name = "swap" },
};
__attribute__((weak)) const struct pressure_ops *const pressures[] = {
	&t_press[0], &t_press[1], &t_press[2], NULL,
};
__attribute__((weak)) const struct pressure_ops *pressure__find(const char *name)
{
	for (unsigned i = 0; pressures[i]; i++)
		if (!strcmp(pressures[i]->name, name))
			return pressures[i];
	return NULL;
}
