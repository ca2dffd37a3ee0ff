// SPDX-License-Identifier: MIT
/*
 * The option table and everything driven by it: parsing + validation of one
 * value, defaults, JSON, suggestions, help and the generated reference
 * (docs/options.md).  Adding a core field to struct run_config = one entry
 * in options_core[]; a plug-in's knobs live in its own file and are merged
 * in by options-merge.c (options__table()).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "abi/abi.h"
#include "design.h"
#include "options.h"
#include "pressure.h"
#include "suggest.h"

#define FIELD(f) OPT_FIELD(struct run_config, f)

const char *const options_sections[] = {
	"vm", "workload", "design", "pressure", "kernel-ref", "run", "perf", NULL,
};

/* In the order of the enum each resolves to (host/config.h, include/abi/abi.h):
 * options__resolve() takes the index.  ch_kref is not by index: none, auto or one of ch_gp_ioctl's names. */
static const char *const ch_backend[]   = { "auto", "kvm", "native", NULL };
static const char *const ch_workload[]  = { "null", "hypercall", "mixed", NULL };
static const char *const ch_flush[]     = { "space", "list", "space-ex", "list-ex", "mix", NULL };
static const char *const ch_targets[]   = { "all", "sparse", "neighbours", "inhibitors", NULL };
static const char *const ch_request[]   = { "event", "unblock", NULL };
static const char *const ch_srcu_gp[]   = { "auto", "vmm", "kernel", "both", NULL };
static const char *const ch_kref[]      = { "auto", "none", "msr-filter", "ioeventfd", "memslot", NULL };
static const char *const ch_gp_ioctl[]  = { "ioeventfd", "msr-filter", "memslot", NULL };
static const char *const ch_perf[]      = { "none", "record", "stat", NULL };
static const char *const ch_pin[]       = { "none", "compact", "scatter", NULL };

/* Designs and pressure modes are plug-ins: their names come from the registries. */
static const char *design_at(unsigned i)
{
	for (unsigned k = 0; designs[k]; k++)
		if (k == i)
			return designs[k]->name;
	return NULL;
}

static const char *pressure_at(unsigned i)
{
	for (unsigned k = 0; pressures[k]; k++)
		if (k == i)
			return pressures[k]->name;
	return NULL;
}

void options__list_choices(const struct bench_option *o, const char *sep, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (unsigned i = 0;; i++) {
		const char *c = options__choice(o, i);
		if (!c)
			break;
		int w = snprintf(buf + n, len - n, "%s%s", i ? sep : "", c);
		if (w < 0 || (size_t)w >= len - n)
			break;
		n += (size_t)w;
	}
}

static int check_design(const char *v, char *err, size_t len)
{
	if (design__find(v))
		return 0;
	char all[256];
	options__list_choices(options__find("design"), ", ", all, sizeof(all));
	snprintf(err, len, "unknown design '%s' (registered: %s)", v, all);
	return -EINVAL;
}

static int check_race_points(const char *v, char *err, size_t len)
{
	if (race_points__parse(v) >= 0)
		return 0;
	snprintf(err, len, "race-points '%s': want all, none, or names joined by '+' "
		 "(publish, scan, wake, request)", v);
	return -EINVAL;
}

static int check_pressure(const char *v, char *err, size_t len)
{
	if (pressure__find(v))
		return 0;
	char all[256];
	options__list_choices(options__find("pressure"), ", ", all, sizeof(all));
	snprintf(err, len, "unknown pressure mode '%s' (registered: %s)", v, all);
	return -EINVAL;
}

int options__check_mem_node(const char *v, char *err, size_t len)
{
	uint64_t n;
	if (!*v || !strcmp(v, "interleave") || !strcmp(v, "local") ||
	    (!options__parse_u64(v, &n) && n < 4096))
		return 0;
	snprintf(err, len, "'%s' is not a NUMA node number, 'interleave', 'local' or empty", v);
	return -EINVAL;
}

