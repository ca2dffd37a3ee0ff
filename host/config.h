/* SPDX-License-Identifier: MIT */
/*
 * struct run_config: every parameter of ONE fully resolved benchmark variant.
 *
 * A scenario (INI file + CLI flags) is a set of keys whose values may be
 * lists; bench/scenario/scenario.c expands the cartesian product into an array of
 * run_config.  The single option table describes every field here (name,
 * type, offsetof, default, unit, help, min/max, choices) and drives CLI
 * flags, INI keys, defaults, --help, `bench info --options` and
 * docs/options.md.  A core field here => one line in the core list of
 * bench/scenario/options.c.  A knob of one design or pressure mode does not
 * come here: it is a field of that plug-in's own options struct plus one
 * line in its own option list (.options of its ops table), stored in
 * plugin_opts below and read with design__opts()/pressure__opts()
 * (docs/DESIGNS.md, docs/PRESSURE.md).
 */
#ifndef FB_CONFIG_H
#define FB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CFG_STR 64
/* Bytes for all plug-ins' options structs together (checked when the option
 * table is built: raise it if a plug-in's knobs outgrow it). */
#define CFG_PLUGIN_OPTS 1024

struct design_ops;
struct pressure_ops;

/* srcu_gp, resolved: which grace periods an SRCU design waits for */
#define CFG_GP_VMM    (1u << 0)      /* the VMM's own SRCU (vm->srcu) */
#define CFG_GP_KERNEL (1u << 1)      /* a real kvm->srcu grace period (kvm backend only) */

/*
 * The names of struct run_config resolved once, by options__check()
 * (bench/scenario/options-check.c): nothing downstream looks a name up
 * again.  Never serialised: JSON carries the names, and a config loaded
 * from JSON is resolved again (options__from_json()).
 */
enum cfg_backend { CFG_BACKEND_AUTO, CFG_BACKEND_KVM, CFG_BACKEND_NATIVE };
enum cfg_workload { CFG_WORKLOAD_NULL, CFG_WORKLOAD_HYPERCALL, CFG_WORKLOAD_MIXED };
enum cfg_perf { CFG_PERF_NONE, CFG_PERF_RECORD, CFG_PERF_STAT };
enum cfg_pin { CFG_PIN_NONE, CFG_PIN_COMPACT, CFG_PIN_SCATTER };
/* the ioctl a real kvm->srcu grace period is taken through (kvm backend) */
enum cfg_gp_ioctl { CFG_GP_IOCTL_IOEVENTFD, CFG_GP_IOCTL_MSR_FILTER, CFG_GP_IOCTL_MEMSLOT, CFG_GP_IOCTL_NR };

/* The choice names of enum cfg_gp_ioctl (JSON carries names). */
static inline const char *cfg_gp_ioctl__name(enum cfg_gp_ioctl i)
{
	static const char *const names[CFG_GP_IOCTL_NR] = { "ioeventfd", "msr-filter", "memslot" };
	return (unsigned)i < CFG_GP_IOCTL_NR ? names[i] : "?";
}

struct run_resolved {
	const struct design_ops *design;     /* registry entry of ->design */
	const struct pressure_ops *pressure; /* registry entry of ->pressure */
	enum cfg_backend backend;            /* ->backend; AUTO until preflight picks kvm or native */
	enum cfg_workload workload;          /* ->workload */
	unsigned flush_kind;                 /* ->flush_kind as FB_FLUSH_* (include/abi/abi.h) */
	unsigned target_mode;                /* ->targets as FB_TARGET_* */
	bool request_unblock;                /* request=unblock (else event) */
	unsigned srcu_gp;                    /* CFG_GP_* bits (auto = both) */
	bool srcu_gp_auto;                   /* srcu_gp=auto: the kernel one only where there is one */
	enum cfg_gp_ioctl srcu_gp_ioctl;     /* ->srcu_gp_ioctl */
	bool kernel_ref;                     /* kernel_ref != none */
	enum cfg_gp_ioctl kernel_ref_ioctl;  /* ->kernel_ref (auto = msr-filter) */
	unsigned race_mask;                  /* enum race_point bits of ->race_points */
	enum cfg_perf perf;                  /* ->perf */
	enum cfg_pin pin;                    /* ->pin */
};

struct run_config {
	/* --- VM --- */
	unsigned vcpus;               /* vCPUs in the VM */
	unsigned mem_mb;              /* workload data memory (memslot 1), MiB */
	char backend[CFG_STR];        /* auto | kvm | native */

