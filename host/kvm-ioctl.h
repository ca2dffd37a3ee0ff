/* SPDX-License-Identifier: MIT */
/*
 * ioctl wrappers for /dev/kvm, the VM and vCPU fds, as in the KVM selftests
 * (include/kvm_util.h): macros, so that a failure names the ioctl, and so
 * that the argument's type is checked against the size encoded in the ioctl
 * number at compile time.
 *
 *   __kvm_ioctl(fd, KVM_X, ptr)      returns the ioctl's value or -errno;
 *   kvm_ioctl(fd, KVM_X, ptr)        the same, retried on EINTR, and a failure
 *                                    logged as "kvm: KVM_X failed: <errno>";
 *   __kvm_ioctl_val / kvm_ioctl_val  for _IO ioctls whose argument is a value
 *                                    (KVM_CHECK_EXTENSION, KVM_CREATE_VCPU,
 *                                    KVM_RUN, ...), checked to carry no size.
 *
 * Library code: they return errors; callers decide (STYLE.md "Pairs").
 */
#ifndef FB_KVM_IOCTL_H
#define FB_KVM_IOCTL_H

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "util.h"

static inline int kvm_ioctl__raw(int fd, unsigned long cmd, unsigned long arg)
{
	int r = ioctl(fd, cmd, arg);

	return r < 0 ? -errno : r;
}

static inline int kvm_ioctl__named(int fd, unsigned long cmd, unsigned long arg, const char *name)
{
	int r;

	do
		r = kvm_ioctl__raw(fd, cmd, arg);
	while (r == -EINTR);
	if (r < 0)
		pr_err("kvm: %s failed: %s", name, strerror(-r));
	return r;
}

/* name: the ioctl's name as a string literal, stringified by the caller
 * before cmd is expanded. */
#define kvm_ioctl__check_ptr(cmd, name, arg) \
	_Static_assert(!_IOC_SIZE(cmd) || sizeof(*(arg)) == _IOC_SIZE(cmd), \
		       "the argument of " name " is not the size its number encodes")
#define kvm_ioctl__check_val(cmd, name) \
	_Static_assert(_IOC_SIZE(cmd) == 0, name " takes a pointer: use kvm_ioctl()")

#define __kvm_ioctl(fd, cmd, arg) ({ kvm_ioctl__check_ptr(cmd, #cmd, arg); \
	kvm_ioctl__raw((fd), (cmd), (unsigned long)(arg)); })
#define kvm_ioctl(fd, cmd, arg) ({ kvm_ioctl__check_ptr(cmd, #cmd, arg); \
	kvm_ioctl__named((fd), (cmd), (unsigned long)(arg), #cmd); })
#define __kvm_ioctl_val(fd, cmd, val) ({ kvm_ioctl__check_val(cmd, #cmd); \
	kvm_ioctl__raw((fd), (cmd), (unsigned long)(val)); })
#define kvm_ioctl_val(fd, cmd, val) ({ kvm_ioctl__check_val(cmd, #cmd); \
	kvm_ioctl__named((fd), (cmd), (unsigned long)(val), #cmd); })

#endif
