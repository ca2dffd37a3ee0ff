// SPDX-License-Identifier: MIT
/* Self-contained HTML report of one results tree (docs/PLOTS.md). */
#define _GNU_SOURCE     /* open_memstream */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "plot.h"
#include "plot-int.h"
#include "report.h"
#include "util.h"

static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* A JSON value as text (strings unquoted, others compact JSON), escaped. */
static void esc_json(FILE *f, json_t *v)
{
	if (json_is_string(v)) {
		esc(f, json_string_value(v));
	} else {
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		esc(f, s ? s : "?");
		free(s);
	}
}

static void fmt_value(double v, const char *path, char *buf, size_t len)
{
	bool ns = strncmp(path, "rates.", 6) && strncmp(path, "counters.", 9);
	if (isnan(v))
		snprintf(buf, len, "–");
	else if (!ns)
		snprintf(buf, len, v >= 100 ? "%.0f" : "%.2f", v);
	else if (fabs(v) < 1e3)
		snprintf(buf, len, "%.0f ns", v);
	else if (fabs(v) < 1e6)
		snprintf(buf, len, "%.1f µs", v / 1e3);
	else if (fabs(v) < 1e9)
		snprintf(buf, len, "%.2f ms", v / 1e6);
	else
		snprintf(buf, len, "%.2f s", v / 1e9);
}

static const char css[] =
	"body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em auto;max-width:1400px;"
	"padding:0 1em;color:#222;line-height:1.4}\n"
	"h1{margin-bottom:0}.sub{color:#666;margin-top:.2em}\n"
	"table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:.92em}\n"
	"th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}\n"
	"th{background:#f2f2f2}td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
	"tr.base td{background:#f7f7ff}.bad{color:#fff;background:#d62728 !important;font-weight:bold}\n"
	".worse{color:#b01010}.better{color:#1a7a1a}.ok{color:#1a7a1a}\n"
	".regressed{background:#fbd5d5}.improved{background:#d8f0d8}\n"
	"figure{margin:1em 0 2.5em}figure svg,figure img{width:100%;height:auto;border:1px solid #eee}\n"
	"figcaption{color:#555;font-size:.9em}nav a{margin-right:1em}code{background:#f4f4f4;padding:0 .2em}\n";

static void section_env(FILE *f, json_t *root)
{
	json_t *env = json_object_get(root, "env"), *v, *tool = json_object_get(root, "tool");
	const char *k;

	fprintf(f, "<h2 id=\"env\">Environment</h2>\n<table>\n");
	if (json_is_object(tool)) {
		fprintf(f, "<tr><th>tool</th><td>");
		esc_json(f, json_object_get(tool, "name"));
		fputc(' ', f);
		esc_json(f, json_object_get(tool, "version"));
		fprintf(f, " (");
		esc_json(f, json_object_get(tool, "git"));
		fprintf(f, ")</td></tr>\n");
	}
	json_object_foreach(env, k, v) {
		if (!strcmp(k, "topology"))     /* big; summarised by bench info */
			continue;
		fprintf(f, "<tr><th>");
		esc(f, k);
		fprintf(f, "</th><td>");
		if (json_is_null(v))
			fprintf(f, "–");
		else
			esc_json(f, v);
		fprintf(f, "</td></tr>\n");
	}
	fprintf(f, "</table>\n");
}

static void section_scenario(FILE *f, json_t *root)
{
	json_t *sc = json_object_get(root, "scenario"), *v;
	const char *k;

	fprintf(f, "<h2 id=\"scenario\">Scenario</h2>\n<table>\n");
	json_object_foreach(sc, k, v) {
		if (!strcmp(k, "keys") || !strcmp(k, "order"))
			continue;
		fprintf(f, "<tr><th>");
		esc(f, k);
		fprintf(f, "</th><td>");
		esc_json(f, v);
		fprintf(f, "</td></tr>\n");
	}
	fprintf(f, "</table>\n<table>\n<tr><th>key</th><th>value (as given, before expansion)</th></tr>\n");
	json_object_foreach(json_object_get(sc, "keys"), k, v) {
		fprintf(f, "<tr><td><code>");
		esc(f, k);
		fprintf(f, "</code></td><td>");
		esc_json(f, v);
		fprintf(f, "</td></tr>\n");
	}
	fprintf(f, "</table>\n");
}

