// SPDX-License-Identifier: MIT
/*
 * Fuzz the scenario parser: INI text -> load -> CLI-style override ->
 * expand -> variant keys -> free.  Must never crash, hang or leak; errors
 * are expected and fine.  Corpus: tests/fuzz/corpus/scenario/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024];
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';          /* the parser reads up to the first NUL */

	struct scenario sc = { 0 };
	if (!scenario__load_string(&sc, "fuzz.ini", text, err, sizeof(err))) {
		/* the first line also as a CLI value, to reach the list parser that way */
		char *nl = strchr(text, '\n');
		if (nl)
			*nl = '\0';
		scenario__override(&sc, "design", text, err, sizeof(err));
		if (!scenario__expand(&sc, err, sizeof(err))) {
			for (unsigned i = 0; i < sc.nr_variants && i < 64; i++)
				free(scenario__variant_key(&sc, &sc.variants[i]));
		}
	}
	scenario__free(&sc);
	free(text);
	return 0;
}
