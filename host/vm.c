/* SPDX-License-Identifier: MIT */
/* VM lifecycle: memory, roles, vCPU threads, start/measure/stop. */
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "design.h"
#include "oracle.h"
#include "numa.h"
#include "pressure.h"
#include "util.h"
#include "vcpu.h"

#define VM_HELPER_SLOTS   64
#define VCPU_THREAD_STACK (256 * 1024ul)

/* set_err() and return code: one-line errors for __vm_create() */
#define vm__err(err, len, code, ...) (set_err((err), (len), __VA_ARGS__), (code))

void *vm__gpa_range(struct vm *vm, uint64_t gpa, uint64_t len)
{
	if (gpa >= vm->mem_size || len > vm->mem_size - gpa)
		return NULL;
	return vm->mem + gpa;
}

int vm__srcu_helper_slot(struct vm *vm)
{
	unsigned k = atomic_fetch_add(&vm->srcu_next_helper, 1);

	if (k >= vm->srcu_helper_slots)
		return -ENOSPC;
	return (int)(vm->nr_vcpus + k);
}

/* Mixed workload roles: [flushers][inhibitors][touchers][idle]. */
static int vm__assign_roles(struct vm *vm, char *err, size_t len)
{
	const struct run_config *c = vm->cfg;
	unsigned n = c->vcpus;

	if (c->r.workload != CFG_WORKLOAD_MIXED) {
		vm->nr_flushers = vm->nr_inhibitors = vm->nr_touchers = 0;
		return 0;
	}
	unsigned touch = run_config__touchers(c), inh = c->inhibitors, fl = c->flushers;
	if (touch >= n && n > 1)
		return vm__err(err, len, -EINVAL, "touchers=%u leaves no vCPU to flush (vcpus=%u)", touch, n);
	unsigned rest = n > touch ? n - touch : 1;
	if (!inh && !fl) {
		inh = rest >= 2 ? (rest + 3) / 4 : 0;
		fl = rest - inh;
	} else if (!inh) {
		inh = rest > fl ? rest - fl : 0;
	} else if (!fl) {
		fl = rest > inh ? rest - inh : 0;
	}
	if ((uint64_t)fl + inh + touch > n)
		return vm__err(err, len, -EINVAL,
			       "flushers=%u + inhibitors=%u + touchers=%u exceed vcpus=%u; lower them or raise --vcpus",
			       fl, inh, touch, n);
	vm->nr_flushers = fl;
	vm->nr_inhibitors = inh;
	vm->nr_touchers = touch;
	vm->first_inhibitor = fl;
	vm->first_toucher = fl + inh;
	return 0;
}

static unsigned vm__role(const struct vm *vm, unsigned id)
{
	switch (vm->cfg->r.workload) {
	case CFG_WORKLOAD_NULL:
		return FB_WL_NULL;
	case CFG_WORKLOAD_HYPERCALL:
		return FB_WL_HYPERCALL;
	case CFG_WORKLOAD_MIXED:
		break;
	}
	if (id < vm->nr_flushers)
		return FB_WL_FLUSH;
	if (id < vm->first_toucher)
		return FB_WL_INHIBIT;
	if (id < vm->first_toucher + vm->nr_touchers)
		return FB_WL_TOUCH;
	return FB_WL_IDLE;
}

