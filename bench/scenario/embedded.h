/* SPDX-License-Identifier: MIT */
/* Files compiled into the binary (cmake/embed.cmake): default scenario, plot templates. */
#ifndef FB_EMBEDDED_H
#define FB_EMBEDDED_H
#include <stddef.h>
struct fb_embedded { const char *name; const char *data; size_t len; };
extern const struct fb_embedded fb_embedded[];
/* NULL if not embedded. */
const struct fb_embedded *embedded__find(const char *name);
#endif
