# SPDX-License-Identifier: MIT
# Latency CDF: one curve per design/request, one column per pressure mode,
# one row per latency metric.  Filled in and run by `bench plot`; re-run by
# hand from DIR/plots with `gnuplot cdf.gp` (or -e "fmt='svg'" cdf.gp).
#
# data/cdf.dat holds one block per (metric, pressure, series), in that order,
# separated by two blank lines: columns latency_us  cumulative_fraction
# (one point per histogram bucket: upper bound, fraction of samples <= it).

# ---- filled in by bench plot (docs/PLOTS.md) ----
data     = '@DATA@'
title    = '@TITLE@'
caption  = '@CAPTION@'
metrics  = '@METRICS@'     # rows: metric names, space separated
panels   = '@PANELS@'      # columns: pressure modes
series   = '@SERIES@'      # curves: design/request
colors   = '@COLORS@'      # one colour per series (colour = design)
dashes   = '@DASHES@'      # one dash type per series (dash = request)
xmin     = '@XMIN@'        # per row: x range in µs, shared by the row's panels
xmax     = '@XMAX@'
W        = @WIDTH@          # size in pixels; margins below are in pixels / W or H
H        = @HEIGHT@
if (!exists("fmt")) fmt = 'png'
if (!exists("out")) out = '@NAME@.' . fmt

if (fmt eq 'svg') {
    set terminal svg size W, H dynamic font 'Sans,12' background rgb 'white'
} else {
    set terminal pngcairo size W, H font 'Sans,10' background rgb 'white'
}
set output out
set termoption noenhanced

label(m) = (m eq 'resume_latency') ? 'uninhibit → resume latency' : \
           (m eq 'flush_latency')  ? 'flush hypercall latency' : m
nm = words(metrics); np = words(panels); ns = words(series)

set style line 100 lc rgb '#dddddd' lt 1 lw 1
set grid xtics ytics mxtics back ls 100
set logscale x 10
# data are in µs; decade tics carry the unit
set xtics ('1ns' 0.001, '10ns' 0.01, '100ns' 0.1, '1µs' 1, '10µs' 10, '100µs' 100, '1ms' 1000, \
     '10ms' 1e4, '100ms' 1e5, '1s' 1e6, '10s' 1e7, '100s' 1e8)
set yrange [0:1.02]
set ytics 0, 0.25, 1
set mxtics 10
set border 3
set tics nomirror
set ylabel 'fraction of samples ≤ x'

# Room at the top for the shared legend, at the bottom for the caption.
set multiplot layout nm, np title title font ',14' \
    margins 80.0/W, 1 - 30.0/W, 92.0/H, 1 - 140.0/H spacing 80.0/W, 95.0/H
set label 99 caption at screen 0.01, 18.0/H left font ',9' tc rgb '#555555'
do for [m = 1:nm] {
    do for [p = 1:np] {
        set title word(metrics, m) . '  —  pressure=' . word(panels, p) font ',11'
        set xlabel label(word(metrics, m))
        set xrange [real(word(xmin, m)) / 1.001 : real(word(xmax, m)) * 1.001]   # 1.001: keep the end tics
        if (m == 1 && p == 1) {
            set key at screen 0.5, 1 - 62.0/H center center horizontal maxrows 2 \
                reverse Left samplen 4 spacing 1.1 width 2 box lc rgb '#bbbbbb'
        } else {
            unset key
        }
        base = ((m - 1) * np + (p - 1)) * ns
        plot for [s = 1:ns] data index (base + s - 1) using 1:2 with lines \
             lw 2 lc rgb word(colors, s) dt int(word(dashes, s)) title word(series, s)
        unset label 99
    }
}
unset multiplot
