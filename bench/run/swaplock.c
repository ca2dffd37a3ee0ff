// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "exit-codes.h"
#include "pressure/zram.h"
#include "scenario.h"
#include "swaplock.h"
#include "util.h"

bool swaplock__needed(const struct scenario *sc, const bool *keep)
{
	for (unsigned i = 0; i < sc->nr_variants; i++)
		if (keep[i] && !strcmp(sc->variants[i].pressure, "swap"))
			return true;
	return false;
}

int swaplock__take(bool no_wait, char *err, size_t len)
{
	int holder, fd = swap__lock(false, &holder);
	if (fd == -EWOULDBLOCK) {
		if (no_wait) {
			set_err(err, len, "another swap-mode run (pid %d) holds /run/flushbench-swap.lock; "
				"wait for it or drop --no-wait", holder);
			return FB_EXIT_USAGE;
		}
		fprintf(stderr, "bench run: waiting for another swap-mode run (pid %d) to finish "
			"(/run/flushbench-swap.lock; --no-wait refuses instead)\n", holder);
		fd = swap__lock(true, &holder);
	}
	if (fd == -EINTR) {
		set_err(err, len, "interrupted while waiting for the swap-mode lock; nothing written");
		return FB_EXIT_INTERRUPTED;
	}
	if (fd < 0) {
		set_err(err, len, "cannot take /run/flushbench-swap.lock: %s", strerror(-fd));
		return FB_EXIT_USAGE;
	}
	/* kept open (and inherited by the workers) until we exit */
	return 0;
}

void swaplock__wait_foreign(bool quiet)
{
	bool said = false;
	int pid;

	while ((pid = zram__foreign_owner()) && !cleanup__interrupted()) {
		if (!said && !quiet)
			fprintf(stderr, "\nbench run: waiting for the zram swap of process %d to go\n", pid);
		said = true;
		struct timespec ts = { 0, 200L * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}
