#!/bin/bash
# SPDX-License-Identifier: MIT
# A swap-mode run under a tight memory limit with --perf record (issue 14):
# the limit is far below the data the touchers stream through, so most of it
# is in zram when the window ends and teardown must bring it back.  Needs
# root, zram (or a swap) and a memory cgroup, else SKIP; the perf part is
# left out, with the reason, when perf cannot record here.  Asserts:
#  - bench run is not killed (exit 0, not >= 128): the supervisor is outside
#    the limited cgroup;
#  - every variant is in results.json, complete; none failed (native: an OOM
#    kill in the window is allowed, the known limit in docs/PRESSURE.md), and
#    none with an OOM kill in phase "stop"/"teardown" (swapoff with the limit
#    lifted first) - failure.phase tells that apart from one in the window;
#  - the limit was the one asked for and it really swapped (swap-ins and
#    swap-outs > 0 over the run, resident peak within the limit);
#  - a non-empty perf.data per finished variant, no perf error, no perf left
#    running: perf is outside the cgroup, so the limit never kills it;
#  - swap devices, zram, flushbench cgroups and owner files as found.
# Runs on the default backend (kvm where /dev/kvm works, else native) and on
# native.
set -u
fail_fast=1
. "$(dirname "$0")/lib.sh"
need_swap
tmpdir swap_tight

same() {  # nothing left behind that was not there before (a dead run's leftovers
	# that were there may be repaired: by us, or by another engineer's run)
	local after added
	for _ in 1 2 3 4 5 6; do
		after=$(machine_state)
		added=$(comm -13 <(echo "$before" | sort) <(echo "$after" | sort) | grep -v '^$')
		[ -z "$added" ] && return 0
		sleep 0.5
	done
	echo "left behind: $added"; fail "machine changed after $1"
}

PERF=(--perf record)
why_no_perf=""
if ! command -v perf >/dev/null 2>&1; then
	why_no_perf="perf not installed"
elif ! perf record -q -o "$TMP/probe.data" -- true >/dev/null 2>&1; then
	why_no_perf="perf record does not work here: $(perf record -q -o "$TMP/probe.data" -- true 2>&1 | head -1)"
fi
[ -n "$why_no_perf" ] && { echo "SKIP (perf part): $why_no_perf"; PERF=(); }

before=$(machine_state)
# 4 vCPUs, 1 of them streaming through 96 MiB; the cgroup holds 48 MiB for
# the harness and data together, and a churn thread pages the data out all
# the time (so it swaps however slowly the guest runs: kvm on shadow paging
# is slow), so teardown's swapoff has to bring back more than the limit.
TIGHT=(run --vcpus 4 --workload mixed --flushers 2 --inhibitors 1 --touchers 1 --touch-mb 96
       --memcg-limit-mb 48 --pageout-churn --design srcu,targeted --request event --pressure swap
       --warmup 0.3 --duration 1 --no-plot --quiet --no-history)

tight_case() {  # $1 = label, $2 = 1: every variant must be ok, 0: an OOM kill in the window is allowed; then options
	local label=$1 strict=$2
	shift 2
	"$BENCH" "${TIGHT[@]}" "${PERF[@]}" "$@" --out "$TMP/$label" >"$TMP/$label.log" 2>&1
	local rc=$?
	[ $rc -lt 128 ] || { cat "$TMP/$label.log"; fail "$label: bench run was killed (exit $rc)"; }
	[ $rc = 0 ] || [ $rc = 1 -a $strict = 0 ] || { cat "$TMP/$label.log"; fail "$label: exit $rc"; }
	same "$label"
	for _ in 1 2 3 4 5 6; do pgrep -f -- "-o $TMP/" >/dev/null || break; sleep 0.5; done
	pgrep -af -- "-o $TMP/" && fail "$label: a perf process outlived the run"
	python3 - "$TMP/$label" "${#PERF[@]}" "$strict" <<'PY' || { cat "$TMP/$label.log"; fail "$label: results"; }
import json, os, sys
d = json.load(open(os.path.join(sys.argv[1], "results.json")))
perf, strict = sys.argv[2] != "0", sys.argv[3] == "1"
runs = d["runs"]
assert d["complete"] is True, "incomplete"
assert sorted(r["variant"] for r in runs) == [0, 1], [r["variant"] for r in runs]
notes = []
for r in runs:
    f = r.get("failure")
    if f:
        assert "OOM" in f["cause"] and not strict, ("failed", r["key"], f)
        # the known limit (docs/PRESSURE.md): an OOM kill in the window, never at teardown
        assert f["phase"] in ("warmup", "measure"), "OOM outside the window: %s" % f
        notes.append("%s: %s" % (r["key"].split(",")[1], f["cause"]))
        continue
    assert r.get("verdict") == "ok", (r["key"], r.get("verdict"))
    ps = r["pressure_stats"]
    assert ps["memcg_limit_mb"] == 48, ps["memcg_limit_mb"]
    assert ps["swap_ins_total"] > 0 and ps["swap_outs_total"] > 0, ("no swapping", ps)
    if ps.get("memcg_limit_kind", "").startswith("high"):    # native + memcg v1
        # a high mark is crossed before its reclaimer (0.5 ms poll, 2 MiB
        # page-outs) brings usage back (docs/PRESSURE.md "At the limit"):
        # resident may pass it by one reclaim step, never more
        assert ps.get("resident_mb_peak", 0) <= 48 + 2, ps
        assert ps["memcg_hard_limit_mb"] > 48 and ps["memcg_usage_peak_mb"] <= ps["memcg_hard_limit_mb"], ps
        assert ps["reclaimer_pageouts"] > 0, ("the reclaimer never ran", ps)
    else:                                                     # a hard limit
        assert ps.get("resident_mb_peak", 0) <= 48, ps
    if perf:
        p = r["perf"]
        assert "error" not in p, p
        data = os.path.join(sys.argv[1], p["data"])
        assert os.path.getsize(data) > 0, data
    notes.append("%s swap_ins=%d swap_outs=%d (whole run) perf=%s" % (r["key"].split(",")[1],
        ps["swap_ins_total"], ps["swap_outs_total"],
        "%d B" % os.path.getsize(os.path.join(sys.argv[1], r["perf"]["data"])) if perf else "-"))
assert sum(1 for r in runs if "failure" not in r) >= 1, "no variant finished"
print("%s: %s" % (sys.argv[1].rsplit("/", 1)[1], "; ".join(notes)))
PY
}

tight_case default 1
# native streams fast: far more than the limit is in zram when teardown
# starts; on memcg v1 the limit is a high mark kept by the harness's own
# reclaimer (docs/PRESSURE.md), so no OOM kill in the window either
tight_case native 1 --backend native
echo PASS
