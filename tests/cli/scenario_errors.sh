#!/bin/bash
# SPDX-License-Identifier: MIT
# Broken scenario files and flags must make `bench run` exit 2 with exactly
# ONE line on stderr that names file:line and the offending key, before any
# VM is created.  Env (tests/CMakeLists.txt): BENCH, SRC, BUILD, TMPDIR.
set -u
BENCH=${BENCH:-${BUILD:-.}/bench}
if [ ! -x "$BENCH" ]; then
	echo "SKIP: no bench binary at '$BENCH' (build it first)"; exit 4
fi
if ! "$BENCH" run --help 2>/dev/null | grep -q -- '--scenario'; then
	echo "SKIP: '$BENCH' has no working 'run' command yet"; exit 4
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/fb-scenario-errors.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
fails=0

# expect_error NAME EXPECTED-SUBSTRING... -- ARGS...: exit 2, one stderr line
# containing every substring.
expect_error() {
	local name=$1; shift
	local want=()
	while [ "$1" != "--" ]; do want+=("$1"); shift; done
	shift
	local out rc lines
	timeout 60 "$BENCH" run "$@" >"$dir/out" 2>"$dir/err"
	rc=$?
	lines=$(wc -l <"$dir/err")
	if [ "$rc" != 2 ]; then
		echo "FAIL $name: exit $rc, want 2 (stderr: $(head -c 300 "$dir/err"))"
		fails=$((fails + 1)); return
	fi
	if [ "$lines" != 1 ]; then
		echo "FAIL $name: $lines stderr lines, want exactly 1:"; sed 's/^/    /' "$dir/err"
		fails=$((fails + 1)); return
	fi
	for w in "${want[@]}"; do
		if ! grep -qF -- "$w" "$dir/err"; then
			echo "FAIL $name: stderr lacks '$w': $(cat "$dir/err")"
			fails=$((fails + 1)); return
		fi
	done
	echo "ok   $name: $(cat "$dir/err")"
}

# write NAME CONTENT: a scenario file in $dir
write() { printf '%b' "$2" >"$dir/$1"; }

write unknown.ini   '; typo in a key\n[vm]\nvcpu = 8\n'
expect_error unknown-key "$dir/unknown.ini:3:" "'vcpu'" "did you mean 'vcpus'" -- --scenario "$dir/unknown.ini"

write range.ini     '[vm]\nvcpus = 8\n\n[workload]\nflush_think_us = 5, 99999999\n'
expect_error out-of-range "$dir/range.ini:5:" "flush_think_us" "out of range" -- --scenario "$dir/range.ini"

write empty.ini     '[design]\ndesign =\n'
expect_error empty-list "$dir/empty.ini:2:" "design" "empty" -- --scenario "$dir/empty.ini"

write choice.ini    '[design]\ndesign = srcu\nrequest = event, unblok\n'
expect_error bad-choice "$dir/choice.ini:3:" "request" "unblok" -- --scenario "$dir/choice.ini"

write design.ini    '[design]\ndesign = srcu, no-such-design\n'
expect_error bad-design "$dir/design.ini:2:" "design" "no-such-design" -- --scenario "$dir/design.ini"

write twice.ini     'vcpus = 8\nvcpus = 16\n'
expect_error duplicate-key "$dir/twice.ini:2:" "'vcpus'" "twice" -- --scenario "$dir/twice.ini"

write section.ini   '[vm]\nduration_s = 1\n'
expect_error wrong-section "$dir/section.ini:2:" "'duration_s'" "[run]" -- --scenario "$dir/section.ini"

write list.ini      '[run]\nrepeat = 1, 2\n'
expect_error scenario-level-list "$dir/list.ini:2:" "repeat" -- --scenario "$dir/list.ini"

write bool.ini      '[workload]\ntouch_verify = maybe\n'
expect_error bad-bool "$dir/bool.ini:2:" "touch_verify" "maybe" -- --scenario "$dir/bool.ini"

write syntax.ini    '[vm]\nvcpus 8\n'
expect_error syntax "$dir/syntax.ini:2:" -- --scenario "$dir/syntax.ini"

expect_error missing-file "$dir/nope.ini" "No such file" -- --scenario "$dir/nope.ini"

# the same rules for CLI keys
expect_error cli-range "--vcpus" "0 is out of range (1..1024)" -- --vcpus 0
expect_error cli-list-value "--design" "bogus" -- --design srcu,bogus
expect_error cli-typo "unknown option '--vcpu'" "did you mean '--vcpus'" -- --vcpu 8
expect_error cli-empty "--request" "empty" -- --request=

if [ "$fails" != 0 ]; then
	echo "$fails case(s) failed"; exit 1
fi
echo "all scenario error cases ok"
