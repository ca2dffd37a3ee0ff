// SPDX-License-Identifier: MIT
/* zram swap device setup with undo actions (see zram.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/file.h>
#include <sys/swap.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "fb-spawn.h"
#include "zram.h"

int swap__active(void)
{
	FILE *f = fopen("/proc/swaps", "re");
	if (!f)
		return -errno;
	char line[512];
	int n = -1;      /* header line */
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n < 0 ? 0 : n;
}

static bool exists(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0;
}

static int read_str(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, len - 1);
	int e = errno;
	close(fd);
	if (n < 0)
		return -e;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

bool zram__available(char *why, size_t len)
{
	if (exists("/sys/block/zram0") || exists("/sys/class/zram-control"))
		return true;
	const char *argv[] = { "modprobe", "-n", "-q", "zram", NULL };
	if (spawn__run_quiet(argv) == 0)
		return true;
	snprintf(why, len, "no swap is active and zram is missing (no /sys/block/zram0, `modprobe zram` "
		 "fails); enable a swap device yourself or install a kernel with CONFIG_ZRAM");
	return false;
}

/* ---- undo actions: async-signal-safe ----------------------------------- */

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static void zram__undo_swapoff(void *arg)
{
	struct zram_swap *z = arg;
	/* EINVAL = not a swap area (never turned on): nothing to undo */
	if (swapoff(z->path) < 0 && errno != EINVAL && errno != ENOENT)
		cleanup__say("swapoff failed for", z->path);
	else if (z->owner[0])
		unlink(z->owner);
}

static void zram__undo_reset(void *arg)
{
	struct zram_swap *z = arg;
	char p[96];
	size_t n = strlen(z->sys);
	memcpy(p, z->sys, n);
	memcpy(p + n, "/reset", 7);
	/* reset returns EBUSY while the device is still open (swapoff just
	 * finished, udev probing): retry briefly. */
	for (int i = 0; i < 100; i++) {
		int r = cleanup__write_str(p, "1");
		if (r != -EBUSY) {
			if (z->owner[0])
				unlink(z->owner);
			return;
		}
		nap_ms(20);
	}
	cleanup__say("zram reset stayed busy:", p);
}

static void zram__undo_hot(void *arg)
{
	struct zram_swap *z = arg;
	for (int i = 0; i < 50; i++) {
		if (cleanup__write_str("/sys/class/zram-control/hot_remove", z->devnum) != -EBUSY)
			return;
		nap_ms(20);
	}
}

/* fork + execve, not spawn__run_quiet(): undo actions may run from a signal
 * handler (host/cleanup.h), where only async-signal-safe calls are allowed. */
static void zram__undo_modprobe(void *arg)
{
	pid_t pid = fork();
	if (pid == 0) {
		static char *const argv[] = { "modprobe", "-r", "zram", NULL };
		static char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
		execve("/usr/sbin/modprobe", argv, envp);
		execve("/sbin/modprobe", argv, envp);
		_exit(127);
	}
	if (pid > 0) {
		int st;
		waitpid(pid, &st, 0);
	}
}

/* ---- setup ------------------------------------------------------------- */

/* mkswap fallback: a version-1 swap header (what mkswap writes, minus UUID/label). */
static int zram__write_header(struct zram_swap *z, uint64_t bytes)
{
	long pgsz = sysconf(_SC_PAGESIZE);
	uint8_t *hdr = calloc(1, (size_t)pgsz);
	if (!hdr)
		return -ENOMEM;
	uint32_t version = 1, last_page = (uint32_t)(bytes / (uint64_t)pgsz - 1);
	memcpy(hdr + 1024, &version, 4);
	memcpy(hdr + 1028, &last_page, 4);
	memcpy(hdr + pgsz - 10, "SWAPSPACE2", 10);     // NOLINT(bugprone-not-null-terminated-result): on-disk magic, no NUL
	int fd = open(z->path, O_WRONLY | O_CLOEXEC);
	int r = 0;
	if (fd < 0 || pwrite(fd, hdr, (size_t)pgsz, 0) != pgsz)
		r = -errno;
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(hdr);
	return r;
}

static void zram__name(struct zram_swap *z, int dev)
{
	z->dev = dev;
	snprintf(z->path, sizeof(z->path), "/dev/zram%d", dev);
	snprintf(z->sys, sizeof(z->sys), "/sys/block/zram%d", dev);
	snprintf(z->devnum, sizeof(z->devnum), "%d", dev);
}

