/* SPDX-License-Identifier: MIT */
/* Shared by backend-kvm.c (VM, vCPUs, KVM_RUN) and backend-kvm-gp.c (kernel grace periods). */
#ifndef FB_BACKEND_KVM_INT_H
#define FB_BACKEND_KVM_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"

struct vm;

#define KVM_IOEVENTFD_PORT  0x1ff0       /* no guest code touches it */
#define KVM_SLOT_LOW        0            /* [0, FB_GPA_DATA)            */
#define KVM_SLOT_DATA       1            /* [data_gpa, +data_size)      */
#define KVM_SLOT_SPARE      2            /* kernel_gp "memslot": KVM_NR_SPARE from here */
#define KVM_NR_SPARE        32           /* concurrent "memslot" callers */
struct kvm_vm_priv {
	struct kvm_cpuid2 *cpuid;    /* KVM_GET_SUPPORTED_CPUID, patched per vCPU */
	int run_size;                /* KVM_GET_VCPU_MMAP_SIZE */
	unsigned max_vcpu_id;
	bool has_msr_filter, has_ioeventfd;
	/* kernel_gp callers run concurrently, as synchronize_srcu() callers do
	 * in KVM: no lock of ours.  Each call uses its own ioeventfd datamatch
	 * or spare memslot so that concurrent calls do not collide. */
	_Atomic uint64_t ioeventfd_seq;
	_Atomic uint32_t spare_busy;  /* bitmap of spare memslots in use */
	void *_Atomic spare;          /* backing of the spare memslots, on first use */
};

int kvm_set_slot(int vm_fd, uint32_t slot, uint64_t gpa, uint64_t size, void *hva);
/* backend_ops.kernel_gp: 0 or -errno. */
int kvm_kernel_gp(struct vm *vm, enum cfg_gp_ioctl which);

#endif
