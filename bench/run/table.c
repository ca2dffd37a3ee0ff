// SPDX-License-Identifier: MIT
/* Console tables and verdicts of `bench run` (see table.h). */
#include <stdio.h>
#include <string.h>

#include "design.h"
#include "results.h"
#include "table.h"
#include "exit-codes.h"
#include "util.h"

void table__label(json_t *run, char *key, size_t len)
{
	const char *k = json_string_value(json_object_get(run, "key"));

	key[0] = 0;
	for (const char *p = k; p && *p;) {
		const char *eq = strchr(p, '='), *comma = strchr(p, ',');
		if (!eq)
			break;
		int vl = comma ? (int)(comma - eq - 1) : (int)strlen(eq + 1);
		size_t used = strlen(key);
		snprintf(key + used, len - used, "%s%.*s", used ? "/" : "", vl, eq + 1);
		p = comma ? comma + 1 : NULL;
	}
	if (json_integer_value(json_object_get(run, "repeat")))
		snprintf(key + strlen(key), len - strlen(key), " #%" JSON_INTEGER_FORMAT,
			 json_integer_value(json_object_get(run, "repeat")));
}

bool table__is_rtt(json_t *run)
{
	const char *w = json_string_value(json_object_get(run, "workload"));

	return w && strcmp(w, "mixed") != 0;
}

static const char *verdict(json_t *run)
{
	const char *v = json_string_value(json_object_get(run, "verdict"));

	if (v)
		return v;
	/* results from before verdicts existed */
	return json_is_true(json_object_get(json_object_get(run, "oracle"), "ok")) ? "ok" : "FAIL";
}

static void table__mixed(json_t *runs, int w)
{
	size_t i;
	json_t *run;
	char key[512], a[7][40];

	printf("\n%-*s %9s %8s %11s %11s %11s %11s %7s %s\n", w, "variant", "flushes/s", "suspends",
	       "resume p50", "resume p99", "flush p99", "gp p99", "scanned", "verdict");
	json_array_foreach(runs, i, run) {
		if (table__is_rtt(run) || !json_object_get(run, "metrics"))
			continue;       /* failed variants are listed apart */
		table__label(run, key, sizeof(key));
		printf("%-*s %9s %8s %11s %11s %11s %11s %7s %s\n", w, key,
		       results__fmt(run, "rates.flushes_per_s", RESULTS_FMT_INT, a[0], sizeof(a[0])),
		       results__fmt(run, "counters.suspends", RESULTS_FMT_INT, a[1], sizeof(a[1])),
		       results__fmt(run, "resume_latency.p50", RESULTS_FMT_NS, a[2], sizeof(a[2])),
		       results__fmt(run, "resume_latency.p99", RESULTS_FMT_NS, a[3], sizeof(a[3])),
		       results__fmt(run, "flush_latency.p99", RESULTS_FMT_NS, a[4], sizeof(a[4])),
		       results__fmt(run, "grace_period.p99", RESULTS_FMT_NS, a[5], sizeof(a[5])),
		       results__fmt(run, "scanned_per_uninhibit.mean", RESULTS_FMT_REAL, a[6], sizeof(a[6])),
		       verdict(run));
	}
}

static void table__rtt(json_t *runs, int w)
{
	size_t i;
	json_t *run;
	char key[512], a[5][40];
	double null_p50 = 0;

	printf("\n%-*s %10s %10s %10s %10s %10s\n", w, "variant (exit floor)", "exits/s", "rtt p50",
	       "rtt p90", "rtt p99", "errors");
	json_array_foreach(runs, i, run)
		if (!strcmp(json_string_value(json_object_get(run, "workload")), "null") && !null_p50)
			results__metric_value(run, "exit_rtt.p50", &null_p50);
	json_array_foreach(runs, i, run) {
		if (!table__is_rtt(run) || !json_object_get(run, "metrics"))
			continue;
		bool hc = !strcmp(json_string_value(json_object_get(run, "workload")), "hypercall");
		const char *m = hc ? "hypercall_rtt" : "exit_rtt";
		char p50[64], p90[64], p99[64];
		double v50 = 0;
		table__label(run, key, sizeof(key));
		snprintf(p50, sizeof(p50), "%s.p50", m);
		snprintf(p90, sizeof(p90), "%s.p90", m);
		snprintf(p99, sizeof(p99), "%s.p99", m);
		printf("%-*s %10s %10s %10s %10s %10s", w, key,
		       results__fmt(run, "rates.exits_per_s", RESULTS_FMT_INT, a[0], sizeof(a[0])),
		       results__fmt(run, p50, RESULTS_FMT_NS, a[1], sizeof(a[1])),
		       results__fmt(run, p90, RESULTS_FMT_NS, a[2], sizeof(a[2])),
		       results__fmt(run, p99, RESULTS_FMT_NS, a[3], sizeof(a[3])),
		       results__fmt(run, "counters.hypercall_errors", RESULTS_FMT_INT, a[4], sizeof(a[4])));
		if (hc && null_p50 > 0 && !results__metric_value(run, p50, &v50))
			printf("   %.2fx the null exit", v50 / null_p50);
		putchar('\n');
	}
}

