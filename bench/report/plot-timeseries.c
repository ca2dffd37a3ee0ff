// SPDX-License-Identifier: MIT
/* The time-series plot of `bench plot`: stalls over time vs fault rate (docs/PLOTS.md). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot-int.h"

static json_t *run_timeseries(json_t *run)
{
	json_t *ts = json_object_get(run, "timeseries");
	return json_array_size(json_object_get(ts, "t_s")) >= 2 ? ts : NULL;
}

static double arr_at(json_t *ts, const char *k, size_t i)
{
	json_t *a = json_object_get(ts, k);
	return json_is_number(json_array_get(a, i)) ? json_number_value(json_array_get(a, i)) : NAN;
}

int plot__timeseries(struct plot_ctx *c)
{
	long vcpus = plot__focus_vcpus(c);
	const char *request = NULL, *pressure = c->set.pressures[0];
	char titles[1024] = "", title[256], sub[256];
	double ylo = INFINITY, yhi = 0, y2hi = 0;
	unsigned np = 0;
	bool faults = false;
	long repeat = -1;
	struct dfile d;
	struct vars vs = { 0 };
	int ret;

	/* One comparable set: request=unblock when present, the first real
	 * pressure mode when there is one, the largest vCPU count. */
	for (unsigned k = 0; k < c->set.nr; k++) {
		struct pvar *v = &c->set.v[k];
		if (!request || !strcmp(v->request, "unblock"))
			request = v->request;
	}
	for (unsigned p = 0; p < c->set.nr_pressures; p++)
		if (strcmp(c->set.pressures[p], "none")) {
			pressure = c->set.pressures[p];
			break;
		}
	if (!request || !pressure) {
		plot__note(c, "timeseries", "skipped, no runs");
		return 0;
	}
	if ((ret = dfile__open(&d, "time series; one block per design")))
		return ret;
	fprintf(d.f, "# columns: t_s gp_max_us resume_max_us faults_per_s (NaN: nothing measured in the interval)\n");
	for (unsigned k = 0; k < c->set.nr; k++) {
		struct pvar *v = &c->set.v[k];
		json_t *ts = NULL, *run = NULL;
		double interval;
		size_t n;
		bool any = false;

		// NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): pset__build() never stores NULL here
		if (v->vcpus != vcpus || strcmp(v->request, request) || strcmp(v->pressure, pressure))
			continue;
		for (unsigned r = 0; r < v->nr_runs && !ts; r++)
			if ((ts = run_timeseries(v->runs[r])))
				run = v->runs[r];
		if (!ts)
			continue;
		n = json_array_size(json_object_get(ts, "t_s"));
		for (size_t i = 0; i < n; i++)
			any |= arr_at(ts, "gp_max_ns", i) > 0 || arr_at(ts, "resume_max_ns", i) > 0;
		if (!any)
			continue;
		interval = json_number_value(json_object_get(ts, "interval_ms")) / 1000.0;
		if (!(interval > 0))
			interval = arr_at(ts, "t_s", 1) - arr_at(ts, "t_s", 0);
		fprintf(d.f, "\n\n# design=%s request=%s pressure=%s vcpus=%ld repeat=%lld\n", v->design,
			v->request, v->pressure, v->vcpus, (long long)json_integer_value(json_object_get(run, "repeat")));
		bool gps = false;
		for (size_t i = 0; i < n; i++) {
			double gp = arr_at(ts, "gp_max_ns", i), rs = arr_at(ts, "resume_max_ns", i);
			double f = arr_at(ts, "faults", i);
			faults |= f > 0;
			gps |= gp > 0;
			if (gp > 0)
				ylo = fmin(ylo, gp / 1000), yhi = fmax(yhi, gp / 1000);
			if (rs > 0)
				ylo = fmin(ylo, rs / 1000), yhi = fmax(yhi, rs / 1000);
			if (interval > 0 && f > 0)
				y2hi = fmax(y2hi, f / interval);
			fprintf(d.f, "%.3f %.4f %.4f %.1f\n", arr_at(ts, "t_s", i),
				gp > 0 ? gp / 1000 : NAN, rs > 0 ? rs / 1000 : NAN,
				interval > 0 && !isnan(f) ? f / interval : NAN);
		}
		char safe[64];
		plot__safe(safe, sizeof(safe), v->design);
		snprintf(titles + strlen(titles), sizeof(titles) - strlen(titles), "%s\"design %s%s\"",
			 np ? " " : "", safe, gps ? "" : " (no grace periods)");
		if (repeat < 0)
			repeat = (long)json_integer_value(json_object_get(run, "repeat"));
		np++;
	}
	if (!np) {
		fclose(d.f);
		free(d.buf);
		plot__note(c, "timeseries", "skipped, runs have no timeseries");
		return 0;
	}
	if ((ret = dfile__commit(c, &d, "data/timeseries.dat")))
		return ret;
	faults |= strcmp(pressure, "none") != 0;
	snprintf(title, sizeof(title), "Stalls over time: grace period and resume latency%s",
		 faults ? " vs fault rate" : "");
	snprintf(sub, sizeof(sub), "request=%s, pressure=%s, %ld vCPUs, repeat %ld, max per sampling interval",
		 *request ? request : "-", pressure, vcpus, repeat);
	plot__common_vars(c, &vs, "timeseries", title, 1100, 270 * np + 230);
	vars__addq(&vs, "SUBTITLE", sub);
	vars__add(&vs, "TITLES", "%s", titles);
	vars__add(&vs, "FAULTS", "%d", faults ? 1 : 0);
	vars__add(&vs, "YMIN", "%.12g", pow(10, floor(log10(ylo))));
	vars__add(&vs, "YMAX", "%.12g", pow(10, ceil(log10(yhi * 1.05))));
	vars__add(&vs, "Y2MAX", "%.12g", y2hi > 0 ? y2hi * 1.1 : 1.0);
	ret = plot__draw(c, "timeseries", &vs);
	vars__free(&vs);
	return ret ? ret : 1;
}
