/* SPDX-License-Identifier: MIT */
/*
 * The vCPU loop, modelled on KVM's vcpu_run() / vcpu_enter_guest():
 * requests are a bit word (set with release, test-and-clear with acquire),
 * the VM SRCU read side is held whenever the thread is outside the guest
 * and not blocked, entry re-checks requests after publishing IN_GUEST_MODE
 * and dropping the read side, and a kick forces a vCPU in guest mode out.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE      /* pthread_setname_np */
#endif
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "design.h"
#include "flush.h"
#include "topology.h"
#include "util.h"
#include "vcpu.h"

void vcpu__make_request(struct vcpu *vcpu, unsigned req)
{
	/* __kvm_make_request(): smp_wmb() then set_bit - publish our writes
	 * (e.g. "you are no longer suspended") before the request bit. */
	atomic_fetch_or_explicit(&vcpu->requests, vcpu_req_bit(req), memory_order_release);
}

bool vcpu__test_request(struct vcpu *vcpu, unsigned req)
{
	return atomic_load_explicit(&vcpu->requests, memory_order_relaxed) & vcpu_req_bit(req);
}

bool vcpu__check_request(struct vcpu *vcpu, unsigned req)
{
	/* kvm_check_request(): test, then clear + smp_mb__after_atomic(). */
	if (!vcpu__test_request(vcpu, req))
		return false;
	atomic_fetch_and_explicit(&vcpu->requests, ~vcpu_req_bit(req), memory_order_acq_rel);
	return true;
}

/* kvm_vcpu_exiting_guest_mode() + the IPI: only a vCPU in guest mode needs
 * one; the cmpxchg makes concurrent kickers send one.  Returns the mode
 * found (IN_GUEST_MODE: we kicked it). */
static int vcpu__exit_guest_mode(struct vcpu *vcpu)
{
	int mode = IN_GUEST_MODE;
	uint64_t seq = atomic_load(&vcpu->exit_seq);

	if (atomic_compare_exchange_strong(&vcpu->mode, &mode, EXITING_GUEST_MODE)) {
		M_INC(vcpu->vm, kicks);
		/* never true while fault tracking is right: see vcpu__fault_begin().
		 * A fault that began after our cmpxchg bumped exit_seq before it set
		 * fault_in_service: that kick was right when sent, not counted. */
		if (atomic_load(&vcpu->fault_in_service) && atomic_load(&vcpu->exit_seq) == seq)
			M_INC(vcpu->vm, kicks_in_fault);
		vcpu->vm->backend->kick(vcpu);
		return IN_GUEST_MODE;
	}
	return mode;
}

void vcpu__kick(struct vcpu *vcpu)
{
	/* kvm_vcpu_kick() of a vCPU that is not blocked */
	(void)vcpu__exit_guest_mode(vcpu);
}

bool vcpu__wake_up(struct vcpu *vcpu)
{
	/* rcuwait_wake_up(): the seq bump is what the blocker's futex
	 * compares; blocked is read after it (seq_cst) so a blocker that
	 * missed our condition change is either still awake or asleep on a
	 * stale seq and gets the FUTEX_WAKE. */
	atomic_fetch_add(&vcpu->wake_seq, 1);
	if (atomic_load(&vcpu->blocked)) {
		futex_wake(&vcpu->wake_seq, 1);
		return true;
	}
	return false;
}

bool vcpu__make_vcpu_request(struct vcpu *vcpu, unsigned req, uint64_t *exit_seq)
{
	/* kvm_make_vcpu_request(): set the bit; unless NO_WAKEUP, a woken
	 * sleeper needs nothing more. */
	vcpu__make_request(vcpu, req);
	if (!(req & REQ_NO_WAKEUP) && vcpu__wake_up(vcpu))
		return false;
	/* kvm_request_needs_ipi().  exit_seq before mode: if it is in guest
	 * mode now, it has not left since the snapshot (taken the other way
	 * round, an exit and re-entry in between would make a later
	 * re-entry look like an unacknowledged kick). */
	uint64_t snap = atomic_load(&vcpu->exit_seq);
	int mode = vcpu__exit_guest_mode(vcpu);
	if ((req & REQ_WAIT) && (mode == IN_GUEST_MODE || mode == EXITING_GUEST_MODE)) {
		*exit_seq = snap;
		return true;
	}
	/* FAULT_OUTSIDE_GUEST_MODE: seen at its next entry, like any vCPU
	 * outside guest mode (vcpu__fault_resume()) */
	if ((req & REQ_WAIT) && atomic_load(&vcpu->fault_in_service))
		M_INC(vcpu->vm, requests_in_fault);
	return false;
}