/* The core options: everything that is not one plug-in's own knob. */
const struct bench_option options_core[] = {
	/* --- vm --- */
	{ .name = "vcpus", FIELD(vcpus), .kind = OPT_KIND_UINT, .def = "64", .unit = "",
	  .min = 1, .max = FB_MAX_VCPUS, .section = "vm",
	  .help = "vCPUs in the VM (the kernel's KVM_CAP_MAX_VCPUS is checked at run time)" },
	{ .name = "mem-mb", FIELD(mem_mb), .kind = OPT_KIND_UINT, .def = "256", .unit = "MiB",
	  .min = 16, .max = 3800, .section = "vm",
	  .help = "workload data memory (memslot 1)" },
	{ .name = "backend", FIELD(backend), .kind = OPT_KIND_CHOICE, .def = "auto",
	  .choices = ch_backend, .section = "vm",
	  .help = "execution backend: kvm (/dev/kvm), native (guest code on the vCPU thread), "
		  "auto (kvm if usable, else native)" },

	/* --- workload --- */
	{ .name = "workload", FIELD(workload), .kind = OPT_KIND_CHOICE, .def = "mixed",
	  .choices = ch_workload, .section = "workload",
	  .help = "guest workload: null (bare exits), hypercall (null TLFS hypercalls through the full ABI), "
		  "mixed (flushers + inhibitors + touchers)" },
	{ .name = "flushers", FIELD(flushers), .kind = OPT_KIND_UINT, .def = "0",
	  .min = 0, .max = FB_MAX_VCPUS, .section = "workload",
	  .help = "mixed: vCPUs that flush (0 = auto: every vCPU that is neither toucher nor "
		  "inhibitor)" },
	{ .name = "inhibitors", FIELD(inhibitors), .kind = OPT_KIND_UINT, .def = "0",
	  .min = 0, .max = FB_MAX_VCPUS, .section = "workload",
	  .help = "mixed: vCPUs that take memory intercepts and inhibit (0 = auto: 1/4 of the "
		  "non-toucher vCPUs, rounded up, if flushers is auto too; else the rest)" },
	{ .name = "touchers", FIELD(touchers), .kind = OPT_KIND_UINT, .def = "0",
	  .min = 0, .max = FB_MAX_VCPUS, .section = "workload",
	  .help = "mixed: vCPUs that stream through touch-mb of memory (fault under pressure)" },
	{ .name = "touchers-pct", FIELD(touchers_pct), .kind = OPT_KIND_UINT, .def = "0", .unit = "%",
	  .min = 0, .max = 90, .section = "workload",
	  .help = "mixed: touchers as a share of vcpus (rounded down) when touchers = 0" },
	{ .name = "flush-kind", FIELD(flush_kind), .kind = OPT_KIND_CHOICE, .def = "mix",
	  .choices = ch_flush, .section = "workload",
	  .help = "TLFS call the flushers issue (mix rotates through the four)" },
	{ .name = "targets", FIELD(targets), .kind = OPT_KIND_CHOICE, .def = "sparse",
	  .choices = ch_targets, .section = "workload",
	  .help = "flush targets: all vCPUs, K random, the K next, or K random inhibitors" },
	{ .name = "target-count", FIELD(target_count), .kind = OPT_KIND_UINT, .def = "4",
	  .min = 1, .max = FB_MAX_VCPUS, .section = "workload",
	  .help = "K for targets = sparse | neighbours | inhibitors" },
	{ .name = "gva-count", FIELD(gva_count), .kind = OPT_KIND_UINT, .def = "4",
	  .min = 1, .max = 256, .section = "workload",
	  .help = "list forms: GVA ranges per call (rep count; KVM does a full flush above 15)" },
	{ .name = "flush-think-us", FIELD(flush_think_us), .kind = OPT_KIND_UINT, .def = "200",
	  .unit = "us", .min = 0, .max = 1000000, .section = "workload",
	  .help = "guest sleep between two flush calls" },
	{ .name = "inhibit-period-us", FIELD(inhibit_period_us), .kind = OPT_KIND_UINT,
	  .def = "1000", .unit = "us", .min = 0, .max = 1000000, .section = "workload",
	  .help = "guest sleep between two memory intercepts (inhibit cycles)" },
	{ .name = "completion-kb", FIELD(completion_kb), .kind = OPT_KIND_UINT, .def = "16",
	  .unit = "KiB", .min = 0, .max = 65536, .section = "workload",
	  .help = "instruction completion: guest memory read and written while inhibited" },
	{ .name = "inhibit-hold-us", FIELD(inhibit_hold_us), .kind = OPT_KIND_UINT, .def = "50",
	  .unit = "us", .min = 0, .max = 1000000, .section = "workload",
	  .help = "inhibit held this long after completion, outside the read side (the higher VTL handling the intercept)" },
	{ .name = "touch-mb", FIELD(touch_mb), .kind = OPT_KIND_UINT, .def = "64", .unit = "MiB",
	  .min = 1, .max = 3800, .section = "workload",
	  .help = "toucher working set (inside mem-mb)" },
	{ .name = "touch-batch", FIELD(touch_batch), .kind = OPT_KIND_UINT, .def = "64",
	  .unit = "pages", .min = 1, .max = 1u << 20, .section = "workload",
	  .help = "pages a toucher touches between sleeps" },
	{ .name = "touch-think-us", FIELD(touch_think_us), .kind = OPT_KIND_UINT, .def = "100",
	  .unit = "us", .min = 0, .max = 1000000, .section = "workload",
	  .help = "toucher sleep after each batch" },
	{ .name = "touch-verify", FIELD(touch_verify), .kind = OPT_KIND_BOOL, .def = "false",
	  .section = "workload",
	  .help = "touchers write a per-page pattern and check it (catches lost pages)" },

	/* --- design under test --- */
	{ .name = "design", FIELD(design), .kind = OPT_KIND_CHOICE, .def = "srcu",
	  .choice_at = design_at, .check = check_design, .section = "design",
	  .help = "uninhibit design (plug-ins, see docs/DESIGNS.md and `bench info --designs`)" },
	{ .name = "request", FIELD(request), .kind = OPT_KIND_CHOICE, .def = "event",
	  .choices = ch_request, .section = "design",
	  .help = "request made on a woken flusher: event (KVM_REQ_EVENT-like full event "
		  "processing) or unblock (KVM_REQ_UNBLOCK: only made runnable)" },
	{ .name = "allow-broken", FIELD(allow_broken), .kind = OPT_KIND_BOOL, .def = "false",
	  .section = "design",
	  .help = "permit designs flagged broken (they exist to prove the oracle works)" },
	{ .name = "race-delay-us", FIELD(race_delay_us), .kind = OPT_KIND_UINT, .def = "0",
	  .unit = "us", .min = 0, .max = 1000000, .section = "design",
	  .help = "debug: delay at the named race points (see race-points), once each" },
	{ .name = "race-points", FIELD(race_points), .kind = OPT_KIND_STRING, .def = "all",
	  .check = check_race_points, .section = "design",
	  .help = "debug: where race-delay-us applies: all, none, or publish+scan+wake+request "
		  "(inhibit read -> waiter publish, clear -> scan, inside the wake, check -> request)" },
	{ .name = "race-stress", FIELD(race_stress), .kind = OPT_KIND_BOOL, .def = "false",
	  .section = "design",
	  .help = "debug: at each race point pick at random (seeded): nothing, a yield, or a delay "
		  "up to race-delay-us" },
	{ .name = "halt-poll-ns", FIELD(halt_poll_ns), .kind = OPT_KIND_UINT, .def = "0",
	  .unit = "ns", .min = 0, .max = 100000000, .section = "design",
	  .help = "block(): poll this long before sleeping (like KVM halt_poll_ns)" },
	{ .name = "srcu-gp", FIELD(srcu_gp), .kind = OPT_KIND_CHOICE, .def = "auto",
	  .choices = ch_srcu_gp, .section = "design",
	  .help = "grace period SRCU designs wait for: the VMM's SRCU, the kernel's "
		  "kvm->srcu (via an ioctl), or both; auto = both on the kvm backend, vmm on native" },
	{ .name = "srcu-gp-ioctl", FIELD(srcu_gp_ioctl), .kind = OPT_KIND_CHOICE, .def = "ioeventfd",
	  .choices = ch_gp_ioctl, .section = "design",
	  .help = "the ioctl whose synchronize_srcu(&kvm->srcu) srcu-gp=kernel|both waits for: "
		  "ioeventfd deassign (expedited, under kvm->slots_lock), msr-filter (plain, no lock held; "
		  "then a request to every vCPU), memslot (expedited x2, under kvm->slots_lock)" },
	{ .name = "lost-timeout-ms", FIELD(lost_timeout_ms), .kind = OPT_KIND_UINT,
	  .def = "1000", .unit = "ms", .min = 10, .max = 600000, .section = "design",
	  .help = "oracle: a flusher still suspended this long after its target was "
		  "uninhibited is a lost wakeup" },

	/* --- memory pressure --- */
	{ .name = "pressure", FIELD(pressure), .kind = OPT_KIND_CHOICE, .def = "none",
	  .choice_at = pressure_at, .check = check_pressure, .section = "pressure",
	  .help = "memory pressure mode (see docs/PRESSURE.md)" },
	/* core: swap's auto memcg limit reads it too, not only paging */
	{ .name = "resident-mb", FIELD(resident_mb), .kind = OPT_KIND_UINT, .def = "32",
	  .unit = "MiB", .min = 1, .max = 3800, .section = "pressure",
	  .help = "paging: resident-set limit of the data region (evictor target)" },
	/* the modes' own knobs: in host/pressure/<mode>.c (.options) */

	/* --- kernel reference line --- */
	{ .name = "kernel-ref", FIELD(kernel_ref), .kind = OPT_KIND_CHOICE, .def = "auto",
	  .choices = ch_kref, .section = "kernel-ref",
	  .help = "measure the real kernel's synchronize_srcu(&kvm->srcu) through this ioctl "
		  "under the same load (kvm backend only; auto = msr-filter there, none on native)" },
	{ .name = "kernel-ref-period-ms", FIELD(kernel_ref_period_ms), .kind = OPT_KIND_UINT,
	  .def = "5", .unit = "ms", .min = 1, .max = 60000, .section = "kernel-ref",
	  .help = "interval between two reference ioctls" },

	/* --- run control --- */
	{ .name = "duration-s", FIELD(duration_s), .kind = OPT_KIND_DOUBLE, .def = "3",
	  .unit = "s", .min = 0.01, .max = 86400, .section = "run", .alias = "duration",
	  .help = "measured window per variant and repeat" },
	{ .name = "warmup-s", FIELD(warmup_s), .kind = OPT_KIND_DOUBLE, .def = "0.5",
	  .unit = "s", .min = 0, .max = 3600, .section = "run", .flags = OPT_F_SCENARIO, .alias = "warmup",
	  .help = "time before the measured window, excluded from metrics (scenario-level)" },
	{ .name = "repeat", FIELD(repeat), .kind = OPT_KIND_UINT, .def = "1",
	  .min = 1, .max = 1000, .section = "run", .flags = OPT_F_SCENARIO,
	  .help = "repeats per variant, run in a seeded shuffled order (scenario-level)" },
	{ .name = "repeat-max", FIELD(repeat_max), .kind = OPT_KIND_UINT, .def = "0",
	  .min = 0, .max = 1000, .section = "run", .flags = OPT_F_SCENARIO,
	  .help = "adaptive repeats (Phoronix-style): after repeat runs, repeat variants whose "
		  "repeat-metric has a relative standard error above repeat-rse-pct, up to this many "
		  "runs per variant (0 = off)" },
	{ .name = "repeat-rse-pct", FIELD(repeat_rse_pct), .kind = OPT_KIND_DOUBLE, .def = "5",
	  .unit = "%", .min = 0.1, .max = 100, .section = "run", .flags = OPT_F_SCENARIO,
	  .help = "adaptive repeats: target relative standard error of the mean" },
	{ .name = "repeat-mde-pct", FIELD(repeat_mde_pct), .kind = OPT_KIND_DOUBLE, .def = "0",
	  .unit = "%", .min = 0, .max = 10000, .section = "run", .flags = OPT_F_SCENARIO,
	  .help = "adaptive repeats: instead of the RSE, repeat until the minimum detectable "
		  "effect of bench compare (n per side, 80 % power, alpha 0.05) is at most this (0 = off)" },
	{ .name = "repeat-metric", FIELD(repeat_metric), .kind = OPT_KIND_STRING,
	  .def = "resume_latency.p99", .section = "run", .flags = OPT_F_SCENARIO,
	  .help = "adaptive repeats: metric path judged (as in bench compare --metric)" },
	{ .name = "seed", FIELD(seed), .kind = OPT_KIND_U64, .def = "1",
	  .min = 0, .max = 18446744073709551615.0, .section = "run", .flags = OPT_F_SCENARIO,
	  .help = "seed of the run-order shuffle and the guest PRNGs (scenario-level)" },

	/* --- perf / topology --- */
	{ .name = "perf", FIELD(perf), .kind = OPT_KIND_CHOICE, .def = "none",
	  .choices = ch_perf, .section = "perf",
	  .help = "run perf record or perf stat on the harness during the measured window" },
	{ .name = "perf-events", FIELD(perf_events), .kind = OPT_KIND_STRING, .def = "",
	  .flags = OPT_F_NOLIST, .section = "perf",
	  .help = "perf event list, comma separated (\"\" = the default list, docs/PERF.md)" },
	{ .name = "pin", FIELD(pin), .kind = OPT_KIND_CHOICE, .def = "none",
	  .choices = ch_pin, .section = "perf",
	  .help = "vCPU thread binding (hwloc): none, compact (fill cores), scatter" },
	{ .name = "mem-node", FIELD(mem_node), .kind = OPT_KIND_STRING, .def = "",
	  .check = options__check_mem_node, .section = "perf",
	  .help = "guest memory placement: \"\" (default policy), node N, interleave, local" },
	{ .name = NULL },
};

