#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `bench compare` end to end on tests/data/compare (see make.py there):
# exit codes 0/1/2, one-line errors, text/markdown/json output, within mode.
set -u
: "${BENCH:?BENCH must point to build/bench}"
SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
D=$SRC/tests/data/compare
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fb-compare.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

if [ ! -x "$BENCH" ]; then
	echo "SKIP: $BENCH not built"; exit 4
fi
if ! "$BENCH" compare --help >/dev/null 2>&1; then
	echo "SKIP: $BENCH has no compare command yet"; exit 4
fi

fails=0
# expect RC ARGS...: run bench compare, check its exit code
expect() {
	local want=$1; shift
	"$BENCH" compare "$@" >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "FAIL: bench compare $* -> exit $rc, want $want"
		sed 's/^/  | /' "$TMP/out" "$TMP/err"
		fails=$((fails + 1))
		return 1
	fi
	if [ "$want" -eq 2 ] && [ "$(wc -l <"$TMP/err")" -ne 1 ]; then
		echo "FAIL: bench compare $*: error is not exactly one line:"
		sed 's/^/  | /' "$TMP/err"
		fails=$((fails + 1))
		return 1
	fi
	return 0
}
contains() {    # contains FILE TEXT
	if ! grep -qF -- "$2" "$TMP/$1"; then
		echo "FAIL: expected '$2' in $1 of the last command:"
		sed 's/^/  | /' "$TMP/$1"
		fails=$((fails + 1))
	fi
}

expect 0 "$D/base" "$D/identical" && contains out "0 regressed, 0 improved, 6 no significant change"
expect 1 "$D/base" "$D/regressed" && contains out "REGRESSED"
expect 1 "$D/base/results.json" "$D/regressed/results.json"          # files work as well as dirs
expect 0 "$D/base" "$D/regressed" --threshold 30                      # 20 % < 30 %
expect 0 "$D/base" "$D/small" && contains out "no significant change" # +2 % < 5 %
expect 0 "$D/base" "$D/improved" && contains out "2 improved"
expect 1 "$D/base" "$D/rates-down" --metric rates.flushes_per_s
expect 0 "$D/base" "$D/regressed" --metric flush_latency.p99          # only an unchanged metric
expect 0 "$D/base" "$D/single" && contains out "insufficient repeats"
expect 1 "$D/base" "$D/regressed" --format markdown && contains out "| variant | metric |"
expect 1 "$D/base" "$D/regressed" --format json --between-run off
if command -v python3 >/dev/null; then
	python3 - "$TMP/out" <<'PY' || { echo "FAIL: json output"; fails=$((fails + 1)); }
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "flushbench-compare/1", d["schema"]
assert d["summary"]["regressed"] == 2, d["summary"]
assert d["exit"] == 1
PY
fi
# the gate: Holm by default, CI beyond the threshold, A/A + 30 % caught
expect 1 "$D/base" "$D/plus30" && contains out "correction holm" && contains out "REGRESSED"
expect 1 "$D/base" "$D/plus30" --correction none
expect 1 "$D/base" "$D/plus30" --correction bh --tail-method pooled --between-run off && contains out "pooled-perm"
expect 1 "$D/base" "$D/edge" --between-run off && contains out "inconclusive"
expect 0 "$D/base" "$D/edge" --between-run off --threshold 20 && contains out "below threshold"
# between-run drift: a whole busy run shifted (p99 +25 %, flushes/s -12 %) is not a regression
# under the busy floor, is one without the term, and +30 % on a quiet pair is still caught
expect 1 "$D/busy" "$D/busy-drift" --between-run off && contains out "REGRESSED"
expect 0 "$D/busy" "$D/busy-drift" && contains out "between-run drift term (" \
	&& contains out "sd 30.0% per run (busy default" && contains out "welch-log+drift"
expect 1 "$D/base" "$D/plus30" && contains out "quiet default"
expect 0 "$D/base" "$D/plus30" --between-run 50
expect 2 "$D/base" "$D/plus30" --between-run lots
expect 0 "$D/base" "$D/loaded" && contains out "conditions DIFFER" && contains out "new 5/5"
expect 0 "$D/base" "$D/loaded" --drop-disturbed && contains out "missing on one side"
expect 1 "$D/base" "$D/plus30" --format json
if command -v python3 >/dev/null; then
	python3 - "$TMP/out" <<'PY' || { echo "FAIL: json p_adj"; fails=$((fails + 1)); }
import json, sys
d = json.load(open(sys.argv[1]))
assert d["correction"] == "holm"
for r in d["rows"]:
    assert r["p_adj"] >= r["p"], r
    assert len(r["change_ci_pct"]) == 2, r
assert d["conditions"]["differ"] is False
PY
fi
expect 1 "$D/verdict-ok" "$D/stalled" && contains out "1/5 not ok"      # stalled in NEW only
# paired (bench ab): rounds are the unit, an exact sign test on the discordant ones
expect 0 "$D/verdict-ok" "$D/stalled" --paired && contains out "sign-test" && contains out "inconclusive"
expect 1 "$D/verdict-ok" "$D/stalled-all" --paired && contains out "0.0312"
expect 2 "$D/base" "$D/identical" --correction bonferroni
expect 2 "$D/base" "$D/identical" --tail-method median
expect 2 "$D/base" "$D/identical" --calibration "$D/base/results.json"
# within-run mode
expect 0 --baseline design=srcu "$D/base" && contains out "(baseline)"
expect 0 --baseline design=srcu,request=event "$D/base" --format markdown
# a lower-bound value (a stalled repeat's p99) prints as one, in every format
expect 0 --baseline design=srcu "$D/stalled" && contains out ">=40." && contains out "<=0."
expect 0 --baseline design=srcu "$D/stalled" --format markdown && contains out "| >=40."
expect 0 --baseline design=srcu "$D/stalled" --format json && contains out '"lower_bound": true'
expect 1 "$D/verdict-ok" "$D/stalled" && contains out ">=40."
# errors: exit 2 with one line on stderr
expect 2 "$D/base" "$D/wrong-schema" && contains err "schema"
expect 2 "$D/base" "$D/other" && contains err "share no variant"
expect 2 "$D/base" "$TMP/nonexistent"
expect 2 "$D/base"
expect 2 "$D/base" "$D/identical" --metric no_such.p99
expect 2 "$D/base" "$D/identical" --format yaml
expect 2 "$D/base" "$D/identical" --alpha 2
expect 2 "$D/base" "$D/identical" --threshold x
expect 2 "$D/base" "$D/identical" --no-such-flag
expect 2 --baseline design=nosuch "$D/base"
expect 2 --baseline design=srcu "$D/base" "$D/identical"
expect 0 --help && contains out "usage: bench compare"

if [ "$fails" -ne 0 ]; then
	echo "compare.sh: $fails check(s) failed"
	exit 1
fi
echo "compare.sh: all checks passed"
