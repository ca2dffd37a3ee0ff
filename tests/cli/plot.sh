#!/bin/bash
# SPDX-License-Identifier: MIT
# bench plot on the checked-in sample results (tests/data/sample-results):
# every applicable PNG/SVG is made and valid, inapplicable plots are skipped
# with a one-line note, errors exit 2 with one line, a failing gnuplot leaves
# no half-written plot.  Env: BENCH, SRC, TMPDIR (tests/CMakeLists.txt).
set -u
fail_fast=1
. "$(dirname "$0")/lib.sh"
plot_workdir plot "to validate PNG/SVG files"

# check_png FILE: PNG signature, IHDR chunk, sane width/height.
check_png() {
	python3 - "$1" <<'PY' || fail "$1 is not a valid PNG of sane size"
import struct, sys
d = open(sys.argv[1], "rb").read()
assert d[:8] == b"\x89PNG\r\n\x1a\n", "bad signature"
length, kind = struct.unpack(">I4s", d[8:16])
assert kind == b"IHDR" and length == 13, "no IHDR"
w, h = struct.unpack(">II", d[16:24])
assert 400 <= w <= 4000 and 300 <= h <= 4000, (w, h)
assert d[-8:-4] == b"IEND", "truncated (no IEND)"
PY
}

# check_svg FILE NAME...: parses as XML and every NAME occurs in its text.
check_svg() {
	python3 - "$@" <<'PY' || fail "$1: not valid SVG or a series name is missing"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag.endswith("svg"), root.tag
text = " ".join(t for t in root.itertext())
missing = [n for n in sys.argv[2:] if n not in text]
assert not missing, "missing: %s" % missing
PY
}

# --- 1. one vCPU count, 6 variants x 2 pressure modes x 3 repeats -------
out=$("$BENCH" plot "$T/matrix" 2>"$T/err") || fail "bench plot matrix exited $?: $(cat "$T/err")"
echo "$out"
P=$T/matrix/plots
for n in cdf percentiles timeseries; do
	for e in png svg gp; do [ -s "$P/$n.$e" ] || fail "missing $P/$n.$e"; done
	[ -s "$P/data/$n.dat" ] || fail "missing $P/data/$n.dat"
	check_png "$P/$n.png"
	echo "$out" | grep -q "^plot $n: .*$n.png .*$n.svg\$" || fail "no 'plot $n:' line"
done
series="srcu/event srcu/unblock srcu-private/event srcu-private/unblock targeted/event targeted/unblock"
check_svg "$P/cdf.svg" $series resume_latency flush_latency "pressure=none" "pressure=paging" "kernel 6.18.44" "1ms" "10µs"
check_svg "$P/percentiles.svg" p50 p99 p99.9 srcu-private targeted unblock "pressure=paging" "min..max over repeats"
check_svg "$P/timeseries.svg" "design srcu" "design targeted" "fault rate" "grace period (max)" "faults/s"
# scaling is skipped, not failed, with exactly one note; nothing half-made
[ "$(echo "$out" | grep -c skipped)" = 1 ] || fail "expected exactly one skipped plot"
echo "$out" | grep -qx "plot scaling: skipped, results have a single vCPU count" || fail "no scaling skip note"
[ ! -e "$P/scaling.png" ] && [ ! -e "$P/scaling.svg" ] || fail "scaling drawn for a single vCPU count"
[ -z "$(find "$P" -name '*.tmp*')" ] || fail "temp files left in $P"
# data: every CDF block ends at 1 (repeats merged correctly)
python3 - "$P/data/cdf.dat" <<'PY' || fail "cdf.dat blocks do not end at 1.0"
import sys
blocks = open(sys.argv[1]).read().split("\n\n\n")[1:]
assert len(blocks) == 2 * 2 * 6, len(blocks)        # metric x pressure x series
for b in blocks:
    rows = [l.split() for l in b.splitlines() if l and not l.startswith("#")]
    assert rows and abs(float(rows[-1][1]) - 1.0) < 1e-6, rows[-1:]
    ys = [float(r[1]) for r in rows]
    assert ys == sorted(ys)
PY
# the saved script re-runs by hand
(cd "$P" && gnuplot -e "fmt='svg'; out='byhand.svg'" cdf.gp 2>/dev/null) && check_svg "$P/byhand.svg" srcu/event \
	|| fail "plots/cdf.gp does not re-run by hand"
# --format svg only writes SVG
rm -rf "$P"
"$BENCH" plot --format svg "$T/matrix" >/dev/null || fail "--format svg failed"
[ -s "$P/cdf.svg" ] && [ ! -e "$P/cdf.png" ] || fail "--format svg wrote PNG or no SVG"

