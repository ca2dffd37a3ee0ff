// SPDX-License-Identifier: MIT
/*
 * bench verdict's header: what was compared, where and how (the runs'
 * designs, pressures, vCPU counts, machine), the problems of the runs
 * themselves, and the command that reproduces them (verdict.h).
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "results.h"
#include "verdict.h"
#include "verdict-int.h"

/* Lines are bounded by their buffers on purpose; snprintf truncates. */
#if defined(__GNUC__) && !defined(__clang__)   /* clang has no such warning */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

/* distinct values of run field name, ", "-joined in order of appearance */
void verdict__distinct(json_t *root, const char *name, char *out, size_t len, unsigned *count)
{
	json_t *runs = json_object_get(root, "runs"), *run;
	size_t i, l = 0;
	char seen[2048] = ",";

	out[0] = 0;
	*count = 0;
	json_array_foreach(runs, i, run) {
		char v[128], pat[132];
		json_t *x = json_object_get(run, name);
		if (json_is_string(x))
			snprintf(v, sizeof(v), "%s", json_string_value(x));
		else if (json_is_integer(x))
			snprintf(v, sizeof(v), "%" JSON_INTEGER_FORMAT, json_integer_value(x));
		else
			continue;
		snprintf(pat, sizeof(pat), ",%s,", v);
		if (strstr(seen, pat))
			continue;
		strncat(seen, v, sizeof(seen) - strlen(seen) - 2);
		strcat(seen, ",");
		l += (size_t)snprintf(out + l, len - l, "%s%s", l ? ", " : "", v);
		if (l >= len)
			l = len - 1;
		(*count)++;
	}
}

static const char *jstr(json_t *o, const char *k, const char *dflt)
{
	json_t *v = json_object_get(o, k);
	static char buf[4][64];
	static unsigned slot;

	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_boolean(v))
		return json_is_true(v) ? "yes" : "no";
	if (json_is_integer(v)) {
		char *b = buf[slot++ % 4];
		snprintf(b, 64, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return b;
	}
	return dflt;
}

void verdict__header(json_t *root, json_t *base, const char *axis, const char *mnames, bool md,
		   const struct verdict_opts *o, FILE *out)
{
	json_t *env = json_object_get(root, "env"), *kvm = json_object_get(env, "kvm");
	json_t *sc = json_object_get(root, "scenario"), *r0 = json_array_get(json_object_get(root, "runs"), 0);
	char line[1024], vals[512], vc[256];
	unsigned nvals, nvc, maxv = 0;
	size_t i;
	json_t *run;

	verdict__distinct(root, axis, vals, sizeof(vals), &nvals);
	if (base)
		snprintf(line, sizeof(line), "Question: did %s change from %s to %s?", mnames,
			 o->base_label ? o->base_label : "the base", o->new_label ? o->new_label : "this run");
	else
	{
		char *last = strrchr(vals, ',');
		char joined[600];
		if (last)
			snprintf(joined, sizeof(joined), "%.*s and%s", (int)(last - vals), vals, last + 1);
		else
			snprintf(joined, sizeof(joined), "%s", vals);
		snprintf(line, sizeof(line), "Question: how do %s%s %s compare on %s?",
			 nvals > 1 ? axis : "the variants of", nvals > 1 ? "s" : "", joined, mnames);
	}
	if (md)
		fprintf(out, "**%s**\n\n", line);
	else
		verdict__wrap(out, line, VERDICT_WIDTH, "", "  ");

	verdict__distinct(root, "vcpus", vc, sizeof(vc), &nvc);
	json_array_foreach(json_object_get(root, "runs"), i, run)
		if ((unsigned)json_integer_value(json_object_get(run, "vcpus")) > maxv)
			maxv = (unsigned)json_integer_value(json_object_get(run, "vcpus"));
	long hc = (long)json_integer_value(json_object_get(env, "host_cpus"));
	char oc[64] = "";
	if (hc > 0 && maxv)
		snprintf(oc, sizeof(oc), " (%.1fx overcommit)", (double)maxv / (double)hc);
	snprintf(line, sizeof(line), "Machine: kernel %s, KVM module %s, nested %s, %s host CPUs, "
		 "%s vCPUs%s, backend %s.", jstr(env, "kernel", "unknown"),
		 json_is_object(kvm) ? jstr(kvm, "module", "unknown") : "none",
		 json_is_object(kvm) ? jstr(kvm, "nested", "unknown") : "n/a",
		 jstr(env, "host_cpus", "?"), vc[0] ? vc : "?", oc, jstr(env, "backend", "unknown"));
	if (md)
		fprintf(out, "%s\n\n", line);
	else
		verdict__wrap(out, line, VERDICT_WIDTH, "", "  ");

	/* repeats per variant as measured (adaptive repeats may differ) */
	unsigned rmin = 0, rmax = 0, nk = 0;
	json_t *count = json_object();
	const char *k;
	json_t *c;
	json_array_foreach(json_object_get(root, "runs"), i, run) {
		const char *key = results__variant_key(run);
		json_object_set_new(count, key, json_integer(json_integer_value(json_object_get(count, key)) + 1));
	}
	json_object_foreach(count, k, c) {
		unsigned n = (unsigned)json_integer_value(c);
		rmin = nk ? (n < rmin ? n : rmin) : n;
		rmax = n > rmax ? n : rmax;
		nk++;
	}
	json_decref(count);
	char reps[32];
	if (rmin == rmax)
		snprintf(reps, sizeof(reps), "%u", rmin);
	else
		snprintf(reps, sizeof(reps), "%u-%u", rmin, rmax);
	snprintf(line, sizeof(line), "Scenario: %s, %u variants x %s repeats (seed %s), %s s per run%s.",
		 jstr(sc, "source", "unknown"), nk, reps, jstr(sc, "seed", "?"),
		 r0 ? (json_is_number(json_object_get(r0, "duration_s")) ?
		       (snprintf(vals, sizeof(vals), "%.1f", json_number_value(json_object_get(r0, "duration_s"))), vals) : "?") : "?",
		 rmax <= 1 ? "; ONE repeat: nothing below is tested for significance" : "");
	if (md)
		fprintf(out, "%s\n\n", line);
	else
		verdict__wrap(out, line, VERDICT_WIDTH, "", "  ");
}

