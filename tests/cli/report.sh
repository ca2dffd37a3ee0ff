#!/bin/bash
# SPDX-License-Identifier: MIT
# bench report on the checked-in sample results: report.html parses, is
# self-contained (inline SVG, no script, no network), embeds every plot,
# escapes strings from results.json, marks oracle failures, and a compare
# report has the verdict table.  Env: BENCH, SRC, TMPDIR.
set -u
fail_fast=1
. "$(dirname "$0")/lib.sh"
plot_workdir report "to parse report.html"

# check_html DIR [extra figure ids...]: parses; no script/external refs; every
# plots/*.svg in DIR is embedded inline as <figure id="plot-NAME"><svg>.
check_html() {
	python3 - "$@" <<'PY' || fail "$1/report.html: see above"
import os, re, sys
from html.parser import HTMLParser
d = sys.argv[1]
html = open(os.path.join(d, "report.html"), encoding="utf-8").read()

class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.figs, self.cur, self.bad = [], {}, None, []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.bad.append("script element")
        for k in ("src", "href"):
            v = a.get(k) or ""
            if re.match(r"(https?:)?//", v):
                self.bad.append("external %s=%s" % (k, v))
        if any(k.startswith("on") for k in a):
            self.bad.append("event handler on <%s>" % tag)
        if tag == "figure":
            self.cur = a.get("id")
            self.figs[self.cur] = 0
        if tag in ("svg", "img") and self.cur:
            self.figs[self.cur] += 1
        if tag in ("figure", "table", "tr", "svg", "html", "body"):
            self.stack.append(tag)
    def handle_endtag(self, tag):
        if tag in ("figure", "table", "tr", "svg", "html", "body"):
            if not self.stack or self.stack[-1] != tag:
                self.bad.append("unbalanced </%s> (open: %s)" % (tag, self.stack[-3:]))
            else:
                self.stack.pop()
        if tag == "figure":
            self.cur = None
p = P()
p.feed(html)
p.close()
assert not p.bad, p.bad
assert not p.stack, "unclosed: %s" % p.stack
assert html.startswith("<!DOCTYPE html>") and "<?xml" not in html
svgs = sorted(f[:-4] for f in os.listdir(os.path.join(d, "plots")) if f.endswith(".svg"))
want = sorted(set(svgs) | set(sys.argv[2:]))
assert svgs, "no SVG plots were drawn"
for name in want:
    assert p.figs.get("plot-" + name, 0) == 1, "plot %s not embedded (figures: %s)" % (name, p.figs)
    assert "plots/%s.svg" % name in html, "plot %s not referenced" % name
ids = re.findall(r'\sid="([^"]+)"', html)
dups = sorted({i for i in ids if ids.count(i) > 1})
assert not dups, "duplicate ids: %s" % dups[:5]
for s in ("Environment", "Scenario", "Comparison table", "Correctness oracle"):
    assert s in html, "missing section: " + s
PY
}

# --- 1. matrix sample ------------------------------------------------------
"$BENCH" report "$T/matrix" >"$T/o" 2>"$T/e" || fail "bench report exited $?: $(cat "$T/e")"
grep -qx "report: $T/matrix/report.html" "$T/o" || fail "report path not printed: $(cat "$T/o")"
check_html "$T/matrix" cdf percentiles timeseries
R=$T/matrix/report.html
grep -q "No lost wakeups and no early resumes" "$R" || fail "oracle summary missing"
grep -q 'class="num bad"' "$R" && fail "clean oracle shown red"
# ratios against srcu/event: 12 variants, 2 baseline rows
[ "$(grep -c '(baseline)' "$R")" = 2 ] || fail "expected 2 baseline rows (one per pressure mode)"
grep -q '×0\.' "$R" || fail "no ratios in the comparison table"

# --- 2. escaping and oracle failures ----------------------------------------
mkdir "$T/evil"
python3 - "$SAMPLES/matrix/results.json" "$T/evil/results.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["env"]["hostname"] = '<script>alert("x")</script>&host'
d["command"] = "bench run --note '<b>bold</b>'"
d["scenario"]["keys"]["note"] = "</table><h1>oops"
o = d["runs"][4]["oracle"]
o.update(lost_wakeups=2, ok=False, events=[{"kind": "lost_wakeup", "vcpu": 3, "target": 5,
          "seq": 12, "detail": "<img src=x onerror=alert(1)>"}])
json.dump(d, open(sys.argv[2], "w"))
PY
"$BENCH" report "$T/evil" >/dev/null 2>"$T/e" || fail "report on evil exited $?: $(cat "$T/e")"
check_html "$T/evil" cdf percentiles timeseries
grep -q '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;host' "$T/evil/report.html" || fail "hostname not escaped"
grep -q '&lt;/table&gt;&lt;h1&gt;oops' "$T/evil/report.html" || fail "scenario key not escaped"
grep -q '<img src=x' "$T/evil/report.html" && fail "oracle detail not escaped"
[ "$(grep -c 'class="num bad">2<' "$T/evil/report.html")" = 1 ] || fail "lost wakeup not shown red"
grep -q "The oracle found lost wakeups" "$T/evil/report.html" || fail "oracle failure summary missing"

# --- 3. sweep: the scaling plot is embedded too -----------------------------
"$BENCH" report "$T/scaling" >/dev/null 2>"$T/e" || fail "report on scaling exited $?"
check_html "$T/scaling" cdf percentiles scaling timeseries

# --- 4. compare report --------------------------------------------------------
"$BENCH" report "$T/new" --compare "$T/base" >/dev/null 2>"$T/e" || fail "compare report exited $?: $(cat "$T/e")"
check_html "$T/new" compare
R=$T/new/report.html
grep -q 'id="compare">Comparison with BASE' "$R" || fail "no compare section"
grep -q '<tr class="regressed"><td>workload=mixed,design=srcu,request=event' "$R" || fail "srcu regression not in verdict table"
grep '<tr class="regressed">' "$R" | grep -q 'design=srcu-private' && fail "srcu-private wrongly regressed"

# --- 5. errors ----------------------------------------------------------------
mkdir "$T/none"
"$BENCH" report "$T/none" >"$T/o" 2>"$T/e"; rc=$?
[ $rc = 2 ] || fail "no results.json: exit $rc, expected 2"
[ "$(wc -l <"$T/e")" = 1 ] && grep -q "no results.json" "$T/e" || fail "no results.json: $(cat "$T/e")"
[ -e "$T/none/report.html" ] && fail "report written without results"
# without gnuplot the report is still written (with a one-line warning)
cp -r "$SAMPLES/matrix" "$T/nognuplot"
env PATH=/nonexistent "$BENCH" report "$T/nognuplot" >/dev/null 2>"$T/e" || fail "report without gnuplot exited $?"
grep -q "gnuplot-nox" "$T/e" || fail "no gnuplot hint: $(cat "$T/e")"
grep -q "No plots in" "$T/nognuplot/report.html" || fail "missing no-plots note"

echo "PASS"
