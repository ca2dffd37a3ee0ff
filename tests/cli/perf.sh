#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `bench run --perf record|stat` and `bench perf-report` end to end (docs/PERF.md):
#  - record: one perf.data per run, every sample inside the run's measured
#    window from results.json (perf --clockid monotonic vs our CLOCK_MONOTONIC),
#    checked by `perf-report --check` AND independently here with perf script;
#  - perf-report prints top symbols and writes well-formed folded stacks;
#  - stat: run["perf"]["events"]["context-switches"] > 0 in every run;
#  - no perf process outlives bench, also on Ctrl-C; no temp files left;
#    tracefs mounted state is left as found;
#  - perf missing / bad event: exit 2 with one clear line.
set -u
: "${BENCH:?BENCH must point to build/bench}"
W=$(mktemp -d "${TMPDIR:-/tmp}/fb-perf-cli.XXXXXX")
trap 'rm -rf "$W"' EXIT

. "$(dirname "$0")/lib.sh"

[ -x "$BENCH" ] || skip "$BENCH not built"
command -v perf >/dev/null 2>&1 || skip "perf not installed (apt-get install linux-perf)"
perf --version >/dev/null 2>&1 || skip "perf does not run on this kernel"
if [ "$(id -u)" != 0 ] && [ "$(cat /proc/sys/kernel/perf_event_paranoid)" -gt 1 ]; then
	skip "not root and kernel.perf_event_paranoid > 1"
fi
"$BENCH" run --help 2>&1 | grep -q -- "--perf" || skip "bench run has no --perf option yet"
"$BENCH" perf-report --help >/dev/null 2>&1 || skip "bench has no perf-report command yet"

tracefs_before=$(grep -c " tracefs " /proc/mounts)
# Small and fast: 4 vCPUs with explicit roles (the embedded default scenario
# may ask for more), no memory pressure (perf is what is under test).
ROLES=(--workload mixed --flushers 2 --inhibitors 1 --touchers 1 --pressure none)
RUN=(run --vcpus 4 --duration-s 1 --warmup-s 0.5 --design srcu,targeted --request event
     "${ROLES[@]}" --quiet)

# perf processes still attached to a W run (their -o path contains $W)
leftover_perf() { pgrep -f -- "-o $W/" || true; }

# ---- record -------------------------------------------------------------------
"$BENCH" "${RUN[@]}" --perf record --out "$W/rec" >"$W/rec.out" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
	fail "bench run --perf record exited $rc"; sed 's/^/  | /' "$W/rec.out"
else
	runs=$(grep -c '"key":' "$W/rec/results.json")
	datas=$(ls "$W/rec/perf/"*.data 2>/dev/null | wc -l)
	[ "$runs" -ge 2 ] || fail "expected >= 2 runs, got $runs"
	[ "$datas" -eq "$runs" ] || fail "$datas perf.data files for $runs runs"
	ls -a "$W/rec/perf" | grep -q '\.tmp\.' && fail "temp files left in perf/"

	"$BENCH" perf-report "$W/rec" --check >"$W/check.out" 2>&1 ||
		{ fail "perf-report --check"; sed 's/^/  | /' "$W/check.out"; }
	[ "$(grep -c '^ok ' "$W/check.out")" -eq "$runs" ] ||
		{ fail "perf-report --check did not pass every run"; sed 's/^/  | /' "$W/check.out"; }

	# Independent window check (needs jq): samples vs run["perf"]["window"].
	if command -v jq >/dev/null 2>&1; then
		jq -r '.runs[] | "\(.perf.data) \(.perf.window.start_ns) \(.perf.window.end_ns)"' \
			"$W/rec/results.json" >"$W/windows"
		while read -r data start end; do
			perf script --ns -F time,event -i "$W/rec/$data" 2>/dev/null |
			awk -v s="$start" -v e="$end" '
				{ t = $1; sub(":", "", t); split(t, p, ".");
				  ns = p[1] * 1e9 + p[2]; n++;
				  if (ns < s - 1e6 || ns > e + 1e6) bad++ }
				END { printf "%d %d\n", n, bad }' >"$W/win.res"
			read -r n bad <"$W/win.res"
			[ "$n" -gt 0 ] || fail "$data: no samples"
			[ "${bad:-0}" -eq 0 ] || fail "$data: $bad of $n samples outside [$start, $end]"
		done <"$W/windows"
		jq -e '[.runs[].perf.window | .end_ns > .start_ns] | all' "$W/rec/results.json" >/dev/null ||
			fail "window end <= start"
	else
		echo "note: jq missing, independent window check skipped (perf-report --check ran)"
	fi

	"$BENCH" perf-report "$W/rec" >"$W/report.out" 2>&1 ||
		{ fail "perf-report exited $?"; sed 's/^/  | /' "$W/report.out"; }
	grep -q "Samples: .* of event 'cpu-clock'" "$W/report.out" || fail "perf-report printed no cpu-clock summary"
	folded=$(ls "$W/rec/perf/"*.folded 2>/dev/null | wc -l)
	[ "$folded" -eq "$datas" ] || fail "$folded .folded files for $datas profiles"
	for f in "$W/rec/perf/"*.folded; do
		[ -s "$f" ] || { fail "$f empty"; continue; }
		grep -vqE '^[^ ].*[^ ] [0-9]+$' "$f" && fail "$f has malformed lines"
	done
	# one variant only, by substring of its name
	"$BENCH" perf-report "$W/rec" design=targeted --no-fold >"$W/one.out" 2>&1 ||
		fail "perf-report DIR VARIANT"
	[ "$(grep -c '^== ' "$W/one.out")" -eq 1 ] || fail "VARIANT selected $(grep -c '^== ' "$W/one.out") profiles"