/* Variants whose repeats did not all end "ok": stalled ones with the lower
 * bounds they reached. */
unsigned verdict__problems(json_t *root, const char *axis, bool md, FILE *out)
{
	json_t *runs = json_object_get(root, "runs"), *run, *done = json_object();
	unsigned np = 0;
	size_t i, j;

	json_array_foreach(runs, i, run) {
		const char *key = results__variant_key(run), *v = results__run_verdict(run);
		json_t *r2;
		unsigned total = 0, bad = 0;
		double lbv = INFINITY;
		char lbm[64] = "", ctx[256], name[96], line[1024], val[32];

		if (!strcmp(v, "ok") || json_object_get(done, key))
			continue;
		json_object_set_new(done, key, json_true());
		json_array_foreach(runs, j, r2) {
			json_t *lb;
			if (strcmp(results__variant_key(r2), key))
				continue;
			total++;
			if (strcmp(results__run_verdict(r2), v))
				continue;
			bad++;
			lb = json_object_get(json_object_get(json_object_get(r2, "metrics"), "resume_latency"), "lower_bound");
			if (json_array_size(lb)) {
				double x;
				const char *f = json_string_value(json_array_get(lb, 0));
				char path[96];
				for (size_t q = 0; q < json_array_size(lb); q++)
					if (!strcmp(json_string_value(json_array_get(lb, q)) ?: "", "p99"))
						f = "p99";
				snprintf(path, sizeof(path), "resume_latency.%s", f ? f : "p99");
				if (!results__metric_value(r2, path, &x) && x < lbv) {
					lbv = x;
					verdict__nice_metric(path, lbm, sizeof(lbm));
				}
			}
		}
		verdict__context(key, axis, ctx, sizeof(ctx));
		results__key_part(key, axis, name, sizeof(name));
		if (isfinite(lbv)) {
			verdict__fmt_ns(lbv, val, sizeof(val));
			snprintf(line, sizeof(line), "%s, %s %s in %u of %u repeats; its %s is at least %s "
				 "(a lower bound: the measurement was cut off).", ctx, name,
				 !strcmp(v, "stalled") ? "stalled" : v, bad, total, lbm, val);
		} else {
			snprintf(line, sizeof(line), "%s, %s ended '%s' in %u of %u repeats.", ctx, name, v, bad, total);
		}
		if (!np)
			fprintf(out, md ? "\n**Not ok:**\n\n" : "\nNot ok:\n");
		if (md)
			fprintf(out, "- %s\n", line);
		else
			verdict__wrap(out, line, VERDICT_WIDTH, "- ", "  ");
		np++;
	}
	json_decref(done);
	return np;
}

/* A command line wrapped with shell continuations, so it still pastes. */
void verdict__wrap_cmd(FILE *out, const char *cmd)
{
	unsigned col = 2;
	const char *p = cmd;

	fputs("  ", out);
	while (*p) {
		size_t w = strcspn(p, " ");
		if (col > 2 && col + 1 + w + 2 > VERDICT_WIDTH) {
			fputs(" \\\n    ", out);
			col = 4;
		} else if (col > 2) {
			fputc(' ', out);
			col++;
		}
		fprintf(out, "%.*s", (int)w, p);
		col += (unsigned)w;
		p += w;
		while (*p == ' ')
			p++;
	}
	fputc('\n', out);
}
