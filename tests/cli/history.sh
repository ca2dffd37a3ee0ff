#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Results history on SQLite, end to end (docs/HISTORY.md): two real smoke
# runs land in the default store, list / show / compare @ref (same exit
# as the directory form) / export / trend (a real gnuplot plot) / gc;
# import is idempotent; --no-history records nothing; a history that cannot
# be written costs a warning, never the results.
set -u
: "${BENCH:?BENCH must point to build/bench}"
SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fb-history.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 125
unset FB_HISTORY_DB
. "$(dirname "$0")/lib.sh"
RUN=(run --scenario "$SRC/configs/smoke.ini" --duration 0.3 --warmup 0 --no-plot -q)

"$BENCH" "${RUN[@]}" --out r1 >out1 2>&1 || { cat out1; fail "first run"; }
"$BENCH" "${RUN[@]}" --out r2 --repeat 2 >out2 2>&1 || { cat out2; fail "second run"; }
grep -q "^history: run .* in results/history.sqlite" out1 || fail "run did not report its history record: $(cat out1)"
[ -f results/history.sqlite ] || fail "no results/history.sqlite"
sqlite3 results/history.sqlite 'PRAGMA journal_mode' | grep -qx wal || fail "history store is not in WAL mode"
[ "$(sqlite3 results/history.sqlite 'SELECT version FROM fb_schema')" = 1 ] || fail "schema version is not 1"

"$BENCH" history list >list
[ "$(grep -c '^2026\|^20[0-9][0-9]' list)" -eq 2 ] || fail "history list does not show 2 runs: $(cat list)"
grep -q "2 run(s)" list || fail "list count"
"$BENCH" history list --kernel no-such-kernel | grep -q "0 run(s)" || fail "--kernel filter"
"$BENCH" history show @last >show || fail "show @last"
grep -q "design=targeted,request=unblock" show || fail "show lacks a variant"
grep -q "^repeats  *2" show || fail "show @last is not the 2-repeat run"

# compare @last~1 @last exits like the directory form
"$BENCH" compare r1 r2 >cdir; rdir=$?
"$BENCH" compare @last~1 @last >cref; rref=$?
[ "$rdir" = "$rref" ] || fail "compare @last~1 @last exit $rref, directory form $rdir"
grep -q "@last = run" cref || fail "compare does not say which runs the references are"
diff <(grep -v '^@last\|^base:\|^new:' cdir) <(grep -v '^@last\|^base:\|^new:' cref) >/dev/null ||
	fail "compare of references differs from the directory form"
host=$(hostname)
"$BENCH" compare "host=$host~1" "host=$host" >/dev/null; [ $? = "$rdir" ] || fail "compare host=H~1 host=H"
"$BENCH" compare @nosuchrun @last 2>err >/dev/null; [ $? = 2 ] || fail "unknown run must exit 2"
[ "$(wc -l <err)" = 1 ] || fail "unknown run: not one line: $(cat err)"
"$BENCH" compare @last~9 @last 2>/dev/null >/dev/null; [ $? = 2 ] || fail "@last~9 must exit 2"
"$BENCH" compare color=blue @last 2>err >/dev/null; [ $? = 2 ] && grep -q "unknown reference key" err || fail "bad reference key"

# import of the same directories, twice: still 2 runs
"$BENCH" history import r1 r2 >imp1 || fail "import"
grep -c "already in the history" imp1 | grep -qx 2 || fail "import of recorded runs is not idempotent: $(cat imp1)"
"$BENCH" history import r1 --db other.sqlite >/dev/null && "$BENCH" history import r1 --db other.sqlite >imp2 || fail "import into new store"
grep -q "already in the history" imp2 || fail "second import added a run"
[ "$(sqlite3 other.sqlite 'SELECT count(*) FROM fb_runs')" = 1 ] || fail "import twice gave more than one run"

# export -> a results.json the other commands accept
"$BENCH" history export @last --out exp >/dev/null || fail "export"
"$BENCH" compare exp r2 >/dev/null || fail "compare of an exported run"
"$BENCH" report exp >/dev/null 2>&1 || fail "report of an exported run"

# trend: table + plot
"$BENCH" history trend resume_latency.p99 --variant design=srcu --out tr >trend || fail "trend: $(cat trend)"
[ -s tr/plots/trend.png ] || fail "trend drew no plot"
[ "$(grep -c 'srcu/' trend)" -ge 2 ] || fail "trend table lacks rows: $(cat trend)"
grep -q targeted trend && fail "trend --variant design=srcu shows targeted"
"$BENCH" history trend no_such.p99 2>err >/dev/null; [ $? = 2 ] || fail "trend of an unknown metric must exit 2"

# --no-history records nothing
"$BENCH" "${RUN[@]}" --out r3 --no-history >/dev/null 2>&1
"$BENCH" history list | grep -q "2 run(s)" || fail "--no-history recorded a run"
# an unusable store: one warning line, results kept, exit 0
"$BENCH" "${RUN[@]}" --out r4 --db /proc/no/such.sqlite >out4 2>err4; rc=$?
[ "$rc" = 0 ] || fail "history failure changed the exit code to $rc"
[ -f r4/results.json ] || fail "history failure lost the results"
[ "$(grep -c warning err4)" = 1 ] || fail "history failure: want one warning line: $(cat err4)"

# verdict of a stored run and against the one before it
"$BENCH" verdict @last >verdict || fail "verdict @last"
grep -q "^Reproduce:" verdict && grep -q "^Question:" verdict || fail "verdict lacks parts: $(cat verdict)"
awk 'length($0) > 72 { bad = 1 } END { exit bad }' verdict || fail "verdict has lines over 72 columns"
"$BENCH" verdict @last --compare @last~1 --format markdown | grep -q "^| finding |" || fail "verdict --compare markdown"

# gc
"$BENCH" history gc --keep 1 | grep -q "deleted 1" || fail "gc --keep 1"
"$BENCH" history list | grep -q "1 run(s)" || fail "gc left more than 1 run"
[ "$(sqlite3 results/history.sqlite 'SELECT count(DISTINCT run_id) FROM fb_metrics')" = 1 ] || fail "gc left metric rows"

[ "$fails" -eq 0 ] && echo "history: all checks passed"
exit $((fails ? 1 : 0))