void vcpu__wait_guest_exit(struct vcpu *vcpu, uint64_t exit_seq)
{
	struct vm *vm = vcpu->vm;

	atomic_fetch_add(&vcpu->ack_waiters, 1);
	for (;;) {
		uint64_t seq = atomic_load(&vcpu->exit_seq);
		int mode = atomic_load(&vcpu->mode);
		if (seq != exit_seq || (mode != IN_GUEST_MODE && mode != EXITING_GUEST_MODE) ||
		    atomic_load(&vm->stopping))
			break;
		/* mode is IN/EXITING here, so never true if tracking is right; a
		 * fault that began after our reads bumped exit_seq first (not
		 * counted: the next pass sees it and stops waiting) */
		if (atomic_load(&vcpu->fault_in_service) && atomic_load(&vcpu->exit_seq) == seq)
			M_INC(vm, acks_in_fault);
		struct timespec ts = { 0, 10L * 1000 * 1000 };
		futex_wait(&vcpu->exit_futex, (uint32_t)seq, &ts);
	}
	atomic_fetch_sub(&vcpu->ack_waiters, 1);
}

void vcpu__srcu_lock(struct vcpu *vcpu)
{
	srcu__read_lock(&vcpu->vm->srcu, vcpu->srcu_slot);
}

void vcpu__srcu_unlock(struct vcpu *vcpu)
{
	srcu__read_unlock(&vcpu->vm->srcu, vcpu->srcu_slot);
}

uint64_t vcpu__tsc_to_ns(const struct vm *vm, uint64_t cycles)
{
	return vm->tsc_khz ? (uint64_t)((unsigned __int128)cycles * 1000000u / vm->tsc_khz) : cycles;
}

static void vcpu__exited(struct vcpu *vcpu)
{
	uint64_t seq = atomic_fetch_add(&vcpu->exit_seq, 1) + 1;

	atomic_store(&vcpu->exit_futex, (uint32_t)seq);
	if (atomic_load(&vcpu->ack_waiters))
		futex_wake(&vcpu->exit_futex, INT32_MAX);
}

static void vcpu__fault_lock(struct vcpu *vcpu)
{
	while (atomic_flag_test_and_set_explicit(&vcpu->fault_lock, memory_order_acquire))
		sched_yield();
}

static void vcpu__fault_unlock(struct vcpu *vcpu)
{
	atomic_flag_clear_explicit(&vcpu->fault_lock, memory_order_release);
}

/* The token of a fault in service: its serial above the mode it began in. */
#define FAULT_MODE_BITS 3

int vcpu__fault_begin(struct vcpu *vcpu)
{
	int ret = -1;

	/* KVM handles an EPT/NPT violation after the VM-exit, with vcpu->mode
	 * OUTSIDE_GUEST_MODE: kvm_vcpu_kick() sends it no IPI and
	 * KVM_REQUEST_WAIT does not wait for it.  Our vCPU thread is blocked in
	 * the fault inside KVM_RUN (kvm) or inside the guest code (native), so
	 * the pager, which learns of the fault from the userfaultfd message,
	 * moves the mode for it.  The same code serves both backends. */
	vcpu__fault_lock(vcpu);
	int m = atomic_load(&vcpu->mode);
	while (m == IN_GUEST_MODE || m == EXITING_GUEST_MODE) {
		if (atomic_compare_exchange_weak(&vcpu->mode, &m, FAULT_OUTSIDE_GUEST_MODE)) {
			vcpu__exited(vcpu);          /* releases ack waiters */
			atomic_store(&vcpu->fault_in_service, true);
			vcpu->fault_serial = (vcpu->fault_serial + 1) & (INT32_MAX >> FAULT_MODE_BITS);
			if (!vcpu->fault_serial)      /* 0 = no fault in service */
				vcpu->fault_serial = 1;
			vcpu->fault_cur = vcpu->fault_serial;
			ret = (int)(vcpu->fault_serial << FAULT_MODE_BITS) | m;
			break;
		}
	}
	vcpu__fault_unlock(vcpu);
	return ret;     /* -1: already outside, the VMM faulted on the vCPU's behalf */
}

