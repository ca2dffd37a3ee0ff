#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# results.json carries run.design_stats (an object) for every design whose
# design_ops has a report(), and no such key for one without: the designs
# come from `bench info --json` (the registry), so a new design with a
# report() is checked by itself.  Native backend, 1 s per design.
set -u
. "$(dirname "$0")/lib.sh"
BENCH=${BENCH:?BENCH not set}
tmpdir design_stats

"$BENCH" info --json > "$TMP/info.json" || { fail "bench info --json"; exit 1; }
list=$(python3 - "$TMP/info.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["designs"]
print(",".join(x["name"] for x in d if not x["broken"]))
PY
)
[ -n "$list" ] || { fail "no correct design in bench info"; exit 1; }
echo "designs: $list"
if ! "$BENCH" run --backend native --workload mixed --vcpus 6 --duration 1 --warmup 0.2 --repeat 1 \
	--targets inhibitors --inhibit-hold-us 300 --request event --pressure none --design "$list" --no-plot -q \
	-o "$TMP/out" > "$TMP/run.log" 2>&1; then
	cat "$TMP/run.log"
	fail "bench run exited $?"
	exit 1
fi
python3 - "$TMP/info.json" "$TMP/out/results.json" <<'PY' || fail "design_stats"
import json, sys
info = {x["name"]: x for x in json.load(open(sys.argv[1]))["designs"]}
runs = json.load(open(sys.argv[2]))["runs"]
bad = 0
seen = set()
for r in runs:
    name = r["config"]["design"]
    seen.add(name)
    ds = r.get("design_stats")
    if info[name]["design_stats"]:
        if not isinstance(ds, dict) or not ds:
            print(f"FAIL: {name}: run.design_stats missing or empty: {ds!r}"); bad += 1; continue
        zero_ratio = [k for k, v in ds.items() if isinstance(v, float) and v == 0]
        if zero_ratio:
            print(f"FAIL: {name}: a ratio printed as 0: {zero_ratio}"); bad += 1
        print(f"{name}: design_stats {json.dumps(ds)}")
    elif ds is not None:
        print(f"FAIL: {name} has no report() but the run has design_stats"); bad += 1
missing = {n for n, x in info.items() if not x["broken"]} - seen
if missing:
    print(f"FAIL: no run for {sorted(missing)}"); bad += 1
if not any(x["design_stats"] for x in info.values()):
    print("FAIL: no design reports design_stats"); bad += 1
sys.exit(1 if bad else 0)
PY
[ "$fails" = 0 ] || exit 1
echo "design_stats: ok"
