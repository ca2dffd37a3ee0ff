/* SPDX-License-Identifier: MIT */
/* bench info: what this machine can run, and why not where it cannot. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backend-kvm.h"
#include "builtin.h"
#include "design.h"
#include "env.h"
#include "options.h"
#include "parse-options.h"
#include "perf.h"
#include "pressure.h"
#include "topology.h"
#include "exit-codes.h"
#include "util.h"
#include "vm.h"

static const char *const info_usage[] = {
	"bench info [--json]",
	"bench info --options [--format text|markdown|json]",
	NULL,
};

static bool opt_json, opt_options;
static const char *opt_format = "text";

static const struct option info_options[] = {
	OPT_BOOLEAN(0, "json", &opt_json, "machine-readable output"),
	OPT_BOOLEAN(0, "options", &opt_options, "list every scenario key with default, unit and help"),
	OPT_STRING(0, "format", &opt_format, "FMT", "with --options: text, markdown or json"),
	OPT_END(),
};

void cmd_info_help(void)
{
	usage_with_options(info_usage, info_options, false);
}

/* A plug-in's own option keys (its .options), in list order. */
static json_t *info__keys(const struct bench_option *list)
{
	json_t *a = json_array();
	for (const struct bench_option *o = list; o && o->name; o++)
		json_array_append_new(a, json_string(o->key));
	return a;
}

/* "      knobs: a, b, c" under a plug-in that has its own options. */
static void info__print_keys(json_t *e)
{
	size_t i;
	json_t *k;
	json_t *keys = json_object_get(e, "options");
	if (!json_array_size(keys))
		return;
	printf("      knobs:");
	json_array_foreach(keys, i, k)
		printf("%s %s", i ? "," : "", json_string_value(k));
	putchar('\n');
}

static json_t *info__json(void)
{
	json_t *o = env__json(), *d = json_array(), *p = json_array(), *pf = json_object();
	char why[512], note[512], err[256];

	const struct backend_ops *b = env__backend(CFG_BACKEND_AUTO, note, sizeof(note), err, sizeof(err));
	json_object_set_new(o, "backend", json_string(b ? b->name : "none"));
	json_object_set_new(o, "backend_note", json_string(note));
	if (json_is_null(json_object_get(o, "kvm")) == 0) {
		json_t *k = json_object_get(o, "kvm");
		json_object_set(o, "tsc_khz", json_object_get(k, "tsc_khz"));
	}
	for (unsigned i = 0; designs[i]; i++)
		json_array_append_new(d, json_pack("{s:s,s:s,s:b,s:b,s:o}", "name", designs[i]->name,
			"desc", designs[i]->desc, "broken", (designs[i]->flags & DESIGN_F_BROKEN) != 0,
			"design_stats", designs[i]->report != NULL,
			"options", info__keys(designs[i]->options)));
	json_object_set_new(o, "designs", d);
	for (unsigned i = 0; pressures[i]; i++) {
		bool ok = pressures[i]->available(why, sizeof(why));
		json_t *e = json_pack("{s:s,s:s,s:b,s:o}", "name", pressures[i]->name, "desc", pressures[i]->desc,
				      "available", ok, "options", info__keys(pressures[i]->options));
		if (!ok)
			json_object_set_new(e, "why", json_string(why));
		json_array_append_new(p, e);
	}
	json_object_set_new(o, "pressure", p);
	const char *modes[] = { "record", "stat" };
	for (unsigned i = 0; i < 2; i++) {
		bool ok = perf__available(modes[i], why, sizeof(why));
		json_object_set_new(pf, modes[i], ok ? json_true() : json_string(why));
	}
	json_object_set_new(o, "perf", pf);
	json_object_set_new(o, "version", json_string(FB_VERSION " (" FB_GIT_REV ")"));
	return o;
}

