#!/bin/bash
# SPDX-License-Identifier: MIT
# `bench run --pressure swap` interrupted by SIGINT midway (and a second run
# interrupted twice; the worker of each variant is a child of bench) leaves
# the machine as found: swapon --show, /proc/swaps,
# zram0 disksize and the memory cgroup directories.  Exit 4 = SKIP.
set -u
fail_fast=1
. "$(dirname "$0")/lib.sh"
tmpdir cleanup_sigint
need_swap

interrupt_run() {   # $1 = number of SIGINTs
	local out="$TMP/run$1"
	"$BENCH" run --vcpus 4 --pressure swap --duration 20 --out "$out" >"$TMP/log$1" 2>&1 &
	local pid=$!
	# wait until the swap mode is set up (the worker's cgroup exists), at most 20 s
	for _ in $(seq 200); do
		w=$(pgrep -P $pid | head -1)
		[ -n "$w" ] && [ -e "/run/flushbench-memcg-$w" ] && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	sleep 1
	for _ in $(seq "$1"); do kill -INT $pid 2>/dev/null; sleep 0.2; done
	local t=0
	while kill -0 $pid 2>/dev/null && [ $t -lt 600 ]; do sleep 0.1; t=$((t + 1)); done
	if kill -0 $pid 2>/dev/null; then
		echo "FAIL: bench did not exit within 60 s of SIGINT"; kill -9 $pid; cat "$TMP/log$1"; exit 1
	fi
	wait $pid
	echo $? >"$TMP/rc$1"
}

before=$(machine_state)
for n in 1 2; do
	interrupt_run $n
	machine_unchanged "machine changed after a run interrupted by $n SIGINT(s)" "$TMP/log$n"
	rc=$(cat "$TMP/rc$n")
	echo "interrupted by $n SIGINT(s): exit $rc, machine as found"
	if [ "$n" = 2 ] && [ "$rc" != 130 ]; then
		echo "FAIL: second SIGINT should abort with 130"; cat "$TMP/log$n"; exit 1
	fi
	# nothing half-written: either no results.json or a complete JSON file
	if [ -e "$TMP/run$n/results.json" ] && ! python3 -m json.tool "$TMP/run$n/results.json" >/dev/null; then
		echo "FAIL: results.json is not valid JSON"; exit 1
	fi
	ls "$TMP/run$n" 2>/dev/null | grep -q '\.tmp' && { echo "FAIL: temp file left in results dir"; exit 1; }
done

# SIGKILL (e.g. the OOM killer) cannot be caught: the swap stays on.  The
# next swap run must find the dead owner and restore the machine first.
"$BENCH" run --vcpus 4 --pressure swap --duration 20 --out "$TMP/killed" >"$TMP/logk" 2>&1 &
kpid=$!
for _ in $(seq 200); do [ -e /run/flushbench-zram0.pid ] && break; kill -0 $kpid 2>/dev/null || break; sleep 0.1; done
kill -KILL $kpid 2>/dev/null
wait $kpid 2>/dev/null
if [ "$before" = "$(machine_state)" ]; then
	echo "note: nothing left behind by the SIGKILLed run (it had not set up swap yet)"
fi
"$BENCH" run --vcpus 4 --pressure swap --duration 0.3 --warmup 0.1 --design srcu --request unblock \
	--no-plot --quiet --out "$TMP/next" >"$TMP/lognext" 2>&1 || { echo "FAIL: run after SIGKILL failed"; cat "$TMP/lognext"; exit 1; }
machine_unchanged "the run after a SIGKILLed run did not restore the machine" "$TMP/lognext"
grep -q "recovered /dev/zram" "$TMP/lognext" && echo "SIGKILLed run: swap recovered by the next run, machine as found"
echo PASS
