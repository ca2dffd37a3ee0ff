// SPDX-License-Identifier: MIT
/*
 * pressure=paging: guest data memory demand-paged through userfaultfd by the
 * VMM (pager.c).  The pager holds the VM SRCU read side on behalf of the
 * faulting vCPU for the whole service time, as KVM holds kvm->srcu in its
 * page-fault path; that is what stalls the `srcu` design's grace periods.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "latency.h"
#include "pager.h"
#include "pressure.h"
#include "util.h"
#include "vm.h"

static const char *const ch_latency[] = { "fixed", "uniform", "lognormal", "file", NULL };

/* The mode's knobs (struct paging_opts, pager.h). */
static const struct bench_option paging_options[] = {
	{ .name = "fault-latency", OPT_FIELD(struct paging_opts, fault_latency), .kind = OPT_KIND_CHOICE,
	  .def = "fixed", .choices = ch_latency,
	  .help = "paging: fault service time model; file = real I/O on backing-file" },
	{ .name = "fault-latency-us", OPT_FIELD(struct paging_opts, fault_latency_us), .kind = OPT_KIND_UINT,
	  .def = "500", .unit = "us", .min = 0, .max = 1000000,
	  .help = "paging: fixed: the latency; uniform: low bound; lognormal: median" },
	{ .name = "fault-latency-max-us", OPT_FIELD(struct paging_opts, fault_latency_max_us),
	  .kind = OPT_KIND_UINT, .def = "5000", .unit = "us", .min = 0, .max = 10000000,
	  .help = "paging: uniform: high bound; lognormal: clamp" },
	{ .name = "fault-latency-sigma", OPT_FIELD(struct paging_opts, fault_latency_sigma),
	  .kind = OPT_KIND_DOUBLE, .def = "0.5", .min = 0, .max = 10,
	  .help = "paging: lognormal sigma (of ln latency)" },
	{ .name = "pager-threads", OPT_FIELD(struct paging_opts, pager_threads), .kind = OPT_KIND_UINT,
	  .def = "2", .min = 1, .max = 256,
	  .help = "paging: threads that complete faults (the device serves all in flight concurrently)" },
	{ .name = "pager-rt", OPT_FIELD(struct paging_opts, pager_rt), .kind = OPT_KIND_BOOL, .def = "true",
	  .help = "paging: run the pager threads SCHED_FIFO where permitted, so L is the device's, not the scheduler's" },
	{ .name = "backing-file", OPT_FIELD(struct paging_opts, backing_file), .kind = OPT_KIND_STRING,
	  .def = "", .flags = OPT_F_NOLIST,
	  .help = "paging: backing store file (\"\" = a temporary file in /var/tmp)" },
	{ .name = "backing-direct", OPT_FIELD(struct paging_opts, backing_direct), .kind = OPT_KIND_BOOL,
	  .def = "false", .help = "paging: open the backing file with O_DIRECT (real device I/O)" },
	{ .name = NULL },
};

extern const struct pressure_ops pressure_paging;

const struct paging_opts *paging__opts(const struct run_config *c)
{
	return pressure__opts(c, &pressure_paging);
}

/* Cross-field: the latency model's own bounds (pressure=paging variants),
 * checked by the code that builds it, so the check and the model agree. */
static int paging__check(const struct run_config *c, char *err, size_t len)
{
	const struct paging_opts *o = paging__opts(c);
	struct latency_model m;

	return latency__model(&m, o->fault_latency, o->fault_latency_us, o->fault_latency_max_us,
			      o->fault_latency_sigma, err, len);
}

static bool paging__available(char *why, size_t len)
{
	return pager__available(why, len);
}

static int paging__setup(struct vm *vm)
{
	char err[512] = "";
	struct pager *p = NULL;
	int r = pager__create(&p, vm, err, sizeof(err));
	if (r) {
		pr_err("pressure paging: %s", err[0] ? err : strerror(-r));
		pager__destroy(p);      /* teardown() after a failed setup() is then a no-op */
		return r;
	}
	vm->pressure_priv = p;
	return 0;
}

/* The pager holds the VM read side once per fault in flight, on the
 * faulting vCPU's behalf: one slot per vCPU, plus faults of non-vCPU
 * threads in flight (host/pressure/pager.c). */
static unsigned paging__srcu_slots(const struct vm *vm)
{
	return vm->nr_vcpus + 16;
}

static int paging__start(struct vm *vm)
{
	return pager__start(vm->pressure_priv);
}