/* The KVM module, nested, TDP and the settings that make an exit cost more. */
static void info__print_kvm_host(json_t *h)
{
	const char *mod = json_string_value(json_object_get(h, "module"));
	json_t *nested = json_object_get(h, "nested"), *tdp = json_object_get(h, "tdp");
	const char *emul = json_string_value(json_object_get(h, "emulation"));

	if (!h)
		return;
	printf("kvm module:  %s%s\n", mod ? mod : "none loaded",
	       !mod ? "" : json_is_true(json_object_get(h, "dev_kvm")) ? " (/dev/kvm present)" :
	       " (loaded, but /dev/kvm is absent: the module did not register)");
	printf("nested:      %s (%s)\n", json_is_true(nested) ? "yes" : json_is_false(nested) ? "no" : "unknown",
	       json_string_value(json_object_get(h, "nested_why")));
	printf("TDP/EPT:     %s (%s)\n", json_is_true(tdp) ? "on" : json_is_false(tdp) ? "off" : "unknown",
	       json_string_value(json_object_get(h, "tdp_why")));
	if (emul && *emul)
		printf("emulation:   %s\n", emul);
	if (json_is_true(json_object_get(h, "software_assisted")))
		printf("             software-assisted: %s; absolute times are not representative of "
		       "hardware-assisted KVM, compare ratios\n",
		       json_string_value(json_object_get(h, "software_assisted_why")));
}

int cmd_info(int argc, char **argv)
{
	int n = parse_options("info", argc, argv, info_options, info_usage, NULL);
	if (n == -2)
		return 0;
	if (n < 0)
		return FB_EXIT_USAGE;
	if (opt_options) {
		if (options__print_doc(stdout, opt_format) < 0) {
			fprintf(stderr, "bench info: unknown --format '%s' (text, markdown, json)\n", opt_format);
			return FB_EXIT_USAGE;
		}
		return 0;
	}
	json_t *o = info__json();
	if (opt_json) {
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
		json_decref(o);
		return 0;
	}
	json_t *k = json_object_get(o, "kvm");
	printf("flushbench %s\n\n", json_string_value(json_object_get(o, "version")));
	printf("kernel:      %s\n", json_string_value(json_object_get(o, "kernel")));
	printf("cpu:         %s\n", json_string_value(json_object_get(o, "cpu")));
	printf("host cpus:   %" JSON_INTEGER_FORMAT "\n", json_integer_value(json_object_get(o, "host_cpus")));
	if (json_is_true(json_object_get(k, "available"))) {
		printf("kvm:         API %" JSON_INTEGER_FORMAT ", KVM_CAP_MAX_VCPUS %" JSON_INTEGER_FORMAT
		       ", TSC %" JSON_INTEGER_FORMAT " kHz\n",
		       json_integer_value(json_object_get(k, "api_version")),
		       json_integer_value(json_object_get(k, "max_vcpus")),
		       json_integer_value(json_object_get(k, "tsc_khz")));
	} else {
		printf("kvm:         unavailable: %s\n", json_string_value(json_object_get(k, "reason")));
	}
	info__print_kvm_host(json_object_get(k, "host"));
	printf("backend:     %s%s%s\n", json_string_value(json_object_get(o, "backend")),
	       *json_string_value(json_object_get(o, "backend_note")) ? " - " : "",
	       json_string_value(json_object_get(o, "backend_note")));
	printf("\ndesigns:\n");
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(o, "designs"), i, e) {
		printf("  %-14s %s\n", json_string_value(json_object_get(e, "name")),
		       json_string_value(json_object_get(e, "desc")));
		info__print_keys(e);
	}
	printf("\npressure modes:\n");
	json_array_foreach(json_object_get(o, "pressure"), i, e) {
		bool ok = json_is_true(json_object_get(e, "available"));
		printf("  %-8s %-11s %s\n", json_string_value(json_object_get(e, "name")),
		       ok ? "available" : "UNAVAILABLE",
		       ok ? json_string_value(json_object_get(e, "desc")) : json_string_value(json_object_get(e, "why")));
		info__print_keys(e);
	}
	json_t *pf = json_object_get(o, "perf");
	printf("\nperf:\n  record   %s\n  stat     %s\n",
	       json_is_true(json_object_get(pf, "record")) ? "available" : json_string_value(json_object_get(pf, "record")),
	       json_is_true(json_object_get(pf, "stat")) ? "available" : json_string_value(json_object_get(pf, "stat")));
	printf("\ntopology:\n");
	topology__print(stdout);
	json_decref(o);
	return 0;
}