void table__print_runs(json_t *runs)
{
	size_t i;
	json_t *run;
	char key[512];
	int w = 24;
	bool any_mixed = false, any_rtt = false;

	json_array_foreach(runs, i, run) {
		table__label(run, key, sizeof(key));
		if ((int)strlen(key) + 2 > w)
			w = (int)strlen(key) + 2;
		any_rtt |= table__is_rtt(run);
		any_mixed |= !table__is_rtt(run);
	}
	if (any_mixed)
		table__mixed(runs, w);
	if (any_rtt)
		table__rtt(runs, w);
	if (any_mixed)
		printf("(-: no samples; >=: a lower bound, something was still in flight at the end)\n");
}

static void table__oracle_events(FILE *f, json_t *o)
{
	size_t j;
	json_t *e;

	json_array_foreach(json_object_get(o, "events"), j, e) {
		if (j >= 5)
			break;
		fprintf(f, "  %s: vCPU %" JSON_INTEGER_FORMAT " target %" JSON_INTEGER_FORMAT
			" seq %" JSON_INTEGER_FORMAT ": %s\n",
			json_string_value(json_object_get(e, "kind")),
			json_integer_value(json_object_get(e, "vcpu")),
			json_integer_value(json_object_get(e, "target")),
			json_integer_value(json_object_get(e, "seq")),
			json_string_value(json_object_get(e, "detail")));
	}
}

int table__verdicts(json_t *runs, const struct run_config *variants, unsigned nr_variants)
{
	size_t i;
	json_t *run;
	int rc = 0;

	json_array_foreach(runs, i, run) {
		const char *v = verdict(run), *key = json_string_value(json_object_get(run, "key"));
		const char *detail = json_string_value(json_object_get(run, "verdict_detail"));
		if (!strcmp(v, "ok") || json_object_get(run, "failure"))
			continue;       /* the supervisor's failures are reported (and counted) apart */
		if (!strcmp(v, "stalled")) {
			/* a finding about the design, said plainly; not a failure */
			printf("bench run: %s STALLED: %s\n", key, detail ? detail : "");
			continue;
		}
		if (!strcmp(v, "timeout")) {
			fprintf(stderr, "bench run: error: %s timed out: %s\n", key, detail ? detail : "");
			rc = FB_EXIT_FAIL;
			continue;
		}
		/* an oracle failure exits 1 whatever the design: a deliberately
		 * broken one is expected to fail, and the exit says it did */
		json_t *o = json_object_get(run, "oracle");
		json_int_t vi = json_integer_value(json_object_get(run, "variant"));
		const struct design_ops *d = vi >= 0 && vi < (json_int_t)nr_variants ? variants[vi].r.design : NULL;
		bool broken = d && (d->flags & DESIGN_F_BROKEN);
		fprintf(stderr, "bench run: error: %s in %s: %s%s\n", v, key, detail ? detail : "",
			broken ? " (a deliberately broken design: the oracle caught it)" : "");
		table__oracle_events(stderr, o);
		rc = FB_EXIT_FAIL;
	}
	return rc;
}

/* Variants the supervisor recorded as failed / timeout, with the cause. */
unsigned table__print_failures(json_t *runs)
{
	size_t i;
	json_t *run;
	char key[512];
	unsigned n = 0;

	json_array_foreach(runs, i, run) {
		json_t *f = json_object_get(run, "failure");
		if (!f)
			continue;
		if (!n++)
			printf("\nfailed variants:\n");
		table__label(run, key, sizeof(key));
		printf("  %s: %s: %s\n", key, json_string_value(json_object_get(run, "verdict")),
		       json_string_value(json_object_get(f, "cause")));
	}
	return n;
}
