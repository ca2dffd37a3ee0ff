/* SPDX-License-Identifier: MIT */
/*
 * Running one variant: the VM comes up through its levels (memory ->
 * backend -> vCPUs -> pressure -> design -> threads, host/vm.c), then perf
 * -> start -> kernel reference writer -> warm-up -> measured window ->
 * stop, and back down in reverse, on success and on error alike.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "censor.h"
#include "cleanup.h"
#include "kernel-ref.h"
#include "design.h"
#include "disturb.h"
#include "flush.h"
#include "numa.h"
#include "options.h"
#include "oracle.h"
#include "perf.h"
#include "pressure.h"
#include "results.h"
#include "run.h"
#include "topology.h"
#include "util.h"
#include "vcpu.h"

static void run__phase(struct run_ctx *ctx, const char *phase, struct vm *vm)
{
	ctx->at_phase = phase;
	if (ctx->phase)
		ctx->phase(ctx, phase, vm);
}

/* Sleep up to secs, waking early on Ctrl-C or a vCPU failure. */
static bool run__sleep(struct vm *vm, double secs)
{
	uint64_t end = now_ns() + (uint64_t)(secs * 1e9);

	while (now_ns() < end) {
		if (cleanup__interrupted() || atomic_load(&vm->fatal))
			return false;
		uint64_t left = end - now_ns();
		if (left > 20000000ull)
			left = 20000000ull;
		struct timespec ts = { 0, (long)left };
		nanosleep(&ts, NULL);
	}
	return true;
}

static json_t *u64_array(const uint64_t *v, unsigned n)
{
	json_t *a = json_array();
	for (unsigned i = 0; i < n; i++)
		json_array_append_new(a, json_integer((json_int_t)v[i]));
	return a;
}

static json_t *run__timeseries_json(struct vm *vm)
{
	struct timeseries *ts = &vm->ts;
	json_t *o = json_object(), *t = json_array();

	for (unsigned i = 0; i < ts->n; i++)
		json_array_append_new(t, json_real(ts->t_s[i]));
	json_object_set_new(o, "interval_ms", json_integer((json_int_t)(ts->interval_ns / 1000000)));
	json_object_set_new(o, "t_s", t);
	json_object_set_new(o, "gp_max_ns", u64_array(ts->gp_max_ns, ts->n));
	json_object_set_new(o, "resume_max_ns", u64_array(ts->resume_max_ns, ts->n));
	json_object_set_new(o, "faults", u64_array(ts->faults, ts->n));
	json_object_set_new(o, "flushes", u64_array(ts->flushes, ts->n));
	json_object_set_new(o, "resident_pages", u64_array(ts->resident_pages, ts->n));
	return o;
}

static const char *role_name(unsigned role)
{
	static const char *const names[] = { "idle", "null", "hypercall", "flush", "inhibit", "touch" };
	return role < FB_WL_MAX ? names[role] : "?";
}

static json_t *run__affinity_json(struct vm *vm)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		pid_t tid = __atomic_load_n(&vm->vcpus[i]->tid, __ATOMIC_ACQUIRE);
		json_t *c = tid ? topology__thread_affinity(tid) : NULL;
		json_array_append_new(a, c ? c : json_null());
	}
	return a;
}

static json_t *run__per_vcpu_json(struct vm *vm, json_t *affinity)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpus[i];
		struct fb_vcpu_page *p = v->page;
		json_t *o = json_pack("{s:i,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
			"id", (int)i, "role", role_name(v->role),
			"exits", (json_int_t)v->exits,
			"host_hypercalls", (json_int_t)v->hypercalls,
			"guest_hypercalls", (json_int_t)p->hypercalls,
			"guest_retries", (json_int_t)p->retries,
			"guest_flushes", (json_int_t)p->flushes,
			"guest_intercepts", (json_int_t)p->intercepts,
			"guest_pages_touched", (json_int_t)p->pages_touched,
			"flushes_acked", (json_int_t)v->flushes_acked);
		if (affinity && json_array_get(affinity, i) && !json_is_null(json_array_get(affinity, i)))
			json_object_set(o, "cpus", json_array_get(affinity, i));
		json_array_append_new(a, o);
	}
	return a;
}

static void rusage_now(struct rusage *ru)
{
	getrusage(RUSAGE_SELF, ru);
}

static double tv_s(struct timeval a, struct timeval b)
{
	return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_usec - a.tv_usec) / 1e6;
}