/* ---- lookup ------------------------------------------------------------- */

int options__name_cmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		char x = suggest__fold(*a);
		char y = suggest__fold(*b);
		if (x != y)
			return x - y;
		if (!x)
			return 0;
	}
}

const struct bench_option *options__find(const char *name)
{
	if (!name)
		return NULL;
	for (const struct bench_option *o = options__table(); o->name; o++)
		if (!options__name_cmp(o->name, name) || (o->alias && !options__name_cmp(o->alias, name)))
			return o;
	return NULL;
}

static const char *option_name_at(unsigned i, const void *arg)
{
	(void)arg;
	return options__table()[i].name;
}

const char *options__suggest(const char *unknown)
{
	if (!unknown || !*unknown)
		return NULL;
	return suggest__closest_at(unknown, option_name_at, NULL);
}

const char *options__choice(const struct bench_option *o, unsigned i)
{
	if (o->choices)
		return o->choices[i];
	return o->choice_at ? o->choice_at(i) : NULL;
}

static const char *choice_at(unsigned i, const void *arg)
{
	return options__choice(arg, i);
}

/* ---- parsing ------------------------------------------------------------ */

int options__parse_u64(const char *s, uint64_t *v)
{
	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	*v = x;
	return 0;
}

int options__parse_double(const char *s, double *v)
{
	if (!s || !*s || isspace((unsigned char)*s))
		return -EINVAL;
	char *end;
	errno = 0;
	double x = strtod(s, &end);
	if (*end || end == s)
		return -EINVAL;
	if (!isfinite(x) || errno == ERANGE)
		return -ERANGE;
	*v = x;
	return 0;
}

