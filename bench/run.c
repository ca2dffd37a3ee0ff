/* SPDX-License-Identifier: MIT */
/*
 * Running one variant.  Order matters and mirrors the levels of kvmtool's
 * init/exit: VM (memory, vCPU threads parked) -> memory placement ->
 * pressure setup/start -> perf -> kernel reference writer -> start ->
 * warm-up -> measured window -> stop, and back down in reverse, on success
 * and on error alike.
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

#include "cleanup.h"
#include "design.h"
#include "disturb.h"
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

struct kref {
	struct vm *vm;
	const char *how;
	unsigned period_ms;
	pthread_t thread;
	_Atomic bool stop;
	int last_err;
	uint64_t ok, failed;
};

/* Kernel reference line: a real KVM ioctl that ends in
 * synchronize_srcu(&kvm->srcu), repeated under the same load. */
static void *kref__thread(void *arg)
{
	struct kref *k = arg;

	while (!atomic_load(&k->stop)) {
		uint64_t t0 = now_ns();
		int r = k->vm->backend->kernel_gp(k->vm, k->how);
		if (r == 0) {
			M_HIST(k->vm, kernel_ref_ns, now_ns() - t0);
			k->ok++;
		} else {
			k->failed++;
			k->last_err = r;
		}
		struct timespec ts = { k->period_ms / 1000, (long)(k->period_ms % 1000) * 1000000L };
		nanosleep(&ts, NULL);
	}
	return NULL;
}

/* kernel_ref: "auto" = msr-filter (plain synchronize_srcu, like the RFC's
 * ioctl) where the backend has a kvm->srcu, nothing elsewhere. */