static void paging__stop(struct vm *vm)
{
	pager__stop(vm->pressure_priv);
}

static void paging__teardown(struct vm *vm)
{
	pager__destroy(vm->pressure_priv);
	vm->pressure_priv = NULL;
}

static json_t *paging__report(struct vm *vm)
{
	struct pager *p = vm->pressure_priv;
	struct pager_stats s;
	pager__stats(p, &s);
	const struct paging_opts *po = paging__opts(vm->cfg);
	json_t *o = json_object();
	json_object_set_new(o, "mode", json_string("paging"));
	json_object_set_new(o, "page_size", json_integer((json_int_t)s.page_size));
	json_object_set_new(o, "data_pages", json_integer((json_int_t)s.npages));
	json_object_set_new(o, "resident_limit_pages", json_integer((json_int_t)s.limit_pages));
	json_object_set_new(o, "resident_peak_pages", json_integer((json_int_t)s.resident_peak));
	json_object_set_new(o, "faults", json_integer((json_int_t)s.faults));
	json_object_set_new(o, "evictions", json_integer((json_int_t)s.evictions));
	json_object_set_new(o, "direct_reclaims", json_integer((json_int_t)s.direct_reclaims));
	json_object_set_new(o, "wp_faults", json_integer((json_int_t)s.wp_faults));
	json_object_set_new(o, "duplicate_faults", json_integer((json_int_t)s.dup_faults));
	json_object_set_new(o, "non_vcpu_faults", json_integer((json_int_t)s.unknown_vcpu));
	json_object_set_new(o, "restored_at_stop", json_integer((json_int_t)s.restored));
	json_object_set_new(o, "pager_threads", json_integer(po->pager_threads));
	json_object_set_new(o, "queue_depth", json_integer((json_int_t)s.queue_depth));
	json_object_set_new(o, "max_in_flight", json_integer((json_int_t)s.max_in_flight));
	json_object_set_new(o, "queue_full", json_integer((json_int_t)s.queue_full));
	json_object_set_new(o, "retried_fault_messages", json_integer((json_int_t)s.dup_msgs));
	json_object_set_new(o, "co_waiter_faults", json_integer((json_int_t)s.cowaiters));
	json_object_set_new(o, "pager_rt", json_boolean(s.rt));
	json_object_set_new(o, "pager_rt_note", json_string(s.rt_why));
	/* Say so when the device, not the model, set the latency. */
	struct hist_summary q;
	hist__summary(&vm->metrics->fault_queue_ns, &q);
	uint64_t L = (uint64_t)po->fault_latency_us * 1000;
	if (s.queue_full)
		pr_warn("paging: %lu faults waited for a free device slot (queue depth %lu): arrivals "
			"exceeded the device's capacity", (unsigned long)s.queue_full, (unsigned long)s.queue_depth);
	if (q.count && L && q.p50 > L / 10)
		pr_warn("paging: faults completed late (queue wait p50 %.0f us vs L %.0f us)%s: host scheduling, "
			"not L, set part of the fault latency", (double)q.p50 / 1e3, (double)L / 1e3,
			s.rt ? "" : " - the pager threads are not real-time");
	json_object_set_new(o, "saturated", json_boolean(s.queue_full || (q.count && L && q.p50 > L / 10)));
	json_object_set_new(o, "latency_model", json_string(pager__latency(p)));
	json_object_set_new(o, "backing", json_string(pager__backing(p)));
	json_object_set_new(o, "backing_direct", json_boolean(po->backing_direct &&
							      strcmp(pager__backing(p), "memory")));
	json_object_set_new(o, "note", json_string("counters cover the whole run; the faults counter and "
		"fault_service histogram in metrics cover the measured window.  The pager holds the VMM "
		"SRCU on behalf of the faulting vCPU while serving; with the kvm backend, faults taken "
		"inside KVM_RUN also hold the real kvm->srcu"));
	return o;
}

const struct pressure_ops pressure_paging = {
	.name = "paging",
	.desc = "userfaultfd demand paging: evictor + pager pool, SRCU held while faulting",
	.version = PRESSURE_OPS_VERSION,
	.flags = PRESSURE_F_EVICTS,
	.available = paging__available,
	.setup = paging__setup,
	.start = paging__start,
	.stop = paging__stop,
	.teardown = paging__teardown,
	.report = paging__report,
	.srcu_slots = paging__srcu_slots,
	.options = paging_options,
	.options_size = sizeof(struct paging_opts),
	.check = paging__check,
};