int options__parse_bool(const char *s, bool *v)
{
	static const char *const yes[] = { "true", "yes", "on", "1", NULL };
	static const char *const no[]  = { "false", "no", "off", "0", NULL };
	for (unsigned i = 0; yes[i]; i++) {
		if (!strcasecmp(s, yes[i])) {
			*v = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*v = false;
			return 0;
		}
	}
	return -EINVAL;
}

static void *field(struct run_config *c, const struct bench_option *o)
{
	return (char *)c + o->offset;
}

static const void *cfield(const struct run_config *c, const struct bench_option *o)
{
	return (const char *)c + o->offset;
}

void options__range(const struct bench_option *o, char *buf, size_t len)
{
	snprintf(buf, len, "%.15g..%.15g", o->min, o->max);
}

int options__set_as(struct run_config *c, const struct bench_option *o, const char *value,
		    const char *spelled, char *err, size_t len)
{
	char v[512] = "", why[400], all[256];  /* "": lets the analyzer see strlen(v) is defined */
	const char *n = spelled ? spelled : o->name;

	if (!value)
		value = "";
	/* trim: INI values come trimmed, CLI values may not */
	while (isspace((unsigned char)*value))
		value++;
	size_t vl = strlen(value);
	while (vl && isspace((unsigned char)value[vl - 1]))
		vl--;
	if (vl >= sizeof(v)) {
		snprintf(err, len, "%s: value is too long (%zu characters)", n, vl);
		return -EINVAL;
	}
	memcpy(v, value, vl);
	v[vl] = '\0';

	switch (o->kind) {
	case OPT_KIND_UINT:
	case OPT_KIND_U64: {
		uint64_t x;
		int r = options__parse_u64(v, &x);
		if (r == -EINVAL) {
			snprintf(err, len, "%s: '%s' is not a non-negative integer", n, v);
			return -EINVAL;
		}
		if (r == -ERANGE || (o->kind == OPT_KIND_UINT && x > UINT_MAX) ||
		    (double)x < o->min || (double)x > o->max) {
			options__range(o, all, sizeof(all));
			snprintf(err, len, "%s: %s is out of range (%s)", n, v, all);
			return -EINVAL;
		}
		if (o->kind == OPT_KIND_UINT)
			*(unsigned *)field(c, o) = (unsigned)x;
		else
			*(uint64_t *)field(c, o) = x;
		return 0;
	}
	case OPT_KIND_DOUBLE: {
		double x;
		int r = options__parse_double(v, &x);
		if (r == -EINVAL) {
			snprintf(err, len, "%s: '%s' is not a number", n, v);
			return -EINVAL;
		}
		if (r == -ERANGE || x < o->min || x > o->max) {
			options__range(o, all, sizeof(all));
			snprintf(err, len, "%s: %s is out of range (%s)", n, v, all);
			return -EINVAL;
		}
		*(double *)field(c, o) = x;
		return 0;
	}
	case OPT_KIND_BOOL:
		if (options__parse_bool(v, (bool *)field(c, o))) {
			snprintf(err, len, "%s: '%s' is not a boolean (true or false)", n, v);
			return -EINVAL;
		}
		return 0;
	case OPT_KIND_STRING:
	case OPT_KIND_CHOICE:
		if (vl >= o->size) {
			snprintf(err, len, "%s: '%.40s...' is too long (at most %zu characters)",
				 n, v, o->size - 1);
			return -EINVAL;
		}
		if (o->check) {
			if (o->check(v, why, sizeof(why))) {
				snprintf(err, len, "%s: %s", n, why);
				return -EINVAL;
			}
		} else if (o->kind == OPT_KIND_CHOICE) {
			bool ok = false;
			for (unsigned i = 0; !ok; i++) {
				const char *ch = options__choice(o, i);
				if (!ch)
					break;
				ok = !strcmp(ch, v);
			}
			if (!ok) {
				const char *s = suggest__closest_at(v, choice_at, o);
				options__list_choices(o, ", ", all, sizeof(all));
				if (s)
					snprintf(err, len, "%s: '%s' is not one of %s; did you mean '%s'?",
						 n, v, all, s);
				else
					snprintf(err, len, "%s: '%s' is not one of %s", n, v, all);
				return -EINVAL;
			}
		}
		memcpy(field(c, o), v, vl + 1);
		return 0;
	}
	snprintf(err, len, "%s: internal error: bad option kind", n);
	return -EINVAL;
}