fi
[ -z "$(leftover_perf)" ] || fail "perf still running after bench exited: $(leftover_perf)"

# ---- stat ---------------------------------------------------------------------
"$BENCH" "${RUN[@]}" --perf stat --out "$W/stat" >"$W/stat.out" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
	fail "bench run --perf stat exited $rc"; sed 's/^/  | /' "$W/stat.out"
else
	"$BENCH" perf-report "$W/stat" --check >"$W/scheck.out" 2>&1 ||
		{ fail "stat counts missing"; sed 's/^/  | /' "$W/scheck.out"; }
	if command -v jq >/dev/null 2>&1; then
		jq -e '[.runs[] | .perf.events["context-switches"] > 0] | all' "$W/stat/results.json" >/dev/null ||
			fail "a run lacks perf.events.context-switches > 0"
	fi
fi

# ---- Ctrl-C: perf must not outlive bench, nothing half-written ------------------
"$BENCH" run --vcpus 4 --duration-s 5 --warmup-s 0.2 --design srcu --request event "${ROLES[@]}" \
	--quiet --perf record --out "$W/int" >"$W/int.out" 2>&1 &
bpid=$!
for _ in $(seq 100); do [ -n "$(leftover_perf)" ] && break; sleep 0.1; done
[ -n "$(leftover_perf)" ] || fail "Ctrl-C test: perf never started ($(head -c 300 "$W/int.out"))"
sleep 0.5
kill -INT $bpid
wait $bpid
sleep 0.2
[ -z "$(leftover_perf)" ] || fail "perf survived Ctrl-C of bench: $(leftover_perf)"
ls -a "$W/int/perf" 2>/dev/null | grep -q '\.tmp\.' && fail "temp files left after Ctrl-C"

# ---- errors ----------------------------------------------------------------------
FB_PERF=/nonexistent/perf "$BENCH" "${RUN[@]}" --perf record --out "$W/np" >"$W/np.out" 2>&1
rc=$?
[ $rc -eq 2 ] || fail "missing perf: exit $rc, want 2"
grep -q "linux-perf" "$W/np.out" || fail "missing perf: message does not name the package"
[ "$(wc -l <"$W/np.out")" -le 1 ] || fail "missing perf: more than one line"

"$BENCH" "${RUN[@]}" --perf record --perf-events 'cpu-clock,no-such-event-xyz' --out "$W/be" >"$W/be.out" 2>&1
rc=$?
[ $rc -ne 0 ] || fail "bad perf event accepted"
grep -q "no-such-event-xyz" "$W/be.out" || fail "bad event: message does not name it"
[ -z "$(leftover_perf)" ] || fail "perf left after a bad event"

[ "$(grep -c " tracefs " /proc/mounts)" -eq "$tracefs_before" ] || fail "tracefs mount state changed"

if [ $fails -ne 0 ]; then
	echo "$fails failure(s)"
	exit 1
fi
echo "ok"
