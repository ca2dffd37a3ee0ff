#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Results history on a real PostgreSQL server (docs/HISTORY.md): a fresh
# database; two concurrent `bench run --db postgresql://...` both land
# (including the concurrent schema creation); list / compare @ref / trend /
# import idempotence against the server.  The server is $FB_PG_URL
# (tools/test starts one with tools/pg-server) or one this test starts;
# SKIP with the reason when none can run.
set -u
: "${BENCH:?BENCH must point to build/bench}"
SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fb-history-pg.XXXXXX")
PGD=
cleanup() {
	[ -n "$PGD" ] && "$SRC/tools/pg-server" stop "$PGD"
	rm -rf "$TMP"
}
trap cleanup EXIT
cd "$TMP" || exit 125
if ! command -v psql >/dev/null; then
	echo "SKIP: psql not installed (apt-get install postgresql)"; exit 4
fi
if [ -z "${FB_PG_URL:-}" ]; then
	PGD=$(mktemp -d /tmp/fb-pg.XXXXXX)
	if ! env_out=$("$SRC/tools/pg-server" start "$PGD" 2>"$TMP/pgerr"); then
		echo "SKIP: no PostgreSQL server: $(cat "$TMP/pgerr")"; exit 4
	fi
	eval "$env_out"
fi
db=fbtest_$$_$RANDOM
if ! psql -q "$FB_PG_URL" -c "CREATE DATABASE $db" 2>"$TMP/pgerr"; then
	echo "SKIP: cannot create a database on $FB_PG_URL: $(head -1 "$TMP/pgerr")"; exit 4
fi
URL=${FB_PG_URL%/*}/$db
trap 'psql -q "$FB_PG_URL" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1; cleanup' EXIT

. "$(dirname "$0")/lib.sh"
RUN=(run --scenario "$SRC/configs/smoke.ini" --duration 0.2 --warmup 0 --no-plot -q --db "$URL")

# two writers at once on an empty database
"$BENCH" "${RUN[@]}" --out a >outa 2>&1 &
pa=$!
"$BENCH" "${RUN[@]}" --out b --seed 2 >outb 2>&1 &
pb=$!
wait $pa; ra=$?
wait $pb; rb=$?
[ "$ra" = 0 ] && [ "$rb" = 0 ] || fail "concurrent runs exited $ra and $rb: $(cat outa outb)"
grep -q "^history: run " outa || fail "run a not recorded: $(cat outa)"
grep -q "^history: run " outb || fail "run b not recorded: $(cat outb)"
grep -q warning outa outb && fail "a concurrent run warned: $(cat outa outb)"
n=$(psql -tA "$URL" -c "SELECT count(*) FROM fb_runs")
[ "$n" = 2 ] || fail "want 2 runs in PostgreSQL after two concurrent writers, got $n"
v=$(psql -tA "$URL" -c "SELECT version FROM fb_schema")
[ "$v" = 1 ] || fail "schema version '$v' (want exactly one row, 1)"
m=$(psql -tA "$URL" -c "SELECT count(DISTINCT run_id) FROM fb_metrics WHERE metric = 'resume_latency.p99'")
[ "$m" = 2 ] || fail "metric rows for $m runs, want 2"

"$BENCH" history list --db "$URL" | grep -q "2 run(s)" || fail "history list --db"
"$BENCH" compare a b >cdir; rdir=$?
"$BENCH" compare @last~1 @last --db "$URL" >cref; rref=$?
[ "$rdir" = "$rref" ] || fail "compare @last~1 @last exit $rref, directory form $rdir"
"$BENCH" history import a b --db "$URL" | grep -c "already in the history" | grep -qx 2 || fail "import is not idempotent"
[ "$(psql -tA "$URL" -c "SELECT count(*) FROM fb_runs")" = 2 ] || fail "import added runs"
"$BENCH" history trend resume_latency.p99 --variant design=srcu --db "$URL" --out tr >trend || fail "trend: $(cat trend)"
[ -s tr/plots/trend.png ] || fail "trend drew no plot"
"$BENCH" history gc --keep 1 --db "$URL" | grep -q "deleted 1" || fail "gc"

[ "$fails" -eq 0 ] && echo "history_pg: all checks passed"
exit $((fails ? 1 : 0))