int zram__setup(struct zram_swap *z, unsigned mb, char *err, size_t len)
{
	char buf[128], p[128];
	int r;

	memset(z, 0, sizeof(*z));
	z->dev = -1;
	z->h_modprobe = z->h_hot = z->h_reset = z->h_swapoff = -1;
	z->mb = mb;

	if (!exists("/sys/block/zram0") && !exists("/sys/class/zram-control")) {
		z->h_modprobe = cleanup__push("modprobe -r zram", zram__undo_modprobe, z);
		const char *argv[] = { "modprobe", "zram", NULL };
		if (spawn__run_quiet(argv) != 0) {
			snprintf(err, len, "`modprobe zram` failed; load zram or activate a swap device");
			return -ENODEV;
		}
		for (int i = 0; i < 100 && !exists("/sys/block/zram0"); i++)
			nap_ms(10);
	}

	/* zram0 if it is unused (disksize 0), else a new device. */
	zram__name(z, 0);
	snprintf(p, sizeof(p), "%s/disksize", z->sys);
	if (read_str(p, buf, sizeof(buf)) != 0 || strcmp(buf, "0") != 0) {
		if (read_str("/sys/class/zram-control/hot_add", buf, sizeof(buf)) != 0) {
			snprintf(err, len, "zram0 is in use and no new zram device can be added "
				 "(/sys/class/zram-control/hot_add); free zram0 or activate a swap device");
			return -EBUSY;
		}
		/* The number is known only now: push its removal at once. */
		zram__name(z, atoi(buf));
		z->h_hot = cleanup__push("zram hot_remove", zram__undo_hot, z);
		for (int i = 0; i < 100 && !exists(z->path); i++)
			nap_ms(10);
	}

	/* owner file before the first change to the device: a SIGKILL at any
	 * point from here on leaves a record for zram__reap_stale() */
	snprintf(z->owner, sizeof(z->owner), "/run/flushbench-zram%d.pid", z->dev);
	int fd = open(z->owner, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (fd < 0 || write(fd, buf, (size_t)n) != n)
		z->owner[0] = 0;
	if (fd >= 0)
		close(fd);
	z->h_reset = cleanup__push("zram reset", zram__undo_reset, z);
	snprintf(p, sizeof(p), "%s/disksize", z->sys);
	snprintf(buf, sizeof(buf), "%uM", mb);
	r = cleanup__write_str(p, buf);
	if (r) {
		snprintf(err, len, "cannot size %s to %u MiB: %s", z->path, mb, strerror(-r));
		return r;
	}

	const char *mk[] = { "mkswap", "-L", "flushbench", z->path, NULL };
	if (spawn__run_quiet(mk) != 0) {
		r = zram__write_header(z, (uint64_t)mb << 20);
		if (r) {
			snprintf(err, len, "mkswap %s failed and writing the swap header failed: %s",
				 z->path, strerror(-r));
			return r;
		}
	}

	z->h_swapoff = cleanup__push("swapoff zram", zram__undo_swapoff, z);
	int flags = SWAP_FLAG_PREFER | ((100 << SWAP_FLAG_PRIO_SHIFT) & SWAP_FLAG_PRIO_MASK);
	if (swapon(z->path, flags) < 0) {
		r = -errno;
		snprintf(err, len, "swapon %s: %s", z->path, strerror(-r));
		return r;
	}
	return 0;
}

int zram__reap_stale(void)
{
	int n = 0;

	for (int dev = 0; dev < 16; dev++) {
		char owner[64], buf[32];
		struct zram_swap z;

		snprintf(owner, sizeof(owner), "/run/flushbench-zram%d.pid", dev);
		if (read_str(owner, buf, sizeof(buf)) != 0)
			continue;
		pid_t pid = (pid_t)atoi(buf);
		char stat[64], st[256] = "";
		snprintf(stat, sizeof(stat), "/proc/%d/stat", (int)pid);
		bool zombie = read_str(stat, st, sizeof(st)) == 0 && strstr(st, ") Z ");
		if (pid > 0 && !zombie && (kill(pid, 0) == 0 || errno != ESRCH))
			continue;           /* its owner still runs */
		memset(&z, 0, sizeof(z));
		zram__name(&z, dev);
		snprintf(z.owner, sizeof(z.owner), "%s", owner);
		zram__undo_swapoff(&z);
		zram__undo_reset(&z);
		if (dev > 0)
			zram__undo_hot(&z);
		unlink(owner);
		fprintf(stderr, "bench: recovered %s, left swapped on by dead run %d\n", z.path, (int)pid);
		n++;
	}
	return n;
}

int zram__foreign_owner(void)
{
	for (int dev = 0; dev < 16; dev++) {
		char owner[64], buf[32];
		snprintf(owner, sizeof(owner), "/run/flushbench-zram%d.pid", dev);
		if (read_str(owner, buf, sizeof(buf)) != 0)
			continue;
		pid_t pid = (pid_t)atoi(buf);
		if (pid > 0 && pid != getpid() && (kill(pid, 0) == 0 || errno != ESRCH))
			return (int)pid;
	}
	return 0;
}

#define SWAP_LOCK "/run/flushbench-swap.lock"

int swap__lock(bool block, int *holder)
{
	char buf[32];
	*holder = 0;
	int fd = open(SWAP_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | (block ? 0 : LOCK_NB)) < 0) {
		int e = errno == EAGAIN ? EWOULDBLOCK : errno;
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
		if (n > 0) {
			buf[n] = '\0';
			*holder = atoi(buf);
		}
		close(fd);
		return -e;
	}
	int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) == 0) {
		ssize_t w = pwrite(fd, buf, (size_t)n, 0);
		(void)w;       /* the pid is only for the waiting run's message */
	}
	return fd;
}

void zram__teardown(struct zram_swap *z)
{
	/* newest first, the same order cleanup__run_all() would use */
	if (z->h_swapoff >= 0)
		cleanup__pop(z->h_swapoff, true);
	if (z->h_reset >= 0)
		cleanup__pop(z->h_reset, true);
	if (z->h_hot >= 0)
		cleanup__pop(z->h_hot, true);
	if (z->h_modprobe >= 0)
		cleanup__pop(z->h_modprobe, true);
	z->h_swapoff = z->h_reset = z->h_hot = z->h_modprobe = -1;
}
