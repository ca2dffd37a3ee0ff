// SPDX-License-Identifier: MIT
/* Achieved pressure per run, and rows not comparable to their baseline (achieved.h). */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "achieved.h"

static double num(json_t *o, const char *k, double def)
{
	json_t *v = json_object_get(o, k);
	return json_is_number(v) ? json_number_value(v) : def;
}

/* "a=1,b=2,c=3" without the keys listed in drop ("b=,c=") -> group id */
static void group_key(const char *key, const char *baseline, char *out, size_t len)
{
	size_t n = 0;
	const char *p = key;

	out[0] = '\0';
	while (p && *p) {
		const char *comma = strchr(p, ','), *eq = strchr(p, '=');
		size_t kl = eq && (!comma || eq < comma) ? (size_t)(eq - p) : 0;
		size_t il = comma ? (size_t)(comma - p) : strlen(p);
		bool dropped = false;
		/* drop every key that the baseline names (design, request, ...) */
		for (const char *b = baseline; kl && b && *b;) {
			const char *bc = strchr(b, ','), *be = strchr(b, '=');
			size_t bl = be && (!bc || be < bc) ? (size_t)(be - b) : 0;
			if (bl == kl && !strncmp(b, p, kl))
				dropped = true;
			b = bc ? bc + 1 : NULL;
		}
		if (!dropped && n + il + 2 < len)
			n += (size_t)snprintf(out + n, len - n, "%s%.*s", n ? "," : "", (int)il, p);
		p = comma ? comma + 1 : NULL;
	}
}

/* Does the run's key contain every K=V of baseline? */
static bool is_baseline(const char *key, const char *baseline)
{
	char want[256];

	for (const char *b = baseline; b && *b;) {
		const char *bc = strchr(b, ',');
		size_t bl = bc ? (size_t)(bc - b) : strlen(b);
		snprintf(want, sizeof(want), "%.*s", (int)bl, b);
		size_t wl = strlen(want);
		bool found = false;
		for (const char *k = key; k && *k;) {
			const char *kc = strchr(k, ',');
			size_t kl = kc ? (size_t)(kc - k) : strlen(k);
			if (kl == wl && !strncmp(k, want, wl))
				found = true;
			k = kc ? kc + 1 : NULL;
		}
		if (!found)
			return false;
		b = bc ? bc + 1 : NULL;
	}
	return true;
}

/* The achieved figures of one run; NULL when its mode applies no pressure. */
static json_t *achieved__run(json_t *run)
{
	const char *mode = json_string_value(json_object_get(run, "pressure"));
	json_t *ps = json_object_get(run, "pressure_stats"), *cfg = json_object_get(run, "config");
	json_t *counters = json_object_get(json_object_get(run, "metrics"), "counters");
	double secs = num(run, "duration_s", 0);
	json_t *o;

	if (!mode || !strcmp(mode, "none") || secs <= 0 || !json_is_object(json_object_get(run, "metrics")))
		return NULL;
	o = json_object();
	json_object_set_new(o, "mode", json_string(mode));
	json_object_set_new(o, "window_s", json_real(secs));
	double rate = -1;
	if (!strcmp(mode, "paging")) {
		double faults = num(counters, "faults", 0), page = num(ps, "page_size", 4096);
		rate = faults / secs;
		json_object_set_new(o, "faults", json_integer((json_int_t)faults));
		json_object_set_new(o, "faults_per_s", json_real(rate));
		if (json_is_number(json_object_get(ps, "resident_limit_pages"))) {
			json_object_set_new(o, "resident_limit_mb",
				json_real(num(ps, "resident_limit_pages", 0) * page / (1 << 20)));
			json_object_set_new(o, "resident_peak_mb",
				json_real(num(ps, "resident_peak_pages", 0) * page / (1 << 20)));
		}
	} else if (!strcmp(mode, "swap")) {
		double ins = num(ps, "swap_ins", -1);
		if (ins >= 0) {
			rate = ins / secs;
			json_object_set_new(o, "swap_ins", json_integer((json_int_t)ins));
			json_object_set_new(o, "swap_ins_per_s", json_real(rate));
			json_object_set_new(o, "swap_ins_source", json_string("/proc/vmstat pswpin (system-wide)"));
		}
		if (json_is_number(json_object_get(ps, "memcg_major_faults")))
			json_object_set_new(o, "memcg_major_faults_per_s",
					    json_real(num(ps, "memcg_major_faults", 0) / secs));
		if (json_is_number(json_object_get(ps, "resident_mb_mean"))) {
			json_object_set_new(o, "resident_mean_mb", json_real(num(ps, "resident_mb_mean", 0)));
			json_object_set_new(o, "resident_peak_mb", json_real(num(ps, "resident_mb_peak", 0)));
		}
		/* the memory cgroup's limit covers the whole process, not only the data */
		if (json_is_number(json_object_get(ps, "memcg_limit_mb")))
			json_object_set_new(o, "resident_limit_mb", json_real(num(ps, "memcg_limit_mb", 0)));
		(void)cfg;
	}
	json_object_set_new(o, "rate_per_s", rate >= 0 ? json_real(rate) : json_null());
	json_object_set_new(o, "flags", json_array());
	if (rate >= 0 && rate < ACHIEVED_MIN_PER_S)
		json_array_append_new(json_object_get(o, "flags"), json_string("almost-none"));
	return o;
}