json_t *run__identity_json(const struct run_config *cfg, const struct run_ctx *ctx)
{
	json_t *run = json_object();

	json_object_set_new(run, "variant", json_integer(ctx->variant));
	json_object_set_new(run, "repeat", json_integer(ctx->repeat));
	json_object_set_new(run, "key", json_string(ctx->key));
	json_object_set_new(run, "workload", json_string(cfg->workload));
	json_object_set_new(run, "design", json_string(cfg->design));
	json_object_set_new(run, "request", json_string(cfg->request));
	json_object_set_new(run, "pressure", json_string(cfg->pressure));
	json_object_set_new(run, "vcpus", json_integer(cfg->vcpus));
	return run;
}

uint64_t run__teardown_budget_ns(const struct run_config *cfg)
{
	double s = 2 * cfg->duration_s;

	return (uint64_t)((s > 5 ? s : 5) * 1e9);
}

static bool run__design_has_gp(const struct vm *vm)
{
	return vm->design && (vm->design->flags & DESIGN_F_GP);
}

/* One word per variant (docs/RESULTS.md, "Verdicts"): an oracle failure
 * first (exit 1), then timeout, then stalled (a finding about the design,
 * exit 0), else ok. */
static void run__set_verdict(json_t *run, struct vm *vm, const struct censor_set *c, bool timed_out)
{
	struct run_metrics *m = vm->metrics;
	json_t *o = json_object_get(run, "oracle");
	json_t *fails = json_object_get(o, "failures");
	const char *v = "ok";
	char why[256] = "";
	uint64_t lost = atomic_load(&m->lost_wakeups), early = atomic_load(&m->early_resumes);

	if (json_array_size(fails) && json_is_string(json_array_get(fails, 0))) {
		v = json_string_value(json_array_get(fails, 0));
		snprintf(why, sizeof(why), "oracle: %s", v);
	} else if (lost || early || !json_is_true(json_object_get(o, "ok"))) {
		v = lost ? "lost-wakeup" : early ? "early-resume" : "unbalanced";
		snprintf(why, sizeof(why), "oracle: %lu lost wakeups, %lu early resumes",
			 (unsigned long)lost, (unsigned long)early);
	} else if (timed_out) {
		v = "timeout";
		snprintf(why, sizeof(why), "teardown exceeded its budget of %.1f s",
			 (double)run__teardown_budget_ns(vm->cfg) / 1e9);
	} else if (c->stalled_suspensions ||
		   json_integer_value(json_object_get(o, "stalled_suspensions")) > 0) {
		v = "stalled";
		snprintf(why, sizeof(why), "%u suspensions older than lost_timeout_ms=%u while their "
			 "target's uninhibit was still running", c->stalled_suspensions, vm->cfg->lost_timeout_ms);
	} else if (run__design_has_gp(vm) && atomic_load(&m->inhibits) && !atomic_load(&m->grace_periods) &&
		   c->uninhibits_in_flight) {
		v = "stalled";
		snprintf(why, sizeof(why), "no grace period completed in the window; %u uninhibits in flight, "
			 "the oldest for %.0f ms", c->uninhibits_in_flight, (double)c->oldest_uninhibit_ns / 1e6);
	}
	json_object_set_new(run, "verdict", json_string(v));
	if (why[0])
		json_object_set_new(run, "verdict_detail", json_string(why));
	json_object_set_new(run, "censored", json_pack("{s:i,s:i,s:i,s:f}",
		"pending_suspensions", (int)c->pending_suspensions,
		"stalled_suspensions", (int)c->stalled_suspensions,
		"uninhibits_in_flight", (int)c->uninhibits_in_flight,
		"oldest_uninhibit_ms", (double)c->oldest_uninhibit_ns / 1e6));
}

