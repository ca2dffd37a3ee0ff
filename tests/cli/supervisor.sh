#!/bin/bash
# SPDX-License-Identifier: MIT
# bench run as a supervisor of one forked worker per variant (issue 14), on
# the native backend (no root needed):
#  1. a worker SIGKILLed mid-run: earlier variants kept, the killed one
#     recorded as failed with its cause, later ones ran, exit 1;
#  2. a worker that hangs (setup, and teardown after its record) is killed at
#     its budget and recorded as "timeout" (with the numbers when measured);
#  3. two runs without --out started together: two directories, both
#     complete, results/latest valid;
#  4. ulimit -n 256 with 1024 vCPUs: exit 2 and one line naming the limit;
#  5. --seed 18446744073709551615: one JSON type (a string) everywhere;
#  6. a guest that shuts down mid-window (test hook: a triple fault on kvm,
#     an abort ucall on native): recorded as failed with its cause and the
#     phase "measure" (or "stop"), the next variants ran, exit 1 (kvm part only where
#     /dev/kvm works);
#  7. --out: a missing DIR is created, an empty one used, a non-empty one
#     (an earlier run's) refused with one line and exit 2 and left as it
#     was; two runs given the same empty DIR: one runs, one exits 2.
set -u
BENCH=${BENCH:?BENCH not set}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/supervisor.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
fail_fast=1
. "$(dirname "$0")/lib.sh"
RUN=(run --backend native --vcpus 2 --request event --pressure none --warmup 0.1 --no-plot --quiet --no-history)

# 1. SIGKILL of the worker of variant 1 of 3 (run order is shuffled by the seed)
FB_TEST_WORKER_HOOK=kill:1 "$BENCH" "${RUN[@]}" --design srcu,srcu-private,targeted --duration 0.6 \
	--out "$TMP/kill" >"$TMP/kill.log" 2>&1
rc=$?
[ $rc = 1 ] || { cat "$TMP/kill.log"; fail "killed worker: exit $rc, want 1"; }
python3 - "$TMP/kill/results.json" <<'EOF' || fail "killed worker: results.json"
import json, sys
d = json.load(open(sys.argv[1]))
runs = {r["variant"]: r for r in d["runs"]}
assert sorted(runs) == [0, 1, 2], runs.keys()
assert d["complete"] is True, "all planned variants ran"
k = runs[1]
assert k["verdict"] == "failed", k
assert k["failure"]["signal"] == "KILL" and "signal 9" in k["failure"]["cause"], k["failure"]
assert k["failure"]["phase"] == "measure", k["failure"]   # the hook kills it mid-window
assert "metrics" not in k and k["failure"]["measured"] is False
for v in (0, 2):
    assert "metrics" in runs[v] and "failure" not in runs[v], runs[v].keys()
print("killed worker: variants 0 and 2 measured, 1 failed:", k["failure"]["cause"])
EOF
grep -q "failed variants:" "$TMP/kill.log" || fail "the table does not list the failed variant"

# 2a. a worker that hangs before measuring: killed at its 5 s budget (the other
#     variant, 0.4 s, must fit in it on a loaded 2-CPU machine too)
FB_TEST_WORKER_HOOK=hang:0 "$BENCH" "${RUN[@]}" --design srcu,targeted --duration 0.3 --budget-s 5 \
	--out "$TMP/hang" >"$TMP/hang.log" 2>&1
rc=$?
[ $rc = 1 ] || { cat "$TMP/hang.log"; fail "hang: exit $rc, want 1"; }
# 2b. a worker that hangs in teardown, after it sent its record
FB_TEST_WORKER_HOOK=hang-teardown:1 "$BENCH" "${RUN[@]}" --design srcu,targeted --duration 0.3 --budget-s 5 \
	--out "$TMP/hangtd" >"$TMP/hangtd.log" 2>&1
