// SPDX-License-Identifier: MIT
/* Compare plot (`bench plot --compare BASE NEW`) and the rows behind it.
 * Verdicts come from compare__runs() so the plot, the report and
 * `bench compare` never disagree; the plot adds a bootstrap CI of the change. */
#define _GNU_SOURCE     /* open_memstream */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "plot.h"
#include "plot-int.h"
#include "stats.h"
#include "util.h"

#define NBOOT 2000

static json_t *runs_of(json_t *root, const char *key)
{
	json_t *out = json_array(), *run;
	size_t i;
	json_array_foreach(json_object_get(root, "runs"), i, run)
		if (!strcmp(json_string_value(json_object_get(run, "key")) ?: "", key))
			json_array_append(out, run);
	return out;
}

static unsigned values(json_t *runs, const char *path, double *x, unsigned max)
{
	json_t *run;
	size_t i;
	unsigned n = 0;
	json_array_foreach(runs, i, run) {
		double v = pvar__metric(run, path);
		if (!isnan(v) && n < max)
			x[n++] = v;
	}
	return n;
}

/* Split row["variant"] ("k=v,k=v", copied into key) into its k=v pairs;
 * parts without '=' are skipped.  The number of pairs (a 512-byte key has
 * at most 256). */
static unsigned variant_pairs(json_t *row, char key[512], char *k[256], char *v[256])
{
	char *save = NULL, *tok;
	unsigned n = 0;

	snprintf(key, 512, "%s", json_string_value(json_object_get(row, "variant")) ?: "");
	for (tok = strtok_r(key, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		if (!eq)
			continue;
		*eq = 0;
		k[n] = tok;
		v[n++] = eq + 1;
	}
	return n;
}

/* Short labels: the key=value pairs that differ between the rows' variants,
 * values joined with '/' ("srcu/event", or "srcu/event/paging"). */
static void add_labels(json_t *rows)
{
	char names[16][32];
	unsigned nnames = 0;
	bool varies[16] = { 0 };
	char first[16][64] = { { 0 } };
	char key[512], *ks[256], *vs[256];
	json_t *row;
	size_t i;

	json_array_foreach(rows, i, row) {
		unsigned n = variant_pairs(row, key, ks, vs);
		for (unsigned j = 0; j < n; j++) {
			unsigned k;
			for (k = 0; k < nnames && strcmp(names[k], ks[j]); k++)
				;
			if (k == nnames) {
				if (nnames == 16)
					continue;
				snprintf(names[nnames], sizeof(names[0]), "%s", ks[j]);
				snprintf(first[nnames++], sizeof(first[0]), "%s", vs[j]);
			} else if (strcmp(first[k], vs[j])) {
				varies[k] = true;
			}
		}
	}
	json_array_foreach(rows, i, row) {
		char label[256] = "", safe[256];
		unsigned n = variant_pairs(row, key, ks, vs);
		for (unsigned j = 0; j < n; j++) {
			unsigned k;
			for (k = 0; k < nnames && strcmp(names[k], ks[j]); k++)
				;
			if (k < nnames && varies[k])
				snprintf(label + strlen(label), sizeof(label) - strlen(label), "%s%s",
					 *label ? "/" : "", vs[j]);
		}
		if (!*label)
			snprintf(label, sizeof(label), "%s", json_string_value(json_object_get(row, "variant")) ?: "?");
		plot__safe(safe, sizeof(safe), label);
		json_object_set_new(row, "label", json_string(safe));
	}
}

json_t *plot__compare_rows(json_t *base, json_t *newr)
{
	struct compare_opts o;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_t *doc, *rows, *row;
	json_error_t jerr;
	size_t i;
	int ret;

	if (!f)
		return NULL;
	compare__default_opts(&o);
	o.format = "json";
	ret = compare__runs(base, newr, &o, f);
	fclose(f);
	doc = ret == 2 ? NULL : json_loadb(buf, len, 0, &jerr);
	free(buf);
	rows = json_incref(json_object_get(doc, "rows"));
	json_decref(doc);
	if (!json_is_array(rows)) {
		json_decref(rows);
		return NULL;
	}
	add_labels(rows);
	json_array_foreach(rows, i, row) {
		const char *key = json_string_value(json_object_get(row, "variant")) ?: "";
		const char *metric = json_string_value(json_object_get(row, "metric")) ?: "";
		json_t *rb = runs_of(base, key), *rn = runs_of(newr, key);
		double a[256], b[256], lo = NAN, hi = NAN;
		unsigned na = values(rb, metric, a, 256), nb = values(rn, metric, b, 256);

		if (na && nb) {
			stats__bootstrap_ratio_ci(a, na, b, nb, NBOOT, 0.95, 6, &lo, &hi);
			lo = (lo - 1) * 100;
			hi = (hi - 1) * 100;
		}
		json_object_set_new(row, "ci_lo_pct", isfinite(lo) ? json_real(lo) : json_null());
		json_object_set_new(row, "ci_hi_pct", isfinite(hi) ? json_real(hi) : json_null());
		json_decref(rb);
		json_decref(rn);
	}
	return rows;
}

static const char *verdict_color(const char *v)
{
	/* decimal RGB for gnuplot's "lc rgb variable" */
	if (!strcmp(v, "regressed"))
		return "14034728";      /* #d62728 red */
	if (!strcmp(v, "improved"))
		return "2924588";       /* #2ca02c green */
	return "10132122";              /* #9a9a9a grey */
}

int plot__compare(const char *outdir, json_t *base, json_t *newr, const char *format,
		  FILE *log, char *err, size_t errlen)
{
	const char *metrics[COMPARE_MAX_METRICS];
	unsigned nm = 0, nrows = 0;
	char mlist[512] = "", caption[600], title[256], labels[PLOT_MAX_LIST * 4][96];
	json_t *rows, *row;
	struct plot_job job = { .dir = outdir, .name = "compare", .format = format };
	struct tvar vars[16];
	char *buf = NULL, *qt, *qc, w[16], h[16], nr[16], lm[16], top[16], bot[16], keyy[16];
	size_t len = 0, i, maxlabel = 8;
	FILE *f;
	int ret;

	if ((ret = plot__check_gnuplot(err, errlen)))
		return ret;
	rows = plot__compare_rows(base, newr);
	if (!rows || !json_array_size(rows)) {
		if (log)
			fprintf(log, "plot compare: skipped, no variant in common between BASE and NEW\n");
		json_decref(rows);
		return 0;
	}
	/* metrics and variant rows in first-seen order */
	json_array_foreach(rows, i, row) {
		const char *m = json_string_value(json_object_get(row, "metric"));
		const char *l = json_string_value(json_object_get(row, "label"));
		unsigned k;
		for (k = 0; k < nm && strcmp(metrics[k], m); k++)
			;
		if (k == nm && nm < COMPARE_MAX_METRICS)
			metrics[nm++] = m;
		for (k = 0; k < nrows && strcmp(labels[k], l); k++)
			;
		if (k == nrows && nrows < PLOT_MAX_LIST * 4) {
			snprintf(labels[nrows++], sizeof(labels[0]), "%s", l);
			maxlabel = strlen(l) > maxlabel ? strlen(l) : maxlabel;
		}
	}
	if ((ret = plot__mkdirs(outdir, err, errlen)))
		goto out;
	f = open_memstream(&buf, &len);
	if (!f) {
		ret = -errno;
		goto out;
	}
	fprintf(f, "# flushbench plot data: NEW vs BASE change per variant; one block per metric\n"
		"# columns: row change_pct ci_lo_pct ci_hi_pct colour label (verdict)\n");
	for (unsigned m = 0; m < nm; m++) {
		char safe[64];
		plot__safe(safe, sizeof(safe), metrics[m]);
		int dir = compare__direction(metrics[m]);
		snprintf(mlist + strlen(mlist), sizeof(mlist) - strlen(mlist), "%s\"%s%s\"", m ? " " : "", safe,
			 dir < 0 ? " (lower is better)" : dir > 0 ? " (higher is better)" : "");
		fprintf(f, "\n\n# %s\n", metrics[m]);
		for (unsigned r = 0; r < nrows; r++) {
			json_t *hit = NULL;
			json_array_foreach(rows, i, row)
				if (!strcmp(json_string_value(json_object_get(row, "metric")), metrics[m]) &&
				    !strcmp(json_string_value(json_object_get(row, "label")), labels[r]))
					hit = row;
			double ch = hit ? json_number_value(json_object_get(hit, "change_pct")) : NAN;
			json_t *lo = json_object_get(hit, "ci_lo_pct"), *hi = json_object_get(hit, "ci_hi_pct");
			const char *v = hit ? json_string_value(json_object_get(hit, "verdict")) : "";
			if (!json_is_number(json_object_get(hit, "change_pct")))
				ch = NAN;
			fprintf(f, "%u %.3f %.3f %.3f %s \"%s\" # %s\n", r, ch,
				json_is_number(lo) ? json_number_value(lo) : ch,
				json_is_number(hi) ? json_number_value(hi) : ch,
				verdict_color(v ?: ""), labels[r], v ?: "");
		}
	}
	fclose(f);
	ret = plot__write(outdir, "data/compare.dat", buf, len, err, errlen);
	free(buf);
	if (ret)
		goto out;

	{
		char cb[256], cn[256];
		plot__caption(base, cb, sizeof(cb));
		plot__caption(newr, cn, sizeof(cn));
		snprintf(caption, sizeof(caption), "BASE: %s   NEW: %s", cb, cn);
	}
	snprintf(title, sizeof(title), "NEW vs BASE: change per variant (mean over repeats, 95 %% CI)");
	qt = gp__quote(title);
	qc = gp__quote(caption);
	snprintf(w, sizeof(w), "%zu", 330 * (size_t)nm + 60 + 8 * maxlabel);
	unsigned height = 30 * nrows + 240;
	snprintf(h, sizeof(h), "%u", height);
	snprintf(top, sizeof(top), "%.3f", 1 - 110.0 / height);
	snprintf(bot, sizeof(bot), "%.3f", 85.0 / height);
	snprintf(keyy, sizeof(keyy), "%.3f", 1 - 56.0 / height);
	snprintf(nr, sizeof(nr), "%u", nrows);
	snprintf(lm, sizeof(lm), "%.3f", (8.0 * maxlabel + 30) / (330.0 * nm + 60 + 8 * maxlabel));
	vars[0] = (struct tvar){ "NAME", "compare" };
	vars[1] = (struct tvar){ "DATA", "data/compare.dat" };
	vars[2] = (struct tvar){ "TITLE", qt };
	vars[3] = (struct tvar){ "CAPTION", qc };
	vars[4] = (struct tvar){ "METRICS", mlist };
	vars[5] = (struct tvar){ "NROWS", nr };
	vars[6] = (struct tvar){ "WIDTH", w };
	vars[7] = (struct tvar){ "HEIGHT", h };
	vars[8] = (struct tvar){ "LMARGIN", lm };
	vars[9] = (struct tvar){ "TOP", top };
	vars[10] = (struct tvar){ "BOTTOM", bot };
	vars[11] = (struct tvar){ "KEYY", keyy };
	ret = plot__render(&job, vars, 12, err, errlen);
	free(qt);
	free(qc);
	if (!ret && log)
		fprintf(log, "plot compare: %s\n", job.made);
out:
	json_decref(rows);
	return ret ? ret : 1;
}