int run__variant(const struct run_config *cfg, struct run_ctx *ctx, json_t **out, char *err, size_t len)
{
	struct run_metrics *m = NULL;
	struct vm *vm = NULL;
	struct perf_session *perf = NULL;
	struct kernel_ref kref = { 0 };
	struct censor_set cens;
	struct rusage ru0, ru1;
	json_t *run = NULL, *affinity = NULL;
	int r;

	*out = NULL;
	censor__init(&cens);
	if (posix_memalign((void **)&m, 64, sizeof(*m)))
		return -ENOMEM;
	metrics__init(m);

	uint64_t t0 = now_ns();
	r = __vm_create(&vm, cfg, ctx->backend, m, err, len);
	if (r)
		goto out;
	/* the VM's own setup: the pressure mode's (pre-faulting, a backing
	 * file) is its own cost, not the VM's */
	ctx->vm_setup_ms = (double)(now_ns() - t0 - vm->level_ns[VM_LEVEL_PRESSURE]) / 1e6;
	m->vm_setup_ms = ctx->vm_setup_ms;

	if (cfg->r.perf != CFG_PERF_NONE) {
		char dir[4096];
		snprintf(dir, sizeof(dir), "%s/perf", ctx->outdir);
		char name[600];   /* one profile per (variant, repeat) */
		snprintf(name, sizeof(name), "%s,repeat=%u", ctx->key, ctx->repeat);
		r = perf__start(&perf, cfg->perf, cfg->perf_events, dir, name, err, len);
		if (r)
			goto out;
	}

	r = vm__start(vm);
	if (r) {
		snprintf(err, len, "cannot start the VM: %s", strerror(-r));
		goto out;
	}
	/* from here on every path goes through vm__stop() below */
	run__phase(ctx, "warmup", vm);

	if (kernel_ref__start(&kref, vm) < 0)
		pr_warn("kernel_ref: cannot start its thread; no reference line this run");

	bool ok = run__sleep(vm, cfg->warmup_s);
	const char *cut_short = ok ? NULL : "warmup";   /* a vCPU failure or Ctrl-C ended it */
	if (ok) {
		rusage_now(&ru0);
		disturb__begin();
		vm__begin_measure(vm);
		run__phase(ctx, "measure", vm);
		if (perf)
			perf__enable(perf);
		ok = run__sleep(vm, cfg->duration_s);
		if (!ok)
			cut_short = "measure";
		vm__end_measure(vm);      /* the window ends here, not after perf's ack */
		disturb__end();
		rusage_now(&ru1);
		/* What is still in flight now is censored at its age, before
		 * the stop tears it down (docs/RESULTS.md). */
		censor__snapshot(&cens, vm, vm->t_stop_ns);
		uint64_t kage = kernel_ref__inflight_age(&kref, vm->t_stop_ns);
		if (kage)
			censor__add(&cens, FB_H_kernel_ref_ns, kage);
		if (perf)
			perf__disable(perf);
	} else {
		rusage_now(&ru0);
		ru1 = ru0;
	}
	ctx->interrupted = cleanup__interrupted();
	run__phase(ctx, "stop", vm);

	/* thread affinity must be read while the vCPU threads exist */
	affinity = cfg->r.pin != CFG_PIN_NONE ? run__affinity_json(vm) : NULL;
	/* Stop the VM first: a kernel grace period (kernel_ref, srcu_gp=kernel)
	 * waits for vCPUs inside KVM_RUN, so it ends when they leave.  The whole
	 * teardown has a budget; past it the variant is recorded as timed out
	 * with what it measured, and the run goes on. */
	uint64_t budget_ns = run__teardown_budget_ns(cfg);
	uint64_t deadline = now_ns() + budget_ns;
	int sr = __vm_stop(vm, deadline);
	int kr = kernel_ref__stop(&kref, deadline);
	bool timed_out = sr == -ETIMEDOUT || kr == -ETIMEDOUT;
	if (kr == -ETIMEDOUT)
		vm->leaked = true;       /* its ioctl still uses the VM fd */
	uint64_t teardown_ns = budget_ns - (deadline > now_ns() ? deadline - now_ns() : 0);
	if (timed_out) {
		pr_warn("%s: teardown did not finish within its %.1f s budget (%s); recorded as timeout",
			ctx->key, (double)budget_ns / 1e9,
			sr == -ETIMEDOUT ? "vCPU threads still running" : "kernel_ref ioctl still in the kernel");
		sr = 0;
	}
	if (sr || atomic_load(&vm->fatal)) {
		ctx->error_phase = cut_short ? cut_short : "stop";
		snprintf(err, len, "%s", vm__error(vm) ? vm__error(vm) : "a vCPU failed");
		r = -EIO;
		goto out;
	}
	if (!ok && !ctx->interrupted) {
		snprintf(err, len, "run aborted");
		r = -EIO;
		goto out;
	}
	if (ctx->interrupted) {
		r = -EINTR;
		snprintf(err, len, "interrupted");
		goto out;
	}

	m->wall_s = (double)(vm->t_stop_ns - vm->t_measure_ns) / 1e9;
	m->cpu_user_s = tv_s(ru0.ru_utime, ru1.ru_utime);
	m->cpu_sys_s = tv_s(ru0.ru_stime, ru1.ru_stime);
	m->ctx_vol = (uint64_t)(ru1.ru_nvcsw - ru0.ru_nvcsw);
	m->ctx_invol = (uint64_t)(ru1.ru_nivcsw - ru0.ru_nivcsw);
	m->max_rss_kb = (uint64_t)ru1.ru_maxrss;

	run = run__identity_json(cfg, ctx);
	json_object_set_new(run, "duration_s", json_real(m->wall_s));
	json_object_set_new(run, "backend", json_string(vm->backend->name));
	json_object_set_new(run, "vm_setup_ms", json_real(ctx->vm_setup_ms));
	json_object_set_new(run, "tsc_khz", json_integer((json_int_t)vm->tsc_khz));
	json_object_set_new(run, "roles", json_pack("{s:i,s:i,s:i}", "flushers", vm->nr_flushers,
		"inhibitors", vm->nr_inhibitors, "touchers", vm->nr_touchers));
	json_object_set_new(run, "config", options__to_json(cfg));
	json_object_set_new(run, "metrics", results__metrics_json_censored(m, &cens));
	json_object_set_new(run, "oracle", oracle__json(vm));
	json_object_set_new(run, "teardown_s", json_real((double)teardown_ns / 1e9));
	json_object_set_new(run, "timeseries", run__timeseries_json(vm));
	disturb__report(run);
	/* after stop: the guest counters are final */
	json_object_set_new(run, "per_vcpu", run__per_vcpu_json(vm, affinity));
	json_decref(affinity);
	affinity = NULL;
	struct tstats_mem sm;
	tstats__memory(&vm->stats, &sm);
	json_object_set_new(run, "stats_memory", json_pack("{s:I,s:I,s:I,s:I}",
		"slots", (json_int_t)sm.slots, "histograms", (json_int_t)sm.hists,
		"groups", (json_int_t)sm.groups, "bytes", (json_int_t)sm.bytes));
	if (vm->backend == &backend_kvm)
		json_object_set_new(run, "kvm_emulation", kvmemul__json(&vm->emul, atomic_load(&m->exits)));
	if (cfg->r.kernel_ref) {
		json_t *k = json_object();
		json_object_set_new(k, "ioctl", json_string(cfg_gp_ioctl__name(cfg->r.kernel_ref_ioctl)));
		json_object_set_new(k, "available", json_boolean(vm->backend->kernel_gp != NULL));
		if (!vm->backend->kernel_gp)
			json_object_set_new(k, "why", json_string("the native backend has no kvm->srcu"));
		else
			json_object_set_new(k, "calls", json_integer((json_int_t)atomic_load(&kref.ok)));
		if (kref.running)
			json_object_set_new(k, "failed", json_integer((json_int_t)atomic_load(&kref.failed)));
		json_object_set_new(run, "kernel_ref", k);
	}
	if (cfg->mem_node[0])
		json_object_set_new(run, "numa", numa__describe(vm->mem + vm->data_gpa, vm->data_size));
	if (vm->pressure->report)       /* after __vm_stop(): the mode's helpers have stopped */
		json_object_set_new(run, "pressure_stats", vm->pressure->report(vm));
	if (vm->design->report)         /* after __vm_stop(): no vCPU counts any more */
		json_object_set_new(run, "design_stats", vm->design->report(vm));
	if (perf) {
		perf__finish(perf, run);
		perf = NULL;
	}
	run__set_verdict(run, vm, &cens, timed_out);
	r = 0;
	run__phase(ctx, "teardown", vm);
	if (ctx->emit)
		ctx->emit(ctx, run);
	*out = run;
	run = NULL;
out:
	if (r && !ctx->error_phase)
		ctx->error_phase = ctx->at_phase ? ctx->at_phase : "setup";
	if (vm)
		run__phase(ctx, "teardown", vm);    /* error paths too (repeats are ignored) */
	json_decref(affinity);
	if (kref.running && !kref.joined && vm && !vm->leaked)
		kernel_ref__stop(&kref, 0);      /* error paths: never free a VM it uses */
	if (perf)
		perf__abort(perf);
	bool leaked = vm && vm->leaked;
	vm__destroy(vm);           /* unwinds the levels done: threads, design, pressure, ... */
	json_decref(run);
	censor__free(&cens);
	if (!leaked)
		free(m);         /* a leaked VM's threads may still count into it */
	return r;
}
