// SPDX-License-Identifier: MIT
/* Lookup in the table cmake/embed.cmake generates (build dir embedded.c). */
#include <string.h>

#include "embedded.h"

const struct fb_embedded *embedded__find(const char *name)
{
	if (!name)
		return NULL;
	for (const struct fb_embedded *e = fb_embedded; e->name; e++)
		if (!strcmp(e->name, name))
			return e;
	return NULL;
}