void vcpu__fault_end(struct vcpu *vcpu, int token)
{
	int m = FAULT_OUTSIDE_GUEST_MODE;

	if (token < 0)
		return;
	vcpu__fault_lock(vcpu);
	/* Not the current fault: it ended when another fault's install of the
	 * same page woke the vCPU, which has faulted again since; restoring the
	 * mode now would put a vCPU blocked in its new fault in guest mode. */
	if (vcpu->fault_cur == (uint32_t)token >> FAULT_MODE_BITS) {
		vcpu->fault_cur = 0;
		atomic_store(&vcpu->fault_in_service, false);
		/* Fails if the thread left KVM_RUN meanwhile (it stored its own
		 * mode).  Called before the page is installed, so the thread
		 * cannot have re-entered and faulted again (no ABA). */
		atomic_compare_exchange_strong(&vcpu->mode, &m, token & ((1 << FAULT_MODE_BITS) - 1));
	}
	vcpu__fault_unlock(vcpu);
}

void vcpu__fault_resume(struct vcpu *vcpu)
{
	int m = IN_GUEST_MODE;

	/* KVM sees a request made during the fault at the next entry
	 * (vcpu_enter_guest re-checks requests).  Our thread re-enters inside
	 * KVM_RUN without that check, so bring it out to see them: the
	 * analogue of the entry check, not an IPI KVM would send.  Called
	 * after the page is in: a signal to a thread still waiting in
	 * userfaultfd would only make the kernel retry the fault.  The seq_cst
	 * mode store of vcpu__fault_end() vs the requester's request-then-
	 * mode-load: one of us sees the other. */
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&vcpu->requests, memory_order_relaxed) &&
	    atomic_compare_exchange_strong(&vcpu->mode, &m, EXITING_GUEST_MODE)) {
		M_INC(vcpu->vm, fault_entry_exits);
		vcpu->vm->backend->kick(vcpu);
	}
}

/* kvm_vcpu_check_block(): the block ends when the VM stops, the vCPU is
 * running again, or on REQ_UNBLOCK, consumed whether or not the vCPU can
 * run: the caller's loop re-checks (vcpu_run() goes round and blocks again). */
static bool vcpu__check_block(struct vcpu *vcpu)
{
	if (atomic_load_explicit(&vcpu->vm->stopping, memory_order_acquire))
		return true;
	if (vcpu__running(vcpu))
		return true;
	return vcpu__check_request(vcpu, REQ_UNBLOCK);
}

/* A timed guest HLT ends on its timeout (checked by the caller), a stop,
 * REQ_UNBLOCK, or any wake since it began (seq0): the event that ends a
 * real HLT.  Being runnable does not end it: a halted vCPU is runnable. */
static bool vcpu__check_timed_halt(struct vcpu *vcpu, uint32_t seq0, uint32_t seq)
{
	if (atomic_load_explicit(&vcpu->vm->stopping, memory_order_acquire))
		return true;
	return seq != seq0 || vcpu__check_request(vcpu, REQ_UNBLOCK);
}

/* The sleep of kvm_vcpu_block() (rcuwait on the futex), for both kinds. */
static void vcpu__sleep(struct vcpu *vcpu, uint64_t deadline)
{
	atomic_store(&vcpu->block_timed, deadline != 0);      /* for the oracle */
	/* blocked before seq0 (seq_cst): a waker that bumps the seq after
	 * our read sees blocked and wakes us (vcpu__wake_up()) */
	atomic_store(&vcpu->blocked, true);
	uint32_t seq0 = atomic_load(&vcpu->wake_seq);

	for (;;) {
		uint32_t seq = atomic_load(&vcpu->wake_seq);
		/* the oracle tells "woken, not yet scheduled" (block_seen is
		 * behind wake_seq) from "woken, ran, asleep again" */
		atomic_store_explicit(&vcpu->block_seen, seq, memory_order_relaxed);
		if (deadline ? vcpu__check_timed_halt(vcpu, seq0, seq) : vcpu__check_block(vcpu))
			break;
		struct timespec ts, *tsp = NULL;
		if (deadline) {
			uint64_t now = now_ns();
			if (now >= deadline)
				break;
			uint64_t left = deadline - now;
			ts.tv_sec = (time_t)(left / 1000000000u);
			ts.tv_nsec = (long)(left % 1000000000u);
			tsp = &ts;
		}
		futex_wait(&vcpu->wake_seq, seq, tsp);
	}
	atomic_store(&vcpu->blocked, false);
}

