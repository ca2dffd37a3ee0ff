#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Regenerate the synthetic results used by tests/unit/test_compare*.c and
tests/cli/compare.sh (schema flushbench/1, docs/RESULTS.md).

Deterministic (fixed seed):  python3 make.py   (rewrites the subdirs here)

Two variants (design=srcu / design=targeted, request=event), 5 repeats each;
every per-repeat metric value gets independent ~1.5 % gaussian noise.
  base/        reference
  identical/   byte-identical copy of base                    -> exit 0
  regressed/   resume_latency.p99 +20 % (both variants)       -> exit 1
  improved/    resume_latency.p99 -20 %                       -> exit 0, "improved"
  small/       resume_latency.p99 +2 % (under a 5 % threshold) -> exit 0
  rates-down/  rates.flushes_per_s -20 %                      -> exit 1
  single/      one repeat of each variant, +20 %              -> exit 0, "insufficient repeats"
  other/       different variant keys (vcpus=32)              -> exit 2 (no common variant)
  wrong-schema/results.json  schema "flushbench/0"            -> exit 2
  plus30/      an A/A copy of base (new noise) with resume_latency.p99 x1.30 -> exit 1
  edge/        resume_latency.p99 +7 %: srcu's CI straddles 5 % -> "inconclusive",
               targeted's lies above it -> regressed (exit 1)
  loaded/      like base, every repeat under 40 % outside CPU -> conditions differ
  verdict-ok/  like base, every run "verdict": "ok"
  stalled/     like verdict-ok, one srcu repeat "stalled" with a lower-bound p99 -> exit 1
               (paired: one discordant round of five, sign test p = 0.5 -> exit 0)
  stalled-all/ like verdict-ok, every srcu repeat "stalled" -> exit 1, paired too (p = 1/32)
  busy/        like base, every repeat under 30 % outside CPU (a busy machine)
  busy-drift/  an A/A copy of busy/ whose whole run shifted: resume_latency.p99 x1.25,
               flushes/s x0.88 (machine drift, no code change) -> exit 0 with the
               busy between-run floor, exit 1 with --between-run off
Every run carries a disturbance record (bench/run/disturb.c); loaded/ has outside load.
"""
import copy, json, os, random, shutil

HERE = os.path.dirname(os.path.abspath(__file__))
NOISE = 0.015

VARIANTS = [
    # design, resume p99, flush p99, flushes/s
    ("srcu", 40000.0, 60000.0, 20000.0),
    ("targeted", 9000.0, 20000.0, 30000.0),
]

def key(design, vcpus):
    return f"workload=mixed,design={design},request=event,pressure=none,vcpus={vcpus}"

def hist_obj(p99, rng):
    p50 = p99 / 4
    return {"unit": "ns", "count": 1000, "mean": round(p50 * 1.1, 1),
            "min": int(p50 / 3), "p50": int(p50), "p90": int(p99 / 2),
            "p99": int(p99), "p999": int(p99 * 1.5), "max": int(p99 * 2),
            "hist": [[int(p50) | 63, 900], [int(p99) | 63, 100]]}

def disturbance(other):
    return {"wall_s": 3.0, "host_cpus": 2, "loadavg_1m": 1.0 + other / 25,
            "loadavg_1m_end": 1.0 + other / 25, "other_cpu_s": other / 100 * 6.0,
            "other_cpu_pct": other, "steal_s": 0.0, "steal_pct": 0.0,
            "own_cpu_s": 5.0, "ctx_involuntary": 10}

def make(seed, repeats=5, resume_f=1.0, rate_f=1.0, vcpus=64, schema="flushbench/1", other=2.0):
    rng = random.Random(seed)
    runs, order = [], []
    for vi, (design, rp99, fp99, fps) in enumerate(VARIANTS):
        for rep in range(repeats):
            n = lambda: rng.gauss(1.0, NOISE)
            wall = 3.0
            flushes = int(fps * rate_f * n() * wall)
            run = {
                "variant": vi, "repeat": rep, "key": key(design, vcpus),
                "workload": "mixed", "design": design, "request": "event",
                "pressure": "none", "vcpus": vcpus, "duration_s": wall,
                "config": {"vcpus": vcpus, "design": design, "request": "event",
                           "halt_poll_ns": 0, "seed": 1},
                "metrics": {
                    "resume_latency": hist_obj(rp99 * resume_f * n(), rng),
                    "flush_latency": hist_obj(fp99 * n(), rng),
                    "counters": {"flushes": flushes, "suspends": flushes // 10,
                                 "lost_wakeups": 0},
                    "rates": {"flushes_per_s": flushes / wall,
                              "inhibits_per_s": 500.0 * n()},
                    "cpu": {"user_s": 1.0 * n(), "sys_s": 2.0 * n(),
                            "ctx_voluntary": 1000, "ctx_involuntary": 10,
                            "max_rss_kb": 20000},
                },
                "oracle": {"lost_wakeups": 0, "early_resumes": 0,
                           "pending_at_stop": 0, "ok": True, "events": []},
                "disturbance": disturbance(other),
            }
            runs.append(run)
            order.append(len(order))
    return {
        "schema": schema, "complete": True,
        "tool": {"name": "flushbench", "version": "0.1.0", "git": f"synthetic-{seed}"},
        "command": "bench run (synthetic, tests/data/compare/make.py)",
        "env": {"kernel": "synthetic", "backend": "native",
                "start_time": "2026-11-25T14:00:00Z", "host_cpus": 2},
        "scenario": {"source": "synthetic", "keys": {}, "variants": len(VARIANTS),
                     "repeat": repeats, "seed": seed, "warmup_s": 0, "order": order},
        "runs": runs,
    }

def write(name, tree):
    d = os.path.join(HERE, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "results.json"), "w") as f:
        json.dump(tree, f, indent=2)
        f.write("\n")

base = make(1)
write("base", base)
write("identical", copy.deepcopy(base))
write("regressed", make(2, resume_f=1.20))
write("improved", make(3, resume_f=0.80))
write("small", make(4, resume_f=1.02))
write("rates-down", make(5, rate_f=0.80))
write("single", make(6, repeats=1, resume_f=1.20))
write("other", make(7, vcpus=32))
write("wrong-schema", make(8, schema="flushbench/0"))

write("plus30", make(12, resume_f=1.30))
write("edge", make(10, resume_f=1.07))
write("loaded", make(11, other=40.0))

ok = make(13)
for run in ok["runs"]:
    run["verdict"] = "ok"
write("verdict-ok", ok)
st = copy.deepcopy(ok)
st["runs"][2]["verdict"] = "stalled"
st["runs"][2]["metrics"]["resume_latency"]["lower_bound"] = ["p99", "p999", "max"]
st["runs"][2]["metrics"]["resume_latency"]["censored"] = 3
write("stalled", st)

write("busy", make(14, other=30.0))
write("busy-drift", make(15, other=30.0, resume_f=1.25, rate_f=0.88))
sa = copy.deepcopy(ok)
for run in sa["runs"]:
    if run["design"] == "srcu":
        run["verdict"] = "stalled"
write("stalled-all", sa)