static const char *const table_metrics[] = {
	"resume_latency.p50", "resume_latency.p99", "flush_latency.p99",
	"rates.flushes_per_s", "grace_period.p99", "counters.wakeups",
};
#define NR_TABLE_METRICS (sizeof(table_metrics) / sizeof(table_metrics[0]))

static double mean_of(const struct pvar *v, const char *path)
{
	double x[256], lo, mean, hi;
	unsigned n = pvar__values(v, path, x, 256);
	plot__minmeanmax(x, n, &lo, &mean, &hi);
	return mean;
}

/* Every variant against design=srcu,request=event with the same workload,
 * pressure and vCPU count (the RFC's design is the reference). */
static void section_table(FILE *f, struct pset *s)
{
	fprintf(f, "<h2 id=\"table\">Comparison table</h2>\n"
		"<p>Mean over repeats; in brackets the ratio to the baseline row "
		"<code>design=srcu,request=event</code> with the same workload, pressure and vCPUs "
		"(<span class=\"better\">green</span>: better by more than 5 %%, "
		"<span class=\"worse\">red</span>: worse by more than 5 %%); &ge;: a lower bound, "
		"something was still in flight when the window ended; &ndash;: no samples.</p>\n<table>\n"
		"<tr><th>workload</th><th>pressure</th><th>vCPUs</th><th>design/request</th><th>repeats</th>");
	for (size_t m = 0; m < NR_TABLE_METRICS; m++) {
		fprintf(f, "<th>");
		esc(f, table_metrics[m]);
		fprintf(f, "</th>");
	}
	fprintf(f, "</tr>\n");
	/* group order: pressure, vcpus, then the variants' canonical order */
	for (unsigned p = 0; p < s->nr_pressures; p++) {
		for (unsigned c = 0; c < s->nr_vcpus; c++) {
			for (unsigned k = 0; k < s->nr; k++) {
				struct pvar *v = &s->v[k], *b = NULL;
				if (strcmp(v->pressure, s->pressures[p]) || v->vcpus != s->vcpus[c])
					continue;
				for (unsigned j = 0; j < s->nr; j++)
					if (!strcmp(s->v[j].design, "srcu") && !strcmp(s->v[j].request, "event") &&
					    !strcmp(s->v[j].pressure, v->pressure) && s->v[j].vcpus == v->vcpus &&
					    !strcmp(s->v[j].workload, v->workload))
						b = &s->v[j];
				fprintf(f, "<tr%s><td>", b == v ? " class=\"base\"" : "");
				esc(f, v->workload);
				fprintf(f, "</td><td>");
				esc(f, v->pressure);
				fprintf(f, "</td><td class=\"num\">%ld</td><td>", v->vcpus);
				esc(f, v->label);
				fprintf(f, "%s</td><td class=\"num\">%u</td>", b == v ? " (baseline)" : "", v->nr_runs);
				for (size_t m = 0; m < NR_TABLE_METRICS; m++) {
					double x = mean_of(v, table_metrics[m]);
					double bx = b ? mean_of(b, table_metrics[m]) : NAN;
					char val[64];
					fmt_value(x, table_metrics[m], val, sizeof(val));
					/* censored: only a lower bound (docs/RESULTS.md) */
					fprintf(f, "<td class=\"num\">%s%s", !isnan(x) &&
						pvar__lower_bound(v, table_metrics[m]) ? "&ge; " : "", val);
					if (b && b != v && !isnan(x) && bx > 0) {
						double r = x / bx;
						int dir = compare__direction(table_metrics[m]);
						const char *cls = "";
						if (dir && fabs(r - 1) > 0.05)
							cls = (dir > 0) == (r > 1) ? "better" : "worse";
						fprintf(f, " <span class=\"%s\">(×%.2f)</span>", cls, r);
					}
					fprintf(f, "</td>");
				}
				fprintf(f, "</tr>\n");
			}
		}
	}
	fprintf(f, "</table>\n");
	for (unsigned k = 0; k < s->nr; k++)
		if (!strcmp(s->v[k].design, "srcu") && !strcmp(s->v[k].request, "event"))
			return;
	fprintf(f, "<p>These results have no <code>design=srcu,request=event</code> variant, "
		"so there are no ratios.</p>\n");
}

