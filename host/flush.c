/* SPDX-License-Identifier: MIT */
/* The flush / inhibit protocol (see flush.h for the sequence). */
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "design.h"
#include "flush.h"
#include "hv.h"
#include "oracle.h"
#include "util.h"
#include "vcpu.h"

#define BITS_PER_LONG (8 * sizeof(unsigned long))

static const void *flush__gpa_range(void *ctx, uint64_t gpa, uint64_t len)
{
	return vm__gpa_range(ctx, gpa, len);
}

static void flush__set_result(struct fb_hcall *hc, uint64_t result)
{
	__atomic_store_n(&hc->result, result, __ATOMIC_RELEASE);
}

/* Test-only slow build (bench ab's test): FB_TEST_FLUSH_DELAY_PCT=N makes
 * every flush hypercall spin N % of its own duration longer.  Read once at
 * start; off, it costs one predictable branch per flush. */
static unsigned flush_test_delay_pct;

__attribute__((constructor)) static void flush__test_knob(void)
{
	const char *e = getenv("FB_TEST_FLUSH_DELAY_PCT");

	flush_test_delay_pct = e ? (unsigned)strtoul(e, NULL, 10) : 0;
}

static void flush__test_delay(uint64_t t0)
{
	uint64_t end = now_ns() + (now_ns() - t0) * flush_test_delay_pct / 100;

	while (now_ns() < end)
		;
}

void flush__publish_suspend(struct vcpu *f, struct vcpu *t, uint64_t seq)
{
	f->suspend_pending = true;
	f->suspend_ns = now_ns();
	atomic_store_explicit(&f->suspended_target, (int)t->id, memory_order_relaxed);
	atomic_store_explicit(&f->waiting_seq, seq, memory_order_relaxed);
	atomic_store_explicit(&f->woken_by_seq, 0, memory_order_relaxed);
	atomic_store_explicit(&f->waiting_on, (int)t->id, memory_order_relaxed);
	/* release: whoever sees suspended also sees waiting_on/seq */
	atomic_store_explicit(&f->suspended, true, memory_order_release);
	/* a new suspension for the oracle (only this thread writes it) */
	atomic_fetch_add_explicit(&f->susp_gen, 1, memory_order_release);
}

void flush__retract_suspend(struct vcpu *f)
{
	/* caller holds f->wake_lock and saw suspended still set */
	f->suspend_pending = false;
	atomic_store_explicit(&f->done_gen, atomic_load(&f->susp_gen), memory_order_release);
	atomic_store(&f->waiting_on, -1);
	atomic_store_explicit(&f->suspended, false, memory_order_release);
}

/* 1. requests first (review: the inhibit may flip between a check and
 *    the enqueue, so check after the requests are out). */
void flush__send_requests(struct flush_op *op)
{
	struct vm *vm = op->f->vm;

	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		if (!flush__is_target(op, i))
			continue;
		struct vcpu *t = vm->vcpus[i];
		/* REQ_WAIT | REQ_NO_WAKEUP: a blocked target handles it when
		 * it next runs; one in guest mode is kicked and waited for */
		if (vcpu__make_vcpu_request(t, REQ_HV_TLB_FLUSH, &op->snap[op->nk]))
			op->kicked[op->nk++] = t;
		M_INC(vm, flush_requests);
	}
	oracle__requests_visible(op);
}

/* 2. inhibit check: a target with TlbFlushInhibit suspends us. */
int flush__check_inhibits(struct flush_op *op)
{
	struct vcpu *f = op->f;
	struct vm *vm = f->vm;

	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		if (!flush__is_target(op, i))
			continue;
		struct vcpu *t = vm->vcpus[i];
		uint64_t w = atomic_load(&t->inhibit);
		if (!inhibit_word_set(w))
			continue;
		if (vm->design->suspend(f, t, inhibit_word_seq(w))) {
			M_INC(vm, suspends);
			atomic_fetch_add(&vm->all_suspends, 1);
			/* kvm_hv_hypercall_complete() leaves RIP: re-executed
			 * after resume, which our ABI expresses as RETRY. */
			flush__set_result(op->hc, hv__result(HV_STATUS_FB_RETRY, 0));
			return 1;
		}
		/* uninhibited meanwhile: go on checking the others */
	}
	return 0;
}

/* 3. Wait until each kicked target left guest mode (KVM_REQUEST_WAIT: the
 * sender waits for the exit, not for the request to be handled). */
void flush__wait_acks(struct flush_op *op)
{
	struct vm *vm = op->f->vm;
	uint64_t t0 = now_ns();

	for (unsigned i = 0; i < op->nk; i++)
		vcpu__wait_guest_exit(op->kicked[i], op->snap[i]);
	if (op->nk)
		M_HIST(vm, ack_wait_ns, now_ns() - t0);
}

