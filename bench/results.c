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

json_t *results__metrics_json(const struct run_metrics *m)
{
	struct run_metrics *mm = (struct run_metrics *)m;  /* atomic loads only */
	json_t *o = json_object(), *c = json_object(), *r = json_object(), *cpu = json_object();
	double w = m->wall_s;

	if (!o || !c || !r || !cpu) {
		json_decref(o); json_decref(c); json_decref(r); json_decref(cpu);
		return NULL;
	}
#define X(f, n, u, d) \
	if (atomic_load_explicit(&mm->f.count, memory_order_relaxed)) \
		json_object_set_new(o, n, results__hist_json(&m->f, u));
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
			sb_printf(b, "\n");
		}
	}
}

char *results__csv(json_t *root)
{
	struct sbuf b = { 0 };
	json_t *runs = json_object_get(root, "runs"), *run;
	size_t i;

	sb_printf(&b, "%s\n", RESULTS_CSV_VERSION);
	sb_printf(&b, "variant,repeat,key,metric,field,value\n");
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
