// SPDX-License-Identifier: MIT
/* The checked-in test data of a unit test (see datadir.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "datadir.h"

void test__datadir(const char *name, char *out, size_t len)
{
	const char *src = getenv("SRC");
	char *p;

	if (src) {
		snprintf(out, len, "%s/tests/data/%s", src, name);
		return;
	}
	/* tests/unit/lib/datadir.c -> tests/data/NAME (CMake compiles with
	 * absolute source paths) */
	snprintf(out, len, "%s", __FILE__);
	p = strstr(out, "unit/lib/datadir.c");
	if (!p || (size_t)(p - out) + strlen("data/") + strlen(name) >= len)
		fail_msg("cannot locate tests/data/%s from %s; set SRC", name, __FILE__);
	snprintf(p, len - (size_t)(p - out), "data/%s", name);
}
