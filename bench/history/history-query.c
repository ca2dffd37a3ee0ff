// SPDX-License-Identifier: MIT
/*
 * Reading the results history back: list with filters, references
 * ("@latest~2", a run id prefix), load a run's results, delete (history.h,
 * docs/HISTORY.md).  All SQL is in history-sql.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "history-sql.h"
#include "history.h"
#include "util.h"

/* A LIKE pattern around s (NULL stays NULL: no filter). */
static char *like(const char *pre, const char *s, const char *post)
{
	return s ? xasprintf("%s%s%s", pre, s, post) : NULL;
}

int history__list(struct history *h, const struct history_filter *f, struct history_rows *r,
		  char *err, size_t len)
{
	static const struct history_filter none;
	char *p[6];
	int ret;

	if (!f)
		f = &none;
	p[0] = like("", f->kernel, "%");
	p[1] = f->host ? xstrdup(f->host) : NULL;
	p[2] = f->since ? xstrdup(f->since) : NULL;
	p[3] = like("%", f->scenario, "%");
	p[4] = like("", f->revision, "%");
	p[5] = f->backend ? xstrdup(f->backend) : NULL;
	ret = history__query(h, SQL_RUN_LIST, 6, (const char *const *)p, r, err, len);
	for (unsigned i = 0; i < 6; i++)
		free(p[i]);
	return ret;
}

bool history__is_ref(const char *arg)
{
	struct stat st;

	if (arg[0] == '@')
		return true;
	return strchr(arg, '=') && stat(arg, &st) < 0;
}

/* "kernel=6.12,host=x~2" -> filter fields (pointing into buf) and N. */
static int parse_ref(char *buf, struct history_filter *f, unsigned *nth, char *err, size_t len)
{
	char *tilde = strrchr(buf, '~'), *save = NULL;

	*nth = 0;
	if (tilde) {
		char *end;
		unsigned long n = strtoul(tilde + 1, &end, 10);
		if (*end || end == tilde + 1) {
			snprintf(err, len, "bad reference suffix '%s'; use ~N, e.g. @last~1", tilde);
			return -EINVAL;
		}
		*nth = (unsigned)n;
		*tilde = 0;
	}
	for (char *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		if (!eq) {
			snprintf(err, len, "bad reference part '%s'; use KEY=VALUE (kernel, host, scenario, revision, backend, since)", kv);
			return -EINVAL;
		}
		*eq = 0;
		const char *v = eq + 1;
		if (!strcmp(kv, "kernel"))
			f->kernel = v;
		else if (!strcmp(kv, "host"))
			f->host = v;
		else if (!strcmp(kv, "scenario"))
			f->scenario = v;
		else if (!strcmp(kv, "revision") || !strcmp(kv, "rev"))
			f->revision = v;
		else if (!strcmp(kv, "backend"))
			f->backend = v;
		else if (!strcmp(kv, "since"))
			f->since = v;
		else {
			snprintf(err, len, "unknown reference key '%s'; use kernel, host, scenario, revision, backend or since", kv);
			return -EINVAL;
		}
	}
	return 0;
}

int history__resolve(struct history *h, const char *ref, const struct history_filter *base,
		     char *run_id, size_t idlen, char *err, size_t len)
{
	struct history_filter f = { 0 };
	struct history_rows r = { 0 };
	char buf[512];
	unsigned nth = 0;
	int ret;

	if (base)
		f = *base;
	snprintf(buf, sizeof(buf), "%s", ref);
	if (!strncmp(buf, "@last", 5) && (buf[5] == 0 || buf[5] == '~')) {
		char *b = buf + 5;
		if ((ret = parse_ref(b, &f, &nth, err, len)))
			return ret;
	} else if (buf[0] == '@') {
		char *pfx = like("", buf + 1, "%");
		const char *p[1] = { pfx };
		ret = history__query(h, SQL_RUN_IDS_PREFIX, 1, p, &r, err, len);
		free(pfx);
		if (ret)
			return ret;
		if (r.n != 1) {
			snprintf(err, len, r.n ? "run id '%s' is ambiguous (%u runs); give more of it"
				 : "no run '%s' in the history; see 'bench history list'", buf + 1, r.n);
			history_rows__free(&r);
			return -ENOENT;
		}
		snprintf(run_id, idlen, "%s", history_rows__get(&r, 0, 0));
		history_rows__free(&r);
		return 0;
	} else if ((ret = parse_ref(buf, &f, &nth, err, len))) {
		return ret;
	}
	if ((ret = history__list(h, &f, &r, err, len)))
		return ret;
	if (nth >= r.n) {
		snprintf(err, len, "'%s' matches %u run(s) in the history%s; see 'bench history list'",
			 ref, r.n, nth ? ", not enough for ~N" : "");
		history_rows__free(&r);
		return -ENOENT;
	}
	snprintf(run_id, idlen, "%s", history_rows__get(&r, nth, 0));
	history_rows__free(&r);
	return 0;
}

json_t *history__load(struct history *h, const char *run_id, char *err, size_t len)
{
	struct history_rows r = { 0 };
	const char *p[1] = { run_id };
	json_error_t je;
	json_t *root = NULL;

	if (history__query(h, SQL_RUN_JSON, 1, p, &r, err, len))
		return NULL;
	if (!r.n || !history_rows__get(&r, 0, 0))
		snprintf(err, len, "no run '%s' in the history; see 'bench history list'", run_id);
	else if (!(root = json_loads(history_rows__get(&r, 0, 0), 0, &je)))
		snprintf(err, len, "run %s: stored results are not valid JSON: %s", run_id, je.text);
	history_rows__free(&r);
	return root;
}

json_t *history__load_ref(const char *db_url, const char *ref, const struct history_filter *f,
			  char *run_id, size_t idlen, char *err, size_t len)
{
	struct history h;
	json_t *root = NULL;

	if (history__open(&h, db_url, err, len))
		return NULL;
	if (!history__resolve(&h, ref, f, run_id, idlen, err, len))
		root = history__load(&h, run_id, err, len);
	history__close(&h);
	return root;
}

int history__delete(struct history *h, const char *run_id, char *err, size_t len)
{
	const char *p[1] = { run_id };
	int ret;

	if ((ret = store__begin(&h->st, err, len)))
		return ret;
	if ((ret = store__exec(&h->st, SQL_DELETE_METRICS, 1, p, NULL, NULL, err, len)) ||
	    (ret = store__exec(&h->st, SQL_DELETE_VARIANTS, 1, p, NULL, NULL, err, len)) ||
	    (ret = store__exec(&h->st, SQL_DELETE_RUN, 1, p, NULL, NULL, err, len))) {
		store__rollback(&h->st);
		return ret;
	}
	return store__commit(&h->st, err, len);
}