static const char *run__kernel_ref(const struct run_config *cfg, struct vm *vm)
{
	if (!strcmp(cfg->kernel_ref, "none") || !vm->backend->kernel_gp)
		return NULL;
	return strcmp(cfg->kernel_ref, "auto") ? cfg->kernel_ref : "msr-filter";
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
		json_t *c = vm->vcpus[i]->tid ? topology__thread_affinity(vm->vcpus[i]->tid) : NULL;
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

int run__variant(const struct run_config *cfg, struct run_ctx *ctx, json_t **out, char *err, size_t len)
{
	struct run_metrics *m = NULL;
	struct vm *vm = NULL;
	const struct pressure_ops *pr = NULL;
	struct perf_session *perf = NULL;
	struct kref kref = { 0 };
	bool pressure_setup = false, pressure_started = false;
	struct rusage ru0, ru1;
	json_t *run = NULL, *affinity = NULL;
	int r;

	*out = NULL;
	if (posix_memalign((void **)&m, 64, sizeof(*m)))
		return -ENOMEM;
	metrics__init(m);

	pr = pressure__find(cfg->pressure);
	if (!pr) {
		snprintf(err, len, "unknown pressure mode '%s'", cfg->pressure);
		free(m);
		return -EINVAL;
	}

	uint64_t t0 = now_ns();
	r = __vm_create(&vm, cfg, ctx->backend, m, err, len);
	if (r)
		goto out;
	ctx->vm_setup_ms = (double)(now_ns() - t0) / 1e6;
	m->vm_setup_ms = ctx->vm_setup_ms;

	if (cfg->mem_node[0]) {
		r = numa__place(vm->mem, vm->mem_size, cfg->mem_node, err, len);
		if (r)
			goto out;
	}

	vm->pressure = pr;
	r = pr->setup(vm);
	if (r) {
		snprintf(err, len, "pressure %s: setup failed: %s", pr->name, strerror(-r));
		goto out;
	}
	pressure_setup = true;
	r = pr->start(vm);
	if (r) {
		snprintf(err, len, "pressure %s: start failed: %s", pr->name, strerror(-r));
		goto out;
	}
	pressure_started = true;

	if (strcmp(cfg->perf, "none")) {
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

	const char *kref_how = run__kernel_ref(cfg, vm);
	if (kref_how) {
		kref.vm = vm;
		kref.how = kref_how;
		kref.period_ms = cfg->kernel_ref_period_ms ? cfg->kernel_ref_period_ms : 5;
		if (pthread_create(&kref.thread, NULL, kref__thread, &kref) == 0)
			kref.vm = vm;
		else
			kref.vm = NULL;
	}

	bool ok = run__sleep(vm, cfg->warmup_s);
	if (ok) {
		rusage_now(&ru0);
		disturb__begin();
		vm__begin_measure(vm);
		if (perf)
			perf__enable(perf);
		ok = run__sleep(vm, cfg->duration_s);
		vm__end_measure(vm);      /* the window ends here, not after perf's ack */
		disturb__end();
		rusage_now(&ru1);
		if (perf)
			perf__disable(perf);
	} else {
		rusage_now(&ru0);
		ru1 = ru0;
	}
	ctx->interrupted = cleanup__interrupted();

	/* thread affinity must be read while the vCPU threads exist */
	affinity = strcmp(cfg->pin, "none") ? run__affinity_json(vm) : NULL;
	if (kref.vm) {
		atomic_store(&kref.stop, true);
		pthread_join(kref.thread, NULL);
	}
	int sr = vm__stop(vm);
	if (pressure_started) {
		pr->stop(vm);
		pressure_started = false;
	}
	if (sr || atomic_load(&vm->fatal)) {
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

	run = json_object();
	json_object_set_new(run, "variant", json_integer(ctx->variant));
	json_object_set_new(run, "repeat", json_integer(ctx->repeat));
	json_object_set_new(run, "key", json_string(ctx->key));
	json_object_set_new(run, "workload", json_string(cfg->workload));
	json_object_set_new(run, "design", json_string(cfg->design));
	json_object_set_new(run, "request", json_string(cfg->request));
	json_object_set_new(run, "pressure", json_string(cfg->pressure));
	json_object_set_new(run, "vcpus", json_integer(cfg->vcpus));
	json_object_set_new(run, "duration_s", json_real(m->wall_s));
	json_object_set_new(run, "backend", json_string(vm->backend->name));
	json_object_set_new(run, "vm_setup_ms", json_real(ctx->vm_setup_ms));
	json_object_set_new(run, "tsc_khz", json_integer((json_int_t)vm->tsc_khz));
	json_object_set_new(run, "roles", json_pack("{s:i,s:i,s:i}", "flushers", vm->nr_flushers,
		"inhibitors", vm->nr_inhibitors, "touchers", vm->nr_touchers));
	json_object_set_new(run, "config", options__to_json(cfg));
	json_object_set_new(run, "metrics", results__metrics_json(m));
	json_object_set_new(run, "oracle", oracle__json(vm));
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
	if (strcmp(cfg->kernel_ref, "none")) {
		json_t *k = json_object();
		json_object_set_new(k, "ioctl", json_string(kref_how ? kref_how : cfg->kernel_ref));
		json_object_set_new(k, "available", json_boolean(vm->backend->kernel_gp != NULL));
		if (!vm->backend->kernel_gp)
			json_object_set_new(k, "why", json_string("the native backend has no kvm->srcu"));
		else
			json_object_set_new(k, "calls", json_integer((json_int_t)kref.ok));
		json_object_set_new(run, "kernel_ref", k);
	}
	if (cfg->mem_node[0])
		json_object_set_new(run, "numa", numa__describe(vm->mem + vm->data_gpa, vm->data_size));
	if (pr->report) {
		/* mode-specific figures go to "pressure_stats"; "pressure" stays the mode name */
		pr->report(vm, run);
		json_t *ps = json_object_get(run, "pressure");
		if (json_is_object(ps)) {
			json_object_set(run, "pressure_stats", ps);
			json_object_set_new(run, "pressure", json_string(cfg->pressure));
		}
	}
	if (perf) {
		perf__finish(perf, run);
		perf = NULL;
	}
	r = 0;
	if (ctx->emit)
		ctx->emit(ctx, run);
	*out = run;
	run = NULL;
out:
	json_decref(affinity);
	if (perf)
		perf__abort(perf);
	if (vm && pressure_started)
		pr->stop(vm);
	if (vm && pressure_setup)
		pr->teardown(vm);
	if (vm)
		vm__destroy(vm);
	json_decref(run);
	free(m);
	return r;
}
