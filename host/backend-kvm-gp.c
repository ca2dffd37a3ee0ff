/* SPDX-License-Identifier: MIT */
/*
 * The kvm backend's real kvm->srcu grace periods (backend_ops.kernel_gp, the
 * kernel_ref writer's work): an MSR filter swap, an ioeventfd deassign, a
 * spare memslot created and deleted; each one ends in KVM's own
 * synchronize_srcu{,_expedited}(&kvm->srcu).
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backend-kvm.h"
#include "backend-kvm-int.h"
#include "kvm-ioctl.h"
#include "vm.h"

static int kvm_gp_msr_filter(struct vm *vm)
{
	struct kvm_vm_priv *p = vm->backend_priv;
	struct kvm_msr_filter f;

	if (!p->has_msr_filter)
		return -ENOTSUP;
	/* Default allow, no ranges: the filter changes nothing for the guest,
	 * but KVM still swaps it in and synchronize_srcu()s. */
	memset(&f, 0, sizeof(f));
	f.flags = KVM_MSR_FILTER_DEFAULT_ALLOW;
	int r = __kvm_ioctl(vm->vm_fd, KVM_X86_SET_MSR_FILTER, &f);

	return r < 0 ? r : 0;
}

static int kvm_gp_ioeventfd(struct vm *vm)
{
	struct kvm_vm_priv *p = vm->backend_priv;
	struct kvm_ioeventfd io;
	int efd, r = 0;

	if (!p->has_ioeventfd)
		return -ENOTSUP;
	efd = eventfd(0, EFD_CLOEXEC);
	if (efd < 0)
		return -errno;
	memset(&io, 0, sizeof(io));
	io.addr = KVM_IOEVENTFD_PORT;
	io.len = 4;
	io.fd = efd;
	/* A datamatch of our own: KVM refuses a second ioeventfd on the same
	 * port with the same (or no) datamatch, so concurrent callers differ. */
	io.datamatch = atomic_fetch_add(&p->ioeventfd_seq, 1);
	io.flags = KVM_IOEVENTFD_FLAG_PIO | KVM_IOEVENTFD_FLAG_DATAMATCH;
	r = __kvm_ioctl(vm->vm_fd, KVM_IOEVENTFD, &io);
	if (r < 0)
		goto out;
	/* The deassign is the measured part: kvm_io_bus_unregister_dev()
	 * waits for a kvm->srcu grace period (expedited), holding
	 * kvm->slots_lock: concurrent deassigns queue there, in the kernel. */
	io.flags |= KVM_IOEVENTFD_FLAG_DEASSIGN;
	r = __kvm_ioctl(vm->vm_fd, KVM_IOEVENTFD, &io);
out:
	close(efd);
	return r;
}

static int kvm_gp_memslot(struct vm *vm)
{
	struct kvm_vm_priv *p = vm->backend_priv;
	void *spare = atomic_load(&p->spare);
	uint32_t busy = atomic_load(&p->spare_busy);
	unsigned k;
	int r;

	if (!spare) {
		void *m = mmap(NULL, KVM_SPARE_SLOT_SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		void *none = NULL;
		if (m == MAP_FAILED)
			return -errno;
		if (!atomic_compare_exchange_strong(&p->spare, &none, m))
			munmap(m, KVM_SPARE_SLOT_SIZE);     /* another caller won */
		spare = atomic_load(&p->spare);
	}
	/* Claim a free spare slot (all may alias the same backing). */
	do {
		if (busy == UINT32_MAX)
			return -EBUSY;
		k = (unsigned)__builtin_ctz(~busy);
	} while (!atomic_compare_exchange_weak(&p->spare_busy, &busy, busy | (1u << k)));
	/* CREATE swaps the memslot array once, DELETE twice (invalidate, then
	 * remove); each swap is a synchronize_srcu_expedited(&kvm->srcu) under
	 * kvm->slots_lock. */
	uint64_t gpa = KVM_GPA_SPARE_SLOT + (uint64_t)k * KVM_SPARE_SLOT_SIZE;
	r = kvm_set_slot(vm->vm_fd, KVM_SLOT_SPARE + k, gpa, KVM_SPARE_SLOT_SIZE, spare);
	if (!r)
		r = kvm_set_slot(vm->vm_fd, KVM_SLOT_SPARE + k, gpa, 0, spare);
	atomic_fetch_and(&p->spare_busy, ~(1u << k));
	return r;
}

int kvm_kernel_gp(struct vm *vm, enum cfg_gp_ioctl which)
{
	struct kvm_vm_priv *p = vm->backend_priv;

	if (!p)
		return -EINVAL;
	switch (which) {
	case CFG_GP_IOCTL_MSR_FILTER:
		return kvm_gp_msr_filter(vm);
	case CFG_GP_IOCTL_IOEVENTFD:
		return kvm_gp_ioeventfd(vm);
	case CFG_GP_IOCTL_MEMSLOT:
		return kvm_gp_memslot(vm);
	default:
		return -EINVAL;
	}
}
