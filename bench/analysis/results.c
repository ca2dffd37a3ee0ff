// SPDX-License-Identifier: MIT
/*
 * results.json / results.csv writer and reader (docs/RESULTS.md).
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "censor.h"
#include "results.h"
#include "util.h"

/* json_integer takes a signed long long; our values are u64 ns that never
 * reach 2^63 in practice, but clamp rather than wrap. */
static json_t *ju64(uint64_t v)
{
	return json_integer(v > (uint64_t)LLONG_MAX ? LLONG_MAX : (json_int_t)v);
}

/* jansson refuses NaN/Inf; a rate over a zero window is reported as 0. */
static json_t *jreal(double v)
{
	return json_real(isfinite(v) ? v : 0.0);
}

json_t *results__hist_json(const struct hist *h, const char *unit)
{
	struct hist *hh = (struct hist *)h;   /* atomic loads only */
	struct hist_summary s;
	json_t *o = json_object(), *b = json_array();

	if (!o || !b)
		goto oom;
	hist__summary(h, &s);
	json_object_set_new(o, "unit", json_string(unit ? unit : "ns"));
	json_object_set_new(o, "count", ju64(s.count));
	json_object_set_new(o, "mean", jreal(s.mean));
	json_object_set_new(o, "min", ju64(s.min));
	json_object_set_new(o, "p50", ju64(s.p50));
	json_object_set_new(o, "p90", ju64(s.p90));
	json_object_set_new(o, "p99", ju64(s.p99));
	json_object_set_new(o, "p999", ju64(s.p999));
	json_object_set_new(o, "max", ju64(s.max));
	for (unsigned i = 0; i < HIST_NR; i++) {
		uint64_t c = atomic_load_explicit(&hh->buckets[i], memory_order_relaxed);
		if (c)
			json_array_append_new(b, json_pack("[oo]", ju64(hist__bucket_high(i)), ju64(c)));
	}
	json_object_set_new(o, "hist", b);
	return o;
oom:
	json_decref(o);
	json_decref(b);
	return NULL;
}

/* Percentile keys a censored value can move, in summary order. */
static const char *const pct_keys[] = { "p50", "p90", "p99", "p999" };

json_t *results__hist_json_censored(const struct hist *h, const char *unit,
				    const uint64_t *cens, unsigned nc)
{
	struct hist *all;
	struct hist_summary obs, s;
	uint64_t cmin = UINT64_MAX, cmax = 0;
	json_t *o, *lb;

	if (!nc)
		return results__hist_json(h, unit);
	/* Observed values plus each censored one at its age: the true values
	 * are >= these, so every statistic of the mix is a lower bound of the
	 * true one.  The same mix with the censored ones at +infinity gives an
	 * upper bound; where both fall in one bucket the statistic is exact
	 * (the censored values cannot move it), else it is a lower bound. */
	struct hist *hi;
	struct hist_summary up;
	if (posix_memalign((void **)&all, 64, sizeof(*all)))
		return NULL;
	if (posix_memalign((void **)&hi, 64, sizeof(*hi))) {
		free(all);
		return NULL;
	}
	hist__init(all);
	hist__init(hi);
	hist__merge(all, h);
	hist__merge(hi, h);
	for (unsigned i = 0; i < nc; i++) {
		hist__record(all, cens[i]);
		hist__record(hi, UINT64_MAX >> 1);
		cmin = cens[i] < cmin ? cens[i] : cmin;
		cmax = cens[i] > cmax ? cens[i] : cmax;
	}
	hist__summary(h, &obs);
	hist__summary(all, &s);
	hist__summary(hi, &up);
	free(hi);
	o = results__hist_json(all, unit);
	free(all);
	if (!o)
		return NULL;
	/* count stays the observed samples; the censored ones are counted apart */
	json_object_set_new(o, "count", ju64(obs.count));
	json_object_set_new(o, "censored", ju64(nc));
	json_object_set_new(o, "censored_max", ju64(cmax));
	lb = json_array();
	const uint64_t lo_v[] = { s.p50, s.p90, s.p99, s.p999 }, hi_v[] = { up.p50, up.p90, up.p99, up.p999 };
	for (unsigned i = 0; i < 4; i++)
		if (hist__bucket(lo_v[i]) != hist__bucket(hi_v[i]))
			json_array_append_new(lb, json_string(pct_keys[i]));
	if (!obs.count || cmin <= obs.min)
		json_array_append_new(lb, json_string("min"));
	json_array_append_new(lb, json_string("mean"));
	json_array_append_new(lb, json_string("max"));
	json_object_set_new(o, "lower_bound", lb);
	/* "hist" keeps the observed samples only; the censored ages apart */
	json_t *ob = results__hist_json(h, unit);
	json_object_set(o, "hist", json_object_get(ob, "hist"));
	json_decref(ob);
	json_t *ca = json_array();
	for (unsigned i = 0; i < nc && i < 256; i++)
		json_array_append_new(ca, ju64(cens[i]));
	json_object_set_new(o, "censored_ages", ca);
	return o;
}