void flush__success(struct flush_op *op)
{
	struct vm *vm = op->f->vm;

	oracle__flush_success(op);
	if (__builtin_expect(flush_test_delay_pct != 0, 0))
		flush__test_delay(op->t0);
	M_INC(vm, flushes);
	atomic_fetch_add_explicit(&op->f->flushes_ok, 1, memory_order_relaxed);
	flush__set_result(op->hc, hv__result(HV_STATUS_SUCCESS, op->req->nr_gva_ranges));
}

int flush__protocol(struct flush_op *op)
{
	flush__send_requests(op);
	if (flush__check_inhibits(op))
		return 1;
	flush__wait_acks(op);
	flush__success(op);
	return 1;
}

static int flush__do_flush(struct vcpu *f, const struct hv_flush_req *req, struct fb_hcall *hc)
{
	struct vm *vm = f->vm;
	unsigned n = vm->nr_vcpus;
	struct vcpu *kicked[n];       /* n <= FB_MAX_VCPUS: 24 KiB of stack at most */
	uint64_t snap[n], w_req[n];
	struct flush_op op = { .f = f, .req = req, .hc = hc, .kicked = kicked, .snap = snap, .w_req = w_req,
			       .t0 = flush_test_delay_pct ? now_ns() : 0 };

	return vm->design->flush ? vm->design->flush(&op) : flush__protocol(&op);
}

int flush__handle_hcall(struct vcpu *vcpu, uint64_t hcall_gpa)
{
	struct vm *vm = vcpu->vm;
	struct fb_hcall *hc = vm__gpa_range(vm, hcall_gpa, sizeof(*hc));
	struct hv_guest_mem mem = { .ctx = vm, .gpa_range = flush__gpa_range };
	unsigned long mask[vm->nr_vcpus / BITS_PER_LONG + 1];
	struct hv_flush_req req;

	M_INC(vm, hypercalls);
	if (!hc || (hcall_gpa & 7)) {
		/* No place to put a status: the guest broke the ABI itself. */
		M_INC(vm, hypercall_errors);
		return 1;
	}
	/* The guest can change its memory under us: read each field once. */
	uint64_t control = __atomic_load_n(&hc->control, __ATOMIC_RELAXED);
	uint64_t in_gpa = __atomic_load_n(&hc->input_gpa, __ATOMIC_RELAXED);
	uint64_t out_gpa = __atomic_load_n(&hc->output_gpa, __ATOMIC_RELAXED);

	memset(&req, 0, sizeof(req));
	memset(mask, 0, sizeof(mask));
	req.vp_mask = mask;
	uint16_t status = hv__parse_regs(&mem, control, in_gpa, out_gpa, vm->nr_vcpus, &req);
	if (status != HV_STATUS_SUCCESS) {
		M_INC(vm, hypercall_errors);
		flush__set_result(hc, hv__result(status, 0));
		return 1;
	}
	if (req.code == HVCALL_FB_NULL) {
		flush__set_result(hc, hv__result(HV_STATUS_SUCCESS, 0));
		return 1;
	}
	return flush__do_flush(vcpu, &req, hc);
}

/* Instruction completion: read and write this inhibitor's buffer in the
 * data region, one word per 64 bytes, so it faults under pressure. */
static void flush__complete_instruction(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	uint64_t bytes = vm->completion_bytes;
	unsigned idx = vcpu->id - vm->first_inhibitor;
	volatile uint64_t *buf;

	if (!bytes || vcpu->id < vm->first_inhibitor)
		return;
	buf = vm__gpa_range(vm, vm->completion_gpa + (uint64_t)idx * bytes, bytes);
	if (!buf)
		return;
	for (uint64_t i = 0; i < bytes / 8; i += 8)
		buf[i] = buf[i] + 1;
}

int flush__handle_intercept(struct vcpu *vcpu, uint64_t gpa)
{
	struct vm *vm = vcpu->vm;
	uint64_t seq = inhibit_word_seq(atomic_load(&vcpu->inhibit)) + 1;

	/* The design's state first (srcu-private's RCU pointer): a flusher
	 * that sees the inhibit word set must find it published, else it
	 * would take the target for uninhibited and answer SUCCESS. */
	if (vm->design->inhibit)
		vm->design->inhibit(vcpu, seq);
	/* Set TlbFlushInhibit (seq_cst: flushers that read "clear" after
	 * this are ordered after it). */
	vcpu->inhibit_set_ns = now_ns();
	atomic_store(&vcpu->inhibit, seq << 1 | 1);
	M_INC(vm, inhibits);

	uint64_t t0 = now_ns();
	flush__complete_instruction(vcpu);
	M_HIST(vm, completion_ns, now_ns() - t0);

	/* Back to the VMM: the intercept is handled (higher VTL) and the
	 * uninhibit ioctl issued outside kvm->srcu. */
	vcpu__srcu_unlock(vcpu);
	if (vm->cfg->inhibit_hold_us)
		usleep(vm->cfg->inhibit_hold_us);
	uint64_t u0 = now_ns();
	atomic_store(&vcpu->uninhibit_start_ns, u0);
	atomic_store(&vcpu->uninhibiting_seq, seq);
	vm->design->uninhibit(vcpu);
	uint64_t u1 = now_ns();
	M_HIST(vm, uninhibit_ns, u1 - u0);
	/* For the watchdog: by now every waiter of this cycle must be awake. */
	atomic_store(&vcpu->uninhibited_ns, u1);
	atomic_store(&vcpu->uninhibited_seq, seq);
	vcpu__srcu_lock(vcpu);
	return 1;
}

