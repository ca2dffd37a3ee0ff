// SPDX-License-Identifier: MIT
/* `bench run` console header and env.warnings / env.exit_floor (hosthdr.h). */
#include <stdbool.h>
#include <string.h>

#include "hosthdr.h"
#include "results.h"

double hosthdr__overcommit(unsigned vcpus, long host_cpus)
{
	if (host_cpus <= 0 || (long)vcpus <= host_cpus)
		return 0;
	return (double)vcpus / (double)host_cpus;
}

static void warn(FILE *f, json_t *warnings, const char *text)
{
	json_array_append_new(warnings, json_string(text));
	if (f)
		fprintf(f, "warning: %s\n", text);
}

void hosthdr__print(FILE *f, json_t *env, const char *backend, unsigned max_vcpus)
{
	json_t *h = json_object_get(json_object_get(env, "kvm"), "host");
	json_t *warnings = json_array();
	long cpus = (long)json_integer_value(json_object_get(env, "host_cpus"));
	const char *mod = json_string_value(json_object_get(h, "module"));
	json_t *nested = json_object_get(h, "nested"), *tdp = json_object_get(h, "tdp");
	bool kvm = !strcmp(backend, "kvm");
	char text[512];

	if (f) {
		fprintf(f, "host: %ld CPUs; KVM: %s%s, nested %s, TDP %s; backend %s\n", cpus,
			mod ? mod : "no module", mod && !json_is_true(json_object_get(h, "dev_kvm")) ?
			" (no /dev/kvm)" : "",
			json_is_true(nested) ? "yes" : json_is_false(nested) ? "no" : "unknown",
			json_is_true(tdp) ? "on" : json_is_false(tdp) ? "off (shadow paging)" : "unknown", backend);
		const char *emul = json_string_value(json_object_get(h, "emulation"));
		if (kvm && emul && *emul)
			fprintf(f, "      KVM settings: %s\n", emul);
	}
	double oc = hosthdr__overcommit(max_vcpus, cpus);
	if (oc > 0) {
		snprintf(text, sizeof(text), "%u vCPUs on %ld host CPUs: overcommitted %.0fx; vCPU threads "
			 "wait for a CPU, which inflates latencies and grace periods", max_vcpus, cpus, oc);
		warn(f, warnings, text);
	}
	if (kvm && (json_is_true(nested) || json_is_true(json_object_get(h, "software_assisted")))) {
		const char *why = json_string_value(json_object_get(h, "software_assisted_why"));
		char what[300];
		if (json_is_true(nested) && why)
			snprintf(what, sizeof(what), "nested and software-assisted (%s)", why);
		else if (why)
			snprintf(what, sizeof(what), "software-assisted (%s)", why);
		else
			snprintf(what, sizeof(what), "nested");
		snprintf(text, sizeof(text), "KVM here is %s: absolute times are not representative of "
			 "hardware-assisted KVM; compare ratios", what);
		warn(f, warnings, text);
	}
	json_object_set_new(env, "warnings", warnings);
}

static double p50(json_t *run, const char *metric)
{
	char path[64];
	double v = 0;

	snprintf(path, sizeof(path), "%s.p50", metric);
	return results__metric_value(run, path, &v) ? -1 : v;
}

void hosthdr__exit_floor(FILE *f, json_t *env, json_t *runs)
{
	json_t *run, *o = json_object();
	size_t i;
	double null_ns = -1, hc_ns = -1;
	const char *key = NULL;

	json_t *emul_null = NULL, *emul_hc = NULL;
	json_array_foreach(runs, i, run) {
		const char *w = json_string_value(json_object_get(run, "workload"));
		json_t *em = json_object_get(json_object_get(run, "kvm_emulation"), "insns_per_exit");
		if (!w)
			continue;
		if (!strcmp(w, "null") && null_ns < 0 && (null_ns = p50(run, "exit_rtt")) >= 0) {
			key = json_string_value(json_object_get(run, "key"));
			emul_null = json_is_number(em) ? em : NULL;
		}
		if (!strcmp(w, "hypercall") && hc_ns < 0 && (hc_ns = p50(run, "hypercall_rtt")) >= 0)
			emul_hc = json_is_number(em) ? em : NULL;
	}
	const char *backend = json_string_value(json_object_get(env, "backend"));
	json_object_set_new(o, "backend", json_string(backend ? backend : "?"));
	if (null_ns < 0) {
		json_object_set_new(o, "measured", json_false());
		json_object_set_new(o, "why", json_string("no null-workload variant in this run "
			"(bench run --workload null,hypercall measures it)"));
	} else {
		json_object_set_new(o, "measured", json_true());
		json_object_set_new(o, "variant", json_string(key ? key : ""));
		json_object_set_new(o, "null_exit_p50_ns", json_real(null_ns));
		if (hc_ns >= 0) {
			json_object_set_new(o, "hypercall_p50_ns", json_real(hc_ns));
			json_object_set_new(o, "hypercall_over_null", json_real(null_ns > 0 ? hc_ns / null_ns : 0));
		}
		if (f)
			fprintf(f, "exit floor (%s): null exit p50 %.2f us%s", backend ? backend : "?", null_ns / 1e3,
				hc_ns >= 0 ? "" : "\n");
		if (f && hc_ns >= 0)
			fprintf(f, ", hypercall p50 %.2f us = %.2fx the null exit\n", hc_ns / 1e3,
				null_ns > 0 ? hc_ns / null_ns : 0);
		/* kvm: what the host's KVM emulated per exit (kvm:kvm_emulate_insn) */
		if (emul_null)
			json_object_set(o, "null_emulated_insns_per_exit", emul_null);
		if (emul_hc)
			json_object_set(o, "hypercall_emulated_insns_per_exit", emul_hc);
		if (f && (emul_null || emul_hc)) {
			fprintf(f, "KVM emulated guest instructions per exit (kvm:kvm_emulate_insn):");
			if (emul_null)
				fprintf(f, " null %.1f", json_number_value(emul_null));
			if (emul_hc)
				fprintf(f, "%s hypercall %.1f", emul_null ? "," : "", json_number_value(emul_hc));
			fprintf(f, "; hardware-assisted KVM emulates none for a port exit\n");
		}
	}
	json_t *k = json_object_get(env, "kvm");
	if (backend && !strcmp(backend, "kvm") && json_is_object(k))
		json_object_set_new(k, "exit_floor_ns", null_ns >= 0 ? json_real(null_ns) : json_null());
	json_object_set_new(env, "exit_floor", o);
}
