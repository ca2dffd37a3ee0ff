/* SPDX-License-Identifier: MIT */
/*
 * Starting helper programs (perf, gnuplot, mkswap, swapon, modprobe) from the
 * harness.
 *
 * spawn__start() uses clone(CLONE_VM|CLONE_VFORK) like posix_spawn: no
 * page-table copy of the (possibly huge, userfaultfd-registered) guest
 * memory, and the parent waits until exec.  Unlike posix_spawn the child gets
 * PR_SET_PDEATHSIG(SIGTERM), its own process group, leaves the swap mode's
 * limited memory cgroup, and has every fd but 0..4 closed: a leaked
 * userfaultfd or KVM fd in a helper would keep the harness's objects alive
 * after it closes them.  The child only makes raw syscalls.
 *
 * PR_SET_PDEATHSIG fires when the *spawning thread* dies: spawn long-lived
 * helpers (perf) from a thread that outlives them (the main thread).
 *
 * (fb-spawn.h, not spawn.h: host/ is on the include path and would shadow
 * <spawn.h>.)
 */
#ifndef FB_SPAWN_H
#define FB_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct spawn_args {
	const char *path;           /* absolute (spawn__which() finds one) */
	char *const *argv;
	int fd[5];                  /* becomes fd 0..4 in the child; -1: 0..2
				       are inherited, 3..4 closed */
	const char *cwd;            /* chdir() there before exec; NULL = stay */
	int nice;                   /* setpriority() in the child when != 0 */

	/* set by spawn__start() */
	pid_t ppid;
	int err;                    /* errno of a failed chdir/exec */
	const char *escape;         /* cgroup.procs to leave the limited memcg for */
};

/* Start a->path; the child's pid, or -1 with *err = errno (fork, chdir or
 * exec failed: nothing is left to reap). */
pid_t spawn__start(struct spawn_args *a, int *err);
/* waitpid() with a timeout in ms; true when reaped (*status filled). */
bool  spawn__wait_ms(pid_t pid, int *status, unsigned ms);
/* waitpid() through EINTR; the exit status, 128 + signal, or -errno. */
int   spawn__wait(pid_t pid);
/* Run argv, stdin /dev/null, capture up to len-1 bytes of stdout+stderr
 * into out; exit status or -errno. */
int   spawn__capture(const char *path, char *const argv[], char *out, size_t len);
/* Run argv[0] found in PATH plus the sbin directories (Debian keeps mkswap,
 * swapon and modprobe in /usr/sbin, not always in PATH), output discarded;
 * exit status or -errno. */
int   spawn__run_quiet(const char *const argv[]);
/* Find prog (no '/') in the ':'-separated search path (NULL = $PATH) into
 * out; false when it is not there or not executable. */
bool  spawn__which(const char *prog, const char *search, char *out, size_t len);

#endif
