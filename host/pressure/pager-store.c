// SPDX-License-Identifier: MIT
/* The pager's backing store: memory, or a real file whose I/O is the latency (see pager-int.h). */
#define _GNU_SOURCE   /* O_DIRECT, mkostemp */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "pager-int.h"
#include "vm.h"

int backing__save(struct pager *p, struct pager_thread *t, uint64_t i, const uint8_t *src)
{
	if (!p->file_mode) {
		memcpy(p->store + i * p->pgsz, src, p->pgsz);
		return 0;
	}
	memcpy(t->bounce_out, src, p->pgsz);
	off_t off = (off_t)(i * p->pgsz);
	for (size_t done = 0; done < p->pgsz;) {
		ssize_t n = pwrite(p->fd, t->bounce_out + done, p->pgsz - done, off + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += (size_t)n;
	}
	return 0;
}

/* Returns where page i's saved content is (the zero page if never saved). */
const uint8_t *backing__load(struct pager *p, struct pager_thread *t, uint64_t i, uint32_t st,
			     int *err)
{
	*err = 0;
	if (!p->file_mode)
		return st == PG_SAVED ? p->store + i * p->pgsz : p->zero;
	/* File mode reads every page, also never-saved ones (a hole reads as
	 * zeros): the file plays the swap device, its real I/O is the latency. */
	off_t off = (off_t)(i * p->pgsz);
	for (size_t done = 0; done < p->pgsz;) {
		ssize_t n = pread(p->fd, t->bounce_in + done, p->pgsz - done, off + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*err = -errno;
			return NULL;
		}
		if (n == 0) {   /* beyond EOF: zeros */
			memset(t->bounce_in + done, 0, p->pgsz - done);
			break;
		}
		done += (size_t)n;
	}
	return t->bounce_in;
}

void pager__io_error(struct pager *p, const char *what, int err)
{
	int zero = 0;
	if (atomic_compare_exchange_strong(&p->io_error, &zero, err))
		pr_err("pressure paging: %s failed: %s; data in the affected page is lost",
		       what, strerror(-err));
}

static void pager__unlink_action(void *arg)
{
	struct pager *p = arg;
	unlink(p->path);    /* async-signal-safe */
}

int pager__open_file(struct pager *p, char *err, size_t len)
{
	const char *cfgpath = paging__opts(p->vm->cfg)->backing_file;
	const char *dir = "/var/tmp";
	struct stat sb;
	int oflags = O_RDWR | O_CLOEXEC | (p->direct ? O_DIRECT : 0);

	if (cfgpath[0] && !(stat(cfgpath, &sb) == 0 && S_ISDIR(sb.st_mode))) {
		/* A file path: create it (never overwrite somebody's file) and
		 * remove it at teardown, or on Ctrl-C. */
		snprintf(p->path, sizeof(p->path), "%s", cfgpath);
		p->unlink_handle = cleanup__push("remove paging backing file", pager__unlink_action, p);
		p->fd = open(p->path, oflags | O_CREAT | O_EXCL, 0600);
		if (p->fd < 0) {
			int e = errno;
			cleanup__pop(p->unlink_handle, false);
			p->unlink_handle = -1;
			snprintf(err, len, "backing_file %s: %s; %s", p->path, strerror(e),
				 e == EEXIST ? "give a path that does not exist yet, or a directory" :
				 e == EINVAL && p->direct ? "its filesystem has no O_DIRECT: set backing_direct=0" :
				 "pick a writable location");
			return -e;
		}
	} else {
		if (cfgpath[0])
			dir = cfgpath;
		snprintf(p->path, sizeof(p->path), "%s/flushbench-pager-XXXXXX", dir);
		int fd = mkostemp(p->path, O_CLOEXEC);
		if (fd < 0) {
			int e = errno;
			snprintf(err, len, "cannot create a backing file in %s: %s; set backing_file to a "
				 "writable directory", dir, strerror(e));
			return -e;
		}
		if (p->direct) {
			p->fd = open(p->path, oflags);
			int e = errno;
			close(fd);
			if (p->fd < 0) {
				unlink(p->path);
				snprintf(err, len, "backing file in %s: O_DIRECT: %s; set backing_direct=0 or "
					 "use a directory on a filesystem that supports it", dir, strerror(e));
				return -e;
			}
		} else {
			p->fd = fd;
		}
		/* Unlinked at once: nothing is left behind even after SIGKILL. */
		unlink(p->path);
	}
	if (ftruncate(p->fd, (off_t)(p->npages * p->pgsz)) < 0) {
		int e = errno;
		snprintf(err, len, "backing file %s: ftruncate to %" PRIu64 " bytes: %s", p->path,
			 p->npages * p->pgsz, strerror(e));
		return -e;
	}
	return 0;
}

int pager__bounce(struct pager *p, struct pager_thread *t)
{
	if (!p->file_mode)
		return 0;
	if (posix_memalign((void **)&t->bounce_in, p->pgsz, p->pgsz) ||
	    posix_memalign((void **)&t->bounce_out, p->pgsz, p->pgsz))
		return -ENOMEM;
	return 0;
}
