# SPDX-License-Identifier: MIT
# Percentile bars: p50 / p99 / p99.9 per design/request, one column per
# pressure mode, one row per latency metric.  Bar = mean over repeats,
# error bar = min..max over repeats.  Re-run by hand: gnuplot percentiles.gp
#
# data/percentiles.dat: one block per (metric, pressure), rows per series:
#   group  p50 lo hi  p99 lo hi  p999 lo hi  "design/request"   (values in µs)

# ---- filled in by bench plot (docs/PLOTS.md) ----
data     = '@DATA@'
title    = '@TITLE@'
caption  = '@CAPTION@'
metrics  = '@METRICS@'
panels   = '@PANELS@'
ngroups  = @NGROUPS@
ymin     = '@YMIN@'        # per row: lower end of the log y axis (µs)
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
# "srcu/event" -> two tick lines "srcu" / "event"
tick(s) = (strstrt(s, '/') > 0) ? s[1:strstrt(s, '/') - 1] . "\n" . s[strstrt(s, '/') + 1:*] : s
nm = words(metrics); np = words(panels)

bw = 0.26                            # bar width; three bars per group
set boxwidth bw absolute
set style fill solid 0.9 border rgb '#333333'
set style line 100 lc rgb '#dddddd' lt 1 lw 1
set grid ytics mytics back ls 100
set logscale y 10
# data are in µs; decade tics carry the unit
set ytics ('1ns' 0.001, '10ns' 0.01, '100ns' 0.1, '1µs' 1, '10µs' 10, '100µs' 100, '1ms' 1000, \
     '10ms' 1e4, '100ms' 1e5, '1s' 1e6, '10s' 1e7, '100s' 1e8)
set mytics 10
set xrange [-0.6:ngroups - 0.4]
set xtics scale 0 nomirror
set ytics nomirror scale 1, 0.5
set border 3
# error bars as capped vectors from min to max
set style arrow 1 heads size screen 0.006, 90 lc rgb '#000000' lw 1.5

set multiplot layout nm, np title title font ',14' \
    margins 80.0/W, 1 - 30.0/W, 95.0/H, 1 - 130.0/H spacing 80.0/W, 125.0/H
set label 99 caption at screen 0.01, 18.0/H left font ',9' tc rgb '#555555'
do for [m = 1:nm] {
    do for [p = 1:np] {
        set title word(metrics, m) . '  —  pressure=' . word(panels, p) font ',11'
        set ylabel label(word(metrics, m))
        set yrange [real(word(ymin, m)) / 1.001 : *]   # 1.001: keep the bottom tic
        if (m == 1 && p == 1) {
            set key at screen 0.5, 1 - 58.0/H center center horizontal \
                reverse Left samplen 2 width 2 box lc rgb '#bbbbbb'
        } else {
            unset key
        }
        i = (m - 1) * np + (p - 1)
        plot data index i using ($1 - bw):2 with boxes lc rgb '#c6dbef' title 'p50', \
             ''   index i using ($1 - bw):3:(0):($4 - $3) with vectors arrowstyle 1 notitle, \
             ''   index i using 1:5:xtic(tick(strcol(11))) with boxes lc rgb '#6baed6' title 'p99', \
             ''   index i using 1:6:(0):($7 - $6) with vectors arrowstyle 1 notitle, \
             ''   index i using ($1 + bw):8 with boxes lc rgb '#2171b5' title 'p99.9', \
             ''   index i using ($1 + bw):9:(0):($10 - $9) with vectors arrowstyle 1 \
                  title 'min..max over repeats'
        unset label 99
    }
}
unset multiplot