json_t *results__metrics_json(const struct run_metrics *m)
{
	return results__metrics_json_censored(m, NULL);
}

json_t *results__metrics_json_censored(const struct run_metrics *m, const struct censor_set *cs)
{
	struct run_metrics *mm = (struct run_metrics *)m;  /* atomic loads only */
	json_t *o = json_object(), *c = json_object(), *r = json_object(), *cpu = json_object();
	double w = m->wall_s;

	if (!o || !c || !r || !cpu) {
		json_decref(o); json_decref(c); json_decref(r); json_decref(cpu);
		return NULL;
	}
	/* A metric with neither samples nor censored observations is absent:
	 * readers print it as "-" (n=0), never as 0. */
#define X(f, name, u, d) { \
	const struct censored *ce = cs ? &cs->m[FB_H_##f] : NULL; \
	if (atomic_load_explicit(&mm->f.count, memory_order_relaxed) || (ce && ce->n)) \
		json_object_set_new(o, name, results__hist_json_censored(&m->f, u, \
				    ce ? ce->age : NULL, ce ? ce->n : 0)); }
	FB_HIST_METRICS(X)
#undef X
#define X(f, n, d) \
	json_object_set_new(c, n, ju64(atomic_load_explicit(&mm->f, memory_order_relaxed)));
	FB_COUNT_METRICS(X)
#undef X
#define RATE(f) json_object_set_new(r, #f "_per_s", jreal(w > 0 ? \
		(double)atomic_load_explicit(&mm->f, memory_order_relaxed) / w : 0.0))
	RATE(flushes);
	RATE(inhibits);
	RATE(hypercalls);
	RATE(exits);
	RATE(suspends);
#undef RATE
	json_object_set_new(cpu, "user_s", jreal(m->cpu_user_s));
	json_object_set_new(cpu, "sys_s", jreal(m->cpu_sys_s));
	json_object_set_new(cpu, "ctx_voluntary", ju64(m->ctx_vol));
	json_object_set_new(cpu, "ctx_involuntary", ju64(m->ctx_invol));
	json_object_set_new(cpu, "max_rss_kb", ju64(m->max_rss_kb));
	json_object_set_new(o, "counters", c);
	json_object_set_new(o, "rates", r);
	json_object_set_new(o, "cpu", cpu);
	return o;
}

/* ---------------------------------------------------------------- CSV */

struct sbuf {
	char *p;
	size_t len, cap;
	int oom;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = 1;
			return;
		}
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		size_t ncap = (b->cap ? b->cap * 2 : 4096) + (size_t)n;
		char *np = realloc(b->p, ncap);
		if (!np) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
}

/* RFC 4180 field: quoted when it holds a comma, quote or newline. */
static void sb_csv_field(struct sbuf *b, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		sb_printf(b, "%s", s);
		return;
	}
	sb_printf(b, "\"");
	for (; *s; s++)
		if (*s == '"')
			sb_printf(b, "\"\"");
		else
			sb_printf(b, "%c", *s);
	sb_printf(b, "\"");
}

static void sb_csv_number(struct sbuf *b, json_t *v)
{
	if (json_is_integer(v))
		sb_printf(b, "%lld", (long long)json_integer_value(v));
	else
		sb_printf(b, "%.12g", json_real_value(v));
}

static void csv_run(struct sbuf *b, json_t *run)
{
	json_t *metrics = json_object_get(run, "metrics"), *mv, *fv;
	const char *mname, *fname, *key = results__variant_key(run);
	long long variant = json_integer_value(json_object_get(run, "variant"));
	long long repeat = json_integer_value(json_object_get(run, "repeat"));

	json_object_foreach(metrics, mname, mv) {
		if (!json_is_object(mv))
			continue;
		json_object_foreach(mv, fname, fv) {
			if (!json_is_number(fv))
				continue;       /* "unit", "hist" */
			sb_printf(b, "%lld,%lld,", variant, repeat);
			sb_csv_field(b, key);
			sb_printf(b, ",");
			sb_csv_field(b, mname);
			sb_printf(b, ",");
			sb_csv_field(b, fname);
			sb_printf(b, ",");
			sb_csv_number(b, fv);
			sb_printf(b, ",%s\n", results__is_lower_bound(mv, fname) ? ">=" : "");
		}
	}
}

