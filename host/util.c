/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE     /* vasprintf, pthread_timedjoin_np */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <linux/futex.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

int fb_log_level = 1;

static void vlog(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void pr_err(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog("bench: error: ", fmt, ap);
	va_end(ap);
}

void pr_warn(const char *fmt, ...)
{
	if (fb_log_level < 1)
		return;
	va_list ap;
	va_start(ap, fmt);
	vlog("bench: warning: ", fmt, ap);
	va_end(ap);
}

void pr_info(const char *fmt, ...)
{
	if (fb_log_level < 1)
		return;
	va_list ap;
	va_start(ap, fmt);
	vlog("bench: ", fmt, ap);
	va_end(ap);
}

void pr_verbose(const char *fmt, ...)
{
	if (fb_log_level < 2)
		return;
	va_list ap;
	va_start(ap, fmt);
	vlog("bench: ", fmt, ap);
	va_end(ap);
}

void die(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog("bench: ", fmt, ap);
	va_end(ap);
	exit(code);
}

void fb_bug(const char *expr, const char *file, int line, const char *func)
{
	int err = errno;
	fprintf(stderr, "bench: BUG at %s:%d %s(): %s (errno %d: %s)\n",
		file, line, func, expr, err, strerror(err));
	abort();
}

void *xzalloc(size_t size)
{
	void *p = calloc(1, size ? size : 1);
	if (!p)
		die(FB_EXIT_BUG, "out of memory allocating %zu bytes", size);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		die(FB_EXIT_BUG, "out of memory allocating %zu x %zu bytes", n, size);
	return p;
}

void *xrealloc(void *p, size_t size)
{
	void *q = realloc(p, size ? size : 1);
	if (!q)
		die(FB_EXIT_BUG, "out of memory reallocating %zu bytes", size);
	return q;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		die(FB_EXIT_BUG, "out of memory");
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		die(FB_EXIT_BUG, "out of memory");
	va_end(ap);
	return s;
}

void set_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

int mkdir_p(const char *path)
{
	char buf[4096];
	size_t n = strlen(path);
	struct stat st;

	if (!n || n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return -errno;
	/* EEXIST may have been a file */
	if (stat(path, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int write_file_atomic(const char *path, const void *buf, size_t len)
{
	char tmp[4096];
	int n = snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	const char *p = buf;
	size_t left = len;
	while (left) {
		ssize_t w = write(fd, p, left);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			int err = -errno;
			close(fd);
			unlink(tmp);
			return err;
		}
		p += w;
		left -= (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		int err = -errno;
		unlink(tmp);
		return err;
	}
	if (rename(tmp, path) < 0) {
		int err = -errno;
		unlink(tmp);
		return err;
	}
	return 0;
}

int futex_wait(_Atomic uint32_t *addr, uint32_t expected, const struct timespec *timeout)
{
	long r = syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAIT_PRIVATE, expected, timeout, NULL, 0);
	return r < 0 ? -errno : 0;
}

int futex_wake(_Atomic uint32_t *addr, int nr)
{
	long r = syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAKE_PRIVATE, nr, NULL, NULL, 0);
	return r < 0 ? -errno : (int)r;
}

int thread__join_until(pthread_t t, uint64_t deadline_ns)
{
	struct timespec ts;
	uint64_t now = now_ns(), left = deadline_ns > now ? deadline_ns - now : 0;

	if (!deadline_ns)
		return -pthread_join(t, NULL);
	/* pthread_timedjoin_np() takes CLOCK_REALTIME; our deadlines are MONOTONIC */
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t abs = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec + left;
	ts.tv_sec = (time_t)(abs / 1000000000ull);
	ts.tv_nsec = (long)(abs % 1000000000ull);
	return pthread_timedjoin_np(t, NULL, &ts) ? -ETIMEDOUT : 0;
}
