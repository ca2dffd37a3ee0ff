/* SPDX-License-Identifier: MIT */
/*
 * A results store: one SQL connection behind an ops table (fio-style), so
 * the history code (bench/history/history.c) and its SQL (bench/history/history-sql.c) are
 * shared by SQLite (the default, one file) and PostgreSQL (a fleet).
 *
 * The SQL dialect both accept: parameters are written $1..$n and always
 * bound as text (NULL pointer = SQL NULL); column types TEXT, BIGINT and
 * DOUBLE PRECISION; ON CONFLICT DO NOTHING.  What differs (opening a
 * transaction that takes the write lock, serialising schema migrations,
 * WAL) lives in the ops below.
 */
#ifndef FB_STORE_H
#define FB_STORE_H

#include <stdbool.h>
#include <stddef.h>

struct store;

/* One result row: ncols values as text, NULL for SQL NULL.  Return nonzero
 * to stop reading rows. */
typedef int (*store_row_fn)(void *arg, unsigned ncols, const char *const *vals);

struct store_ops {
	const char *name;       /* "sqlite" | "postgresql" */
	int (*open)(struct store *s, const char *target, char *err, size_t len);
	void (*close)(struct store *s);
	/* One statement with nparams text parameters; rows (if any) go to cb.
	 * 0 or -errno (-EBUSY: lock timeout) with ONE line in err. */
	int (*exec)(struct store *s, const char *sql, unsigned nparams, const char *const *params,
		    store_row_fn cb, void *arg, char *err, size_t len);
	const char *begin_write;    /* opens a transaction that will write */
	const char *lock_schema;    /* run inside that transaction before migrating, or NULL */
};

struct store {
	const struct store_ops *ops;
	void *priv;
	char url[1024];         /* as given (for messages) */
};

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_pg_ops;

/* "postgresql://..." / "postgres://..." -> PostgreSQL (libpq connection
 * URI); "sqlite:PATH" or a plain PATH -> SQLite.  0 or -errno + err. */
int store__open(struct store *s, const char *url, char *err, size_t len);
void store__close(struct store *s);

static inline int store__exec(struct store *s, const char *sql, unsigned n, const char *const *p,
			      store_row_fn cb, void *arg, char *err, size_t len)
{
	return s->ops->exec(s, sql, n, p, cb, arg, err, len);
}
int store__begin(struct store *s, char *err, size_t len);
int store__commit(struct store *s, char *err, size_t len);
void store__rollback(struct store *s);

#endif
