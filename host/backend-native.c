/* SPDX-License-Identifier: MIT */
/*
 * Native execution backend: the guest workload code (guest/ sources compiled with
 * FB_GUEST_NATIVE) runs on the vCPU thread on its own stack inside guest
 * memory, entered with swapcontext().  A port write or intercepted store is
 * a call that switches back to the vCPU loop with a struct vcpu_exit, so the
 * loop is exactly the one that drives KVM_RUN.  A kick sets a flag that the
 * guest polls in its wait loops (arch_pause()) and that run() checks before
 * entering, the analogue of immediate_exit.
 *
 * What it is not: there is no VM entry/exit hardware cost and no KVM
 * request processing in the kernel.  Results say backend=native.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <ucontext.h>
#include <unistd.h>

#include "guest.h"
#include "tsc.h"
#include "util.h"
#include "vm.h"

/*
 * AddressSanitizer tracks one stack per thread; without these annotations it
 * warns about swapcontext() and can report false positives once the thread
 * runs on the guest stack.  Tell it about every switch (see
 * sanitizer/common_interface_defs.h); no-ops in normal builds.
 */
#if defined(__SANITIZE_ADDRESS__)
#define FB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FB_ASAN 1
#endif
#endif

#ifdef FB_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#define fiber_start(fake, bottom, size)    __sanitizer_start_switch_fiber(fake, bottom, size)
#define fiber_finish(fake, bottom, size)   __sanitizer_finish_switch_fiber(fake, bottom, size)
#define fiber_unpoison(addr, size)         ASAN_UNPOISON_MEMORY_REGION(addr, size)
#else
#define fiber_start(fake, bottom, size)    ((void)(fake), (void)(bottom), (void)(size))
#define fiber_finish(fake, bottom, size)   ((void)(fake), (void)(bottom), (void)(size))
#define fiber_unpoison(addr, size)         ((void)(addr), (void)(size))
#endif

/* ThreadSanitizer: each guest context is a fiber of its vCPU thread. */
#if defined(__SANITIZE_THREAD__)
#define FB_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FB_TSAN 1
#endif
#endif
#ifdef FB_TSAN
#include <sanitizer/tsan_interface.h>
#define tsan_fiber_current()     __tsan_get_current_fiber()
#define tsan_fiber_create()      __tsan_create_fiber(0)
#define tsan_fiber_destroy(f)    __tsan_destroy_fiber(f)
#define tsan_fiber_switch(f)     __tsan_switch_to_fiber(f, 0)
#else
#define tsan_fiber_current()     NULL
#define tsan_fiber_create()      NULL
#define tsan_fiber_destroy(f)    ((void)(f))
#define tsan_fiber_switch(f)     ((void)(f))
#endif

struct native_vcpu {
	ucontext_t host_ctx, guest_ctx;
	struct vcpu_exit *exit;
	_Atomic bool kick;
	/* ASan fiber bookkeeping: each side's stack and fake-stack handle */
	void *host_fake, *guest_fake;
	const void *host_stack;
	size_t host_stack_size;
	void *tsan_host, *tsan_guest;      /* TSan fibers (NULL otherwise) */
};

static __thread struct vcpu *native_cur;

static int native__vm_init(struct vm *vm)
{
	vm->tsc_khz = tsc__khz(NULL);   /* cached: bench run found it before the first VM */
	return 0;
}

static void native__vm_exit(struct vm *vm)
{
	/* freed here, not at vcpu_exit: vm__stop() kicks every vCPU (sets
	 * nv->kick) while their threads are exiting */
	for (unsigned i = 0; vm->vcpus && i < vm->nr_vcpus; i++) {
		free(vm->vcpus[i]->backend_priv);
		vm->vcpus[i]->backend_priv = NULL;
	}
}

/* Now running on the guest stack: finish the switch begun in run()/exit_to_host(). */
static void native__on_guest_stack(struct native_vcpu *nv)
{
	fiber_finish(nv->guest_fake, &nv->host_stack, &nv->host_stack_size);
}

static void native__to_host(struct native_vcpu *nv)
{
	fiber_start(&nv->guest_fake, nv->host_stack, nv->host_stack_size);
	tsan_fiber_switch(nv->tsan_host);
	swapcontext(&nv->guest_ctx, &nv->host_ctx);
	native__on_guest_stack(nv);
}