static void section_oracle(FILE *f, struct pset *s)
{
	static const char *const keys[] = { "lost_wakeups", "early_resumes", "pending_at_stop" };
	unsigned bad = 0;

	fprintf(f, "<h2 id=\"oracle\">Correctness oracle</h2>\n<table>\n<tr><th>variant</th><th>repeat</th>"
		"<th>lost wakeups</th><th>early resumes</th><th>pending at stop</th><th>events</th></tr>\n");
	for (unsigned k = 0; k < s->nr; k++) {
		for (unsigned r = 0; r < s->v[k].nr_runs; r++) {
			json_t *run = s->v[k].runs[r], *o = json_object_get(run, "oracle"), *ev;
			size_t i;
			fprintf(f, "<tr><td>");
			esc(f, s->v[k].key);
			fprintf(f, "</td><td class=\"num\">%lld</td>",
				(long long)json_integer_value(json_object_get(run, "repeat")));
			for (int j = 0; j < 3; j++) {
				json_t *x = json_object_get(o, keys[j]);
				if (!x) {
					fprintf(f, "<td class=\"num\">–</td>");
					continue;
				}
				json_int_t n = json_integer_value(x);
				bad += n != 0 && j < 2;
				fprintf(f, "<td class=\"num%s\">%lld</td>", n ? " bad" : "", (long long)n);
			}
			fprintf(f, "<td>");
			json_array_foreach(json_object_get(o, "events"), i, ev) {
				if (i == 8) {
					fprintf(f, "… %zu more", json_array_size(json_object_get(o, "events")) - 8);
					break;
				}
				esc_json(f, json_object_get(ev, "kind"));
				fprintf(f, " vcpu %lld target %lld seq %lld ",
					(long long)json_integer_value(json_object_get(ev, "vcpu")),
					(long long)json_integer_value(json_object_get(ev, "target")),
					(long long)json_integer_value(json_object_get(ev, "seq")));
				esc_json(f, json_object_get(ev, "detail"));
				fprintf(f, "<br>");
			}
			fprintf(f, "</td></tr>\n");
		}
	}
	fprintf(f, "</table>\n<p class=\"%s\">%s</p>\n", bad ? "worse" : "ok",
		bad ? "The oracle found lost wakeups or early resumes (red cells)."
		    : "No lost wakeups and no early resumes in any run.");
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[n] = 0;
		*len = (size_t)n;
	}
	return buf;
}

/* Inline an SVG: drop the XML prolog/doctype, and prefix its ids so several
 * gnuplot SVGs in one page do not share "gnuplot_canvas", "gpPt1", ... */
static void inline_svg(FILE *f, const char *name, const char *svg)
{
	const char *p = strstr(svg, "<svg");
	char idp[48];

	if (!p)
		return;
	snprintf(idp, sizeof(idp), "%s-", name);
	while (*p) {
		static const char *const pats[] = { "id=\"", "id='", "href=\"#", "href='#", "url(#" };
		size_t i, n = 0;
		for (i = 0; i < 5; i++) {
			n = strlen(pats[i]);
			/* "id" must be a whole attribute name, not the tail of "xlink:..id" etc. */
			if (!strncmp(p, pats[i], n) && (i > 1 || p == svg || p[-1] == ' ' || p[-1] == '\n' ||
							   p[-1] == '\t'))
				break;
		}
		if (i < 5) {
			fwrite(p, 1, n, f);
			fputs(idp, f);
			p += n;
		} else {
			fputc(*p++, f);
		}
	}
	fputc('\n', f);
}

static void b64(FILE *f, const unsigned char *d, size_t n)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = d[i] << 16 | (i + 1 < n ? d[i + 1] << 8 : 0) | (i + 2 < n ? d[i + 2] : 0);
		fputc(t[v >> 18 & 63], f);
		fputc(t[v >> 12 & 63], f);
		fputc(i + 1 < n ? t[v >> 6 & 63] : '=', f);
		fputc(i + 2 < n ? t[v & 63] : '=', f);
	}
}

