/* SPDX-License-Identifier: MIT */
/* Logging, error and time helpers shared by host/ and bench/. */
#ifndef FB_UTIL_H
#define FB_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* The two exit statuses the host library itself may end the process with;
 * the CLI's whole list is bench/cli/exit-codes.h. */
#define FB_EXIT_BUG           125   /* die()/BUG_ON: internal bug, out of memory */
#define FB_EXIT_INTERRUPTED   130   /* second SIGINT/SIGTERM (cleanup.c); completed runs are kept */

extern int fb_log_level;        /* 0 quiet, 1 normal (default), 2 verbose, 3 debug */

void pr_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define pr_debug(fmt, ...) \
	do { if (fb_log_level >= 3) fprintf(stderr, "debug %s:%d %s: " fmt "\n", \
		 __FILE__, __LINE__, __func__, ##__VA_ARGS__); } while (0)

/* Print "bench: <msg>" and exit(code).  For commands only: library code
 * returns -errno and lets the caller decide. */
void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

/* Internal invariant; prints the expression, file:line, errno. */
#define BUG_ON(cond) do { if (__builtin_expect(!!(cond), 0)) \
	fb_bug(#cond, __FILE__, __LINE__, __func__); } while (0)
void fb_bug(const char *expr, const char *file, int line, const char *func) __attribute__((noreturn));

static inline uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* *p = max(*p, v), lock-free (interval maxima of the time series). */
static inline void atomic_max_u64(_Atomic uint64_t *p, uint64_t v)
{
	uint64_t cur = __atomic_load_n((uint64_t *)p, __ATOMIC_RELAXED);

	while (v > cur && !__atomic_compare_exchange_n((uint64_t *)p, &cur, v, true,
						       __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }

/* xmalloc family: die on OOM (a benchmark cannot continue without memory). */
void *xzalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
/* Join t, waiting until deadline_ns (now_ns() clock; 0 = forever): 0 or -ETIMEDOUT. */
int thread__join_until(pthread_t t, uint64_t deadline_ns);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Fill err (if any) with a formatted one-line message. */
void set_err(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* mkdir -p with mode 0755.  0 or -errno. */
int mkdir_p(const char *path);

/* Write buf to path atomically: path.tmp.<pid>, fsync, rename.  -errno. */
int write_file_atomic(const char *path, const void *buf, size_t len);

/* futex wrappers (uint32_t words). */
int futex_wait(_Atomic uint32_t *addr, uint32_t expected, const struct timespec *timeout);
int futex_wake(_Atomic uint32_t *addr, int nr);

#endif
