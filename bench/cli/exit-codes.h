/* SPDX-License-Identifier: MIT */
/* The exit status of `bench` (README.md "Exit status"); ctest treats
 * FB_EXIT_SKIP as SKIP_RETURN_CODE.  FB_EXIT_BUG (125, internal bug) and
 * FB_EXIT_INTERRUPTED (130) come from util.h: the host library exits with
 * them too. */
#ifndef FB_EXIT_CODES_H
#define FB_EXIT_CODES_H

#include "util.h"

#define FB_EXIT_OK        0
#define FB_EXIT_FAIL      1   /* regression, oracle failure, failed/timed-out variant */
#define FB_EXIT_USAGE     2   /* bad flags or scenario, privileges, missing kvm,
				 environment limits, write errors */
#define FB_EXIT_SKIP      4   /* test skipped (ctest SKIP_RETURN_CODE) */

#endif
