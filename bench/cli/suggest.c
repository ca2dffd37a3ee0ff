// SPDX-License-Identifier: MIT
/* "Did you mean": Levenshtein distance over folded names (see suggest.h). */
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "suggest.h"

/* Levenshtein distance over '-'/'_'-folded, lower-cased names. */
static unsigned edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return UINT_MAX;
	unsigned row[65];
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned diag = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			char x = suggest__fold(a[i - 1]);
			char y = suggest__fold(b[j - 1]);
			unsigned up = row[j];
			unsigned best = diag + (x != y);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* Is p a prefix of s ('-'/'_' and case folded)? */
static bool is_prefix(const char *p, const char *s)
{
	for (; *p; p++, s++) {
		char x = suggest__fold(*p);
		char y = suggest__fold(*s);
		if (x != y)
			return false;
	}
	return true;
}

const char *suggest__closest_at(const char *unknown, const char *(*at)(unsigned, const void *),
				const void *arg)
{
	const char *best = NULL;
	unsigned bd = UINT_MAX;
	size_t ul = strlen(unknown);
	for (unsigned i = 0;; i++) {
		const char *n = at(i, arg);
		if (!n)
			break;
		unsigned d = edit_distance(unknown, n);
		/* a clean prefix ("duration" for "duration-s") is as good as a typo */
		if (ul >= 3 && is_prefix(unknown, n))
			d = d < 1 ? d : 1;
		if (d < bd) {
			bd = d;
			best = n;
		}
	}
	if (!best || bd == 0 || bd > 2 + ul / 4 || bd >= strlen(best))
		return NULL;
	return best;
}

struct name_array { const char *const *names; unsigned n; };

static const char *name_array_at(unsigned i, const void *arg)
{
	const struct name_array *a = arg;
	return i < a->n ? a->names[i] : NULL;
}

const char *suggest__closest(const char *word, const char *const *names, unsigned n)
{
	struct name_array a = { names, n };
	if (!word || !*word)
		return NULL;
	return suggest__closest_at(word, name_array_at, &a);
}