static const struct { const char *name, *what; } plots[] = {
	{ "cdf", "Latency CDF (log x) per design/request, one panel per pressure mode." },
	{ "percentiles", "p50 / p99 / p99.9 per design/request; bar = mean over repeats, whisker = min..max." },
	{ "scaling", "p99 resume latency and flushes/s against vCPUs (log2 x)." },
	{ "timeseries", "Grace period and resume latency over the run, with the fault rate of the pressure mode." },
	{ "compare", "NEW vs BASE change per variant with 95 % CI; red = significant regression." },
};

/* Returns 1 when the plot was embedded. */
static int embed_plot(FILE *f, const char *dir, const char *name, const char *what)
{
	char path[4200];
	size_t len;
	char *data;

	snprintf(path, sizeof(path), "%s/plots/%s.svg", dir, name);
	data = slurp(path, &len);
	fprintf(f, "<figure id=\"plot-%s\">\n<figcaption><b>%s</b> — %s "
		"(<a href=\"plots/%s.svg\">plots/%s.svg</a>, script <code>plots/%s.gp</code>)</figcaption>\n",
		name, name, what, name, name, name);
	if (data) {
		inline_svg(f, name, data);
	} else {
		snprintf(path, sizeof(path), "%s/plots/%s.png", dir, name);
		data = slurp(path, &len);
		if (!data) {
			fprintf(f, "</figure>\n");
			return 0;
		}
		fprintf(f, "<img alt=\"%s plot\" src=\"data:image/png;base64,", name);
		b64(f, (const unsigned char *)data, len);
		fprintf(f, "\">\n");
	}
	free(data);
	fprintf(f, "</figure>\n");
	return 1;
}

static bool plot_exists(const char *dir, const char *name)
{
	char path[4200];
	FILE *f;
	snprintf(path, sizeof(path), "%s/plots/%s.svg", dir, name);
	if ((f = fopen(path, "rb")) || (snprintf(path, sizeof(path), "%s/plots/%s.png", dir, name),
					  (f = fopen(path, "rb")))) {
		fclose(f);
		return true;
	}
	return false;
}

static void section_compare(FILE *f, const char *dir, json_t *base, json_t *root)
{
	json_t *rows = plot__compare_rows(base, root), *row;
	size_t i;

	fprintf(f, "<h2 id=\"compare\">Comparison with BASE</h2>\n<p>BASE: ");
	esc_json(f, json_object_get(json_object_get(base, "env"), "start_time"));
	fprintf(f, " — ");
	esc_json(f, json_object_get(base, "command"));
	fprintf(f, "<br>NEW (this report): ");
	esc_json(f, json_object_get(json_object_get(root, "env"), "start_time"));
	fprintf(f, " — ");
	esc_json(f, json_object_get(root, "command"));
	fprintf(f, "<br>Verdicts as <code>bench compare</code>: significant when p &lt; 0.05 and "
		"|change| &gt; 5 %%.</p>\n");
	if (!json_array_size(rows)) {
		fprintf(f, "<p>No variant is in both BASE and NEW.</p>\n");
		json_decref(rows);
		return;
	}
	fprintf(f, "<table>\n<tr><th>variant</th><th>metric</th><th>BASE</th><th>NEW</th><th>change</th>"
		"<th>95 %% CI</th><th>p</th><th>test</th><th>verdict</th></tr>\n");
	json_array_foreach(rows, i, row) {
		const char *metric = json_string_value(json_object_get(row, "metric")) ?: "";
		const char *verdict = json_string_value(json_object_get(row, "verdict")) ?: "";
		json_t *ch = json_object_get(row, "change_pct"), *lo = json_object_get(row, "ci_lo_pct");
		json_t *hi = json_object_get(row, "ci_hi_pct"), *p = json_object_get(row, "p");
		char a[64], b[64];
		fmt_value(json_is_number(json_object_get(json_object_get(row, "base"), "mean")) ?
			  json_number_value(json_object_get(json_object_get(row, "base"), "mean")) : NAN,
			  metric, a, sizeof(a));
		fmt_value(json_is_number(json_object_get(json_object_get(row, "new"), "mean")) ?
			  json_number_value(json_object_get(json_object_get(row, "new"), "mean")) : NAN,
			  metric, b, sizeof(b));
		fprintf(f, "<tr class=\"%s\"><td>", !strcmp(verdict, "regressed") ? "regressed" :
			!strcmp(verdict, "improved") ? "improved" : "");
		esc_json(f, json_object_get(row, "variant"));
		fprintf(f, "</td><td>");
		esc(f, metric);
		fprintf(f, "</td><td class=\"num\">%s</td><td class=\"num\">%s</td>", a, b);
		if (json_is_number(ch))
			fprintf(f, "<td class=\"num\">%+.1f %%</td>", json_number_value(ch));
		else
			fprintf(f, "<td class=\"num\">–</td>");
		if (json_is_number(lo) && json_is_number(hi))
			fprintf(f, "<td class=\"num\">%+.1f … %+.1f %%</td>", json_number_value(lo), json_number_value(hi));
		else
			fprintf(f, "<td class=\"num\">–</td>");
		if (json_is_number(p))
			fprintf(f, "<td class=\"num\">%.3g</td>", json_number_value(p));
		else
			fprintf(f, "<td class=\"num\">–</td>");
		fprintf(f, "<td>");
		esc_json(f, json_object_get(row, "test"));
		fprintf(f, "</td><td>");
		esc(f, verdict);
		fprintf(f, "</td></tr>\n");
	}
	fprintf(f, "</table>\n");
	if (plot_exists(dir, "compare"))
		embed_plot(f, dir, "compare", plots[4].what);
	json_decref(rows);
}