int options__set(struct run_config *c, const struct bench_option *o, const char *value,
		 char *err, size_t len)
{
	return options__set_as(c, o, value, NULL, err, len);
}

void options__defaults(struct run_config *c)
{
	char err[512];
	memset(c, 0, sizeof(*c));
	for (const struct bench_option *o = options__table(); o->name; o++) {
		/* the design/pressure registries may not know the default (a
		 * build without them): store it anyway, expansion reports it */
		if (options__set(c, o, o->def, err, sizeof(err)) &&
		    (o->kind == OPT_KIND_CHOICE || o->kind == OPT_KIND_STRING))
			snprintf((char *)field(c, o), o->size, "%s", o->def);
	}
}

void options__format(const struct run_config *c, const struct bench_option *o,
		     char *buf, size_t len)
{
	const void *p = cfield(c, o);
	switch (o->kind) {
	case OPT_KIND_UINT:
		snprintf(buf, len, "%u", *(const unsigned *)p);
		break;
	case OPT_KIND_U64:
		snprintf(buf, len, "%" PRIu64, *(const uint64_t *)p);
		break;
	case OPT_KIND_DOUBLE: {
		double d = *(const double *)p;
		/* shortest text that parses back to the same double */
		snprintf(buf, len, "%.15g", d);
		if (strtod(buf, NULL) != d)
			snprintf(buf, len, "%.17g", d);
		break;
	}
	case OPT_KIND_BOOL:
		snprintf(buf, len, "%s", *(const bool *)p ? "true" : "false");
		break;
	case OPT_KIND_STRING:
	case OPT_KIND_CHOICE:
		snprintf(buf, len, "%.*s", (int)o->size, (const char *)p);
		break;
	}
}