rc=$?
[ $rc = 1 ] || { cat "$TMP/hangtd.log"; fail "hang in teardown: exit $rc, want 1"; }
python3 - "$TMP/hang/results.json" "$TMP/hangtd/results.json" <<'EOF' || fail "hang: results.json"
import json, sys
h = {r["variant"]: r for r in json.load(open(sys.argv[1]))["runs"]}
assert h[0]["verdict"] == "timeout" and h[0]["failure"]["measured"] is False, h[0]
assert h[0]["failure"]["phase"] == "setup", h[0]["failure"]
assert 4.9 <= h[0]["failure"]["elapsed_s"] < 30, h[0]["failure"]
assert "metrics" in h[1] and h[1].get("verdict", "ok") == "ok", h[1].get("verdict")
t = {r["variant"]: r for r in json.load(open(sys.argv[2]))["runs"]}
assert t[1]["verdict"] == "timeout" and t[1]["failure"]["measured"] is True, t[1]
assert "metrics" in t[1] and "teardown" in t[1]["failure"]["cause"], t[1]["failure"]
assert t[1]["failure"]["phase"] == "teardown", t[1]["failure"]
print("hang: timeout at the budget;", t[1]["failure"]["cause"])
EOF

# 3. two runs without --out at the same moment
mkdir "$TMP/cwd"
(cd "$TMP/cwd" && "$BENCH" "${RUN[@]}" --design srcu --duration 0.3 >a.log 2>&1; echo $? >a.rc) &
(cd "$TMP/cwd" && "$BENCH" "${RUN[@]}" --design srcu --duration 0.3 >b.log 2>&1; echo $? >b.rc) &
wait
[ "$(cat "$TMP/cwd/a.rc") $(cat "$TMP/cwd/b.rc")" = "0 0" ] || { cat "$TMP"/cwd/*.log; fail "concurrent runs failed"; }
n=$(find "$TMP/cwd/results" -mindepth 2 -maxdepth 2 -name results.json | wc -l)
[ "$n" = 2 ] || { ls -la "$TMP/cwd/results"; fail "two concurrent runs wrote $n results.json, want 2"; }
for f in "$TMP"/cwd/results/*/results.json; do
	python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["complete"] is True' "$f" || fail "$f incomplete"
done
[ -L "$TMP/cwd/results/latest" ] && [ -f "$TMP/cwd/results/latest/results.json" ] || fail "results/latest is not valid"
ls "$TMP/cwd/results" | grep -q '\.latest' && fail "a temporary latest link was left"
echo "concurrent runs: $(ls "$TMP/cwd/results" | tr '\n' ' ')"

# 4. file descriptors for 1024 vCPUs under ulimit -n 256 (soft = hard)
out=$(ulimit -n 256 && "$BENCH" run --backend kvm --vcpus 1024 --duration 0.3 --no-plot --no-history --out "$TMP/fd" 2>&1)
rc=$?
[ $rc = 2 ] || { echo "$out" | head; fail "ulimit -n 256: exit $rc, want 2"; }
[ "$(echo "$out" | wc -l)" = 1 ] || { echo "$out" | head; fail "ulimit -n 256: more than one line"; }
echo "$out" | grep -q "1024 vCPUs need about [0-9]* open files; the limit is 256: run \`ulimit -n [0-9]*\`" ||
	fail "ulimit -n 256: message: $out"
echo "ulimit: $out"

# 5. the largest seed: the same JSON type in scenario and in every run
"$BENCH" "${RUN[@]}" --design srcu --duration 0.2 --seed 18446744073709551615 --out "$TMP/seed" \
	>"$TMP/seed.log" 2>&1 || { cat "$TMP/seed.log"; fail "seed run failed"; }
python3 - "$TMP/seed/results.json" <<'EOF' || fail "seed types"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["scenario"]["seed"] == "18446744073709551615", d["scenario"]["seed"]
for r in d["runs"]:
    assert r["config"]["seed"] == "18446744073709551615", r["config"]["seed"]
EOF

# 6. a guest shutdown in variant 1 of 3, on both backends
shutdown_case() {  # $1 = backend, $2 = what the cause must say
	FB_TEST_WORKER_HOOK=shutdown:1 "$BENCH" "${RUN[@]/native/$1}" --design srcu,srcu-private,targeted \
		--duration 0.6 --out "$TMP/shut-$1" >"$TMP/shut-$1.log" 2>&1
	rc=$?
	[ $rc = 1 ] || { cat "$TMP/shut-$1.log"; fail "guest shutdown ($1): exit $rc, want 1"; }
	python3 - "$TMP/shut-$1/results.json" "$2" <<'PY' || { cat "$TMP/shut-$1.log"; fail "guest shutdown ($1): results.json"; }
import json, sys
d = json.load(open(sys.argv[1]))
runs = {r["variant"]: r for r in d["runs"]}
assert sorted(runs) == [0, 1, 2] and d["complete"] is True, runs.keys()
f = runs[1]["failure"]
assert runs[1]["verdict"] == "failed" and sys.argv[2] in f["cause"], f
# the guest dies in the window, or (a slow kvm guest under load) when it next
# runs, as the VM stops: never before the window
assert f["phase"] in ("measure", "stop") and "signal" not in f and f["measured"] is False, f
for v in (0, 2):
    assert "metrics" in runs[v] and "failure" not in runs[v], runs[v].keys()
print("guest shutdown:", f["cause"])
PY
	grep -q "failed variants:" "$TMP/shut-$1.log" || fail "guest shutdown ($1): no failed-variants list"
}
shutdown_case native "test hook: guest shutdown"
if [ -r /dev/kvm ] && [ -w /dev/kvm ] && "$BENCH" info 2>/dev/null | grep -q "^backend: *kvm"; then
	shutdown_case kvm "guest shut down (triple fault)"
else
	echo "guest shutdown on kvm: not run here (no usable /dev/kvm)"
fi

# 7. an explicit --out is new or empty, never shared
OUT=(--design srcu --duration 0.2)
"$BENCH" "${RUN[@]}" "${OUT[@]}" --out "$TMP/o/new/sub" >"$TMP/o1.log" 2>&1 || { cat "$TMP/o1.log"; fail "--out missing dir"; }
[ -f "$TMP/o/new/sub/results.json" ] || fail "--out missing dir: no results.json"
sum=$(md5sum "$TMP/o/new/sub/results.json")
out=$("$BENCH" "${RUN[@]}" "${OUT[@]}" --out "$TMP/o/new/sub" 2>&1); rc=$?
[ $rc = 2 ] && [ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -q "is not empty" ||
	fail "--out non-empty: exit $rc: $out"
[ "$(md5sum "$TMP/o/new/sub/results.json")" = "$sum" ] || fail "--out non-empty: the earlier results changed"
mkdir "$TMP/o/empty"
"$BENCH" "${RUN[@]}" "${OUT[@]}" --out "$TMP/o/empty" >"$TMP/o2.log" 2>&1 || { cat "$TMP/o2.log"; fail "--out empty dir"; }
[ -f "$TMP/o/empty/results.json" ] || fail "--out empty dir: no results.json"
mkdir "$TMP/o/same"
"$BENCH" "${RUN[@]}" --design srcu --duration 1 --out "$TMP/o/same" >"$TMP/o3.log" 2>&1 &
p1=$!
"$BENCH" "${RUN[@]}" --design srcu --duration 1 --out "$TMP/o/same" >"$TMP/o4.log" 2>&1 &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
[ "$(echo $r1 $r2 | tr ' ' '\n' | sort | tr '\n' ' ')" = "0 2 " ] || { cat "$TMP"/o3.log "$TMP"/o4.log; fail "same --out twice at once: exit $r1 $r2, want 0 and 2"; }
cat "$TMP"/o3.log "$TMP"/o4.log | grep -Eq "in use by another bench run|is not empty" || fail "same --out: no reason given"
python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["complete"] is True' "$TMP/o/same/results.json" ||
	fail "same --out: the run that went ahead is incomplete"
echo "--out: new and empty used; non-empty refused: $out"
echo PASS