static void vm__fill_page(struct vm *vm, struct vcpu *vcpu)
{
	const struct run_config *c = vm->cfg;
	struct fb_vcpu_page *p = vcpu->page;

	memset(p, 0, sizeof(*p));
	p->abi_version = FB_ABI_VERSION;
	p->vcpu_id = vcpu->id;
	p->nr_vcpus = vm->nr_vcpus;
	p->workload = vcpu->role;
	p->tsc_khz = vm->tsc_khz;
	p->seed = c->seed;
	p->flush_kind = c->r.flush_kind;
	p->target_mode = c->r.target_mode;
	p->targets = c->target_count;
	p->gva_count = c->gva_count;
	p->think_ns = (uint64_t)c->flush_think_us * 1000;
	p->inhibit_period_ns = (uint64_t)c->inhibit_period_us * 1000;
	p->first_inhibitor = vm->first_inhibitor;
	p->nr_inhibitors = vm->nr_inhibitors;
	if (vcpu->role == FB_WL_TOUCH && vm->nr_touchers) {
		uint64_t touch_bytes = (uint64_t)c->touch_mb << 20;
		uint64_t slice = touch_bytes / vm->nr_touchers & ~(FB_PAGE_SIZE - 1);
		p->touch_gpa = vm->data_gpa + (uint64_t)(vcpu->id - vm->first_toucher) * slice;
		p->touch_bytes = slice;
		p->touch_batch = c->touch_batch;
		p->touch_think_ns = (uint64_t)c->touch_think_us * 1000;
		p->touch_verify = c->touch_verify;
	}
	p->guest_base = vm->backend == &backend_native ? (uint64_t)(unsigned long)vm->mem : 0;
}

const char *vm__error(const struct vm *vm)
{
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i] && vm->vcpus[i]->errmsg)
			return vm->vcpus[i]->errmsg;
	return NULL;
}

/*
 * The levels of a VM, as kvmtool's init/exit levels: __vm_create() runs
 * init() upwards and counts the levels done in vm->level; a failure, and
 * vm__destroy(), run exit() of exactly the levels that were done, downwards.
 */

/* guest memory: one mapping, HVA = mem + GPA; slot 1 = data region; SRCU */
static int vm__memory_init(struct vm *vm, char *err, size_t len)
{
	const struct run_config *cfg = vm->cfg;
	int r;

	vm->completion_bytes = ((uint64_t)cfg->completion_kb * 1024 + FB_PAGE_SIZE - 1) & ~(FB_PAGE_SIZE - 1);
	uint64_t touch_bytes = vm->nr_touchers ? (uint64_t)cfg->touch_mb << 20 : 0;
	uint64_t need = touch_bytes + vm->completion_bytes * vm->nr_inhibitors;
	vm->data_gpa = FB_GPA_DATA;
	vm->data_size = (uint64_t)cfg->mem_mb << 20;
	if (need > vm->data_size)
		return vm__err(err, len, -EINVAL,
			       "mem-mb=%u is too small: touchers and completion buffers need %lu MiB; raise --mem-mb",
			       cfg->mem_mb, (unsigned long)((need + (1 << 20) - 1) >> 20));
	if (vm->data_gpa + vm->data_size > FB_GPA_DATA_END_MAX)
		return vm__err(err, len, -EINVAL, "mem-mb=%u is too large (max %lu)", cfg->mem_mb,
			       (unsigned long)((FB_GPA_DATA_END_MAX - FB_GPA_DATA) >> 20));
	vm->completion_gpa = vm->data_gpa + touch_bytes;
	vm->mem_size = vm->data_gpa + vm->data_size;
	vm->mem = mmap(NULL, vm->mem_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED) {
		vm->mem = NULL;
		return vm__err(err, len, -ENOMEM, "cannot map %lu MiB of guest memory: %s",
			       (unsigned long)(vm->mem_size >> 20), strerror(errno));
	}
	/* placed before anything touches it (pressure=none pre-faults it) */
	if (cfg->mem_node[0]) {
		r = numa__place(vm->mem, vm->mem_size, cfg->mem_node, err, len);
		if (r)
			goto fail;
	}
	/* helper threads that hold the read side (a mode's fault service on
	 * behalf of a vCPU: host/pressure/pager.c) get slots after the vCPUs */
	vm->srcu_helper_slots = VM_HELPER_SLOTS + (cfg->r.pressure->srcu_slots ?
						   cfg->r.pressure->srcu_slots(vm) : 0);
	if (srcu__init(&vm->srcu, "vm", vm->nr_vcpus + vm->srcu_helper_slots)) {
		r = vm__err(err, len, -ENOMEM, "out of memory for SRCU slots");
		goto fail;
	}
	return 0;
fail:
	munmap(vm->mem, vm->mem_size);
	vm->mem = NULL;
	return r;
}