char *results__csv(json_t *root)
{
	struct sbuf b = { 0 };
	json_t *runs = json_object_get(root, "runs"), *run;
	size_t i;

	sb_printf(&b, "%s\n", RESULTS_CSV_VERSION);
	sb_printf(&b, "variant,repeat,key,metric,field,value,bound\n");
	json_array_foreach(runs, i, run)
		csv_run(&b, run);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* ---------------------------------------------------------------- files */

static int write_in(const char *dir, const char *name, const char *text)
{
	char path[4096];
	int n = snprintf(path, sizeof(path), "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	return write_file_atomic(path, text, strlen(text));
}

int results__write(const char *dir, json_t *root)
{
	char *js, *csv, *jsn;
	size_t len;
	int ret;

	ret = mkdir_p(dir);
	if (ret)
		return ret;
	js = json_dumps(root, JSON_INDENT(2));
	if (!js)
		return -ENOMEM;
	len = strlen(js);
	jsn = realloc(js, len + 2);     /* json_dumps has no trailing newline */
	if (!jsn) {
		free(js);
		return -ENOMEM;
	}
	jsn[len] = '\n';
	jsn[len + 1] = '\0';
	csv = results__csv(root);
	if (!csv) {
		free(jsn);
		return -ENOMEM;
	}
	ret = write_in(dir, "results.json", jsn);
	if (!ret)
		ret = write_in(dir, "results.csv", csv);
	free(jsn);
	free(csv);
	return ret;
}

json_t *results__load(const char *path, char *err, size_t errlen)
{
	char file[4096];
	struct stat st;
	json_error_t je;
	json_t *root, *schema;

	if (stat(path, &st) < 0) {
		snprintf(err, errlen, "cannot open '%s': %s; give a results directory or results.json",
			 path, strerror(errno));
		return NULL;
	}
	if (S_ISDIR(st.st_mode))
		snprintf(file, sizeof(file), "%s/results.json", path);
	else
		snprintf(file, sizeof(file), "%s", path);
	root = json_load_file(file, 0, &je);
	if (!root) {
		if (errno == ENOENT && S_ISDIR(st.st_mode))
			snprintf(err, errlen, "'%s' has no results.json; is it a `bench run` output directory?", path);
		else
			snprintf(err, errlen, "cannot parse '%s': %s (line %d); the file is not valid JSON",
				 file, je.text, je.line);
		return NULL;
	}
	schema = json_object_get(root, "schema");
	if (!json_is_string(schema) || strcmp(json_string_value(schema), RESULTS_SCHEMA)) {
		snprintf(err, errlen, "'%s' has schema '%s', expected '%s'; re-run it with this bench or use a matching version",
			 file, json_is_string(schema) ? json_string_value(schema) : "(none)", RESULTS_SCHEMA);
		json_decref(root);
		return NULL;
	}
	if (!json_is_array(json_object_get(root, "runs"))) {
		snprintf(err, errlen, "'%s' has no \"runs\" array; the file is truncated or not a results file", file);
		json_decref(root);
		return NULL;
	}
	return root;
}

void results__time_name(const char *prefix, char *out, size_t len)
{
	char t[32];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(t, sizeof(t), "%Y%m%d-%H%M%S", &tm);
	snprintf(out, len, "%s%s", prefix, t);
}

/* PATH is a results directory or a results.json: the directory that gets
 * plots/ and report.html, and a clear error when there is no results.json. */
int results__resolve(const char *path, char *dir, size_t len, char *err, size_t errlen)
{
	struct stat st;
	char file[4200];

	if (stat(path, &st)) {
		snprintf(err, errlen, "%s: %s; give a results directory written by 'bench run'",
			 path, strerror(errno));
		return -ENOENT;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(file, sizeof(file), "%s/results.json", path);
		if (access(file, R_OK)) {
			snprintf(err, errlen, "%s has no results.json; give a directory written by 'bench run' "
				 "(or its results.json)", path);
			return -ENOENT;
		}
		snprintf(dir, len, "%s", path);
	} else {
		const char *slash = strrchr(path, '/');
		if (slash)
			snprintf(dir, len, "%.*s", (int)(slash - path) ? (int)(slash - path) : 1, path);
		else
			snprintf(dir, len, ".");
	}
	return 0;
}

json_t *results__load_for(const char *cmd, const char *path, char *dir, size_t len)
{
	char err[1024];
	json_t *root;

	if (results__resolve(path, dir, len, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", cmd, err);
		return NULL;
	}
	root = results__load(path, err, sizeof(err));
	if (!root)
		fprintf(stderr, "%s: %s\n", cmd, err);
	return root;
}

static int num(json_t *v, double *out)
{
	if (json_is_number(v)) {
		*out = json_number_value(v);
		return 0;
	}
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return 0;
	}
	return -ENOENT;
}

int results__metric_value(json_t *run, const char *path, double *out)
{
	json_t *metrics = json_object_get(run, "metrics");
	const char *dot = strchr(path, '.');
	char head[256];
	size_t hl;

	if (!dot) {
		if (!num(json_object_get(json_object_get(metrics, "counters"), path), out))
			return 0;
		return num(json_object_get(run, path), out);
	}
	hl = (size_t)(dot - path);
	if (hl >= sizeof(head))
		return -ENOENT;
	memcpy(head, path, hl);
	head[hl] = '\0';
	if (!num(json_object_get(json_object_get(metrics, head), dot + 1), out))
		return 0;
	/* run-level objects: "config.vcpus", "oracle.lost_wakeups", "pressure.x" */
	return num(json_object_get(json_object_get(run, head), dot + 1), out);
}

const char *results__variant_key(json_t *run)
{
	const char *k = json_string_value(json_object_get(run, "key"));

	return k ? k : "";
}

const char *results__key_part(const char *key, const char *k, char *buf, size_t len)
{
	size_t kl = strlen(k);

	buf[0] = 0;
	for (const char *p = key; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t pl = comma ? (size_t)(comma - p) : strlen(p);
		if (pl > kl && !strncmp(p, k, kl) && p[kl] == '=') {
			snprintf(buf, len, "%.*s", (int)(pl - kl - 1), p + kl + 1);
			break;
		}
		p = comma ? comma + 1 : NULL;
	}
	return buf;
}

const char *results__run_verdict(json_t *run)
{
	const char *v = json_string_value(json_object_get(run, "verdict"));

	if (v)
		return v;
	return json_is_true(json_object_get(json_object_get(run, "oracle"), "ok")) ? "ok" : "failed";
}

bool results__is_lower_bound(json_t *metric, const char *field)
{
	json_t *lb = json_object_get(metric, "lower_bound"), *v;
	size_t i;

	json_array_foreach(lb, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), field))
			return true;
	return false;
}

