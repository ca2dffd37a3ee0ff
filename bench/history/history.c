// SPDX-License-Identifier: MIT
/*
 * Results history: schema migrations, recording a run (history.h,
 * docs/HISTORY.md); reading it back is history-query.c.  All SQL is in
 * history-sql.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "env.h"
#include "history-sql.h"
#include "history.h"
#include "results.h"
#include "stats.h"
#include "util.h"

const char *history__default_url(void)
{
	const char *e = getenv("FB_HISTORY_DB");

	return e && *e ? e : HISTORY_DEFAULT_DB;
}

/* ---------------------------------------------------------------- rows */

void history_rows__free(struct history_rows *r)
{
	for (size_t i = 0; i < (size_t)r->n * r->ncols; i++)
		free(r->v[i]);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static int rows__add(void *arg, unsigned ncols, const char *const *vals)
{
	struct history_rows *r = arg;
	char **nv;

	if (!r->ncols)
		r->ncols = ncols;
	nv = realloc(r->v, ((size_t)r->n + 1) * r->ncols * sizeof(char *));
	if (!nv)
		return 1;
	r->v = nv;
	for (unsigned c = 0; c < r->ncols; c++)
		r->v[(size_t)r->n * r->ncols + c] = c < ncols && vals[c] ? xstrdup(vals[c]) : NULL;
	r->n++;
	return 0;
}

int history__query(struct history *h, const char *sql, unsigned n, const char *const *p,
		   struct history_rows *r, char *err, size_t len)
{
	return store__exec(&h->st, sql, n, p, rows__add, r, err, len);
}

/* ---------------------------------------------------------------- open */

static int migrate(struct history *h, char *err, size_t len)
{
	struct history_rows r = { 0 };
	unsigned have;
	int ret;

	if ((ret = store__begin(&h->st, err, len)))
		return ret;
	if (h->st.ops->lock_schema &&
	    (ret = store__exec(&h->st, h->st.ops->lock_schema, 0, NULL, NULL, NULL, err, len)))
		goto fail;
	if ((ret = store__exec(&h->st, SQL_VERSION_TABLE, 0, NULL, NULL, NULL, err, len)) ||
	    (ret = history__query(h, SQL_VERSION_GET, 0, NULL, &r, err, len)))
		goto fail;
	if (!r.n && (ret = store__exec(&h->st, SQL_VERSION_INIT, 0, NULL, NULL, NULL, err, len)))
		goto fail;
	have = r.n && history_rows__get(&r, 0, 0) ? (unsigned)atoi(history_rows__get(&r, 0, 0)) : 0;
	history_rows__free(&r);
	if (have > history_nr_migrations) {
		snprintf(err, len, "the store has history schema version %u, newer than this bench (%u); upgrade bench",
			 have, history_nr_migrations);
		ret = -EPROTO;
		goto fail;
	}
	for (unsigned v = have; v < history_nr_migrations; v++) {
		char ver[16];
		const char *p[1] = { ver };

		for (const char *const *s = history_migrations[v].stmts; *s; s++)
			if ((ret = store__exec(&h->st, *s, 0, NULL, NULL, NULL, err, len)))
				goto fail;
		snprintf(ver, sizeof(ver), "%u", v + 1);
		if ((ret = store__exec(&h->st, SQL_VERSION_SET, 1, p, NULL, NULL, err, len)))
			goto fail;
	}
	return store__commit(&h->st, err, len);
fail:
	history_rows__free(&r);
	store__rollback(&h->st);
	return ret;
}

int history__open(struct history *h, const char *url, char *err, size_t len)
{
	char e[768];
	int ret;

	if (!url)
		url = history__default_url();
	ret = store__open(&h->st, url, e, sizeof(e));
	if (!ret && (ret = migrate(h, e, sizeof(e))))
		store__close(&h->st);
	if (ret)
		snprintf(err, len, "history %s: %s", url, e);
	return ret;
}

void history__close(struct history *h)
{
	store__close(&h->st);
}

/* ---------------------------------------------------------------- add */

void history__hash(json_t *root, char out[17])
{
	char *s = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
	uint64_t x = 0xcbf29ce484222325ull;

	for (const char *p = s ? s : ""; *p; p++)
		x = (x ^ (unsigned char)*p) * 0x100000001b3ull;
	free(s);
	snprintf(out, 17, "%016" PRIx64, x);
}

/* Text of a scalar JSON value (string as is, true/false as yes/no); NULL
 * when absent or not a scalar. */
static char *jtext(json_t *v)
{
	char b[64];

	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_boolean(v))
		return xstrdup(json_is_true(v) ? "yes" : "no");
	if (json_is_integer(v)) {
		snprintf(b, sizeof(b), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return xstrdup(b);
	}
	if (json_is_real(v)) {
		snprintf(b, sizeof(b), "%.17g", json_real_value(v));
		return xstrdup(b);
	}
	return NULL;
}

static char *dtext(double v)
{
	char b[64];

	if (!isfinite(v))
		return NULL;
	snprintf(b, sizeof(b), "%.17g", v);
	return xstrdup(b);
}

static char *itext(long long v)
{
	char b[32];

	snprintf(b, sizeof(b), "%lld", v);
	return xstrdup(b);
}

static int exec_free(struct history *h, const char *sql, unsigned n, char **p, char *err, size_t len)
{
	int ret = store__exec(&h->st, sql, n, (const char *const *)p, NULL, NULL, err, len);

	for (unsigned i = 0; i < n; i++)
		free(p[i]);
	return ret;
}

static bool in_list(json_t *arr, const char *s)
{
	size_t i;
	json_t *x;

	json_array_foreach(arr, i, x)
		if (json_is_string(x) && !strcmp(json_string_value(x), s))
			return true;
	return false;
}

/* acc[path] = {"v": [values...], "c": censored repeats} */
static void acc_add(json_t *acc, const char *path, json_t *v, bool censored)
{
	json_t *e = json_object_get(acc, path);

	if (!json_is_number(v))
		return;
	if (!e) {
		e = json_pack("{s:[],s:i}", "v", "c", 0);
		json_object_set_new(acc, path, e);
	}
	json_array_append_new(json_object_get(e, "v"), json_real(json_number_value(v)));
	if (censored)
		json_object_set_new(e, "c", json_integer(json_integer_value(json_object_get(e, "c")) + 1));
}

static const char *const hist_fields[] = { "p50", "p90", "p99", "p999", "mean", "max" };

/* The headline metric paths of one run: histogram summaries, rates,
 * counters, cpu. */
static void acc_run(json_t *acc, json_t *run)
{
	json_t *metrics = json_object_get(run, "metrics"), *mv, *fv;
	const char *mname, *fname;
	char path[256];

	json_object_foreach(metrics, mname, mv) {
		if (!json_is_object(mv))
			continue;
		if (json_object_get(mv, "count")) {
			json_t *lb = json_object_get(mv, "lower_bound");
			for (unsigned i = 0; i < sizeof(hist_fields) / sizeof(hist_fields[0]); i++) {
				snprintf(path, sizeof(path), "%s.%s", mname, hist_fields[i]);
				acc_add(acc, path, json_object_get(mv, hist_fields[i]), in_list(lb, hist_fields[i]));
			}
			continue;
		}
		json_object_foreach(mv, fname, fv) {
			snprintf(path, sizeof(path), "%s.%s", mname, fname);
			acc_add(acc, path, fv, false);
		}
	}
}

static int add_variant(struct history *h, const char *run_id, const char *key, json_t *runs,
		       char *err, size_t len)
{
	json_t *acc = json_object(), *first = NULL, *run, *e;
	const char *verdict = "ok", *path;
	unsigned nrep = 0, bad = 0;
	size_t i;
	int ret = 0;

	json_array_foreach(runs, i, run) {
		if (strcmp(results__variant_key(run), key))
			continue;
		if (!first)
			first = run;
		nrep++;
		if (strcmp(results__run_verdict(run), "ok")) {
			if (!bad)
				verdict = results__run_verdict(run);
			bad++;
		}
		acc_run(acc, run);
	}
	char *vp[10] = {
		xstrdup(run_id), xstrdup(key),
		jtext(json_object_get(first, "workload")), jtext(json_object_get(first, "design")),
		jtext(json_object_get(first, "request")), jtext(json_object_get(first, "pressure")),
		jtext(json_object_get(first, "vcpus")), itext(nrep), itext(bad), xstrdup(verdict),
	};
	if ((ret = exec_free(h, SQL_VARIANT_INSERT, 10, vp, err, len)))
		goto out;
	json_object_foreach(acc, path, e) {
		json_t *vals = json_object_get(e, "v");
		unsigned n = (unsigned)json_array_size(vals);
		double x[n ? n : 1];
		struct sample_stats s;
		for (unsigned k = 0; k < n; k++)
			x[k] = json_real_value(json_array_get(vals, k));
		stats__describe(x, n, &s);
		char *mp[11] = {
			xstrdup(run_id), xstrdup(key), xstrdup(path), itext(n), dtext(s.mean), dtext(s.sd),
			dtext(s.ci_lo), dtext(s.ci_hi), dtext(s.min), dtext(s.max),
			itext(json_integer_value(json_object_get(e, "c"))),
		};
		if ((ret = exec_free(h, SQL_METRIC_INSERT, 11, mp, err, len)))
			break;
	}
out:
	json_decref(acc);
	return ret;
}

/* "2026-11-25T14:00:00Z" -> "20261125-140000" */
static void id_time(const char *iso, char *out, size_t len)
{
	size_t k = 0;

	for (const char *p = iso ? iso : ""; *p && k + 1 < len && k < 15; p++) {
		if (*p >= '0' && *p <= '9')
			out[k++] = *p;
		if (k == 8 && k + 1 < len)
			out[k++] = '-';
	}
	out[k] = 0;
	if (k < 15)
		snprintf(out, len, "00000000-000000");
}

int history__add(struct history *h, json_t *root, const char *source_dir,
		 char *run_id, size_t idlen, bool *dup, char *err, size_t len)
{
	json_t *env = json_object_get(root, "env"), *kvm = json_object_get(env, "kvm");
	json_t *sc = json_object_get(root, "scenario"), *tool = json_object_get(root, "tool");
	json_t *runs = json_object_get(root, "runs"), *run, *seen = json_object();
	struct history_rows r = { 0 };
	char hash[17], shash[17], t[32], now[64], id[HISTORY_ID_LEN];
	const char *hp[1] = { hash };
	size_t i;
	int ret;

	*dup = false;
	history__hash(root, hash);
	{
		json_t *keys = json_object_get(sc, "keys");
		history__hash(keys ? keys : json_null(), shash);
	}
	id_time(json_string_value(json_object_get(env, "start_time")), t, sizeof(t));
	snprintf(id, sizeof(id), "%s-%.8s", t, hash);
	env__iso_time(now, sizeof(now));

	if ((ret = store__begin(&h->st, err, len)))
		goto out;
	if ((ret = history__query(h, SQL_RUN_BY_HASH, 1, hp, &r, err, len)))
		goto fail;
	if (r.n) {
		snprintf(run_id, idlen, "%s", history_rows__get(&r, 0, 0));
		*dup = true;
		store__rollback(&h->st);
		goto out;
	}
	char *scen_text = json_dumps(json_object_get(sc, "keys") ? json_object_get(sc, "keys") : json_null(),
				     JSON_COMPACT | JSON_SORT_KEYS);
	char *rj = json_dumps(root, JSON_COMPACT);
	char *p[23] = {
		xstrdup(id), xstrdup(hash), jtext(json_object_get(env, "start_time")), xstrdup(now),
		jtext(json_object_get(tool, "version")), jtext(json_object_get(tool, "git")),
		jtext(json_object_get(env, "kernel")), jtext(json_object_get(env, "hostname")),
		jtext(json_object_get(env, "cpu")), jtext(json_object_get(env, "host_cpus")),
		jtext(json_object_get(kvm, "module")), jtext(json_object_get(kvm, "nested")),
		jtext(json_object_get(kvm, "tdp")), jtext(json_object_get(env, "backend")),
		jtext(json_object_get(sc, "source")), xstrdup(shash), scen_text,
		jtext(json_object_get(root, "command")), jtext(json_object_get(sc, "variants")),
		jtext(json_object_get(sc, "repeat")),
		xstrdup(json_is_false(json_object_get(root, "complete")) ? "0" : "1"),
		source_dir ? xstrdup(source_dir) : NULL, rj,
	};
	if (!rj) {
		for (unsigned k = 0; k < 23; k++)
			free(p[k]);
		ret = -ENOMEM;
		snprintf(err, len, "out of memory serialising the results");
		goto fail;
	}
	if ((ret = exec_free(h, SQL_RUN_INSERT, 23, p, err, len)))
		goto fail;
	json_array_foreach(runs, i, run) {
		const char *key = results__variant_key(run);
		if (json_object_get(seen, key))
			continue;
		json_object_set_new(seen, key, json_true());
		if ((ret = add_variant(h, id, key, runs, err, len)))
			goto fail;
	}
	if ((ret = store__commit(&h->st, err, len)))
		goto fail;
	snprintf(run_id, idlen, "%s", id);
	goto out;
fail:
	store__rollback(&h->st);
out:
	history_rows__free(&r);
	json_decref(seen);
	return ret;
}

int history__record_run(json_t *root, const char *outdir, const char *db_url, char *err, size_t len)
{
	struct history h;
	char id[HISTORY_ID_LEN];
	bool dup;
	int ret;

	if (!db_url)
		db_url = history__default_url();
	if ((ret = history__open(&h, db_url, err, len)))
		return ret;
	ret = history__add(&h, root, outdir, id, sizeof(id), &dup, err, len);
	history__close(&h);
	if (ret) {
		char e[512];
		snprintf(e, sizeof(e), "%s", err);
		snprintf(err, len, "history %s: %s", db_url, e);
		return ret;
	}
	printf("history: run %s in %s\n", id, db_url);
	return 0;
}
