// SPDX-License-Identifier: MIT
/* The pager's userfaultfd: open it, probe what it can do, wake waiters (see pager-int.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pager-int.h"

int uffd__open(char *why, size_t len)
{
	/* /dev/userfaultfd (5.11+) is governed by the device's permissions;
	 * the syscall needs root/CAP_SYS_PTRACE or vm.unprivileged_userfaultfd=1
	 * for faults taken in kernel mode (KVM's GUP), so try the device first. */
	int fd = -1, dev_err = 0;
	int dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
	if (dev >= 0) {
		fd = ioctl(dev, USERFAULTFD_IOC_NEW, O_CLOEXEC | O_NONBLOCK);
		dev_err = fd < 0 ? errno : 0;
		close(dev);
	} else {
		dev_err = errno;
	}
	if (fd < 0) {
		fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
		if (fd < 0) {
			int e = errno;
			snprintf(why, len, "userfaultfd unavailable: /dev/userfaultfd: %s; userfaultfd(2): %s; "
				 "run as root, or chmod/setfacl /dev/userfaultfd, or sysctl vm.unprivileged_userfaultfd=1",
				 strerror(dev_err), strerror(e));
			return -e;
		}
	}
	struct uffdio_api api = {
		.api = UFFD_API,
		.features = UFFD_FEATURE_THREAD_ID | UFFD_FEATURE_PAGEFAULT_FLAG_WP,
	};
	if (ioctl(fd, UFFDIO_API, &api) < 0) {
		int e = errno;
		close(fd);
		snprintf(why, len, "userfaultfd lacks THREAD_ID/write-protect support (UFFDIO_API: %s); "
			 "needs Linux >= 5.7 with CONFIG_HAVE_ARCH_USERFAULTFD_WP", strerror(e));
		return -e;
	}
	return fd;
}

bool pager__available(char *why, size_t len)
{
	int fd = uffd__open(why, len);
	if (fd < 0)
		return false;
	/* Probe anonymous MISSING|WP registration on a scratch page. */
	long pgsz = sysconf(_SC_PAGESIZE);
	void *m = mmap(NULL, (size_t)pgsz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bool ok = m != MAP_FAILED;
	if (ok) {
		struct uffdio_register reg = {
			.range = { .start = (uintptr_t)m, .len = (uint64_t)pgsz },
			.mode = UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP,
		};
		if (ioctl(fd, UFFDIO_REGISTER, &reg) < 0) {
			snprintf(why, len, "userfaultfd cannot register anonymous memory in MISSING+WP mode: %s",
				 strerror(errno));
			ok = false;
		}
		munmap(m, (size_t)pgsz);
	} else {
		snprintf(why, len, "mmap: %s", strerror(errno));
	}
	close(fd);
	if (ok && len)
		why[0] = '\0';
	return ok;
}

void uffd__wake(struct pager *p, uint64_t i)
{
	struct uffdio_range r = { .start = (uintptr_t)(p->base + i * p->pgsz), .len = p->pgsz };
	ioctl(p->uffd, UFFDIO_WAKE, &r);
}
