// SPDX-License-Identifier: MIT
/*
 * bench run's preflight: everything that can be checked before the first
 * VM (open files, guest memory vs the machine, backend, KVM_CAP_MAX_VCPUS,
 * srcu_gp vs backend, NUMA, perf, pressure modes).  Each check returns 0,
 * or FB_EXIT_USAGE with one line in err ("<what>; <how to fix>").
 */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "backend-kvm.h"
#include "env.h"
#include "exit-codes.h"
#include "numa.h"
#include "perf.h"
#include "preflight.h"
#include "pressure.h"
#include "scenario.h"
#include "util.h"
#include "vm.h"

#define PREFLIGHT_FAIL(...) return (set_err(err, len, __VA_ARGS__), FB_EXIT_USAGE)

/* Open files: the kvm backend holds one fd per vCPU (plus its mmap'd
 * kvm_run), the rest of the harness a few dozen.  Raise the soft limit up to
 * the hard one if needed; else one line and exit 2 (never one per vCPU). */
int preflight__nofile(const struct scenario *sc, char *err, size_t len)
{
	unsigned vcpus = 0;
	for (unsigned i = 0; i < sc->nr_variants; i++)
		if (sc->variants[i].r.backend != CFG_BACKEND_NATIVE && sc->variants[i].vcpus > vcpus)
			vcpus = sc->variants[i].vcpus;
	if (!vcpus)
		return 0;
	rlim_t need = (rlim_t)vcpus + 64;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= need)
		return 0;
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need) {
		rl.rlim_cur = need;
		if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
			return 0;
	}
	PREFLIGHT_FAIL("%u vCPUs need about %llu open files; the limit is %llu: run `ulimit -n %llu`",
		 vcpus, (unsigned long long)need, (unsigned long long)rl.rlim_max, (unsigned long long)need);
}

/* Guest memory must fit in the machine (swap mode may page it, but its
 * memory cgroup limit is a part of it, so RAM + swap bounds it). */
int preflight__memory(const struct scenario *sc, char *err, size_t len)
{
	unsigned long long total_kb = 0, swap_kb = 0, v;
	char key[64];
	FILE *f = fopen("/proc/meminfo", "re");
	if (!f)
		return 0;
	while (fscanf(f, "%63s %llu kB ", key, &v) == 2) {
		if (!strcmp(key, "MemTotal:"))
			total_kb = v;
		else if (!strcmp(key, "SwapTotal:"))
			swap_kb = v;
	}
	fclose(f);
	for (unsigned i = 0; i < sc->nr_variants; i++) {
		const struct run_config *c = &sc->variants[i];
		bool evicts = c->r.pressure->flags & PRESSURE_F_EVICTS;
		unsigned long long room = total_kb + (evicts ? swap_kb : 0);
		if (total_kb && (unsigned long long)c->mem_mb * 1024 > room)
			PREFLIGHT_FAIL("mem_mb=%u needs %u MiB of guest memory; this machine has %llu MiB "
				 "of RAM%s: lower --mem-mb", c->mem_mb, c->mem_mb, total_kb / 1024,
				 evicts ? " + swap" : "");
	}
	return 0;
}

/* Validate everything we can before the first VM: backend, vCPU limit,
 * pressure modes (unavailable ones are dropped with a warning), perf. */
int preflight__run(struct scenario *sc, const struct backend_ops **backend, char *note, size_t nlen,
		   bool *keep, char *err, size_t len)
{
	char berr[512], why[512];
	unsigned kept = 0;
	enum cfg_backend want = sc->variants[0].r.backend;

	for (unsigned i = 1; i < sc->nr_variants; i++)
		if (sc->variants[i].r.backend != want)
			PREFLIGHT_FAIL("all variants must use one backend (got '%s' and '%s')",
			    sc->variants[0].backend, sc->variants[i].backend);
	*backend = env__backend(want, note, nlen, berr, sizeof(berr));
	if (!*backend)
		PREFLIGHT_FAIL("%s; use --backend native to run without KVM", berr);
	if (note[0] && want != CFG_BACKEND_NATIVE)
		pr_warn("%s", note);
	/* auto is resolved here, once: the variants carry what runs */
	for (unsigned i = 0; i < sc->nr_variants; i++)
		sc->variants[i].r.backend = *backend == &backend_kvm ? CFG_BACKEND_KVM : CFG_BACKEND_NATIVE;

	int max_vcpus = FB_MAX_VCPUS;
	if (*backend == &backend_kvm) {
		json_t *k = json_object();
		if (backend_kvm__info(k) == 0 && json_integer_value(json_object_get(k, "max_vcpus")) > 0)
			max_vcpus = (int)json_integer_value(json_object_get(k, "max_vcpus"));
		json_decref(k);
	}
	for (unsigned i = 0; i < sc->nr_variants; i++) {
		struct run_config *c = &sc->variants[i];
		if (max_vcpus > 0 && c->vcpus > (unsigned)max_vcpus)
			PREFLIGHT_FAIL("vcpus=%u exceeds KVM_CAP_MAX_VCPUS=%d on this kernel; lower --vcpus",
			    c->vcpus, max_vcpus);
		if ((c->r.srcu_gp & CFG_GP_KERNEL) && !c->r.srcu_gp_auto && *backend != &backend_kvm)
			PREFLIGHT_FAIL("srcu-gp=%s needs the kvm backend (a real kvm->srcu); use --srcu-gp vmm",
			    c->srcu_gp);
		if (c->mem_node[0] && numa__check(c->mem_node, why, sizeof(why)))
			PREFLIGHT_FAIL("%s", why);
		if (c->r.perf != CFG_PERF_NONE && !perf__available(c->perf, why, sizeof(why)))
			PREFLIGHT_FAIL("--perf %s: %s", c->perf, why);
	}
	/* each pressure mode in use is asked once whether it can run here */
	for (unsigned k = 0; pressures[k]; k++) {
		bool used = false, ok;
		for (unsigned i = 0; i < sc->nr_variants; i++)
			used |= sc->variants[i].r.pressure == pressures[k];
		if (!used)
			continue;
		ok = pressures[k]->available(why, sizeof(why));
		if (!ok)
			pr_warn("skipping pressure=%s: %s", pressures[k]->name, why);
		for (unsigned i = 0; i < sc->nr_variants; i++)
			if (sc->variants[i].r.pressure == pressures[k])
				keep[i] = ok;
	}
	for (unsigned i = 0; i < sc->nr_variants; i++)
		kept += keep[i];
	if (!kept)
		PREFLIGHT_FAIL("no variant can run here (see the warnings above)");
	return 0;
}