void achieved__annotate(json_t *runs, const char *baseline)
{
	size_t i, j, n = json_array_size(runs);
	json_t *run;
	char gi[1024], gj[1024];

	if (!baseline || !*baseline)
		baseline = "design=srcu,request=event";
	json_array_foreach(runs, i, run) {
		json_t *a = achieved__run(run);
		if (a)
			json_object_set_new(run, "pressure_achieved", a);
	}
	/* each pressured row vs its group's baseline row (same key but the baseline's keys) */
	for (i = 0; i < n; i++) {
		json_t *a = json_object_get(json_array_get(runs, i), "pressure_achieved");
		const char *ki = json_string_value(json_object_get(json_array_get(runs, i), "key"));
		double ri = num(a, "rate_per_s", -1);
		if (!a || !ki || ri < 0)
			continue;
		group_key(ki, baseline, gi, sizeof(gi));
		for (j = 0; j < n; j++) {
			json_t *rj = json_array_get(runs, j), *b = json_object_get(rj, "pressure_achieved");
			const char *kj = json_string_value(json_object_get(rj, "key"));
			double rb = num(b, "rate_per_s", -1);
			if (!b || !kj || rb < 0 || !is_baseline(kj, baseline))
				continue;
			group_key(kj, baseline, gj, sizeof(gj));
			if (strcmp(gi, gj))
				continue;
			json_object_set_new(a, "baseline_rate_per_s", json_real(rb));
			double ratio = rb > 0 ? ri / rb : (ri > 0 ? INFINITY : 1);
			json_object_set_new(a, "vs_baseline", isfinite(ratio) ? json_real(ratio) : json_null());
			if (i != j && (ratio > ACHIEVED_MAX_RATIO || ratio < 1 / ACHIEVED_MAX_RATIO))
				json_array_append_new(json_object_get(a, "flags"), json_string("not-comparable"));
			break;
		}
	}
}

static void label(json_t *run, char *buf, size_t len)
{
	const char *k = json_string_value(json_object_get(run, "key"));
	size_t n = 0;

	buf[0] = '\0';
	for (const char *p = k; p && *p;) {
		const char *eq = strchr(p, '='), *comma = strchr(p, ',');
		if (!eq)
			break;
		int vl = comma ? (int)(comma - eq - 1) : (int)strlen(eq + 1);
		n += (size_t)snprintf(buf + n, len > n ? len - n : 0, "%s%.*s", n ? "/" : "", vl, eq + 1);
		p = comma ? comma + 1 : NULL;
	}
	if (json_integer_value(json_object_get(run, "repeat")))
		snprintf(buf + strlen(buf), len - strlen(buf), " #%" JSON_INTEGER_FORMAT,
			 json_integer_value(json_object_get(run, "repeat")));
}

void achieved__print(FILE *f, json_t *runs)
{
	size_t i;
	json_t *run;
	char key[512], rate[32], res[64];
	int w = 24;
	bool any = false;

	json_array_foreach(runs, i, run) {
		if (!json_object_get(run, "pressure_achieved"))
			continue;
		label(run, key, sizeof(key));
		if ((int)strlen(key) + 2 > w)
			w = (int)strlen(key) + 2;
		any = true;
	}
	if (!any)
		return;
	fprintf(f, "\n%-*s %8s %12s %18s  %s\n", w, "pressure achieved (window)", "mode", "per second",
		"resident / limit", "vs baseline row");
	json_array_foreach(runs, i, run) {
		json_t *a = json_object_get(run, "pressure_achieved"), *fl;
		if (!a)
			continue;
		label(run, key, sizeof(key));
		const char *mode = json_string_value(json_object_get(a, "mode"));
		double r = num(a, "rate_per_s", -1);
		if (r < 0)
			snprintf(rate, sizeof(rate), "–");
		else
			snprintf(rate, sizeof(rate), "%.0f %s", r, !strcmp(mode, "swap") ? "in" : "flt");
		double rp = num(a, "resident_peak_mb", -1), rm = num(a, "resident_mean_mb", rp),
		       lim = num(a, "resident_limit_mb", -1);
		if (rm >= 0 && lim > 0)
			snprintf(res, sizeof(res), "%.0f / %.0f MiB", rm, lim);
		else if (rm >= 0)
			snprintf(res, sizeof(res), "%.0f MiB", rm);
		else
			snprintf(res, sizeof(res), "–");
		fprintf(f, "%-*s %8s %12s %18s  ", w, key, mode, rate, res);
		json_t *vb = json_object_get(a, "vs_baseline");
		if (json_is_number(vb))
			fprintf(f, "%.2fx", json_number_value(vb));
		else
			fprintf(f, "–");
		size_t k;
		json_array_foreach(json_object_get(a, "flags"), k, fl) {
			const char *s = json_string_value(fl);
			if (!strcmp(s, "almost-none"))
				fprintf(f, "  ALMOST NO PRESSURE: this row measured no real %s", mode);
			else if (!strcmp(s, "not-comparable"))
				fprintf(f, "  NOT COMPARABLE: pressure differs >%.0fx from its baseline row",
					ACHIEVED_MAX_RATIO);
		}
		fputc('\n', f);
	}
}