static void vm__memory_exit(struct vm *vm)
{
	srcu__exit(&vm->srcu);
	munmap(vm->mem, vm->mem_size);
	vm->mem = NULL;
}

static int vm__backend_init(struct vm *vm, char *err, size_t len)
{
	int r = vm->backend->vm_init(vm);

	if (r)
		set_err(err, len, "%s backend: creating the VM failed: %s%s%s", vm->backend->name, strerror(-r),
			vm->backend_note[0] ? ": " : "", vm->backend_note);
	return r;
}

static void vm__backend_exit(struct vm *vm)
{
	vm->backend->vm_exit(vm);
}

/* the vCPU structures and their guest pages (threads come last) */
static int vm__vcpus_init(struct vm *vm, char *err, size_t len)
{
	vm->vcpus = xcalloc(vm->nr_vcpus, sizeof(*vm->vcpus));
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = xzalloc(sizeof(*v));
		v->vm = vm;
		v->id = i;
		v->fd = -1;
		v->srcu_slot = (int)i;
		v->role = vm__role(vm, i);
		atomic_store(&v->waiting_on, -1);
		atomic_store(&v->suspended_target, -1);
		pthread_mutex_init(&v->wake_lock, NULL);
		v->page = (struct fb_vcpu_page *)(vm->mem + FB_GPA_VCPU_PAGES + (uint64_t)i * FB_VCPU_AREA);
		vm->vcpus[i] = v;
		vm__fill_page(vm, v);
	}
	return 0;
}

static void vm__vcpus_exit(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		pthread_mutex_destroy(&vm->vcpus[i]->wake_lock);
		free(vm->vcpus[i]->errmsg);
		free(vm->vcpus[i]);
	}
	free(vm->vcpus);
	vm->vcpus = NULL;
}

/* memory pressure: set up before any vCPU touches data memory */
static int vm__pressure_init(struct vm *vm, char *err, size_t len)
{
	int r;

	vm->pressure = vm->cfg->r.pressure;
	r = vm->pressure->setup(vm);
	if (r) {
		set_err(err, len, "pressure %s: setup failed: %s", vm->pressure->name, strerror(-r));
		vm->pressure->teardown(vm);     /* safe after a partial setup() (pressure.h) */
	}
	return r;
}

static void vm__pressure_exit(struct vm *vm)
{
	vm->pressure->teardown(vm);
}

static int vm__design_init(struct vm *vm, char *err, size_t len)
{
	int r = vm->design->init ? vm->design->init(vm) : 0;

	if (r)
		set_err(err, len, "design %s: init failed: %s", vm->design->name, strerror(-r));
	return r;
}

static void vm__design_exit(struct vm *vm)
{
	if (vm->design->exit)
		vm->design->exit(vm);
}

/* Release vCPU threads parked at the start gate without running the guest. */
static void vm__threads_abort(struct vm *vm, unsigned created)
{
	__atomic_store_n(&vm->start_gate, 2, __ATOMIC_RELEASE);
	futex_wake((_Atomic uint32_t *)&vm->start_gate, INT32_MAX);
	for (unsigned i = 0; i < created; i++)
		pthread_join(vm->vcpus[i]->thread, NULL);
}

static void vm__pressure_stop(struct vm *vm)
{
	if (vm->pressure_started)
		vm->pressure->stop(vm);
	vm->pressure_started = false;
}

