/* SPDX-License-Identifier: MIT */
/*
 * Everything one variant measures.  Threads record into their own slots
 * (host/tstats.h, the M_* macros of host/vcpu.h); vm__stop() merges the slots
 * into this struct, whose histograms and counters are relaxed atomics.  bench/analysis/results.c turns
 * a struct run_metrics into the run's "metrics" object (docs/RESULTS.md).
 */
#ifndef FB_METRICS_H
#define FB_METRICS_H

#include <stdint.h>
#include "hist.h"

/* One entry per histogram metric: X(field, json-name, unit, description). */
#define FB_HIST_METRICS(X) \
	X(exit_ns,          "exit_rtt",          "ns", "null workload: guest port-I/O round trip (guest TSC)") \
	X(hcall_ns,         "hypercall_rtt",     "ns", "hypercall workload: null TLFS hypercall round trip (guest TSC)") \
	X(flush_ns,         "flush_latency",     "ns", "flush hypercall latency seen by the guest, incl. suspension (guest TSC)") \
	X(resume_ns,        "resume_latency",    "ns", "uninhibit start -> suspended flusher back at guest entry") \
	X(wake_ns,          "wake_latency",      "ns", "uninhibit start -> wake issued to the flusher") \
	X(runnable_ns,      "runnable_latency",  "ns", "wake issued -> flusher thread running and runnable") \
	X(reentry_ns,       "reentry_latency",   "ns", "flusher runnable -> about to enter the guest") \
	X(uninhibit_ns,     "uninhibit_duration","ns", "whole design uninhibit path (clear + grace period + scan + wakes)") \
	X(gp_ns,            "grace_period",      "ns", "grace-period wait inside uninhibit (VMM and/or kernel)") \
	X(kernel_gp_ns,     "kernel_gp",         "ns", "real kvm->srcu grace period used by srcu_gp=kernel|both") \
	X(event_ns,         "event_processing",  "ns", "event re-evaluation before re-entry (request=event)") \
	X(completion_ns,    "completion",        "ns", "instruction completion while inhibited") \
	X(inhibit_ns,       "inhibit_window",    "ns", "inhibit set -> inhibit cleared") \
	X(suspend_ns,       "suspend_duration",  "ns", "flusher suspended -> resumed") \
	X(ack_wait_ns,      "ack_wait",          "ns", "flusher waiting for targets to leave guest mode") \
	X(fault_ns,         "fault_service",     "ns", "pressure: one fault, from its userfaultfd read to the page in (paging) / one swap-in observed") \
	X(fault_queue_ns,   "fault_queue_wait",  "ns", "paging: time a fault waited beyond its device deadline (no pager thread or queue slot free)") \
	X(kernel_ref_ns,    "kernel_ref",        "ns", "kernel reference line: ioctl ending in synchronize_srcu(&kvm->srcu)") \
	X(scanned,          "scanned_per_uninhibit", "vcpus", "vCPUs examined per uninhibit")

/* X(field, json-name, description) */
#define FB_COUNT_METRICS(X) \
	X(exits,            "exits",             "guest exits handled") \
	X(hypercalls,       "hypercalls",        "hypercalls handled") \
	X(hypercall_errors, "hypercall_errors",  "hypercalls answered with a TLFS error status") \
	X(flushes,          "flushes",           "flush hypercalls completed") \
	X(flush_requests,   "flush_requests",    "TLB-flush requests sent to targets") \
	X(kicks,            "kicks",             "kicks that forced a vCPU out of guest mode") \
	X(kicks_in_fault,   "kicks_in_fault",    "kicks to a vCPU whose fault was in service (KVM sends none: must be 0)") \
	X(requests_in_fault,"requests_in_fault", "flush requests to a vCPU whose fault was in service (seen at its next entry)") \
	X(acks_in_fault,    "ack_waits_in_fault","ack waits on a vCPU whose fault was in service (KVM waits for none: must be 0)") \
	X(fault_entry_exits,"fault_entry_exits", "exits made after a fault to see requests made during it (KVM's entry check)") \
	X(inhibits,         "inhibits",          "inhibit cycles (intercepts)") \
	X(suspends,         "suspends",          "flushers suspended on an inhibited target") \
	X(resumes,          "resumes",           "suspended flushers resumed") \
	X(pending_at_stop,  "pending_at_stop",   "flushers still suspended when the run stopped") \
	X(wakeups,          "wakeups",           "wakeups issued by uninhibit paths") \
	X(useful_wakeups,   "useful_wakeups",    "wakeups of a flusher suspended on that target") \
	X(spurious_wakeups, "spurious_wakeups",  "wakeups that found nothing to resume") \
	X(grace_periods,    "grace_periods",     "grace periods waited for") \
	X(kernel_gp_errors, "kernel_gp_errors",  "kernel grace-period ioctls that failed (srcu_gp=kernel|both)") \
	X(blocks,           "blocks",            "vCPU blocks (sleeps)") \
	X(halt_polls_ok,    "halt_poll_success", "blocks ended during halt polling") \
	X(events,           "events",            "event re-evaluations (REQ_EVENT processed)") \
	X(faults,           "faults",            "pressure: faults served / swap-ins") \
	X(evictions,        "evictions",         "pressure: pages evicted") \
	X(lost_wakeups,     "lost_wakeups",      "oracle: flusher not woken by its target's uninhibit") \
	X(early_resumes,    "early_resumes",     "oracle: flusher resumed while its target still inhibited") \
	X(guest_verify_failures, "verify_failures", "guest data pattern check failures")

struct run_metrics {
#define X(f, n, u, d) struct hist f;
	FB_HIST_METRICS(X)
#undef X
#define X(f, n, d) _Atomic uint64_t f;
	FB_COUNT_METRICS(X)
#undef X
	/* whole-run figures, filled at the end */
	double wall_s;                /* measured window */
	double cpu_user_s, cpu_sys_s; /* harness, measured window */
	uint64_t ctx_vol, ctx_invol;  /* context switches, measured window */
	uint64_t max_rss_kb;
	double vm_setup_ms;
	uint64_t resident_peak_pages; /* paging */
};

void metrics__init(struct run_metrics *m);
void metrics__merge(struct run_metrics *dst, const struct run_metrics *src);

/* Recording (the caller includes vm.h and tstats.h: the macros use struct vm). */
/* Count a metric only inside the measured window, into the calling thread's
 * own slot (host/tstats.h); vm__stop() merges the slots into vm->metrics. */
#define M_ADD(vm, field, n) do { if (atomic_load_explicit(&(vm)->measuring, memory_order_relaxed)) \
	tstats__add(&(vm)->stats, &(vm)->metrics->field, FB_C_##field, (n)); } while (0)
#define M_INC(vm, field) M_ADD(vm, field, 1)
#define M_HIST(vm, field, v) do { if (atomic_load_explicit(&(vm)->measuring, memory_order_relaxed)) \
	tstats__hist(&(vm)->stats, &(vm)->metrics->field, FB_H_##field, (v)); } while (0)
/* A counter's current value while threads still record (e.g. the watchdog). */
#define M_READ(vm, field) tstats__count(&(vm)->stats, &(vm)->metrics->field, FB_C_##field)

#endif
