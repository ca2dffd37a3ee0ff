/* SPDX-License-Identifier: MIT */
/* "Did you mean": the closest of a set of names by edit distance (options,
 * scenario keys, flags, commands). */
#ifndef FB_SUGGEST_H
#define FB_SUGGEST_H

#include <ctype.h>

/* Names compare with '-'/'_' and case folded. */
static inline char suggest__fold(char c)
{
	return c == '_' ? '-' : (char)tolower((unsigned char)c);
}

/* Closest of the names at(0), at(1), ... (NULL ends them) to word, or NULL
 * when nothing is close enough to help: a distance of at most 2 + len/4 (a
 * clean prefix of 3+ characters counts as 1), not the word itself. */
const char *suggest__closest_at(const char *word, const char *(*at)(unsigned i, const void *arg),
				const void *arg);
/* The same over names[0..n). */
const char *suggest__closest(const char *word, const char *const *names, unsigned n);

#endif