	/* --- workload --- */
	char workload[CFG_STR];       /* null | hypercall | mixed */
	unsigned flushers;            /* mixed: vCPUs that flush (0 = auto: 3/4 of the rest) */
	unsigned inhibitors;          /* mixed: vCPUs that inhibit (0 = auto: 1/4) */
	unsigned touchers;            /* mixed: vCPUs that stream memory (default 0) */
	unsigned touchers_pct;        /* mixed: ... as a share of vcpus, when touchers = 0 */
	char flush_kind[CFG_STR];     /* space | list | space-ex | list-ex | mix */
	char targets[CFG_STR];        /* all | sparse | neighbours | inhibitors */
	unsigned target_count;        /* K for sparse/neighbours/inhibitors */
	unsigned gva_count;           /* list forms: GVA ranges per call */
	unsigned flush_think_us;      /* guest sleep between flushes */
	unsigned inhibit_period_us;   /* guest sleep between intercepts */
	unsigned completion_kb;       /* instruction completion: guest memory read+written */
	unsigned inhibit_hold_us;     /* inhibit held after completion (higher VTL at work), outside SRCU */
	unsigned touch_mb;            /* toucher working set (inside mem_mb) */
	unsigned touch_batch;         /* pages touched between sleeps */
	unsigned touch_think_us;      /* sleep after each batch */
	bool touch_verify;            /* write+check a per-page pattern */

	/* --- design under test --- */
	char design[CFG_STR];         /* srcu | srcu-private | targeted | srcu-nogp | ... */
	char request[CFG_STR];        /* event | unblock */
	bool allow_broken;            /* permit designs flagged broken */
	unsigned race_delay_us;       /* debug: delay at the named race points */
	char race_points[CFG_STR];    /* all | none | publish+scan+wake+request: where race_delay_us applies */
	bool race_stress;             /* random short delays/yields at the race points (seeded) */
	unsigned halt_poll_ns;        /* block(): poll this long before sleeping */
	char srcu_gp[CFG_STR];        /* vmm | kernel | both: which grace period SRCU designs wait for */
	char srcu_gp_ioctl[CFG_STR];  /* ioeventfd | msr-filter | memslot: the kernel grace period's ioctl */
	unsigned lost_timeout_ms;     /* oracle: suspended this long after uninhibit => lost wakeup */

	/* --- memory pressure --- */
	char pressure[CFG_STR];       /* none | paging | swap */
	/* Core, not a mode's own knob: paging's resident-set limit, and swap's
	 * auto memcg limit is computed from it too (host/pressure/swap.c). */
	unsigned resident_mb;         /* paging: resident-set limit of the data region */
	/* each mode's own knobs: struct <mode>_opts in host/pressure/ (plugin_opts) */

	/* --- kernel reference line --- */
	char kernel_ref[CFG_STR];     /* none | msr-filter | ioeventfd | memslot */
	unsigned kernel_ref_period_ms;

	/* --- run control --- */
	double duration_s;            /* measured window per variant */
	double warmup_s;              /* excluded from metrics */
	unsigned repeat;              /* repeats per variant */
	unsigned repeat_max;          /* adaptive: keep repeating up to this many (0 = off) */
	double repeat_rse_pct;        /* adaptive: ... until the metric's relative std. error <= this */
	char repeat_metric[CFG_STR];  /* adaptive: the metric path, e.g. resume_latency.p99 */
	double repeat_mde_pct;        /* adaptive: ... until the MDE at the runs so far <= this (0 = use RSE) */
	uint64_t seed;                /* shuffling + guest PRNG */

	/* --- perf / topology --- */
	char perf[CFG_STR];           /* none | record | stat */
	char perf_events[256];        /* override default event list ("" = default) */
	char pin[CFG_STR];            /* none | compact | scatter */
	char mem_node[CFG_STR];       /* "" (default) | N | interleave | local */

	/* --- plug-in knobs: every design's and pressure mode's own options
	 * struct, at the place host/option.c plugin_opts__offset() gives it;
	 * read through design__opts() / pressure__opts() --- */
	_Alignas(max_align_t) unsigned char plugin_opts[CFG_PLUGIN_OPTS];

	/* --- resolved (last: not an option, see struct run_resolved) --- */
	struct run_resolved r;
};

/* Touchers of a mixed run: the count if given, else a share of the vCPUs,
 * so one scenario works from 8 to 1024 vCPUs. */
static inline unsigned run_config__touchers(const struct run_config *c)
{
	return c->touchers ? c->touchers : (unsigned)((uint64_t)c->vcpus * c->touchers_pct / 100);
}

#endif