int results__metric_bound(json_t *run, const char *path, double *out, bool *lower)
{
	const char *dot = strchr(path, '.');
	char head[256];

	*lower = false;
	if (results__metric_value(run, path, out))
		return -ENOENT;
	if (dot && (size_t)(dot - path) < sizeof(head)) {
		memcpy(head, path, (size_t)(dot - path));
		head[dot - path] = '\0';
		*lower = results__is_lower_bound(json_object_get(json_object_get(run, "metrics"), head), dot + 1);
	}
	return 0;
}

/* Time in ns -> "812.3us", "12.40ms", "2.28s": the unit follows the value. */
static int fmt_ns(char *buf, size_t len, double ns)
{
	if (ns < 1e6)
		return snprintf(buf, len, "%.1fus", ns / 1e3);
	if (ns < 1e9)
		return snprintf(buf, len, "%.2fms", ns / 1e6);
	return snprintf(buf, len, "%.2fs", ns / 1e9);
}

const char *results__fmt(json_t *run, const char *path, enum results_fmt how, char *buf, size_t len)
{
	double v;
	bool lower;
	char num[48];

	if (results__metric_bound(run, path, &v, &lower)) {
		snprintf(buf, len, "-");          /* no samples: never 0 */
		return buf;
	}
	switch (how) {
	case RESULTS_FMT_NS:  fmt_ns(num, sizeof(num), v); break;
	case RESULTS_FMT_INT: snprintf(num, sizeof(num), "%.0f", v); break;
	default:              snprintf(num, sizeof(num), "%.1f", v); break;
	}
	snprintf(buf, len, "%s%s", lower ? ">=" : "", num);
	return buf;
}
