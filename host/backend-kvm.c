/* SPDX-License-Identifier: MIT */
/*
 * The /dev/kvm execution backend: one VM, two memslots, 64-bit long-mode
 * vCPUs entered at the guest image's _start, KVM_RUN exits translated into
 * struct vcpu_exit.  Setup follows KVM selftests (lib/kvm_util.c,
 * lib/x86/processor.c: here host/x86.c) and kvmtool; docs/KVM-BACKEND.md
 * explains each piece.
 *
 * Kicks: SIGUSR1 (installed without SA_RESTART) to the vCPU thread, whose
 * handler sets that thread's kvm_run->immediate_exit.  A kick that lands
 * in guest mode exits KVM_RUN with EINTR; one that lands just before the
 * ioctl makes KVM_RUN return EINTR at once instead of entering the guest.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "backend-kvm.h"
#include "backend-kvm-int.h"
#include "kvm-caps.h"
#include "kvm-ioctl.h"
#include "util.h"
#include "x86.h"
#include "vm.h"

/* The flat guest image (guest/guest_image.S). */
extern const uint8_t fb_guest_image_start[];
extern const uint8_t fb_guest_image_end[];

#define KVM_KICK_SIGNAL     SIGUSR1
struct kvm_vcpu_priv {
	pthread_t thread;            /* the thread that called vcpu_init: kick target */
	int run_size;
};

/* This thread's kvm_run, for the kick signal handler. */
static __thread struct kvm_run *kvm_self_run;
static pthread_once_t kvm_signal_once = PTHREAD_ONCE_INIT;
static int kvm_signal_err;

/* ---- small helpers ------------------------------------------------------------ */

/* Room for one fd per vCPU (1024 vCPUs + the VM + stats): the soft
 * RLIMIT_NOFILE is often 1024. */
static void kvm_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			pr_warn("kvm: cannot raise RLIMIT_NOFILE to %llu: %s",
				(unsigned long long)rl.rlim_max, strerror(errno));
	}
}

int kvm_set_slot(int vm_fd, uint32_t slot, uint64_t gpa, uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)hva,
	};

	int ret = __kvm_ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r);

	return ret < 0 ? ret : 0;
}

static int kvm_load_image(struct vm *vm)
{
	/* two linker symbols, not one C object: subtract addresses, not pointers */
	size_t size = (size_t)((uintptr_t)fb_guest_image_end - (uintptr_t)fb_guest_image_start);

	if (!size || size > FB_CODE_MAX) {
		pr_err("kvm: guest image is %zu bytes, must be 1..%llu", size,
		       (unsigned long long)FB_CODE_MAX);
		return -E2BIG;
	}
	memcpy(vm->mem + FB_GPA_CODE, fb_guest_image_start, size);
	return 0;
}

/* ---- VM ---------------------------------------------------------------------------- */

static void kvm_vm_exit(struct vm *vm)
{
	struct kvm_vm_priv *p = vm->backend_priv;

	if (!p)
		return;           /* vm_init never ran: the fds are not ours */
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	vm->vm_fd = vm->kvm_fd = -1;
	if (p->spare)
		munmap(p->spare, KVM_SPARE_SLOT_SIZE);
	free(p->cpuid);
	free(p);
	vm->backend_priv = NULL;
}

static int kvm_check_layout(const struct vm *vm)
{
	if (!vm->mem || vm->mem_size < FB_GPA_DATA || ((uintptr_t)vm->mem & (FB_PAGE_SIZE - 1))) {
		pr_err("kvm: guest memory must be page aligned and cover [0, %#llx)",
		       (unsigned long long)FB_GPA_DATA);
		return -EINVAL;
	}
	if (!vm->data_size)
		return 0;
	if (vm->data_gpa < FB_GPA_DATA || (vm->data_gpa | vm->data_size) & (FB_PAGE_SIZE - 1) ||
	    vm->data_gpa + vm->data_size > vm->mem_size ||
	    vm->data_gpa + vm->data_size > FB_GPA_DATA_END_MAX) {
		pr_err("kvm: data region [%#llx, +%#llx) must be page aligned, at or above %#llx, "
		       "inside the %#llx-byte mapping and below %#llx",
		       (unsigned long long)vm->data_gpa, (unsigned long long)vm->data_size,
		       (unsigned long long)FB_GPA_DATA, (unsigned long long)vm->mem_size,
		       (unsigned long long)FB_GPA_DATA_END_MAX);
		return -EINVAL;
	}
	return 0;
}