uint64_t flush__clear_inhibit(struct vcpu *t)
{
	uint64_t seq = inhibit_word_seq(atomic_load(&t->inhibit));

	atomic_store(&t->inhibit, seq << 1);           /* seq_cst */
	M_HIST(t->vm, inhibit_ns, now_ns() - t->inhibit_set_ns);
	return seq;
}

void flush__record_gp(struct vm *vm, uint64_t ns)
{
	M_HIST(vm, gp_ns, ns);
	atomic_max_u64(&vm->ts_gp_max, ns);
}

unsigned flush__grace_period(struct vm *vm)
{
	unsigned gp = vm->cfg->r.srcu_gp, done = 0;
	uint64_t t0 = now_ns();

	if (gp & CFG_GP_VMM) {
		srcu__synchronize(&vm->srcu, NULL);
		M_INC(vm, grace_periods);
		done++;
	}
	if ((gp & CFG_GP_KERNEL) && vm->backend->kernel_gp) {
		/* default ioeventfd deassign: an expedited kvm->srcu grace period
		 * with no request to every vCPU (docs/KVM-BACKEND.md) */
		uint64_t k0 = now_ns();
		if (vm->backend->kernel_gp(vm, vm->cfg->r.srcu_gp_ioctl) == 0) {
			M_HIST(vm, kernel_gp_ns, now_ns() - k0);
			M_INC(vm, grace_periods);
			done++;
		} else {
			M_INC(vm, kernel_gp_errors);
		}
	}
	flush__record_gp(vm, now_ns() - t0);
	return done;
}

bool flush__wake_begin(struct vcpu *f, struct vcpu *t, uint64_t seq)
{
	if (!atomic_load_explicit(&f->suspended, memory_order_acquire) ||
	    atomic_load(&f->waiting_on) != (int)t->id)
		return false;
	atomic_store(&f->wake_start_ns, atomic_load(&t->uninhibit_start_ns));
	atomic_store(&f->woken_by_seq, seq);
	atomic_store(&f->wake_ns, now_ns());
	return true;
}

void flush__wake_unsuspend(struct vcpu *f)
{
	atomic_store(&f->waiting_on, -1);
	atomic_store_explicit(&f->suspended, false, memory_order_release);
}

bool flush__wake_flusher(struct vcpu *f, struct vcpu *t, uint64_t seq)
{
	struct vm *vm = f->vm;

	M_INC(vm, wakeups);
	design__race(vm, RACE_WAKE);
	pthread_mutex_lock(&f->wake_lock);
	if (!flush__wake_begin(f, t, seq)) {
		pthread_mutex_unlock(&f->wake_lock);
		M_INC(vm, spurious_wakeups);
		return false;
	}
	flush__wake_unsuspend(f);
	pthread_mutex_unlock(&f->wake_lock);
	M_INC(vm, useful_wakeups);
	uint64_t start = atomic_load(&f->wake_start_ns);
	if (start)
		M_HIST(vm, wake_ns, atomic_load(&f->wake_ns) - start);
	/* kvm_make_vcpus_request_mask(wake_req): request, then wake or kick */
	vcpu__make_vcpu_request(f, vm->wake_req, NULL);
	return true;
}

void flush__resumed(struct vcpu *f)
{
	struct vm *vm = f->vm;
	uint64_t now = now_ns();
	int tid = atomic_load(&f->suspended_target);
	struct vcpu *t = tid >= 0 ? vm->vcpus[tid] : NULL;

	f->runnable_ns = now;
	f->resume_pending = true;
	M_INC(vm, resumes);
	atomic_fetch_add(&vm->all_resumes, 1);
	M_HIST(vm, runnable_ns, now - atomic_load(&f->wake_ns));
	M_HIST(vm, suspend_ns, now - f->suspend_ns);
	if (t)
		oracle__check_resume(f, t, now);
	/* this suspension is over (the watchdog stops tracking it) */
	atomic_store_explicit(&f->done_gen, atomic_load(&f->susp_gen), memory_order_release);
	if (vm->design->resume)
		vm->design->resume(f);
}
