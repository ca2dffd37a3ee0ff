/* SPDX-License-Identifier: MIT */
/* /dev/kvm before a VM exists (host/kvm-caps.c), for the kvm backend. */
#ifndef FB_KVM_CAPS_H
#define FB_KVM_CAPS_H

#include <stddef.h>
#include <stdint.h>

/* KVM_CHECK_EXTENSION on a /dev/kvm or VM fd; 0 when absent or on error. */
int kvm__check_cap(int fd, long cap);
/* Open /dev/kvm and check what we need: the fd, or -errno with a one-line
 * reason (and the fix) in why. */
int kvm__open(char *why, size_t len);
/* KVM_CREATE_VM (retried on EINTR): the VM fd or -errno. */
int kvm__create_vm(int kvm_fd);
/* TSC frequency in kHz: VM-wide where supported, else from a scratch VM's
 * vCPU (vm_fd may be -1); 0 when unknown. */
uint64_t kvm__tsc_khz(int kvm_fd, int vm_fd);

#endif
