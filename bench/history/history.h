/* SPDX-License-Identifier: MIT */
/*
 * Results history (docs/HISTORY.md): every `bench run` recorded in a store
 * (SQLite file by default, PostgreSQL for a fleet; bench/history/store.h), queried
 * by `bench history`, `bench compare @ref` and `bench verdict @ref`.
 *
 * A run is stored whole (its results.json, so export is lossless) plus
 * per-variant rows and per-variant metric summaries over repeats (n, mean,
 * sd, 95 % CI, min, max, censored repeats) for listing and trends.
 */
#ifndef FB_HISTORY_H
#define FB_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>
#include "store.h"

#define HISTORY_DEFAULT_DB "results/history.sqlite"
#define HISTORY_ID_LEN 64

struct history {
	struct store st;
};

/* $FB_HISTORY_DB, else results/history.sqlite. */
const char *history__default_url(void);

/* Open (url NULL: the default) and bring the schema to the current version.
 * 0 or -errno with ONE line in err. */
int history__open(struct history *h, const char *url, char *err, size_t len);
void history__close(struct history *h);

/* Add a results tree.  Idempotent: the same results.json (by content hash)
 * is stored once; *dup says it was already there.  run_id receives the id.
 * One transaction.  0 or -errno + err. */
int history__add(struct history *h, json_t *root, const char *source_dir,
		 char *run_id, size_t idlen, bool *dup, char *err, size_t len);

/* The hook at the end of `bench run`: open db_url (NULL: default), add root,
 * print "history: run ID in DB" on stdout.  0 or -errno + err (the caller
 * warns; the results directory is already written). */
int history__record_run(json_t *root, const char *outdir, const char *db_url, char *err, size_t len);

/* Filters for list / references; NULL fields match everything. */
struct history_filter {
	const char *kernel;     /* prefix: "6.12" matches "6.12.3-..." */
	const char *host;
	const char *since;      /* ISO date or time, compared as text */
	const char *scenario;   /* substring of the source or hash prefix */
	const char *revision;   /* git revision prefix */
	const char *backend;
};

/* Rows of fb_runs (HISTORY_RUN_COLUMNS), newest first. */
struct history_rows {
	unsigned n, ncols;
	char **v;               /* n * ncols strings, NULL for SQL NULL */
};
static inline const char *history_rows__get(const struct history_rows *r, unsigned row, unsigned col)
{
	return r->v[(size_t)row * r->ncols + col];
}
void history_rows__free(struct history_rows *r);
/* Append every row of sql(params) to r (r zeroed first by the caller). */
int history__query(struct history *h, const char *sql, unsigned n, const char *const *p,
		   struct history_rows *r, char *err, size_t len);
int history__list(struct history *h, const struct history_filter *f, struct history_rows *r,
		  char *err, size_t len);

/* Is arg a history reference rather than a path?  "@..." always; "K=V..."
 * when no such file exists. */
bool history__is_ref(const char *arg);

/* Resolve a reference to a run id:
 *   @last, @last~N          newest run (N-th before it), within f
 *   @ID                     a run id or unique prefix
 *   K=V[,K=V...][~N]        newest run with kernel=, host=, scenario=,
 *                           revision= (rev=), backend=, since= (and f)
 * 0, -ENOENT / -EINVAL with ONE line in err. */
int history__resolve(struct history *h, const char *ref, const struct history_filter *f,
		     char *run_id, size_t idlen, char *err, size_t len);

/* The stored results tree of a run (new reference) or NULL + err. */
json_t *history__load(struct history *h, const char *run_id, char *err, size_t len);

/* Open the default/given store, resolve ref and load it: what compare and
 * verdict use.  NULL + err. */
json_t *history__load_ref(const char *db_url, const char *ref, const struct history_filter *f,
			  char *run_id, size_t idlen, char *err, size_t len);

/* Delete a run and its rows (one transaction). */
int history__delete(struct history *h, const char *run_id, char *err, size_t len);

/* Content hash (FNV-1a 64, hex) of the canonical JSON of root. */
void history__hash(json_t *root, char out[17]);

#endif
