/* SPDX-License-Identifier: MIT */
/*
 * `bench report`: one self-contained DIR/report.html (docs/PLOTS.md): no
 * network, no JavaScript; plots are inlined (SVG, or PNG as a data: URI when
 * only PNG exists).  Every string from results.json is HTML-escaped.
 */
#ifndef FB_REPORT_H
#define FB_REPORT_H

#include <stddef.h>
#include <jansson.h>

/* Write DIR/report.html (temp + rename) for the results tree root, with the
 * plots found in DIR/plots.  base != NULL makes it a compare report: root is
 * NEW, base is BASE, and a verdict table (and DIR/plots/compare.* when
 * present) is added.  Returns 0 or -errno with one line in err. */
int report__write(const char *dir, json_t *root, json_t *base, char *err, size_t errlen);

#endif
