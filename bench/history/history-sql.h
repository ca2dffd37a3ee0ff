/* SPDX-License-Identifier: MIT */
/*
 * Every SQL statement of the results history, in one place, in the dialect
 * SQLite and PostgreSQL share (see store.h).  The schema is versioned:
 * history_migrations[i] takes the store from version i to i + 1; a store at
 * version v gets migrations v.. applied in one transaction on open.
 * docs/HISTORY.md documents the tables.
 */
#ifndef FB_HISTORY_SQL_H
#define FB_HISTORY_SQL_H

struct history_migration {
	const char *what;
	const char *const *stmts;       /* NULL-terminated */
};

extern const struct history_migration history_migrations[];
extern const unsigned history_nr_migrations;   /* = the current schema version */

extern const char SQL_VERSION_TABLE[], SQL_VERSION_GET[], SQL_VERSION_INIT[], SQL_VERSION_SET[];
extern const char SQL_RUN_BY_HASH[], SQL_RUN_INSERT[], SQL_VARIANT_INSERT[], SQL_METRIC_INSERT[];
extern const char SQL_RUN_LIST[], SQL_RUN_JSON[], SQL_RUN_IDS_PREFIX[];
extern const char SQL_RUN_VARIANTS[], SQL_TREND[];
extern const char SQL_DELETE_METRICS[], SQL_DELETE_VARIANTS[], SQL_DELETE_RUN[];

/* Columns of SQL_RUN_LIST, in order (history.c names them). */
#define HISTORY_RUN_COLUMNS \
	"run_id, start_time, hostname, kernel, backend, scenario_source, scenario_hash, " \
	"variants, repeats, git_rev, tool_version, kvm_module, kvm_nested, complete, cpu, " \
	"host_cpus, kvm_tdp, command, source_dir, recorded_at"

#endif
