// SPDX-License-Identifier: MIT
/* Picking a store from a URL; transactions in terms of the ops. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "store.h"

int store__open(struct store *s, const char *url, char *err, size_t len)
{
	const char *target = url;

	memset(s, 0, sizeof(*s));
	snprintf(s->url, sizeof(s->url), "%s", url);
	if (!strncmp(url, "postgresql://", 13) || !strncmp(url, "postgres://", 11)) {
		s->ops = &store_pg_ops;
	} else {
		s->ops = &store_sqlite_ops;
		if (!strncmp(url, "sqlite://", 9))
			target = url + 9;
		else if (!strncmp(url, "sqlite:", 7))
			target = url + 7;
		if (!*target) {
			snprintf(err, len, "--db '%s' names no file; use e.g. --db results/history.sqlite", url);
			return -EINVAL;
		}
	}
	return s->ops->open(s, target, err, len);
}

void store__close(struct store *s)
{
	if (s->ops && s->priv)
		s->ops->close(s);
	s->priv = NULL;
}

int store__begin(struct store *s, char *err, size_t len)
{
	return store__exec(s, s->ops->begin_write, 0, NULL, NULL, NULL, err, len);
}

int store__commit(struct store *s, char *err, size_t len)
{
	return store__exec(s, "COMMIT", 0, NULL, NULL, NULL, err, len);
}

void store__rollback(struct store *s)
{
	char e[256];

	store__exec(s, "ROLLBACK", 0, NULL, NULL, NULL, e, sizeof(e));
}