void vcpu__block(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	uint64_t poll_end = now_ns() + vm->cfg->halt_poll_ns;

	vcpu__srcu_unlock(vcpu);
	M_INC(vm, blocks);
	/* kvm_vcpu_halt(): poll kvm_vcpu_check_block() first */
	if (vm->cfg->halt_poll_ns) {
		while (now_ns() < poll_end) {
			if (vcpu__check_block(vcpu)) {
				M_INC(vm, halt_polls_ok);
				goto out;
			}
			cpu_relax();
		}
	}
	vcpu__sleep(vcpu, 0);
out:
	vcpu__srcu_lock(vcpu);
}

void vcpu__timed_halt(struct vcpu *vcpu, uint64_t timeout_ns)
{
	struct vm *vm = vcpu->vm;

	if (!timeout_ns)
		return;
	vcpu__srcu_unlock(vcpu);
	M_INC(vm, blocks);
	vcpu__sleep(vcpu, now_ns() + timeout_ns);
	vcpu__srcu_lock(vcpu);
}

static void vcpu__fail(struct vcpu *vcpu, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void vcpu__fail(struct vcpu *vcpu, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (!vcpu->errmsg)
		vcpu->errmsg = xstrdup(buf);
	atomic_store(&vcpu->vm->fatal, 1);
}

/* The guest reports its latency samples by piggybacking on exits. */
static void vcpu__take_sample(struct vcpu *vcpu)
{
	struct fb_vcpu_page *p = vcpu->page;
	uint64_t s = p->lat_sample_tsc;
	struct vm *vm = vcpu->vm;

	if (!s)
		return;
	p->lat_sample_tsc = 0;
	uint64_t ns = vcpu__tsc_to_ns(vm, s);
	switch (vcpu->role) {
	case FB_WL_NULL:      M_HIST(vm, exit_ns, ns); break;
	case FB_WL_HYPERCALL: M_HIST(vm, hcall_ns, ns); break;
	case FB_WL_FLUSH:     M_HIST(vm, flush_ns, ns); break;
	default: break;
	}
}

static int vcpu__handle_ucall(struct vcpu *vcpu, uint64_t gpa)
{
	struct vm *vm = vcpu->vm;
	struct fb_ucall *uc = vm__gpa_range(vm, gpa, sizeof(*uc));

	if (!uc) {
		vcpu__fail(vcpu, "vCPU %u: ucall at bad GPA %#lx", vcpu->id, (unsigned long)gpa);
		return -EFAULT;
	}
	uint64_t cmd = uc->cmd;
	switch (cmd) {
	case FB_UCALL_HELLO:
		if (uc->args[0] != FB_ABI_VERSION) {
			vcpu__fail(vcpu, "vCPU %u: guest ABI version %lu, host %u: rebuild",
				   vcpu->id, (unsigned long)uc->args[0], FB_ABI_VERSION);
			return -EPROTO;
		}
		return 1;
	case FB_UCALL_SYNC:
		return 1;
	case FB_UCALL_SLEEP: {
		uint64_t ns = uc->args[0];
		if (ns > 1000000000ull)
			ns = 1000000000ull;
		if (ns && !atomic_load(&vm->stopping))
			vcpu__timed_halt(vcpu, ns);
		return 1;
	}
	case FB_UCALL_DONE:
		return 0;
	case FB_UCALL_VERIFY_FAIL:
		M_INC(vm, guest_verify_failures);
		if (vcpu->page->verify_failures <= 1)
			pr_warn("vCPU %u: data check failed at GPA %#lx: want %#lx got %#lx",
				vcpu->id, (unsigned long)uc->args[0], (unsigned long)uc->args[1],
				(unsigned long)uc->args[2]);
		return 1;
	case FB_UCALL_ABORT: {
		char file[sizeof(uc->msg)];
		memcpy(file, uc->msg, sizeof(file));
		file[sizeof(file) - 1] = 0;
		vcpu__fail(vcpu, "vCPU %u: guest assertion failed at %s:%lu (values %#lx, %#lx)",
			   vcpu->id, file, (unsigned long)uc->args[0],
			   (unsigned long)uc->args[1], (unsigned long)uc->args[2]);
		return -EPROTO;
	}
	default:
		vcpu__fail(vcpu, "vCPU %u: unknown ucall %lu", vcpu->id, (unsigned long)cmd);
		return -EPROTO;
	}
}

static int vcpu__handle_exit(struct vcpu *vcpu, const struct vcpu_exit *e)
{
	struct vm *vm = vcpu->vm;

	/* single writer; the watchdog reads it (liveness), hence atomic */
	__atomic_store_n(&vcpu->exits, vcpu->exits + 1, __ATOMIC_RELAXED);
	M_INC(vm, exits);
	if (e->reason != VCPU_EXIT_INTR)
		__atomic_store_n(&vcpu->own_passes, vcpu->own_passes + 1, __ATOMIC_RELAXED);
	vcpu__take_sample(vcpu);
	switch (e->reason) {
	case VCPU_EXIT_IO:
		switch (e->port) {
		case FB_PORT_NULL:
			return 1;
		case FB_PORT_UCALL:
			return vcpu__handle_ucall(vcpu, e->value);
		case FB_PORT_HCALL:
			vcpu->hypercalls++;
			return flush__handle_hcall(vcpu, e->value);
		default:
			vcpu__fail(vcpu, "vCPU %u: write to unknown port %#x", vcpu->id, e->port);
			return -EPROTO;
		}
	case VCPU_EXIT_MMIO:
		if (e->mmio_write && e->mmio_gpa >= FB_GPA_INTERCEPT &&
		    e->mmio_gpa < FB_GPA_INTERCEPT + 8ull * vm->nr_vcpus)
			return flush__handle_intercept(vcpu, e->mmio_gpa);
		vcpu__fail(vcpu, "vCPU %u: unexpected MMIO %s at %#lx", vcpu->id,
			   e->mmio_write ? "write" : "read", (unsigned long)e->mmio_gpa);
		return -EPROTO;
	case VCPU_EXIT_INTR:
		return 1;
	case VCPU_EXIT_SHUTDOWN:
		vcpu__fail(vcpu, "vCPU %u: guest shut down (triple fault)", vcpu->id);
		return -EPROTO;
	default:
		vcpu__fail(vcpu, "vCPU %u: unexpected exit reason %u", vcpu->id, e->raw_reason);
		return -EPROTO;
	}
}

/* Requests processed before entry, like the top of vcpu_enter_guest(). */
static void vcpu__process_requests(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;

	if (vcpu__check_request(vcpu, REQ_HV_TLB_FLUSH))
		vcpu->flushes_acked++;
	if (vcpu__check_request(vcpu, REQ_EVENT)) {
		/* Full event re-evaluation: re-check every pending request
		 * and let the hypervisor itself re-run its event injection
		 * (KVM: SET_VCPU_EVENTS raises KVM_REQ_EVENT). */
		uint64_t t0 = now_ns();
		if (vcpu__check_request(vcpu, REQ_HV_TLB_FLUSH))
			vcpu->flushes_acked++;
		if (vm->backend->event_reeval) {
			int r = vm->backend->event_reeval(vcpu);
			if (r < 0)
				vcpu__fail(vcpu, "vCPU %u: event re-evaluation failed: %s", vcpu->id, strerror(-r));
		}
		M_INC(vm, events);
		M_HIST(vm, event_ns, now_ns() - t0);
	}
	/* vcpu_run() clears REQ_UNBLOCK on every pass */
	vcpu__check_request(vcpu, REQ_UNBLOCK);
}

static int vcpu__enter_guest(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	struct vcpu_exit e;

	vcpu__process_requests(vcpu);
	if (vcpu->resume_pending) {
		uint64_t now = now_ns();
		vcpu->resume_pending = false;
		M_HIST(vm, reentry_ns, now - vcpu->runnable_ns);
		uint64_t ws = atomic_load(&vcpu->wake_start_ns);
		if (ws && now > ws) {
			M_HIST(vm, resume_ns, now - ws);
			atomic_max_u64(&vm->ts_resume_max, now - ws);
		}
	}

	atomic_store_explicit(&vcpu->mode, IN_GUEST_MODE, memory_order_release);
	vcpu__srcu_unlock(vcpu);
	atomic_thread_fence(memory_order_seq_cst);   /* smp_mb__after_srcu_read_unlock() */
	if (atomic_load_explicit(&vcpu->requests, memory_order_relaxed)) {
		/* kvm_vcpu_exit_request(): cancel the entry.  It counts as an
		 * exit for a kicker that saw IN_GUEST_MODE and waits for the
		 * exit (else it could see OUTSIDE, stop waiting, then find the
		 * vCPU back in guest mode with the same exit_seq) */
		atomic_store(&vcpu->mode, OUTSIDE_GUEST_MODE);
		vcpu__exited(vcpu);
		__atomic_store_n(&vcpu->own_passes, vcpu->own_passes + 1, __ATOMIC_RELAXED);
		vcpu__srcu_lock(vcpu);
		return 2;
	}
	int r = vm->backend->run(vcpu, &e);
	atomic_store(&vcpu->mode, OUTSIDE_GUEST_MODE);
	vcpu__exited(vcpu);
	vcpu__srcu_lock(vcpu);
	if (r < 0) {
		vcpu__fail(vcpu, "vCPU %u: %s run failed: %s", vcpu->id, vm->backend->name, strerror(-r));
		return r;
	}
	return vcpu__handle_exit(vcpu, &e);
}

/* vcpu_run(): enter the guest while running, else block (suspended); a
 * block that ends while the vCPU still cannot run (REQ_UNBLOCK) goes round. */
static int vcpu__run_loop(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	int r;

	for (;;) {
		if (!vcpu__running(vcpu)) {
			vcpu__block(vcpu);
			if (!vcpu__running(vcpu)) {
				if (atomic_load(&vm->stopping))
					return 0;        /* still suspended: pending at stop */
				continue;
			}
		}
		/* A suspension ends here even if the wake beat us to the block
		 * (designs whose flusher leaves its read side before blocking). */
		if (vcpu->suspend_pending) {
			vcpu->suspend_pending = false;
			flush__resumed(vcpu);
		}
		r = vcpu__enter_guest(vcpu);
		if (r <= 0)
			return r;
		if (atomic_load_explicit(&vm->fatal, memory_order_relaxed))
			return -ECANCELED;
		/* entry cancelled (2): a vCPU whose entries keep being
		 * cancelled (a request nobody consumes) never reaches the
		 * guest's stop check, so look at stopping here */
		if (r == 2 && atomic_load_explicit(&vm->stopping, memory_order_relaxed))
			return 0;
	}
}

void *vcpu__thread(void *arg)
{
	struct vcpu *vcpu = arg;
	struct vm *vm = vcpu->vm;
	int r;

	/* release: pager threads already running map a fault's tid to this vCPU */
	__atomic_store_n(&vcpu->tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
	char name[16];
	snprintf(name, sizeof(name), "vcpu-%u", vcpu->id);
	pthread_setname_np(pthread_self(), name);      /* profiles and top show which vCPU */
	if (vm->cfg->r.pin != CFG_PIN_NONE) {
		char err[256];
		if (topology__pin(vm->cfg->r.pin, vcpu->id, vm->nr_vcpus, false, err, sizeof(err)) < 0)
			pr_warn("vCPU %u: %s", vcpu->id, err);
	}
	tstats__attach(&vm->stats);                     /* own slot, before the window */
	r = vm->backend->vcpu_init(vcpu);
	if (r < 0)
		vcpu__fail(vcpu, "vCPU %u: %s vCPU init failed: %s", vcpu->id, vm->backend->name, strerror(-r));
	atomic_fetch_add(&vm->vcpus_ready, 1);
	futex_wake((_Atomic uint32_t *)&vm->vcpus_ready, INT32_MAX);
	/* start gate: vm__start() opens it */
	while (!__atomic_load_n(&vm->start_gate, __ATOMIC_ACQUIRE))
		futex_wait((_Atomic uint32_t *)&vm->start_gate, 0, NULL);
	if (r == 0 && !atomic_load(&vm->fatal) && __atomic_load_n(&vm->start_gate, __ATOMIC_ACQUIRE) == 1) {
		vcpu__srcu_lock(vcpu);
		(void)vcpu__run_loop(vcpu);     /* failures are in vcpu->errmsg + vm->fatal */
		vcpu__srcu_unlock(vcpu);
	}
	/* a suspension whose resume was never accounted, even if a wake
	 * raced with the stop: suspends == resumes + pending, exactly */
	if (vcpu->suspend_pending)
		atomic_fetch_add(&vm->metrics->pending_at_stop, 1);
	vm->backend->vcpu_exit(vcpu);
	return NULL;
}