/* the pressure mode's helper threads, then the vCPU threads (parked) */
static int vm__threads_init(struct vm *vm, char *err, size_t len)
{
	pthread_attr_t attr;
	unsigned created = 0;
	int r = vm->pressure->start(vm);

	if (r)
		return vm__err(err, len, r, "pressure %s: start failed: %s", vm->pressure->name, strerror(-r));
	vm->pressure_started = true;
	/* before the vCPU threads exist: the counters inherit into them */
	if (vm->backend == &backend_kvm)
		(void)kvmemul__open(&vm->emul);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, VCPU_THREAD_STACK);
	for (; created < vm->nr_vcpus; created++) {
		r = -pthread_create(&vm->vcpus[created]->thread, &attr, vcpu__thread, vm->vcpus[created]);
		if (r)
			break;
	}
	pthread_attr_destroy(&attr);
	if (r) {
		set_err(err, len, "cannot create vCPU thread %u: %s (raise ulimit -u?)", created, strerror(-r));
		goto fail;
	}
	for (;;) {
		uint32_t ready = atomic_load(&vm->vcpus_ready);
		if (ready >= vm->nr_vcpus)
			break;
		futex_wait((_Atomic uint32_t *)&vm->vcpus_ready, ready, NULL);
	}
	if (atomic_load(&vm->fatal)) {
		set_err(err, len, "%s", vm__error(vm) ? vm__error(vm) : "vCPU init failed");
		r = -EIO;
		goto fail;
	}
	return 0;
fail:
	vm__threads_abort(vm, created);
	vm__pressure_stop(vm);
	return r;
}

static void vm__threads_exit(struct vm *vm)
{
	if (!vm->started)
		vm__threads_abort(vm, vm->nr_vcpus);
	else if (!vm->stopped)
		__vm_stop(vm, 0);
	vm__pressure_stop(vm);
}

static const struct vm_level_ops {
	const char *name;
	int  (*init)(struct vm *vm, char *err, size_t len);
	void (*exit)(struct vm *vm);
} vm_levels[VM_NR_LEVELS] = {
	[VM_LEVEL_MEMORY]   = { "memory",   vm__memory_init,   vm__memory_exit },
	[VM_LEVEL_BACKEND]  = { "backend",  vm__backend_init,  vm__backend_exit },
	[VM_LEVEL_VCPUS]    = { "vcpus",    vm__vcpus_init,    vm__vcpus_exit },
	[VM_LEVEL_PRESSURE] = { "pressure", vm__pressure_init, vm__pressure_exit },
	[VM_LEVEL_DESIGN]   = { "design",   vm__design_init,   vm__design_exit },
	[VM_LEVEL_THREADS]  = { "threads",  vm__threads_init,  vm__threads_exit },
};

/* exit() of every level done, downwards; then what the VM itself holds */
static void vm__unwind(struct vm *vm)
{
	while (vm->level > 0) {
		vm->level--;
		vm_levels[vm->level].exit(vm);
	}
	free(vm->ts.t_s);
	free(vm->ts.gp_max_ns);
	free(vm->ts.resume_max_ns);
	free(vm->ts.faults);
	free(vm->ts.flushes);
	free(vm->ts.resident_pages);
	free(vm->oracle_watch);
	tstats__exit(&vm->stats);
	kvmemul__close(&vm->emul);
	pthread_mutex_destroy(&vm->oracle_lock);
	free(vm);
}

int __vm_create(struct vm **out, const struct run_config *cfg, const struct backend_ops *backend,
		struct run_metrics *m, char *err, size_t errlen)
{
	struct vm *vm;
	int r;

	*out = NULL;
	if (cfg->vcpus < 1 || cfg->vcpus > FB_MAX_VCPUS)
		return vm__err(err, errlen, -EINVAL, "vcpus=%u is out of range (1..%u)", cfg->vcpus, FB_MAX_VCPUS);
	/* names were resolved once, by options__check() (cfg->r) */
	if (!cfg->r.design || !cfg->r.pressure)
		return vm__err(err, errlen, -EINVAL, "config not resolved: call options__check() first");
	vm = xzalloc(sizeof(*vm));
	vm->cfg = cfg;
	vm->backend = backend;
	vm->metrics = m;
	tstats__init(&vm->stats);
	kvmemul__init(&vm->emul);
	vm->kvm_fd = vm->vm_fd = -1;
	vm->nr_vcpus = cfg->vcpus;
	pthread_mutex_init(&vm->oracle_lock, NULL);
	vm->design = cfg->r.design;
	vm->wake_req = cfg->r.request_unblock ? REQ_UNBLOCK : REQ_EVENT;
	vm->race_mask = cfg->r.race_mask;
	r = vm__assign_roles(vm, err, errlen);
	while (!r && vm->level < VM_NR_LEVELS) {
		uint64_t t0 = now_ns();
		r = vm_levels[vm->level].init(vm, err, errlen);
		vm->level_ns[vm->level] = now_ns() - t0;
		if (!r)
			vm->level++;
	}
	if (r) {
		vm__unwind(vm);
		return r;
	}
	*out = vm;
	return 0;
}

