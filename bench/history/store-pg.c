// SPDX-License-Identifier: MIT
/*
 * PostgreSQL store (libpq): one connection per command, parameters sent as
 * text with PQexecParams.  Concurrent writers from many hosts are safe:
 * each run is one transaction with a unique run id; schema migrations are
 * serialised by a transaction-scoped advisory lock.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <libpq-fe.h>
#include "store.h"

static void first_line(char *err, size_t len, const char *what, const char *msg)
{
	snprintf(err, len, "%s: %.*s", what, (int)strcspn(msg ? msg : "", "\n"), msg ? msg : "");
}

static int pg_exec(struct store *s, const char *sql, unsigned n, const char *const *params,
		   store_row_fn cb, void *arg, char *err, size_t len)
{
	PGconn *c = s->priv;
	PGresult *r = PQexecParams(c, sql, (int)n, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);
	int ret = 0;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		first_line(err, len, "postgresql", PQresultErrorMessage(r));
		PQclear(r);
		return -EIO;
	}
	if (cb && st == PGRES_TUPLES_OK) {
		int rows = PQntuples(r), nc = PQnfields(r);
		if (nc > 64)
			nc = 64;
		for (int i = 0; i < rows && !ret; i++) {
			const char *vals[64];
			for (int k = 0; k < nc; k++)
				vals[k] = PQgetisnull(r, i, k) ? NULL : PQgetvalue(r, i, k);
			if (cb(arg, (unsigned)nc, vals))
				break;
		}
	}
	PQclear(r);
	return ret;
}

static void pg_notice(void *arg, const char *msg)
{
	/* "relation already exists, skipping" from IF NOT EXISTS: not news */
}

static int pg_open(struct store *s, const char *url, char *err, size_t len)
{
	PGconn *c = PQconnectdb(url);

	if (!c || PQstatus(c) != CONNECTION_OK) {
		first_line(err, len, "cannot connect to PostgreSQL", c ? PQerrorMessage(c) : "out of memory");
		PQfinish(c);
		return -ECONNREFUSED;
	}
	PQsetNoticeProcessor(c, pg_notice, NULL);
	s->priv = c;
	return 0;
}

static void pg_close(struct store *s)
{
	PQfinish(s->priv);
}

const struct store_ops store_pg_ops = {
	.name = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.exec = pg_exec,
	.begin_write = "BEGIN",
	/* any constant: "flushbench" in ASCII, truncated to 63 bits */
	.lock_schema = "SELECT pg_advisory_xact_lock(7380910135574865000)",
};
