# SPDX-License-Identifier: MIT
# Scaling: p99 uninhibit -> resume latency and flushes/s against the number of
# vCPUs (log2 x), one curve per design/request.  Points are means over
# repeats, error bars min..max.  Re-run by hand: gnuplot scaling.gp
#
# data/scaling.dat: one block per series, rows per vCPU count:
#   vcpus  p99_us lo hi  flushes_per_s lo hi

# ---- filled in by bench plot (docs/PLOTS.md) ----
data     = '@DATA@'
title    = '@TITLE@'
caption  = '@CAPTION@'
series   = '@SERIES@'
colors   = '@COLORS@'
dashes   = '@DASHES@'
ymin     = @YMIN@          # latency axis: whole decades (µs)
ymax     = @YMAX@
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
ns = words(series)

set style line 100 lc rgb '#dddddd' lt 1 lw 1
set grid xtics ytics back ls 100
set logscale x 2
set format x '%g'
set xlabel 'vCPUs'
set border 3
set tics nomirror
set offsets graph 0.03, graph 0.03, 0, 0

set multiplot layout 1, 2 title title font ',14' \
    margins 80.0/W, 1 - 30.0/W, 85.0/H, 1 - 130.0/H spacing 110.0/W, 0.1
set label 99 caption at screen 0.01, 18.0/H left font ',9' tc rgb '#555555'

set title 'p99 uninhibit → resume latency' font ',11'
set ylabel 'p99 latency'
set logscale y 10
# data are in µs; decade tics carry the unit
set yrange [ymin / 1.001 : ymax * 1.001]   # 1.001: keep the end tics
set ytics ('1ns' 0.001, '10ns' 0.01, '100ns' 0.1, '1µs' 1, '10µs' 10, '100µs' 100, '1ms' 1000, \
     '10ms' 1e4, '100ms' 1e5, '1s' 1e6, '10s' 1e7, '100s' 1e8)
set mytics 10
set key at screen 0.5, 1 - 62.0/H center center horizontal maxrows 2 \
    reverse Left samplen 4 width 2 box lc rgb '#bbbbbb'
plot for [s = 1:ns] data index (s - 1) using 1:2:3:4 with yerrorlines \
     lw 2 pt 7 ps 0.8 lc rgb word(colors, s) dt int(word(dashes, s)) title word(series, s)
unset label 99

set title 'flush throughput' font ',11'
set ylabel 'flushes/s (all vCPUs)'
unset logscale y
set ytics autofreq
set mytics default
set format y '%.0f'
set yrange [0:*]
unset key
plot for [s = 1:ns] data index (s - 1) using 1:5:6:7 with yerrorlines \
     lw 2 pt 7 ps 0.8 lc rgb word(colors, s) dt int(word(dashes, s)) title word(series, s)
unset multiplot
