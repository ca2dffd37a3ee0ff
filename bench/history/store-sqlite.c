// SPDX-License-Identifier: MIT
/*
 * SQLite store (libsqlite3): WAL journal so readers never block the writer,
 * a busy timeout so concurrent `bench run`s on one host queue instead of
 * failing, BEGIN IMMEDIATE so a writer takes the lock before reading.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "store.h"
#include "util.h"

#define SQLITE_BUSY_MS 30000

static int sq_err(sqlite3 *db, int rc, char *err, size_t len, const char *what)
{
	snprintf(err, len, "%s: %s", what, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	return rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? -EBUSY : -EIO;
}

static int sq_exec(struct store *s, const char *sql, unsigned n, const char *const *params,
		   store_row_fn cb, void *arg, char *err, size_t len)
{
	sqlite3 *db = s->priv;
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return sq_err(db, rc, err, len, "sqlite");
	for (unsigned i = 0; i < n; i++) {
		char name[16];
		int idx;

		snprintf(name, sizeof(name), "$%u", i + 1);
		idx = sqlite3_bind_parameter_index(st, name);
		if (!idx)
			continue;       /* the statement does not use $i */
		rc = params[i] ? sqlite3_bind_text(st, idx, params[i], -1, SQLITE_TRANSIENT)
			       : sqlite3_bind_null(st, idx);
		if (rc != SQLITE_OK) {
			sqlite3_finalize(st);
			return sq_err(db, rc, err, len, "sqlite bind");
		}
	}
	for (;;) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_DONE)
			break;
		if (rc != SQLITE_ROW) {
			int r = sq_err(db, rc, err, len, "sqlite");
			sqlite3_finalize(st);
			return r;
		}
		if (!cb)
			continue;
		unsigned nc = (unsigned)sqlite3_column_count(st);
		const char *vals[64];
		if (nc > 64)
			nc = 64;
		for (unsigned c = 0; c < nc; c++)
			vals[c] = (const char *)sqlite3_column_text(st, (int)c);
		if (cb(arg, nc, vals))
			break;
	}
	sqlite3_finalize(st);
	return 0;
}

static int sq_open(struct store *s, const char *path, char *err, size_t len)
{
	sqlite3 *db = NULL;
	char dir[4096], *slash;
	int rc;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		if ((rc = mkdir_p(dir))) {
			snprintf(err, len, "cannot create %s for the history database: %s", dir, strerror(-rc));
			return rc;
		}
	}
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, len, "cannot open %s: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return -EIO;
	}
	sqlite3_busy_timeout(db, SQLITE_BUSY_MS);
	s->priv = db;
	/* WAL: readers (history list, compare) never block a recording run */
	rc = sq_exec(s, "PRAGMA journal_mode=WAL", 0, NULL, NULL, NULL, err, len);
	if (!rc)
		rc = sq_exec(s, "PRAGMA synchronous=NORMAL", 0, NULL, NULL, NULL, err, len);
	if (rc) {
		sqlite3_close(db);
		s->priv = NULL;
	}
	return rc;
}

static void sq_close(struct store *s)
{
	sqlite3_close(s->priv);
}

const struct store_ops store_sqlite_ops = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.exec = sq_exec,
	.begin_write = "BEGIN IMMEDIATE",
	.lock_schema = NULL,            /* BEGIN IMMEDIATE already holds the write lock */
};
