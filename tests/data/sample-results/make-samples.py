#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Regenerate the hand-made sample results used by tests/cli/plot.sh and
tests/cli/report.sh (docs/RESULTS.md, schema flushbench/1).

The numbers are synthetic but shaped like real runs of the native backend on
this 2-core machine: srcu's grace period stalls behind paging faults, targeted
does not; request=event costs a few microseconds more than unblock.
Deterministic (fixed seed):  python3 make-samples.py  (writes the subdirs here)

  matrix/   64 vCPUs, design x request x pressure{none,paging}, 3 repeats
  scaling/  vCPU sweep 1..64, 3 designs, request=unblock, 2 repeats
  base/ new/  a compare pair (new: srcu resume p99 +25 %, targeted flush +3 %)
"""
import json, math, os, random, re

HERE = os.path.dirname(os.path.abspath(__file__))
SUB = 6

def bucket_high(v):
    v = max(1, int(v))
    m = v.bit_length() - 1
    if m < SUB:
        return v
    shift = m - SUB + 1
    return (((v >> shift) + 1) << shift) - 1

def summary(samples):
    buckets = {}
    for s in samples:
        h = bucket_high(s)
        buckets[h] = buckets.get(h, 0) + 1
    hist = sorted(buckets.items())
    n = len(samples)
    def pct(p):
        rank = max(1, math.ceil(p / 100 * n))
        c = 0
        for h, k in hist:
            c += k
            if c >= rank:
                return h
        return hist[-1][0]
    return {"unit": "ns", "count": n, "mean": round(sum(samples) / n, 1),
            "min": int(min(samples)), "p50": pct(50), "p90": pct(90), "p99": pct(99),
            "p999": pct(99.9), "max": int(max(samples)),
            "hist": [[h, k] for h, k in hist]}

def lognorm(rng, median_ns, sigma, n, tail_frac=0.0, tail_median=0.0, tail_sigma=0.5):
    out = []
    for _ in range(n):
        if tail_frac and rng.random() < tail_frac:
            out.append(rng.lognormvariate(math.log(tail_median), tail_sigma))
        else:
            out.append(rng.lognormvariate(math.log(median_ns), sigma))
    return [max(50, int(x)) for x in out]

# Shape of each variant: medians in ns, stall fraction under paging.
BASE = {
    # design: (resume_med, gp_med, paging_stall_frac, paging_stall_med)
    "srcu":         (38000, 26000, 0.12, 2600000),
    "srcu-private": (22000,  9000, 0.01,  400000),
    "targeted":     (14000,     0, 0.00,       0),
}
REQ_EXTRA = {"event": 6500, "unblock": 0}

def make_run(rng, design, request, pressure, vcpus, repeat, variant, scale=1.0, nsamp=3000,
             flush_scale=1.0):
    resume_med, gp_med, stall, stall_med = BASE[design]
    resume_med = (resume_med + REQ_EXTRA[request]) * (1 + 0.15 * math.log2(max(vcpus, 1)) / 6) * scale
    paging = pressure == "paging"
    jitter = rng.uniform(0.96, 1.04)
    resume = lognorm(rng, resume_med * jitter, 0.45, nsamp,
                     stall * scale if paging else 0.004, stall_med if paging else resume_med * 8)
    flush = lognorm(rng, 9000 * flush_scale * jitter * (1 + vcpus / 256), 0.6, nsamp * 4,
                    0.05, resume_med * 1.3)
    metrics = {"resume_latency": summary(resume), "flush_latency": summary(flush)}
    if gp_med:
        gp = lognorm(rng, gp_med * jitter * (1 + vcpus / 128), 0.35, nsamp // 2,
                     stall * 1.4 if paging else 0.003, stall_med * 0.95 if paging else gp_med * 6)
        metrics["grace_period"] = summary(gp)
    duration = 3.0
    # Throughput: flushers stall while suspended, so slower resumes cost flushes;
    # it saturates on the 2 host cores as vCPUs grow.
    thr = {"srcu": 0.78, "srcu-private": 0.88, "targeted": 1.0}[design] * (0.93 if request == "event" else 1.0)
    if paging:
        thr *= 0.7 if design == "srcu" else 0.95
    flushes = int(42000 * duration * thr * rng.uniform(0.97, 1.03) * vcpus / (vcpus + 6) / flush_scale)
    wakeups = len(resume) + (vcpus * 40 if design != "targeted" else 0)
    faults = int(rng.uniform(5200, 5600) * duration) if paging else 0
    metrics["counters"] = {"flushes": flushes, "suspends": len(resume), "resumes": len(resume),
                           "wakeups": wakeups, "useful_wakeups": len(resume),
                           "spurious_wakeups": wakeups - len(resume),
                           "grace_periods": len(resume) // 2 if gp_med else 0,
                           "faults": faults, "lost_wakeups": 0, "early_resumes": 0,
                           "pending_at_stop": 0}
    metrics["rates"] = {"flushes_per_s": round(flushes / duration, 1),
                        "inhibits_per_s": round(len(resume) / duration / 2, 1),
                        "hypercalls_per_s": round(flushes / duration * 1.02, 1),
                        "exits_per_s": round(flushes / duration * 2.3, 1)}
    metrics["cpu"] = {"user_s": round(rng.uniform(1.1, 1.5), 3), "sys_s": round(rng.uniform(2.5, 3.4), 3),
                      "ctx_voluntary": rng.randint(80000, 120000), "ctx_involuntary": rng.randint(3000, 9000),
                      "max_rss_kb": 412000}
    # Time series: 100 ms intervals.  Paging stalls appear as gp/resume spikes.
    t, gpmax, rsmax, flt, fl = [], [], [], [], []
    for i in range(int(duration * 10)):
        t.append(round(0.1 * (i + 1), 1))
        f = int(rng.uniform(450, 640)) if paging else 0
        spike = paging and design == "srcu" and rng.random() < 0.5
        base_gp = gp_med * rng.uniform(3, 6) if gp_med else 0
        gpmax.append(int(stall_med * rng.uniform(0.8, 1.6)) if spike else int(base_gp))
        rsmax.append(int(stall_med * rng.uniform(0.9, 1.8)) if spike
                     else int(resume_med * rng.uniform(4, 9)))
        flt.append(f)
        fl.append(int(flushes / duration / 10 * rng.uniform(0.9, 1.1)))
    key = "workload=mixed,design=%s,request=%s,pressure=%s,vcpus=%d" % (design, request, pressure, vcpus)
    return {"variant": variant, "repeat": repeat, "key": key, "workload": "mixed",
            "design": design, "request": request, "pressure": pressure, "vcpus": vcpus,
            "duration_s": duration,
            "config": {"design": design, "request": request, "pressure": pressure, "vcpus": vcpus,
                       "workload": "mixed", "duration": duration, "flushers": vcpus * 3 // 4 or 1},
            "metrics": metrics,
            "oracle": {"lost_wakeups": 0, "early_resumes": 0, "pending_at_stop": 0, "ok": True, "events": []},
            # a quiet machine (docs/RESULTS.md "disturbance"): bench compare's
            # small between-run floor applies to these samples
            "disturbance": {"wall_s": duration + 0.5, "host_cpus": 8, "loadavg_1m": 0.5,
                            "loadavg_1m_end": 0.5, "other_cpu_s": 0.1, "other_cpu_pct": 0.5,
                            "steal_s": 0.0, "steal_pct": 0.0, "own_cpu_s": 4.0, "ctx_involuntary": 20},
            "timeseries": {"interval_ms": 100, "t_s": t, "gp_max_ns": gpmax, "resume_max_ns": rsmax,
                           "faults": flt, "flushes": fl}}

def env(start):
    return {"kernel": "6.18.44-fc-v782", "cpu": "AMD EPYC", "host_cpus": 2, "hostname": "ci-runner",
            "start_time": start, "end_time": start, "backend": "native",
            "backend_note": "/dev/kvm missing: kvm-pvm refuses to bind in a PVM guest",
            "kvm": None, "tsc_khz": 2450000, "vm_setup_ms": 14.2}

def doc(command, source, keys, runs, start, repeat):
    nvar = len({r["key"] for r in runs})
    return {"schema": "flushbench/1", "complete": True,
            "tool": {"name": "flushbench", "version": "0.1.0", "git": "sample"},
            "command": command, "env": env(start),
            "scenario": {"source": source, "keys": keys, "variants": nvar, "repeat": repeat,
                         "seed": 1, "warmup_s": 0.5, "order": list(range(len(runs)))},
            "runs": runs}

def write(name, d):
    os.makedirs(os.path.join(HERE, name), exist_ok=True)
    with open(os.path.join(HERE, name, "results.json"), "w") as f:
        text = json.dumps(d, indent=1)
        # Keep number arrays (hist buckets, time series) on one line each.
        text = re.sub(r"\[[\d\s,.\-\[\]]*\]", lambda m: re.sub(r"\s+", "", m.group(0)), text)
        f.write(text + "\n")

def matrix(rng, scale_fn=lambda d, r: 1.0, flush_fn=lambda d, r: 1.0, pressures=("none", "paging"),
           repeats=3, nsamp=3000):
    runs, v = [], 0
    for p in pressures:
        for d in BASE:
            for r in REQ_EXTRA:
                for k in range(repeats):
                    runs.append(make_run(rng, d, r, p, 64, k, v, scale_fn(d, r), nsamp, flush_fn(d, r)))
                v += 1
    return runs

def main():
    rng = random.Random(6)
    keys = {"workload": "mixed", "design": list(BASE), "request": list(REQ_EXTRA),
            "pressure": ["none", "paging"], "vcpus": 64, "duration": 3, "repeat": 3,
            "paging.latency": "fixed:2ms"}
    write("matrix", doc("bench run --vcpus 64 --pressure none,paging --repeat 3",
                        "embedded:default.ini", keys, matrix(rng), "2026-11-25T14:00:00Z", 3))

    runs, v = [], 0
    sweep = [1, 2, 4, 8, 16, 32, 64]
    for n in sweep:
        for d in BASE:
            for k in range(2):
                runs.append(make_run(rng, d, "unblock", "none", n, k, v, nsamp=800))
            v += 1
    write("scaling", doc("bench run --scenario configs/scaling.ini", "configs/scaling.ini",
                         {"workload": "mixed", "design": list(BASE), "request": "unblock",
                          "pressure": "none", "vcpus": sweep, "repeat": 2},
                         runs, "2026-11-25T15:10:00Z", 2))

    ckeys = {"workload": "mixed", "design": list(BASE), "request": list(REQ_EXTRA),
             "pressure": "none", "vcpus": 64, "repeat": 5}
    base = matrix(rng, pressures=("none",), repeats=5, nsamp=1500)
    new = matrix(rng, scale_fn=lambda d, r: 1.25 if d == "srcu" else (0.85 if d == "targeted" and r == "unblock" else 1.0),
                 flush_fn=lambda d, r: 1.03 if d == "targeted" else 1.0,
                 pressures=("none",), repeats=5, nsamp=1500)
    write("base", doc("bench run --scenario configs/smoke.ini --repeat 5", "configs/smoke.ini",
                      ckeys, base, "2026-11-24T09:00:00Z", 5))
    write("new", doc("bench run --scenario configs/smoke.ini --repeat 5", "configs/smoke.ini",
                     ckeys, new, "2026-11-25T09:00:00Z", 5))

if __name__ == "__main__":
    main()
