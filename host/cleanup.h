/* SPDX-License-Identifier: MIT */
/*
 * Machine-restoring undo actions (zram swap, memory cgroup, temp files).
 *
 * Whoever changes machine state pushes the undo action BEFORE making the
 * change, so an interruption at any point leaves a complete undo list; undo
 * actions must therefore tolerate "the change never happened" (swapoff of a
 * device that is not on, rmdir of a missing cgroup).  Actions run LIFO, each
 * at most once, from whichever comes first: cleanup__pop(h, true), the owner's
 * teardown, cleanup__run_all(), exit() (atexit), a second SIGINT/SIGTERM/SIGHUP,
 * or a fatal signal (SIGSEGV/SIGBUS/SIGABRT...).  Because they may run in a
 * signal handler, undo functions must be async-signal-safe: raw syscalls only
 * (open/read/write/close/rmdir/swapoff), no stdio, no malloc, no locks.
 */
#ifndef FB_CLEANUP_H
#define FB_CLEANUP_H

#include <stdbool.h>

#define CLEANUP_MAX 64

/* Register fn(arg) under a short name (kept by pointer: use a literal or
 * storage that outlives the action).  Returns a handle >= 0 or -ENOSPC. */
int  cleanup__push(const char *name, void (*fn)(void *), void *arg);
/* Remove the action; run it first if run is true (unless it already ran). */
void cleanup__pop(int handle, bool run);
/* Run every pending action, newest first.  Safe to call repeatedly and
 * concurrently (each action is claimed atomically). */
void cleanup__run_all(void);
/* SIGINT/SIGTERM/SIGHUP: first one sets cleanup__interrupted() (the run loop
 * stops gracefully); a second one runs cleanup__run_all() and _exit(130).
 * Fatal signals run the actions and re-raise.  Also registers atexit(). */
void cleanup__install_signals(void);
/* The supervisor's variant (bench run): the handler only counts; the first
 * signal sets cleanup__interrupted(), the main loop acts on the count (stop
 * the worker gracefully; at two, kill it, restore the machine, exit 130).
 * No undo runs in the handler and nothing exits from it. */
void cleanup__install_supervisor_signals(void);
int  cleanup__signal_count(void);
bool cleanup__interrupted(void);
/* The signal number of the first interruption (0 if none). */
int  cleanup__signal(void);

/* Async-signal-safe helpers for undo actions and their callers. */
int  cleanup__write_str(const char *path, const char *s);   /* 0 or -errno */
void cleanup__say(const char *a, const char *b);             /* "bench: cleanup: a b\n" on stderr */

#endif
