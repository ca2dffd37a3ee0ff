#!/bin/bash
# SPDX-License-Identifier: MIT
# A full output filesystem (a small tmpfs as --out): bench run exits non-zero
# naming ENOSPC ("No space left on device") and leaves no partial file under
# a final name: results.json/csv are complete JSON/CSV or absent, every PNG
# ends with IEND, every SVG with </svg>, no temp files.  Needs root (mount).
set -u
BENCH=${BENCH:?BENCH not set}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root to mount a small tmpfs"; exit 4; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/enospc.XXXXXX")
MNT="$TMP/full"
cleanup() { umount "$MNT" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
mkdir "$MNT"
fail_fast=1
. "$(dirname "$0")/lib.sh"

check_dir() {
	python3 - "$MNT" <<'PY' || fail "partial file under a final name"
import json, os, sys
d = sys.argv[1]
for root, dirs, files in os.walk(d):
    for f in files:
        p = os.path.join(root, f)
        assert ".tmp" not in f and not f.startswith(".latest"), "temp file left: " + p
        data = open(p, "rb").read()
        if f == "results.json":
            json.loads(data)
        elif f.endswith(".png"):
            assert data.endswith(b"IEND\xaeB`\x82"), "truncated " + p
        elif f.endswith(".svg"):
            assert data.rstrip().endswith(b"</svg>"), "truncated " + p
        elif f == "report.html":
            assert data.rstrip().endswith(b"</html>"), "truncated " + p
PY
}

# size: results.json fits, plots do not (one variant); then nothing fits (several)
for spec in "220k srcu" "64k srcu,targeted,srcu-private"; do
	set -- $spec
	mount -t tmpfs -o size="$1" tmpfs "$MNT" || { echo "SKIP: cannot mount tmpfs"; exit 4; }
	"$BENCH" run --backend native --vcpus 2 --design "$2" --request event --pressure none \
		--duration 0.3 --warmup 0.1 --quiet --no-history --out "$MNT" >"$TMP/log" 2>&1
	rc=$?
	[ $rc != 0 ] || { cat "$TMP/log"; fail "size=$1: exit 0 on a full disk"; }
	grep -q "No space left on device" "$TMP/log" || { cat "$TMP/log"; fail "size=$1: ENOSPC not named"; }
	grep -q "gnuplot wrote no output" "$TMP/log" && fail "size=$1: the cause is hidden"
	check_dir
	echo "size=$1: exit $rc, $(grep -m1 'No space' "$TMP/log")"
	umount "$MNT"
done
echo PASS
