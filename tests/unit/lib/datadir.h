/* SPDX-License-Identifier: MIT */
/* tests/data/NAME into out: from $SRC when set, else from where this file
 * was compiled; a cmocka failure when neither works. */
#ifndef FB_TEST_DATADIR_H
#define FB_TEST_DATADIR_H

#include <stddef.h>

void test__datadir(const char *name, char *out, size_t len);

#endif
