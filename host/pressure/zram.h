/* SPDX-License-Identifier: MIT */
/*
 * A zram swap device for pressure=swap, set up only when no swap is active.
 * Every change is preceded by its undo action on the cleanup stack
 * (host/cleanup.h): modprobe zram -> "modprobe -r zram"; hot_add -> hot_remove;
 * disksize -> reset; swapon -> swapoff.  zram__teardown() runs them newest
 * first, and so do Ctrl-C, exit() and fatal signals.
 */
#ifndef FB_PRESSURE_ZRAM_H
#define FB_PRESSURE_ZRAM_H

#include <stdbool.h>
#include <stddef.h>

struct zram_swap {
	int dev;                 /* zram device number, -1 none */
	char path[64];           /* /dev/zramN */
	char sys[64];            /* /sys/block/zramN */
	char devnum[16];         /* "N" for hot_remove */
	unsigned mb;
	int h_modprobe, h_hot, h_reset, h_swapoff;   /* cleanup handles, -1 none */
	char owner[64];          /* /run/flushbench-zramN.pid while we own it */
};

/* Number of active swap areas in /proc/swaps (-errno on error). */
int  swap__active(void);
/* Can a zram device be had here (present, hot-addable or a loadable module)? */
bool zram__available(char *why, size_t len);
/* Make a zram swap of mb MiB and turn it on.  -errno and a reason in err. */
int  zram__setup(struct zram_swap *z, unsigned mb, char *err, size_t len);
/* Undo everything zram__setup() did (also after a partial setup). */
void zram__teardown(struct zram_swap *z);
/* A run killed with SIGKILL (e.g. by the OOM killer) cannot undo its swap:
 * turn off and reset any zram swap whose owner file names a dead process.
 * Returns the number of devices recovered. */
int  zram__reap_stale(void);
/* A live process other than us that owns a flushbench zram swap (from the
 * owner files), else 0.  Swap mode never adopts such a device as its swap. */
int  zram__foreign_owner(void);
/* The machine-wide swap-mode lock, flock(2) on /run/flushbench-swap.lock:
 * returns the fd (keep it open while the swap mode may run), -EWOULDBLOCK
 * with *holder = the pid holding it (block false), -EINTR if a signal
 * interrupted the wait, or -errno. */
int  swap__lock(bool block, int *holder);

#endif
