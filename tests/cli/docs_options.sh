#!/usr/bin/env bash
# docs/options.md is generated from the option table; fail when they drift
# (regenerate: build/bench info --options --format markdown > docs/options.md).
set -u
[ -x "${BENCH:-}" ] || { echo "SKIP: BENCH not built"; exit 4; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
"$BENCH" info --options --format markdown > "$tmp" || { echo "FAIL: bench info --options exited $?"; exit 1; }
if ! diff -u "$SRC/docs/options.md" "$tmp"; then
	echo "FAIL: docs/options.md is stale; regenerate it with: build/bench info --options --format markdown > docs/options.md"
	exit 1
fi
echo "PASS: docs/options.md matches the option table"