# long tails (seconds) give axis ends like 1e+07 µs, which gnuplot must accept
mkdir "$T/tail"
python3 - "$SAMPLES/matrix/results.json" "$T/tail/results.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["runs"]:
    m = r["metrics"]["flush_latency"]
    m["hist"].append([2147483647, 1]); m["count"] += 1; m["max"] = 2147483647
    r["timeseries"]["resume_max_ns"][3] = 3000000000
json.dump(d, open(sys.argv[2], "w"))
PY
"$BENCH" plot --format png "$T/tail" >/dev/null 2>"$T/e" || fail "long-tail results: $(cat "$T/e")"
grep -q "1e+" "$T/tail/plots/cdf.gp" && fail "exponent notation in cdf.gp axis ranges"
check_png "$T/tail/plots/cdf.png"

# --- 2. vCPU sweep: scaling is drawn --------------------------------------
out=$("$BENCH" plot "$T/scaling") || fail "bench plot scaling exited $?"
echo "$out"
P=$T/scaling/plots
for n in cdf percentiles scaling timeseries; do check_png "$P/$n.png"; done
check_svg "$P/scaling.svg" srcu/unblock srcu-private/unblock targeted/unblock vCPUs "flushes/s (all vCPUs)" "p99 latency" "100µs"
echo "$out" | grep -q skipped && fail "a plot was skipped on the sweep"

# --- 3. compare plot -------------------------------------------------------
out=$("$BENCH" plot --compare "$T/base" "$T/new" --out "$T/cmp") || fail "bench plot --compare exited $?"
echo "$out"
check_png "$T/cmp/plots/compare.png"
check_svg "$T/cmp/plots/compare.svg" srcu/event targeted/unblock resume_latency.p99 rates.flushes_per_s regression
# the sample NEW has srcu resume p99 +25 %: red (regressed) rows for srcu, none for srcu-private
grep -q '"srcu/event" # regressed' "$T/cmp/plots/data/compare.dat" || fail "srcu/event not flagged regressed"
grep '"srcu-private' "$T/cmp/plots/data/compare.dat" | grep -q regressed && fail "srcu-private flagged"
"$BENCH" plot --compare "$T/base" "$T/base" --out "$T/same" >/dev/null || fail "compare BASE BASE failed"
grep -q regressed "$T/same/plots/data/compare.dat" && fail "identical results flagged as regressed"

# --- 4. errors: one line, exit 2 -------------------------------------------
expect_err() {   # expect_err PATTERN cmd...
	local pat=$1; shift
	"$@" >"$T/o" 2>"$T/e"; rc=$?
	[ $rc = 2 ] || fail "'$*' exited $rc, expected 2"
	[ "$(wc -l <"$T/e")" = 1 ] || fail "'$*' printed $(wc -l <"$T/e") error lines"
	grep -q "$pat" "$T/e" || fail "'$*': message lacks '$pat': $(cat "$T/e")"
}
mkdir "$T/empty"
expect_err "has no results.json" "$BENCH" plot "$T/empty"
expect_err "gnuplot-nox" env PATH=/nonexistent "$BENCH" plot "$T/matrix"
expect_err "png, svg or both" "$BENCH" plot --format jpg "$T/matrix"
echo '{"schema":"other/9","runs":[]}' >"$T/empty/results.json"
expect_err "bench plot" "$BENCH" plot "$T/empty"

# --- 5. a failing gnuplot leaves no half-written plot ----------------------
mkdir "$T/fakebin"
cat >"$T/fakebin/gnuplot" <<'SH'
#!/bin/sh
# answers the terminal query, then writes half a file and fails
case "$*" in *GPVAL_TERMINALS*) echo "pngcairo svg"; exit 0;; esac
out=$(printf '%s' "$2" | sed -n "s/.*out='\([^']*\)'.*/\1/p")
printf '\211PNG half' >"$out"
echo '"cdf.gp" line 1: simulated failure' >&2
exit 1
SH
chmod +x "$T/fakebin/gnuplot"
cp -r "$SAMPLES/matrix" "$T/half"
PATH="$T/fakebin:$PATH" "$BENCH" plot "$T/half" >"$T/o" 2>"$T/e"; rc=$?
[ $rc = 1 ] || fail "failing gnuplot: exit $rc, expected 1"
grep -q "simulated failure" "$T/e" || fail "gnuplot's error not reported: $(cat "$T/e")"
[ -z "$(find "$T/half/plots" -name '*.png' -o -name '*.svg' -o -name '*.tmp*')" ] || fail "half-written plot left behind"

echo "PASS"
