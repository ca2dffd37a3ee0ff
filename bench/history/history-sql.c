// SPDX-License-Identifier: MIT
/* The history schema and queries (history-sql.h, docs/HISTORY.md). */
#include <stddef.h>
#include "history-sql.h"

static const char *const v1[] = {
	"CREATE TABLE fb_runs ("
	" run_id TEXT PRIMARY KEY,"            /* <start yyyymmdd-hhmmss>-<content hash, 8 hex> */
	" content_hash TEXT NOT NULL UNIQUE,"  /* FNV-1a 64 of the canonical results.json */
	" start_time TEXT, recorded_at TEXT NOT NULL,"
	" tool_version TEXT, git_rev TEXT,"
	" kernel TEXT, hostname TEXT, cpu TEXT, host_cpus BIGINT,"
	" kvm_module TEXT, kvm_nested TEXT, kvm_tdp TEXT, backend TEXT,"
	" scenario_source TEXT, scenario_hash TEXT, scenario_text TEXT,"
	" command TEXT, variants BIGINT, repeats BIGINT, complete BIGINT, source_dir TEXT,"
	" results_json TEXT NOT NULL)",
	"CREATE INDEX fb_runs_start ON fb_runs (start_time)",
	"CREATE TABLE fb_variants ("
	" run_id TEXT NOT NULL, key TEXT NOT NULL,"
	" workload TEXT, design TEXT, request TEXT, pressure TEXT, vcpus BIGINT,"
	" repeats BIGINT, bad_repeats BIGINT, verdict TEXT,"
	" PRIMARY KEY (run_id, key))",
	"CREATE TABLE fb_metrics ("
	" run_id TEXT NOT NULL, key TEXT NOT NULL, metric TEXT NOT NULL,"
	" n BIGINT, mean DOUBLE PRECISION, sd DOUBLE PRECISION,"
	" ci_lo DOUBLE PRECISION, ci_hi DOUBLE PRECISION,"
	" min DOUBLE PRECISION, max DOUBLE PRECISION,"
	" censored BIGINT NOT NULL DEFAULT 0,"   /* repeats whose value is only a lower bound */
	" PRIMARY KEY (run_id, key, metric))",
	"CREATE INDEX fb_metrics_metric ON fb_metrics (metric, key)",
	NULL,
};

const struct history_migration history_migrations[] = {
	{ "runs, variants, metrics", v1 },
};
const unsigned history_nr_migrations = sizeof(history_migrations) / sizeof(history_migrations[0]);

const char SQL_VERSION_TABLE[] = "CREATE TABLE IF NOT EXISTS fb_schema (version BIGINT NOT NULL)";
const char SQL_VERSION_GET[]   = "SELECT version FROM fb_schema";
const char SQL_VERSION_INIT[]  = "INSERT INTO fb_schema (version) VALUES (0)";
const char SQL_VERSION_SET[]   = "UPDATE fb_schema SET version = $1";

const char SQL_RUN_BY_HASH[] = "SELECT run_id FROM fb_runs WHERE content_hash = $1";
const char SQL_RUN_INSERT[] =
	"INSERT INTO fb_runs (run_id, content_hash, start_time, recorded_at, tool_version, git_rev,"
	" kernel, hostname, cpu, host_cpus, kvm_module, kvm_nested, kvm_tdp, backend,"
	" scenario_source, scenario_hash, scenario_text, command, variants, repeats, complete,"
	" source_dir, results_json)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,"
	" $18, $19, $20, $21, $22, $23) ON CONFLICT DO NOTHING";
const char SQL_VARIANT_INSERT[] =
	"INSERT INTO fb_variants (run_id, key, workload, design, request, pressure, vcpus,"
	" repeats, bad_repeats, verdict) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
const char SQL_METRIC_INSERT[] =
	"INSERT INTO fb_metrics (run_id, key, metric, n, mean, sd, ci_lo, ci_hi, min, max, censored)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

/* Filters are optional: a NULL parameter matches everything.  CAST keeps
 * PostgreSQL from having to guess the type of a parameter compared with NULL. */
const char SQL_RUN_LIST[] =
	"SELECT " HISTORY_RUN_COLUMNS " FROM fb_runs"
	" WHERE (CAST($1 AS TEXT) IS NULL OR kernel LIKE $1)"
	" AND (CAST($2 AS TEXT) IS NULL OR hostname = $2)"
	" AND (CAST($3 AS TEXT) IS NULL OR start_time >= $3)"
	" AND (CAST($4 AS TEXT) IS NULL OR scenario_source LIKE $4 OR scenario_hash LIKE $4)"
	" AND (CAST($5 AS TEXT) IS NULL OR git_rev LIKE $5)"
	" AND (CAST($6 AS TEXT) IS NULL OR backend = $6)"
	" ORDER BY start_time DESC, recorded_at DESC, run_id DESC";
const char SQL_RUN_JSON[] = "SELECT results_json FROM fb_runs WHERE run_id = $1";
const char SQL_RUN_IDS_PREFIX[] = "SELECT run_id FROM fb_runs WHERE run_id LIKE $1 ORDER BY run_id";
const char SQL_RUN_VARIANTS[] =
	"SELECT key, design, request, pressure, vcpus, repeats, bad_repeats, verdict"
	" FROM fb_variants WHERE run_id = $1 ORDER BY key";
const char SQL_TREND[] =
	"SELECT r.run_id, r.start_time, r.kernel, r.git_rev, m.key, m.n, m.mean, m.ci_lo, m.ci_hi,"
	" m.censored FROM fb_metrics m JOIN fb_runs r ON r.run_id = m.run_id"
	" WHERE m.metric = $1"
	" AND (CAST($2 AS TEXT) IS NULL OR r.hostname = $2)"
	" AND (CAST($3 AS TEXT) IS NULL OR r.scenario_source LIKE $3 OR r.scenario_hash LIKE $3)"
	" ORDER BY r.start_time, r.run_id, m.key";
const char SQL_DELETE_METRICS[]  = "DELETE FROM fb_metrics WHERE run_id = $1";
const char SQL_DELETE_VARIANTS[] = "DELETE FROM fb_variants WHERE run_id = $1";
const char SQL_DELETE_RUN[]      = "DELETE FROM fb_runs WHERE run_id = $1";