static int kvm_vm_init(struct vm *vm)
{
	struct kvm_vm_priv *p;
	char why[256];
	uint64_t addr;
	int r, max_vcpus;

	vm->kvm_fd = vm->vm_fd = -1;
	r = kvm_check_layout(vm);
	if (r)
		return r;

	p = xzalloc(sizeof(*p));
	vm->backend_priv = p;
	kvm_raise_nofile();

	r = kvm__open(why, sizeof(why));
	if (r < 0) {
		pr_err("kvm: %s", why);
		goto err;
	}
	vm->kvm_fd = r;

	r = kvm__create_vm(vm->kvm_fd);
	if (r < 0) {
		pr_err("kvm: KVM_CREATE_VM failed: %s", strerror(-r));
		goto err;
	}
	vm->vm_fd = r;

	/* Per-VM answers are authoritative (KVM_CHECK_EXTENSION on the VM fd). */
	max_vcpus = kvm__check_cap(vm->vm_fd, KVM_CAP_MAX_VCPUS);
	if (!max_vcpus)
		max_vcpus = kvm__check_cap(vm->vm_fd, KVM_CAP_NR_VCPUS);
	p->max_vcpu_id = kvm__check_cap(vm->vm_fd, KVM_CAP_MAX_VCPU_ID);
	if (!p->max_vcpu_id)
		p->max_vcpu_id = max_vcpus;
	if (vm->nr_vcpus > (unsigned)max_vcpus || vm->nr_vcpus > FB_MAX_VCPUS) {
		pr_err("kvm: %u vCPUs requested, KVM allows %d (KVM_CAP_MAX_VCPUS) and the ABI %u",
		       vm->nr_vcpus, max_vcpus, FB_MAX_VCPUS);
		r = -E2BIG;
		goto err;
	}

	r = kvm_ioctl_val(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (r < 0)
		goto err;
	if ((size_t)r < sizeof(struct kvm_run)) {
		pr_err("kvm: KVM_GET_VCPU_MMAP_SIZE %d is smaller than struct kvm_run", r);
		r = -EINVAL;
		goto err;
	}
	p->run_size = r;

	p->cpuid = x86__supported_cpuid(vm->kvm_fd, &r);
	if (!p->cpuid) {
		r = -r;
		goto err;
	}

	/* VMX without unrestricted guest emulates real mode with a TSS and an
	 * identity-mapped page table in guest-physical space; KVM wants both
	 * placed before the first vCPU.  Both are no-ops on SVM.  Addresses:
	 * high below 4 GiB, clear of FB_GPA_INTERCEPT and of our memslots. */
	if (kvm__check_cap(vm->vm_fd, KVM_CAP_SET_IDENTITY_MAP_ADDR)) {
		addr = KVM_GPA_IDENT_MAP;
		r = kvm_ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &addr);
		if (r < 0)
			goto err;
	}
	if (kvm__check_cap(vm->vm_fd, KVM_CAP_SET_TSS_ADDR)) {
		r = kvm_ioctl_val(vm->vm_fd, KVM_SET_TSS_ADDR, KVM_GPA_TSS_ADDR);
		if (r < 0)
			goto err;
	}

	r = kvm_load_image(vm);
	if (r)
		goto err;
	x86__build_tables(vm->mem);

	r = kvm_set_slot(vm->vm_fd, KVM_SLOT_LOW, 0, FB_GPA_DATA, vm->mem);
	if (r) {
		pr_err("kvm: memslot 0 [0, %#llx): KVM_SET_USER_MEMORY_REGION: %s",
		       (unsigned long long)FB_GPA_DATA, strerror(-r));
		goto err;
	}
	if (vm->data_size) {
		r = kvm_set_slot(vm->vm_fd, KVM_SLOT_DATA, vm->data_gpa, vm->data_size,
				 vm->mem + vm->data_gpa);
		if (r) {
			pr_err("kvm: memslot 1 [%#llx, +%#llx): KVM_SET_USER_MEMORY_REGION: %s",
			       (unsigned long long)vm->data_gpa,
			       (unsigned long long)vm->data_size, strerror(-r));
			goto err;
		}
	}

	p->has_msr_filter = kvm__check_cap(vm->vm_fd, KVM_CAP_X86_MSR_FILTER) > 0;
	p->has_ioeventfd = kvm__check_cap(vm->vm_fd, KVM_CAP_IOEVENTFD) > 0;
	vm->tsc_khz = kvm__tsc_khz(vm->kvm_fd, vm->vm_fd);
	if (!vm->tsc_khz)
		pr_warn("kvm: KVM_GET_TSC_KHZ unavailable; guest TSC latencies cannot be converted");
	return 0;
err:
	kvm_vm_exit(vm);
	return r < 0 ? r : -EINVAL;
}