int report__write(const char *dir, json_t *root, json_t *base, char *err, size_t errlen)
{
	char *buf = NULL, path[4200], caption[512];
	size_t len = 0;
	struct pset s;
	unsigned nplots = 0;
	FILE *f;
	int ret;

	if ((ret = pset__build(&s, root))) {
		snprintf(err, errlen, "out of memory");
		return ret;
	}
	f = open_memstream(&buf, &len);
	if (!f) {
		pset__free(&s);
		return -errno;
	}
	plot__caption(root, caption, sizeof(caption));
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<title>flushbench report%s — ", base ? " (compare)" : "");
	esc(f, caption);
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>flushbench report</h1>\n"
		"<p class=\"sub\">", css);
	esc(f, caption);
	fprintf(f, "<br><code>");
	esc_json(f, json_object_get(root, "command"));
	fprintf(f, "</code>%s</p>\n", json_is_false(json_object_get(root, "complete")) ?
		" — <b class=\"worse\">incomplete run (interrupted): only finished variants are shown</b>" : "");
	fprintf(f, "<nav><a href=\"#env\">environment</a><a href=\"#scenario\">scenario</a>"
		"<a href=\"#table\">table</a><a href=\"#oracle\">oracle</a><a href=\"#plots\">plots</a>%s</nav>\n",
		base ? "<a href=\"#compare\">compare</a>" : "");
	if (base)
		section_compare(f, dir, base, root);
	section_table(f, &s);
	section_oracle(f, &s);
	fprintf(f, "<h2 id=\"plots\">Plots</h2>\n");
	for (size_t i = 0; i < 4; i++)
		if (plot_exists(dir, plots[i].name))
			nplots += embed_plot(f, dir, plots[i].name, plots[i].what);
	if (!nplots)
		fprintf(f, "<p>No plots in <code>plots/</code>: run <code>bench plot DIR</code> "
			"(needs gnuplot: apt-get install gnuplot-nox).</p>\n");
	section_env(f, root);
	section_scenario(f, root);
	fprintf(f, "<p class=\"sub\">Written by <code>bench report</code>; the format of results.json is "
		"docs/RESULTS.md, the plots are described in docs/PLOTS.md.</p>\n</body>\n</html>\n");
	pset__free(&s);
	if (fclose(f)) {
		free(buf);
		snprintf(err, errlen, "out of memory writing the report");
		return -ENOMEM;
	}
	snprintf(path, sizeof(path), "%s/report.html", dir);
	ret = write_file_atomic(path, buf, len);
	free(buf);
	if (ret)
		snprintf(err, errlen, "cannot write %s: %s; check that the directory is writable",
			 path, strerror(-ret));
	return ret;
}
