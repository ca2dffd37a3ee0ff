#!/bin/bash
# SPDX-License-Identifier: MIT
# The run's exit code is honest about the oracle (docs/ORACLE.md, docs/RESULTS.md
# "Verdicts"), on the native backend:
#  1. flushers stranded by a deliberately broken design (wake-before-unsuspend:
#     woken, never ran; stranded in the warm-up, so they make no progress in
#     the window): exit 1, and the output and results.json name the stuck
#     flusher vCPU ids (oracle.no_progress), the same ids in both;
#  2. flushers livelocked by a broken design (wake-stray-request: every entry
#     cancelled): exit 1, no_progress names them;
#  3. a stalled grace period of the srcu design (paging with a fault latency
#     far above lost_timeout_ms: the grace period waits for the pager's read
#     side): verdict `stalled`, exit 0.  (The same at the library level:
#     tests/kvm/vm_oracle.c, the held-reader case.)
set -u
BENCH=${BENCH:?BENCH not set}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/stuck_flushers.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
. "$(dirname "$0")/lib.sh"
RUN=(run --backend native --request unblock --no-plot --quiet --no-history --repeat 1)

# $1 = name, $2 = design, rest = extra options; exit code to $TMP/$1.rc
broken_run() {
	local name=$1 design=$2
	shift 2
	"$BENCH" "${RUN[@]}" --pressure none --allow-broken --design "$design" --vcpus 8 --inhibit-hold-us 300 \
		--duration 1 --warmup 0.4 "$@" --out "$TMP/$name" >"$TMP/$name.log" 2>&1
	echo $? >"$TMP/$name.rc"
}

# the flusher ids in results.json (oracle.no_progress) and in the output line
# "N flusher(s) made no progress (...): vCPU a,b,c" must agree, non-empty
check_stuck() {
	local name=$1 rc
	rc=$(cat "$TMP/$name.rc")
	[ "$rc" = 1 ] || { cat "$TMP/$name.log"; fail "$name: exit $rc, want 1 (flushers stuck)"; return; }
	python3 - "$TMP/$name/results.json" "$TMP/$name.log" <<'EOF' || { cat "$TMP/$name.log"; fail "$name: stuck flusher ids"; }
import json, re, sys
d = json.load(open(sys.argv[1]))
log = open(sys.argv[2]).read()
(r,) = d["runs"]
o = r["oracle"]
assert r["verdict"] != "ok" and o["ok"] is False, (r["verdict"], o["ok"])
assert "no-progress" in o["failures"], o["failures"]
ids = o["no_progress"]
assert ids and all(isinstance(i, int) and 0 <= i < 8 for i in ids), ids
m = re.search(r"(\d+) flusher\(s\) made no progress \(no flush, no resume\): vCPU ([0-9,.]+)", log)
assert m, "the output does not name the stuck flushers"
assert int(m.group(1)) == len(ids), (m.group(1), ids)
assert [int(x) for x in m.group(2).split(",")] == ids, (m.group(2), ids)
ev = [e for e in o["events"] if e["kind"] == "no_progress"]
assert ev and ev[0]["vcpu"] == ids[0], ev
print("%s: exit 1, verdict %s, stuck flushers %s (output and results.json)" % (r["design"], r["verdict"], ids))
EOF
}

# 1. woken, never ran: the wake is delayed (race point "wake") so a flusher
#    goes back to sleep before its suspended state is cleared
broken_run stranded wake-before-unsuspend --race-delay-us 200 --race-points wake
check_stuck stranded
grep -q "woken_never_ran" "$TMP/stranded.log" || fail "stranded: no woken_never_ran event in the output"

# 2. livelocked: woken flushers spin on a request nobody consumes
broken_run livelock wake-stray-request --race-delay-us 100 --race-points publish
check_stuck livelock

# 3. stalled grace period: exit 0.  A loaded machine may run no suspension
#    behind a slow fault in one window: up to 3 runs, each must exit 0
#    with verdict ok or stalled, and one must be stalled.
stalled=0
for i in 1 2 3; do
	"$BENCH" "${RUN[@]}" --pressure paging --design srcu --vcpus 6 --touchers 2 \
		--mem-mb 32 --touch-mb 16 --resident-mb 4 --fault-latency fixed --fault-latency-us 50000 \
		--lost-timeout-ms 10 --duration 1.5 --warmup 0.2 --seed "$i" \
		--out "$TMP/stalled$i" >"$TMP/stalled$i.log" 2>&1
	rc=$?
	if grep -q "no variant can run here" "$TMP/stalled$i.log"; then
		echo "note: paging unavailable here, stalled case not run:"; cat "$TMP/stalled$i.log"; break
	fi
	[ $rc = 0 ] || { cat "$TMP/stalled$i.log"; fail "stalled run $i: exit $rc, want 0"; break; }
	v=$(python3 -c 'import json,sys; (r,) = json.load(open(sys.argv[1]))["runs"]; print(r["verdict"], r["oracle"]["ok"], r["oracle"]["stalled_suspensions"])' \
		"$TMP/stalled$i/results.json")
	echo "stalled run $i: exit 0, verdict/oracle ok/stalled suspensions: $v"
	case "$v" in
	"stalled True "*) stalled=1; grep -q "STALLED" "$TMP/stalled$i.log" ||
		fail "stalled run $i: the output does not say STALLED"; break ;;
	"ok True "*) ;;
	*) cat "$TMP/stalled$i.log"; fail "stalled run $i: verdict $v"; break ;;
	esac
done
[ $stalled = 1 ] || grep -q "no variant can run here" "$TMP"/stalled*.log ||
	fail "srcu under 50 ms faults with lost_timeout_ms=10: never reported stalled in 3 runs"

[ $fails = 0 ] && echo PASS
exit $((fails > 0))
