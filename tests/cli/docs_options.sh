#!/usr/bin/env bash
# docs/options.md is generated from the option table; fail when they drift
# (regenerate: build/bench info --options --format markdown > docs/options.md);
# and every plug-in's own knobs (bench info --json) are in the table, in its
# registry's section.
set -u
[ -x "${BENCH:-}" ] || { echo "SKIP: BENCH not built"; exit 4; }
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.info" "$tmp.opts"' EXIT
"$BENCH" info --options --format markdown > "$tmp" || { echo "FAIL: bench info --options exited $?"; exit 1; }
if ! diff -u "$SRC/docs/options.md" "$tmp"; then
	echo "FAIL: docs/options.md is stale; regenerate it with: build/bench info --options --format markdown > docs/options.md"
	exit 1
fi
"$BENCH" info --json > "$tmp.info" && "$BENCH" info --options --format json > "$tmp.opts" ||
	{ echo "FAIL: bench info --json / --options --format json"; exit 1; }
python3 - "$tmp.info" "$tmp.opts" <<'PY' || { echo "FAIL: plug-in knobs vs the option table"; exit 1; }
import json, sys
info = json.load(open(sys.argv[1]))
table = {o["key"]: o for o in json.load(open(sys.argv[2]))}
own = {p["name"]: p["options"] for p in info["pressure"]}
assert "zram_mb" in own["swap"] and "fault_latency" in own["paging"] and not own["none"], own
assert "resident_mb" not in own["paging"] + own["swap"], own   # core: both modes read it
for section, plugins in (("pressure", info["pressure"]), ("design", info["designs"])):
    for p in plugins:
        for k in p["options"]:
            assert table[k]["section"] == section, (p["name"], k, table[k])
PY
echo "PASS: docs/options.md matches the option table; the plug-ins' knobs are in it"
