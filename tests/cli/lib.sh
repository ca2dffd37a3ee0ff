# SPDX-License-Identifier: MIT
# Sourced by the tests/cli/*.sh scripts (not a test itself; tests/CMakeLists.txt
# leaves it out):   . "$(dirname "$0")/lib.sh"
#   skip WHY   "SKIP: WHY", exit 4 (ctest SKIP_RETURN_CODE)
#   fail WHAT  "FAIL: WHAT", counted in $fails; with fail_fast=1 set before
#              sourcing, the script ends there with exit 1
#   tmpdir NAME  TMP = a new temp dir for the test, removed at exit
fails=0
skip() { echo "SKIP: $*"; exit 4; }
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
	if [ "${fail_fast:-0}" = 1 ]; then
		exit 1
	fi
}
tmpdir() {
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
	trap 'rm -rf "$TMP"' EXIT
}

# Swap-mode tests (cleanup_sigint.sh, swap_supervisor.sh):
#   need_swap        SKIP unless root, a swap or zram, and a memory cgroup
#                    (and BENCH must be set, as for plot_workdir)
#   machine_state    swap devices, a sized zram0, owner files under /run and
#                    flushbench cgroups, leaving out what live processes own
#                    (other runs on the machine come and go)
#   machine_settled  0 once machine_state is "$before" again, within 3 s (what
#                    another run passes through settles, a leak stays); the
#                    last state is in $after
#   machine_unchanged WHAT [LOG]  else the difference, LOG, and fail WHAT
need_swap() {
	BENCH=${BENCH:?BENCH not set}
	export PATH=/usr/sbin:/sbin:$PATH
	[ "$(id -u)" = 0 ] || skip "needs root (zram swap + memory cgroup)"
	if [ "$(swapon --noheadings --show | wc -l)" = 0 ] && [ ! -e /sys/block/zram0 ] &&
	   ! modprobe -n -q zram 2>/dev/null; then
		skip "no swap and no zram"
	fi
	[ -e /sys/fs/cgroup/memory/memory.limit_in_bytes ] ||
		grep -qw memory /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || skip "no memory cgroup"
}
live() { [ -n "$1" ] && [ "$1" -gt 0 ] 2>/dev/null && kill -0 "$1" 2>/dev/null; }
machine_state() {
	local dev type size n ds f
	tail -n +2 /proc/swaps | while read -r dev type size _; do
		n=${dev#/dev/zram}
		[ -f "/run/flushbench-zram$n.pid" ] && live "$(cat "/run/flushbench-zram$n.pid")" && continue
		echo "swap $dev $type $size"
	done
	# a sized zram0 that no live process owns is a leak (0 = unused)
	ds=$(cat /sys/block/zram0/disksize 2>/dev/null)
	if [ -n "$ds" ] && [ "$ds" != 0 ] && ! { [ -f /run/flushbench-zram0.pid ] && live "$(cat /run/flushbench-zram0.pid)"; }; then
		echo "zram0 disksize $ds"
	fi
	for f in /run/flushbench-zram*.pid /run/flushbench-memcg-*; do
		[ -e "$f" ] || continue
		live "$(head -1 "$f")" && continue
		echo "owner file $f"
	done
	find /sys/fs/cgroup/memory /sys/fs/cgroup/unified /sys/fs/cgroup -maxdepth 5 -type d -name 'flushbench-*' 2>/dev/null |
		sort -u | while read -r d; do live "${d##*flushbench-}" || echo "cgroup $d"; done
}
machine_settled() {
	for _ in 1 2 3 4 5 6; do
		after=$(machine_state)
		[ "$before" = "$after" ] && return 0
		sleep 0.5
	done
	return 1
}
machine_unchanged() {
	machine_settled && return 0
	diff <(echo "$before") <(echo "$after")
	[ -n "${2:-}" ] && cat "$2"
	fail "$1"
	return 1
}

# Plot and report tests (plot.sh, report.sh):
#   plot_workdir CMD WHY  SKIP without python3 (needed WHY), gnuplot or
#                     `bench CMD`; SAMPLES = the checked-in sample results
#                     ($SRC/tests/data/sample-results), T = a temp dir
#                     (removed at exit) with copies of them
plot_workdir() {
	BENCH=${BENCH:?BENCH not set}
	SAMPLES=${SRC:?SRC not set}/tests/data/sample-results
	command -v python3 >/dev/null || skip "python3 is needed $2"
	command -v gnuplot >/dev/null || skip "gnuplot not installed (apt-get install gnuplot-nox)"
	"$BENCH" help "$1" >/dev/null 2>&1 || skip "this bench has no '$1' command yet"
	T=$(mktemp -d "${TMPDIR:-/tmp}/$1-test.XXXXXX")
	trap 'rm -rf "$T"' EXIT
	cp -r "$SAMPLES/matrix" "$SAMPLES/scaling" "$SAMPLES/base" "$SAMPLES/new" "$T/"
}