struct vm *vm_create(const struct run_config *cfg, const struct backend_ops *backend, struct run_metrics *m)
{
	char err[512];
	struct vm *vm;
	int r = __vm_create(&vm, cfg, backend, m, err, sizeof(err));

	if (r)
		die(FB_EXIT_BUG, "vm_create: %s", err);   /* the asserting variant */
	return vm;
}

int vm__start(struct vm *vm)
{
	int r = oracle__start(vm);

	if (r)
		return r;
	vm->started = true;
	__atomic_store_n(&vm->start_gate, 1, __ATOMIC_RELEASE);
	futex_wake((_Atomic uint32_t *)&vm->start_gate, INT32_MAX);
	return 0;
}

void vm__begin_measure(struct vm *vm)
{
	vm->t_measure_ns = now_ns();
	kvmemul__enable(&vm->emul);
	oracle__window_begin(vm);
	atomic_store(&vm->measuring, true);
}

void vm__end_measure(struct vm *vm)
{
	if (atomic_exchange(&vm->measuring, false) || !vm->t_stop_ns)
		vm->t_stop_ns = now_ns();
	kvmemul__disable(&vm->emul);
	oracle__window_end(vm);
}

int __vm_stop(struct vm *vm, uint64_t deadline_ns)
{
	unsigned left = 0;

	vm->stopped = true;
	vm__end_measure(vm);
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		/* read by the running guest; a test hook's pending
		 * FB_STOP_TEST_SHUTDOWN (bench/run/supervisor.c) is kept */
		uint64_t zero = 0;
		__atomic_compare_exchange_n(&vm->vcpus[i]->page->stop, &zero, 1, false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	}
	atomic_store(&vm->stopping, true);
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		vcpu__wake_up(vm->vcpus[i]);
		vcpu__kick(vm->vcpus[i]);
	}
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpus[i];
		if (v->joined)
			continue;
		if (thread__join_until(v->thread, deadline_ns)) {
			left++;       /* e.g. stuck in a kernel grace period ioctl */
			continue;
		}
		v->joined = true;
	}
	oracle__stop(vm);
	/* The window has ended and every thread records only inside it, so the
	 * slots are final even if a vCPU thread is still stuck (timeout). */
	tstats__merge(&vm->stats, vm->metrics);
	kvmemul__read(&vm->emul);          /* the vCPU threads' counts are folded in now */
	/* the mode's helper threads stop with the vCPUs: its report() reads
	 * final counters, its teardown() waits for vm__destroy() */
	vm__pressure_stop(vm);
	if (left) {
		/* Threads still use the VM: it must outlive them (vm__destroy
		 * leaks it); the caller reports the variant as timed out. */
		vm->leaked = true;
		return -ETIMEDOUT;
	}
	return atomic_load(&vm->fatal) ? -EIO : 0;
}

int vm__stop(struct vm *vm)
{
	return __vm_stop(vm, 0);
}

void vm__destroy(struct vm *vm)
{
	if (!vm)
		return;
	if (vm->leaked) {
		/* threads still use the VM: free nothing, but give back what
		 * the pressure mode changed on the machine (zram, memcg) */
		if (vm->level > VM_LEVEL_PRESSURE)
			vm->pressure->teardown(vm);
		return;
	}
	vm__unwind(vm);
}
