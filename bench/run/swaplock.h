/* SPDX-License-Identifier: MIT */
/* bench run's share of the machine's swap (swaplock.c): swap-mode runs go
 * one after the other and never adopt each other's zram. */
#ifndef FB_SWAPLOCK_H
#define FB_SWAPLOCK_H

#include <stdbool.h>
#include <stddef.h>

struct scenario;

/* Does any variant kept to run use pressure=swap? */
bool swaplock__needed(const struct scenario *sc, const bool *keep);
/* Take the machine-wide swap-mode lock, held (and inherited by the
 * workers) until exit; waits for another run unless no_wait.  0, or the
 * exit code with one line in err. */
int swaplock__take(bool no_wait, char *err, size_t len);
/* A zram swap of a live process that is not ours (a run that does not
 * take the lock): wait for it to go (or an interrupt) rather than adopt it
 * or fail. */
void swaplock__wait_foreign(bool quiet);

#endif
