// SPDX-License-Identifier: MIT
/*
 * bench history trend: one metric across the runs of the history, a table
 * and a gnuplot plot (plots/trend.gp) with 95 % CIs, one line per series.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "history-sql.h"
#include "history-trend.h"
#include "plot-int.h"
#include "results.h"
#include "util.h"

#define TREND_MAX_X      256
#define TREND_MAX_SERIES 16

/* Does key carry every K=V of sel ("design=srcu,vcpus=8")? */
static bool key_matches(const char *key, const char *sel)
{
	char buf[512], v[256];

	if (!sel || !*sel)
		return true;
	snprintf(buf, sizeof(buf), "%s", sel);
	for (char *save = NULL, *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		if (!eq)
			return false;
		*eq = 0;
		if (strcmp(results__key_part(key, kv, v, sizeof(v)), eq + 1))
			return false;
	}
	return true;
}

/* Label of a key: its design and the parts whose value differs among
 * keys[], "/"-joined. */
static void series_label(const char *key, char **keys, unsigned nk, char *out, size_t len)
{
	char names[32][64];
	unsigned nn = 0;

	for (const char *p = key; p && *p && nn < 32;) {
		const char *eq = strchr(p, '='), *comma = strchr(p, ',');
		if (!eq)
			break;
		snprintf(names[nn++], sizeof(names[0]), "%.*s", (int)(eq - p), p);
		p = comma ? comma + 1 : NULL;
	}
	out[0] = 0;
	for (unsigned i = 0; i < nn; i++) {
		char a[256], b[256];
		bool differs = false;
		for (unsigned k = 0; k < nk; k++)
			differs |= strcmp(results__key_part(key, names[i], a, sizeof(a)), results__key_part(keys[k], names[i], b, sizeof(b))) != 0;
		if (!differs && strcmp(names[i], "design"))
			continue;
		size_t u = strlen(out);
		snprintf(out + u, len - u, "%s%s", u ? "/" : "", results__key_part(key, names[i], a, sizeof(a)));
	}
	if (!out[0])
		snprintf(out, len, "all");
}

static bool metric_is_ns(const char *m)
{
	return strncmp(m, "rates.", 6) && strncmp(m, "counters.", 9) && strncmp(m, "cpu.", 4) &&
	       strncmp(m, "scanned", 7) && strchr(m, '.');
}

struct point {
	double mean, lo, hi;
	long n, censored;
	const char *run_id;
	bool set;
};

