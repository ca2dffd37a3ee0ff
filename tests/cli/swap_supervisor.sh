#!/bin/bash
# SPDX-License-Identifier: MIT
# Swap mode under the supervisor (issue 14).  Needs root, zram (or a swap)
# and a memory cgroup, else SKIP.  After each case the machine is exactly as
# found: swap devices, flushbench cgroups and owner files under /run (those
# of other live processes on the machine are ignored: they come and go).
#  0. a dead run's cgroup under another parent (owner file) is repaired;
#  1. double SIGINT at random points of a swap-mode run, FB_SIGINT_LOOPS
#     times (default 3; the issue's check is 20): exit 130;
#  2. a worker that exceeds its memory cgroup (test hook: locked memory) is
#     OOM-killed: recorded as failed with oom_kills and its phase, the other
#     variant ran, exit 1, the supervisor was not killed;
#  3. two swap-mode runs started together both complete, one after the other.
set -u
fail_fast=1
. "$(dirname "$0")/lib.sh"
tmpdir swap_supervisor
need_swap

same() { machine_unchanged "machine changed after $1"; }   # $1 = what just ran
before=$(machine_state)
SWAP=(run --vcpus 4 --design srcu --request event --pressure swap --no-plot --quiet --no-history)

# 0. a leftover of a dead run under ANOTHER parent cgroup (v1), limit still
#    set, named by its owner file: the next swap run lifts and removes it
if [ -e /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
	dead=$(sh -c 'echo $$')
	parent=/sys/fs/cgroup/memory/fbtest-parent-$$
	mkdir -p "$parent/flushbench-$dead"
	echo $((64 << 20)) >"$parent/flushbench-$dead/memory.limit_in_bytes"
	printf '%s\n%s\n%s\n' "$dead" "$parent/flushbench-$dead" "$parent/cgroup.procs" >"/run/flushbench-memcg-$dead"
	"$BENCH" "${SWAP[@]}" --duration 0.3 --warmup 0.1 --out "$TMP/stale" >"$TMP/stale.log" 2>&1 ||
		{ cat "$TMP/stale.log"; rmdir "$parent/flushbench-$dead" "$parent"; fail "run after a stale cgroup"; }
	gone=1
	[ -e "$parent/flushbench-$dead" ] && gone=0
	[ -e "/run/flushbench-memcg-$dead" ] && gone=0
	rmdir "$parent/flushbench-$dead" 2>/dev/null; rm -f "/run/flushbench-memcg-$dead"; rmdir "$parent"
	[ $gone = 1 ] || { cat "$TMP/stale.log"; fail "stale cgroup under another parent not removed"; }
	# another engineer's swap-mode run may have repaired it first (the machine
	# is shared): then the message is in that run's output, not ours
	grep -q "removed memory cgroup $parent/flushbench-$dead" "$TMP/stale.log" ||
		echo "note: the stale cgroup was repaired by another swap-mode run on this machine"
	same "repairing a stale cgroup under another parent"
	echo "stale cgroup under another parent: removed"
fi

# 1. double SIGINT at random points
loops=${FB_SIGINT_LOOPS:-3}
for i in $(seq "$loops"); do
	"$BENCH" "${SWAP[@]}" --duration 3 --warmup 0.2 --out "$TMP/int$i" >"$TMP/int$i.log" 2>&1 &
	pid=$!
	sleep "$((RANDOM % 3000 / 1000)).$(printf %03d $((RANDOM % 1000)))"
	kill -INT $pid 2>/dev/null
	sleep "0.$(printf %03d $((RANDOM % 300)))"
	kill -INT $pid 2>/dev/null
	t=0
	while kill -0 $pid 2>/dev/null && [ $t -lt 600 ]; do sleep 0.1; t=$((t + 1)); done
	kill -0 $pid 2>/dev/null && { kill -9 $pid; cat "$TMP/int$i.log"; fail "no exit within 60 s of two SIGINTs"; }
	wait $pid
	rc=$?
	# 0 is possible when both signals came after the run ended
	[ $rc = 130 ] || [ $rc = 0 ] || { cat "$TMP/int$i.log"; fail "double SIGINT: exit $rc, want 130"; }
	same "double SIGINT #$i (exit $rc)"
	if [ -e "$TMP/int$i/results.json" ]; then
		python3 -m json.tool "$TMP/int$i/results.json" >/dev/null || fail "results.json is not valid JSON"
	fi
done
echo "double SIGINT x$loops: machine as found each time"

# 2. OOM kill of a worker in its memory cgroup
FB_TEST_WORKER_HOOK=oom:0 "$BENCH" run --vcpus 2 --design srcu,targeted --request event --pressure swap \
	--duration 1 --warmup 0.2 --no-plot --quiet --no-history --out "$TMP/oom" >"$TMP/oom.log" 2>&1
rc=$?
[ $rc = 1 ] || { cat "$TMP/oom.log"; fail "OOM: exit $rc, want 1"; }
same "an OOM-killed worker"
python3 - "$TMP/oom/results.json" <<'PY' || { cat "$TMP/oom.log"; fail "OOM: results.json"; }
import json, sys
d = json.load(open(sys.argv[1]))
runs = {r["variant"]: r for r in d["runs"]}
f = runs[0]["failure"]
assert runs[0]["verdict"] == "failed" and f["oom_kills"] >= 1 and "OOM" in f["cause"], f
assert f["phase"] in ("measure", "stop"), f    # the hook allocates from mid-window on
assert "metrics" in runs[1], "the other variant ran"
print("OOM:", f["cause"])
PY

# 3. two swap-mode runs at once: the second waits for the lock
"$BENCH" "${SWAP[@]}" --duration 1 --warmup 0.2 --out "$TMP/a" >"$TMP/a.log" 2>&1 &
a=$!
"$BENCH" "${SWAP[@]}" --duration 1 --warmup 0.2 --out "$TMP/b" >"$TMP/b.log" 2>&1 &
b=$!
wait $a; ra=$?
wait $b; rb=$?
[ "$ra $rb" = "0 0" ] || { cat "$TMP/a.log" "$TMP/b.log"; fail "concurrent swap runs: exit $ra $rb"; }
cat "$TMP/a.log" "$TMP/b.log" | grep -q "waiting for another swap-mode run" || fail "neither run waited for the lock"
same "two concurrent swap-mode runs"
# --no-wait refuses while the lock is held
"$BENCH" "${SWAP[@]}" --duration 2 --warmup 0.2 --out "$TMP/c" >"$TMP/c.log" 2>&1 &
c=$!
for _ in $(seq 100); do grep -q "$c" /run/flushbench-swap.lock 2>/dev/null && break; sleep 0.1; done
"$BENCH" "${SWAP[@]}" --duration 1 --no-wait --out "$TMP/d" >"$TMP/d.log" 2>&1
rd=$?
wait $c
[ $rd = 2 ] && grep -q "holds /run/flushbench-swap.lock" "$TMP/d.log" || { cat "$TMP/d.log"; fail "--no-wait: exit $rd"; }
same "--no-wait"
echo PASS
