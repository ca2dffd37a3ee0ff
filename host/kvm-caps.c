// SPDX-License-Identifier: MIT
/*
 * /dev/kvm before a VM exists: open it and check the capabilities the kvm
 * backend needs (with the reason and the fix when it cannot run), the
 * backend probe, the TSC frequency, and the KVM facts of `bench info` and
 * the results' env.kvm (see kvm-caps.h, backend-kvm.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backend-kvm.h"
#include "kvm-caps.h"
#include "kvm-ioctl.h"
#include "util.h"
#include "vm.h"

#define KVM_DEV "/dev/kvm"

int kvm__check_cap(int fd, long cap)
{
	int r = __kvm_ioctl_val(fd, KVM_CHECK_EXTENSION, cap);
	return r < 0 ? 0 : r;
}

/* Open /dev/kvm and check what we need.  fd, or -errno with a one-line
 * reason (and the fix) in why. */
int kvm__open(char *why, size_t len)
{
	static const struct { long cap; const char *name, *hint; } need[] = {
		{ KVM_CAP_USER_MEMORY,    "KVM_CAP_USER_MEMORY",    "a kernel with KVM user memory slots" },
		{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT", "Linux 4.11 or newer" },
		{ KVM_CAP_EXT_CPUID,      "KVM_CAP_EXT_CPUID",      "an x86 KVM with KVM_GET_SUPPORTED_CPUID" },
	};
	int fd, err, v;

	fd = open(KVM_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		switch (err) {
		case ENOENT:
			snprintf(why, len, KVM_DEV " missing: kvm module not loaded or this kernel is "
				 "itself a guest without nested virtualization (dmesg | grep -i kvm)");
			break;
		case EACCES:
		case EPERM:
			snprintf(why, len, KVM_DEV ": permission denied; run as root or join the "
				 "group that owns it (ls -l " KVM_DEV ")");
			break;
		case ENXIO:
		case ENODEV:
			snprintf(why, len, KVM_DEV " exists but no KVM module is bound to it "
				 "(dmesg | grep -i kvm)");
			break;
		default:
			snprintf(why, len, "open " KVM_DEV ": %s", strerror(err));
		}
		return -err;
	}
	v = __kvm_ioctl_val(fd, KVM_GET_API_VERSION, 0);
	if (v != KVM_API_VERSION) {
		snprintf(why, len, KVM_DEV ": KVM_GET_API_VERSION is %d, need %d; "
			 "this kernel's KVM is unsupported", v, KVM_API_VERSION);
		close(fd);
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		if (!kvm__check_cap(fd, need[i].cap)) {
			snprintf(why, len, KVM_DEV ": %s missing; need %s", need[i].name, need[i].hint);
			close(fd);
			return -EOPNOTSUPP;
		}
	}
	return fd;
}

int kvm__create_vm(int kvm_fd)
{
	int r;

	/* KVM_CREATE_VM can fail with EINTR while the kernel sets up (e.g.
	 * mmu notifier registration races a signal); retry like selftests. */
	do
		r = __kvm_ioctl_val(kvm_fd, KVM_CREATE_VM, 0);
	while (r == -EINTR);
	return r;
}

bool backend_kvm_probe(char *why, size_t len)
{
	char buf[256];
	int fd, vm_fd;

	if (!why || !len) {
		why = buf;
		len = sizeof(buf);
	}
	fd = kvm__open(why, len);
	if (fd < 0)
		return false;
	/* A module can be loaded yet unable to run VMs (VMX/SVM off in firmware
	 * or owned by another hypervisor): creating a VM tells. */
	vm_fd = kvm__create_vm(fd);
	if (vm_fd < 0) {
		snprintf(why, len, "KVM_CREATE_VM failed: %s; is hardware virtualization enabled "
			 "and free (dmesg | grep -i kvm)?", strerror(-vm_fd));
		close(fd);
		return false;
	}
	close(vm_fd);
	close(fd);
	why[0] = '\0';
	return true;
}

/* TSC frequency: VM-wide ioctl where supported (KVM_CAP_VM_TSC_CONTROL),
 * else from vCPU 0 of a throw-away VM (the real vCPUs do not exist yet). */
uint64_t kvm__tsc_khz(int kvm_fd, int vm_fd)
{
	int r, scratch = -1, vcpu = -1;

	if (vm_fd >= 0 && kvm__check_cap(vm_fd, KVM_CAP_VM_TSC_CONTROL) > 0) {
		r = __kvm_ioctl_val(vm_fd, KVM_GET_TSC_KHZ, 0);
		if (r > 0)
			return (uint64_t)r;
	}
	if (!kvm__check_cap(kvm_fd, KVM_CAP_GET_TSC_KHZ))
		return 0;
	r = 0;
	scratch = kvm__create_vm(kvm_fd);
	if (scratch >= 0)
		vcpu = __kvm_ioctl_val(scratch, KVM_CREATE_VCPU, 0);
	if (vcpu >= 0) {
		r = __kvm_ioctl_val(vcpu, KVM_GET_TSC_KHZ, 0);
		close(vcpu);
	}
	if (scratch >= 0)
		close(scratch);
	return r > 0 ? (uint64_t)r : 0;
}

/* ---- bench info / results env.kvm -------------------------------------------------- */

int backend_kvm__info(json_t *obj)
{
	static const struct { long cap; const char *name; } hv_caps[] = {
		{ KVM_CAP_HYPERV,                 "hyperv" },
		{ KVM_CAP_HYPERV_VP_INDEX,        "vp_index" },
		{ KVM_CAP_HYPERV_SYNIC2,          "synic2" },
		{ KVM_CAP_HYPERV_TLBFLUSH,        "tlbflush" },
		{ KVM_CAP_HYPERV_SEND_IPI,        "send_ipi" },
		{ KVM_CAP_HYPERV_CPUID,           "cpuid" },
		{ KVM_CAP_SYS_HYPERV_CPUID,       "sys_cpuid" },
		{ KVM_CAP_HYPERV_DIRECT_TLBFLUSH, "direct_tlbflush" },
		{ KVM_CAP_HYPERV_ENFORCE_CPUID,   "enforce_cpuid" },
	};
	char why[256];
	json_t *hv;
	int fd, vm_fd, q, err = 0;

	fd = kvm__open(why, sizeof(why));
	err |= json_object_set_new(obj, "available", json_boolean(fd >= 0));
	if (fd < 0) {
		err |= json_object_set_new(obj, "reason", json_string(why));
		return err ? -ENOMEM : 0;
	}
	vm_fd = kvm__create_vm(fd);
	if (vm_fd < 0) {
		snprintf(why, sizeof(why), "KVM_CREATE_VM failed: %s", strerror(-vm_fd));
		json_object_set_new(obj, "available", json_false());
		err |= json_object_set_new(obj, "reason", json_string(why));
	}
	q = __kvm_ioctl_val(fd, KVM_GET_API_VERSION, 0);
	err |= json_object_set_new(obj, "api_version", json_integer(q < 0 ? -1 : q));
	q = vm_fd >= 0 ? vm_fd : fd;   /* per-VM answers where we have a VM */

	err |= json_object_set_new(obj, "max_vcpus", json_integer(kvm__check_cap(q, KVM_CAP_MAX_VCPUS)));
	err |= json_object_set_new(obj, "max_vcpu_id", json_integer(kvm__check_cap(q, KVM_CAP_MAX_VCPU_ID)));
	err |= json_object_set_new(obj, "nr_vcpus", json_integer(kvm__check_cap(q, KVM_CAP_NR_VCPUS)));
	err |= json_object_set_new(obj, "sync_regs", json_integer(kvm__check_cap(q, KVM_CAP_SYNC_REGS)));
	err |= json_object_set_new(obj, "immediate_exit", json_boolean(kvm__check_cap(q, KVM_CAP_IMMEDIATE_EXIT)));
	err |= json_object_set_new(obj, "msr_filter", json_boolean(kvm__check_cap(q, KVM_CAP_X86_MSR_FILTER)));
	err |= json_object_set_new(obj, "ioeventfd", json_boolean(kvm__check_cap(q, KVM_CAP_IOEVENTFD)));
	err |= json_object_set_new(obj, "stats_fd", json_boolean(kvm__check_cap(q, KVM_CAP_BINARY_STATS_FD)));
	err |= json_object_set_new(obj, "tsc_khz", json_integer((json_int_t)kvm__tsc_khz(fd, vm_fd)));

	hv = json_object();
	if (!hv)
		err = -1;
	for (size_t i = 0; hv && i < sizeof(hv_caps) / sizeof(hv_caps[0]); i++)
		err |= json_object_set_new(hv, hv_caps[i].name,
					   json_boolean(kvm__check_cap(q, hv_caps[i].cap) > 0));
	if (hv)
		err |= json_object_set_new(obj, "hyperv", hv);

	if (vm_fd >= 0)
		close(vm_fd);
	close(fd);
	return err ? -ENOMEM : 0;
}