int history__trend(struct history *h, const struct trend_opts *o, FILE *out, char *err, size_t len)
{
	struct history_rows r = { 0 };
	char *scen = NULL, *xs[TREND_MAX_X], *keys[TREND_MAX_SERIES];
	unsigned nx = 0, nk = 0;
	const char *p[3] = { o->metric, o->host, NULL };
	static struct point pts[TREND_MAX_SERIES][TREND_MAX_X];
	int ret;
	enum { C_ID, C_TIME, C_KERNEL, C_REV, C_KEY, C_N, C_MEAN, C_LO, C_HI, C_CENS };

	if (o->scenario) {
		scen = xzalloc(strlen(o->scenario) + 3);
		sprintf(scen, "%%%s%%", o->scenario);
	}
	p[2] = scen;
	ret = history__query(h, SQL_TREND, 3, p, &r, err, len);
	free(scen);
	if (ret)
		return ret;
	memset(pts, 0, sizeof(pts));
	for (unsigned i = 0; i < r.n; i++) {
		const char *key = history_rows__get(&r, i, C_KEY);
		const char *x = history_rows__get(&r, i, !strcmp(o->by, "kernel") ? C_KERNEL :
						  !strcmp(o->by, "revision") ? C_REV : C_TIME);
		unsigned xi, ki;
		if (!key || !key_matches(key, o->variant))
			continue;
		if (!x)
			x = "?";
		if (!strcmp(o->by, "time")) {
			/* one point per run: label by time, unique by run id */
			for (xi = 0; xi < nx && strcmp(xs[xi] + strlen(xs[xi]) + 1, history_rows__get(&r, i, C_ID)); xi++)
				;
		} else {
			for (xi = 0; xi < nx && strcmp(xs[xi], x); xi++)
				;
		}
		if (xi == nx) {
			if (nx == TREND_MAX_X)
				continue;
			const char *id = history_rows__get(&r, i, C_ID);
			xs[nx] = xzalloc(strlen(x) + strlen(id) + 2);
			strcpy(xs[nx], x);
			strcpy(xs[nx] + strlen(x) + 1, id);
			nx++;
		}
		for (ki = 0; ki < nk && strcmp(keys[ki], key); ki++)
			;
		if (ki == nk) {
			if (nk == TREND_MAX_SERIES)
				continue;
			keys[nk++] = xstrdup(key);
		}
		/* rows are oldest first: a later run at the same x replaces it */
		struct point *pt = &pts[ki][xi];
		pt->mean = atof(history_rows__get(&r, i, C_MEAN) ? history_rows__get(&r, i, C_MEAN) : "nan");
		pt->lo = history_rows__get(&r, i, C_LO) ? atof(history_rows__get(&r, i, C_LO)) : pt->mean;
		pt->hi = history_rows__get(&r, i, C_HI) ? atof(history_rows__get(&r, i, C_HI)) : pt->mean;
		pt->n = atol(history_rows__get(&r, i, C_N) ? history_rows__get(&r, i, C_N) : "0");
		pt->censored = atol(history_rows__get(&r, i, C_CENS) ? history_rows__get(&r, i, C_CENS) : "0");
		pt->run_id = history_rows__get(&r, i, C_ID);
		pt->set = true;
	}
	if (!nk) {
		snprintf(err, len, "no run in the history has %s for a variant matching '%s'; "
			 "check 'bench history show @last' for metric and key names", o->metric,
			 o->variant ? o->variant : "(any)");
		ret = -ENOENT;
		goto out;
	}

	bool ns = metric_is_ns(o->metric);
	double scale = ns ? 1e-3 : 1.0;
	const char *unit = ns ? "us" : "";
	char labels[TREND_MAX_SERIES][96];
	for (unsigned k = 0; k < nk; k++) {
		char l[256];
		series_label(keys[k], keys, nk, l, sizeof(l));
		plot__safe(labels[k], sizeof(labels[k]), l);
	}
	fprintf(out, "%s by %s%s%s\n", o->metric, o->by, o->variant ? ", variants " : "", o->variant ? o->variant : "");
	fprintf(out, "%-28s %-20s %12s %25s %4s  %s\n", o->by, "series", ns ? "mean (us)" : "mean", "95% CI", "n", "run");
	for (unsigned xi = 0; xi < nx; xi++)
		for (unsigned k = 0; k < nk; k++) {
			struct point *pt = &pts[k][xi];
			char ci[64];
			if (!pt->set)
				continue;
			snprintf(ci, sizeof(ci), pt->n > 1 ? "%.1f - %.1f" : "(n=1, no CI)", pt->lo * scale, pt->hi * scale);
			fprintf(out, "%-28.28s %-20.20s %12.1f %25s %4ld  %s%s\n", xs[xi], labels[k], pt->mean * scale,
				ci, pt->n, pt->run_id, pt->censored ? "  (lower bound: censored)" : "");
		}
	if (!o->plot_dir)
		goto done;

	/* data file: one block per series */
	char *buf = NULL, *xt = NULL;
	size_t bl = 0, xl = 0;
	FILE *f = open_memstream(&buf, &bl), *fx = open_memstream(&xt, &xl);
	if (!f || !fx) {
		ret = -ENOMEM;
		snprintf(err, len, "out of memory");
		goto out;
	}
	for (unsigned k = 0; k < nk; k++) {
		fprintf(f, "# %s\n", labels[k]);
		for (unsigned xi = 0; xi < nx; xi++)
			if (pts[k][xi].set && isfinite(pts[k][xi].mean))
				fprintf(f, "%u %.6g %.6g %.6g\n", xi, pts[k][xi].mean * scale,
					pts[k][xi].lo * scale, pts[k][xi].hi * scale);
		fprintf(f, "\n\n");
	}
	fputc('(', fx);
	for (unsigned xi = 0; xi < nx; xi++) {
		char s[96];
		const char *x = xs[xi];
		if (!strcmp(o->by, "time") && strlen(x) >= 16)
			snprintf(s, sizeof(s), "%.10s %.8s", x, x + 11);  /* "2026-11-25 14:00:00" */
		else
			plot__safe(s, sizeof(s), x);
		fprintf(fx, "%s'%s' %u", xi ? ", " : "", s, xi);
	}
	fputc(')', fx);
	fclose(f);
	fclose(fx);

	if ((ret = plot__mkdirs(o->plot_dir, err, len)) ||
	    (ret = plot__write(o->plot_dir, "data/trend.dat", buf, bl, err, len))) {
		free(buf);
		free(xt);
		goto out;
	}
	free(buf);
	char title[256], caption[512], series[2048] = "", colors[1024] = "", dashes[256] = "", req[64], ylabel[128], xmax[16], design[64];
	snprintf(title, sizeof(title), "%s by %s", o->metric, o->by);
	snprintf(caption, sizeof(caption), "flushbench history: %s%s; mean over repeats, bars 95%% CI",
		 o->variant ? "variants " : "all variants", o->variant ? o->variant : "");
	for (unsigned k = 0; k < nk; k++) {
		size_t u = strlen(series), c = strlen(colors);
		snprintf(series + u, sizeof(series) - u, "%s%s", k ? " " : "", labels[k]);
		results__key_part(keys[k], "design", design, sizeof(design));
		snprintf(colors + c, sizeof(colors) - c, "%s%s", k ? " " : "", plot__design_color(design[0] ? design : labels[k]));
		results__key_part(keys[k], "request", req, sizeof(req));
		c = strlen(dashes);
		snprintf(dashes + c, sizeof(dashes) - c, "%s%d", k ? " " : "", plot__request_dash(req));
	}
	snprintf(ylabel, sizeof(ylabel), "%s%s%s%s", o->metric, *unit ? " (" : "", unit, *unit ? ")" : "");
	snprintf(xmax, sizeof(xmax), "%u", nx ? nx - 1 : 0);
	char *qt = gp__quote(title), *qc = gp__quote(caption), *qy = gp__quote(ylabel);
	struct tvar vars[] = {
		{ "DATA", "data/trend.dat" }, { "TITLE", qt }, { "CAPTION", qc }, { "SERIES", series },
		{ "COLORS", colors }, { "DASHES", dashes }, { "YLABEL", qy }, { "XLABEL", o->by }, { "WIDTH", "900" },
		{ "HEIGHT", "560" }, { "NAME", "trend" }, { "XTICS", xt }, { "XMAX", xmax },
	};
	struct plot_job job = { .dir = o->plot_dir, .name = "trend", .format = o->format };
	ret = plot__render(&job, vars, sizeof(vars) / sizeof(vars[0]), err, len);
	free(qt);
	free(qc);
	free(qy);
	free(xt);
	if (ret)
		goto out;
	fprintf(out, "plot: %s\n", job.made);
done:
	ret = 0;
out:
	for (unsigned i = 0; i < nx; i++)
		free(xs[i]);
	for (unsigned k = 0; k < nk; k++)
		free(keys[k]);
	history_rows__free(&r);
	return ret;
}