static void native__entry(void)
{
	struct vcpu *v = native_cur;

	native__on_guest_stack(v->backend_priv);
	guest_main(v->page);
	/* guest_main() never returns; if it did, report a shutdown forever */
	for (;;) {
		struct native_vcpu *nv = native_cur->backend_priv;
		nv->exit->reason = VCPU_EXIT_SHUTDOWN;
		native__to_host(nv);
	}
}

static int native__vcpu_init(struct vcpu *vcpu)
{
	struct native_vcpu *nv = xzalloc(sizeof(*nv));
	uint8_t *area = (uint8_t *)vcpu->page;

	if (getcontext(&nv->guest_ctx) < 0) {
		free(nv);
		return -errno;
	}
	/* the guest stack lives in guest memory, as under KVM */
	nv->guest_ctx.uc_stack.ss_sp = area + FB_VCPU_OUTPUT_OFF + FB_PAGE_SIZE;
	nv->guest_ctx.uc_stack.ss_size = FB_VCPU_STACK_TOP_OFF - FB_VCPU_OUTPUT_OFF - FB_PAGE_SIZE;
	nv->guest_ctx.uc_link = NULL;
	makecontext(&nv->guest_ctx, native__entry, 0);
	nv->tsan_host = tsan_fiber_current();
	nv->tsan_guest = tsan_fiber_create();
	vcpu->backend_priv = nv;
	return 0;
}

static void native__vcpu_exit(struct vcpu *vcpu)
{
	struct native_vcpu *nv = vcpu->backend_priv;

	/* the guest is abandoned mid-call: clear its frames' redzones before
	 * guest memory is unmapped and possibly reused */
	if (nv) {
		fiber_unpoison(nv->guest_ctx.uc_stack.ss_sp, nv->guest_ctx.uc_stack.ss_size);
		if (nv->tsan_guest)
			tsan_fiber_destroy(nv->tsan_guest);
		nv->tsan_guest = NULL;
	}
}

static int native__run(struct vcpu *vcpu, struct vcpu_exit *exit)
{
	struct native_vcpu *nv = vcpu->backend_priv;

	memset(exit, 0, sizeof(*exit));
	if (atomic_exchange(&nv->kick, false)) {     /* immediate_exit */
		exit->reason = VCPU_EXIT_INTR;
		return 0;
	}
	nv->exit = exit;
	native_cur = vcpu;
	fiber_start(&nv->host_fake, nv->guest_ctx.uc_stack.ss_sp, nv->guest_ctx.uc_stack.ss_size);
	tsan_fiber_switch(nv->tsan_guest);
	if (swapcontext(&nv->host_ctx, &nv->guest_ctx) < 0) {
		int e = errno;

		fiber_finish(nv->host_fake, NULL, NULL);
		return -e;
	}
	fiber_finish(nv->host_fake, NULL, NULL);
	return 0;
}

static void native__kick(struct vcpu *vcpu)
{
	struct native_vcpu *nv = vcpu->backend_priv;

	if (nv)
		atomic_store(&nv->kick, true);
}

static void native__exit_to_host(void)
{
	native__to_host(native_cur->backend_priv);
}

void native_guest_exit_io(uint16_t port, uint32_t value)
{
	struct native_vcpu *nv = native_cur->backend_priv;

	nv->exit->reason = VCPU_EXIT_IO;
	nv->exit->port = port;
	nv->exit->value = value;
	native__exit_to_host();
}

void native_guest_mmio_write(uint64_t gpa, uint64_t value)
{
	struct native_vcpu *nv = native_cur->backend_priv;

	nv->exit->reason = VCPU_EXIT_MMIO;
	nv->exit->mmio_gpa = gpa;
	nv->exit->mmio_data = value;
	nv->exit->mmio_len = 8;
	nv->exit->mmio_write = true;
	native__exit_to_host();
}

void native_guest_poll_kick(void)
{
	struct native_vcpu *nv = native_cur->backend_priv;

	if (atomic_load_explicit(&nv->kick, memory_order_relaxed) && atomic_exchange(&nv->kick, false)) {
		nv->exit->reason = VCPU_EXIT_INTR;
		native__exit_to_host();
	}
}

const struct backend_ops backend_native = {
	.name = "native",
	.vm_init = native__vm_init,
	.vm_exit = native__vm_exit,
	.vcpu_init = native__vcpu_init,
	.vcpu_exit = native__vcpu_exit,
	.run = native__run,
	.kick = native__kick,
	.event_reeval = NULL,
	.kernel_gp = NULL,
};