/* ---- vCPU ----------------------------------------------------------------------- */

static void kvm_kick_handler(int sig)
{
	struct kvm_run *run = kvm_self_run;

	(void)sig;
	/* Only the byte store: async-signal-safe, errno untouched. */
	if (run)
		__atomic_store_n(&run->immediate_exit, 1, __ATOMIC_RELAXED);
}

static void kvm_install_signal(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kvm_kick_handler;
	sa.sa_flags = 0;          /* no SA_RESTART: KVM_RUN must return EINTR */
	sigemptyset(&sa.sa_mask);
	if (sigaction(KVM_KICK_SIGNAL, &sa, NULL))
		kvm_signal_err = errno;
}

static void kvm_vcpu_exit(struct vcpu *vcpu)
{
	struct kvm_vcpu_priv *p = vcpu->backend_priv;

	if (!p)
		return;
	__atomic_store_n(&vcpu->backend_priv, NULL, __ATOMIC_RELEASE);   /* no more kicks */
	if (kvm_self_run && kvm_self_run == vcpu->run)
		kvm_self_run = NULL;      /* on the vCPU thread: no handler writes after munmap */
	if (vcpu->run)
		munmap(vcpu->run, p->run_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	vcpu->run = NULL;
	vcpu->fd = -1;
	free(p);
}

static int kvm_vcpu_init(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	struct kvm_vm_priv *vp = vm->backend_priv;
	struct kvm_vcpu_priv *p;
	sigset_t set;
	int r;

	if (!vp)
		return -EINVAL;
	if (vcpu->id >= FB_MAX_VCPUS || (vp->max_vcpu_id && vcpu->id >= vp->max_vcpu_id)) {
		pr_err("kvm: vCPU id %u above KVM_CAP_MAX_VCPU_ID %u", vcpu->id, vp->max_vcpu_id);
		return -EINVAL;
	}
	pthread_once(&kvm_signal_once, kvm_install_signal);
	if (kvm_signal_err) {
		pr_err("kvm: sigaction(SIGUSR1): %s", strerror(kvm_signal_err));
		return -kvm_signal_err;
	}

	vcpu->fd = -1;
	vcpu->run = NULL;
	r = kvm_ioctl_val(vm->vm_fd, KVM_CREATE_VCPU, vcpu->id);
	if (r < 0)
		return r;
	vcpu->fd = r;

	p = xzalloc(sizeof(*p));
	p->thread = pthread_self();
	p->run_size = vp->run_size;
	vcpu->run = mmap(NULL, vp->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		r = -errno;
		pr_err("kvm: mmap of vCPU %u kvm_run: %s", vcpu->id, strerror(errno));
		vcpu->run = NULL;
		goto err;
	}

	r = x86__vcpu_setup(vcpu->fd, vcpu->id, vp->cpuid);
	if (r < 0)
		goto err;

	/* Kicks go to this thread: make sure it can take them. */
	kvm_self_run = vcpu->run;
	sigemptyset(&set);
	sigaddset(&set, KVM_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	__atomic_store_n(&vcpu->backend_priv, p, __ATOMIC_RELEASE);
	return 0;
err:
	vcpu->backend_priv = p;
	kvm_vcpu_exit(vcpu);
	return r;
}

static void kvm_report_exit(struct vcpu *vcpu, const char *what)
{
	struct kvm_run *run = vcpu->run;
	struct kvm_regs regs;
	unsigned long long rip = 0;

	if (__kvm_ioctl(vcpu->fd, KVM_GET_REGS, &regs) == 0)
		rip = regs.rip;
	switch (run->exit_reason) {
	case KVM_EXIT_FAIL_ENTRY:
		pr_err("kvm: vCPU %u: %s: hardware_entry_failure_reason %#llx, RIP %#llx",
		       vcpu->id, what,
		       (unsigned long long)run->fail_entry.hardware_entry_failure_reason, rip);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		pr_err("kvm: vCPU %u: %s: suberror %u, RIP %#llx", vcpu->id, what,
		       run->internal.suberror, rip);
		break;
	default:
		pr_err("kvm: vCPU %u: %s (exit_reason %u), RIP %#llx", vcpu->id, what,
		       run->exit_reason, rip);
	}
}

/* The guest's exception handler (guest/exception.c) reports through the
 * ABORT ucall; vcpu.c prints vector, error code and RIP as an assertion,
 * this adds what it cannot show (CR2, RSP, RFLAGS, CS). */
static void kvm_report_exception(struct vcpu *vcpu, uint32_t gpa)
{
	const struct fb_ucall *uc;
	struct vm *vm = vcpu->vm;

	if (!vm->mem || (uint64_t)gpa + sizeof(*uc) > FB_GPA_DATA)
		return;
	uc = (const struct fb_ucall *)(vm->mem + gpa);
	if (uc->cmd != FB_UCALL_ABORT || strncmp(uc->msg, "exception", sizeof(uc->msg)))
		return;
	pr_err("kvm: vCPU %u: guest exception %s (vector %llu), error code %#llx, RIP %#llx, "
	       "CR2 %#llx, RSP %#llx, RFLAGS %#llx, CS %#llx", vcpu->id,
	       x86__exception_name(uc->args[0]),
	       (unsigned long long)uc->args[0], (unsigned long long)uc->args[1],
	       (unsigned long long)uc->args[2], (unsigned long long)uc->args[3],
	       (unsigned long long)uc->args[4], (unsigned long long)uc->args[5],
	       (unsigned long long)uc->args[6]);
}

static int kvm_run_vcpu(struct vcpu *vcpu, struct vcpu_exit *ex)
{
	struct kvm_run *run = vcpu->run;
	int r, err;

	r = __kvm_ioctl_val(vcpu->fd, KVM_RUN, 0);
	err = r < 0 ? -r : 0;
	/* A kick is consumed by this return (EINTR, or any exit: the caller
	 * re-checks requests before the next entry). */
	__atomic_store_n(&run->immediate_exit, 0, __ATOMIC_RELAXED);

	memset(ex, 0, sizeof(*ex));
	if (r < 0) {
		if (err == EINTR || err == EAGAIN) {
			ex->reason = VCPU_EXIT_INTR;
			ex->raw_reason = KVM_EXIT_INTR;
			return 0;
		}
		pr_err("kvm: vCPU %u: KVM_RUN failed: %s", vcpu->id, strerror(err));
		return -err;
	}

	ex->raw_reason = run->exit_reason;
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		ex->port = run->io.port;
		if (run->io.direction == KVM_EXIT_IO_OUT && run->io.size == 4 && run->io.count == 1) {
			ex->reason = VCPU_EXIT_IO;
			memcpy(&ex->value, (uint8_t *)run + run->io.data_offset, 4);
			if (ex->port == FB_PORT_UCALL)
				kvm_report_exception(vcpu, ex->value);
		} else {
			/* IN or a string/narrow OUT: the guest never does that. */
			ex->reason = VCPU_EXIT_UNKNOWN;
			pr_err("kvm: vCPU %u: unexpected port I/O: %s port %#x size %u count %u",
			       vcpu->id, run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
			       run->io.port, run->io.size, run->io.count);
		}
		break;
	case KVM_EXIT_MMIO: {
		uint32_t len = run->mmio.len;

		ex->reason = VCPU_EXIT_MMIO;
		ex->mmio_gpa = run->mmio.phys_addr;
		ex->mmio_len = len;
		ex->mmio_write = run->mmio.is_write;
		if (len > sizeof(ex->mmio_data))
			len = sizeof(ex->mmio_data);
		if (run->mmio.is_write)
			memcpy(&ex->mmio_data, run->mmio.data, len);
		else
			memset(run->mmio.data, 0, sizeof(run->mmio.data));  /* reads see 0 */
		break;
	}
	case KVM_EXIT_INTR:
		ex->reason = VCPU_EXIT_INTR;
		break;
	case KVM_EXIT_SHUTDOWN:
		ex->reason = VCPU_EXIT_SHUTDOWN;
		kvm_report_exit(vcpu, "guest shut down (triple fault)");
		break;
	case KVM_EXIT_HLT:
		ex->reason = VCPU_EXIT_UNKNOWN;
		kvm_report_exit(vcpu, "guest halted (guest_main returned?)");
		break;
	case KVM_EXIT_FAIL_ENTRY:
		ex->reason = VCPU_EXIT_UNKNOWN;
		kvm_report_exit(vcpu, "VM entry failed");
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		ex->reason = VCPU_EXIT_UNKNOWN;
		kvm_report_exit(vcpu, "KVM internal error");
		break;
	default:
		ex->reason = VCPU_EXIT_UNKNOWN;
		kvm_report_exit(vcpu, "unexpected exit");
	}
	return 0;
}

static void kvm_kick(struct vcpu *vcpu)
{
	struct kvm_vcpu_priv *p = __atomic_load_n(&vcpu->backend_priv, __ATOMIC_ACQUIRE);

	if (p)
		pthread_kill(p->thread, KVM_KICK_SIGNAL);
}

/* GET + SET_VCPU_EVENTS: kvm_vcpu_ioctl_x86_set_vcpu_events() ends with
 * kvm_make_request(KVM_REQ_EVENT, vcpu), so the next KVM_RUN goes through
 * KVM's full event processing (docs/KVM-BACKEND.md).  Call it on the vCPU
 * thread, outside run(): from elsewhere it waits for vcpu->mutex. */
static int kvm_event_reeval(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct kvm_vcpu_events ev;

	/* KVM API: vCPU state read or written between an I/O or MMIO exit and
	 * the next KVM_RUN is not consistent - the exiting instruction is
	 * completed on re-entry (complete_userspace_io).  Our woken flushers
	 * last exited on the hypercall's OUT, so complete it first the way
	 * live migration does: KVM_RUN with immediate_exit runs the completion
	 * and returns -EINTR without entering the guest.  (Skipping this let a
	 * SET_VCPU_EVENTS land mid-instruction; under nested SVM without NRIPS
	 * the guest then triple-faulted now and then.) */
	run->immediate_exit = 1;
	int r = __kvm_ioctl_val(vcpu->fd, KVM_RUN, 0);
	run->immediate_exit = 0;
	if (r >= 0)
		return -EPROTO;          /* an exit we did not expect: never happens */
	if (r != -EINTR)
		return r;

	memset(&ev, 0, sizeof(ev));
	r = __kvm_ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &ev);
	if (r < 0)
		return r;
	r = __kvm_ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &ev);
	return r < 0 ? r : 0;
}

const struct backend_ops backend_kvm = {
	.name = "kvm",
	.vm_init = kvm_vm_init,
	.vm_exit = kvm_vm_exit,
	.vcpu_init = kvm_vcpu_init,
	.vcpu_exit = kvm_vcpu_exit,
	.run = kvm_run_vcpu,
	.kick = kvm_kick,
	.event_reeval = kvm_event_reeval,
	.kernel_gp = kvm_kernel_gp,
};
