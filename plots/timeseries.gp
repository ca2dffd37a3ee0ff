# SPDX-License-Identifier: MIT
# Time series of one repeat per design: the longest grace period and the
# longest uninhibit -> resume latency in each sampling interval (log y), with
# the pressure fault rate on the right axis.  Stalls behind faulting SRCU
# readers show up as spikes that line up with faults.
# Re-run by hand: gnuplot timeseries.gp
#
# data/timeseries.dat: one block per design, rows per interval:
#   t_s  gp_max_us  resume_max_us  faults_per_s     (NaN: nothing measured)

# ---- filled in by bench plot (docs/PLOTS.md) ----
data     = '@DATA@'
title    = '@TITLE@'
subtitle = '@SUBTITLE@'
caption  = '@CAPTION@'
titles   = '@TITLES@'      # one row per design: panel titles (quoted words)
ymin     = @YMIN@          # shared y range (µs) so the rows compare
ymax     = @YMAX@
y2max    = @Y2MAX@         # shared fault-rate range (faults/s)
faults   = @FAULTS@        # 1: draw the fault rate on y2
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
np = words(titles)

set style line 100 lc rgb '#dddddd' lt 1 lw 1
set grid xtics ytics back ls 100
set logscale y 10
# data are in µs; decade tics carry the unit
set ytics ('1ns' 0.001, '10ns' 0.01, '100ns' 0.1, '1µs' 1, '10µs' 10, '100µs' 100, '1ms' 1000, \
     '10ms' 1e4, '100ms' 1e5, '1s' 1e6, '10s' 1e7, '100s' 1e8)
set mytics 10
set ylabel 'max per interval'
set yrange [ymin / 1.001 : ymax * 1.001]   # 1.001: keep the end tics
set xrange [0:*]
set border 11
set xtics nomirror
set ytics nomirror scale 1, 0.5
if (faults) {
    set y2tics nomirror tc rgb '#b07aa1'
    set y2label 'faults/s' tc rgb '#b07aa1'
    set format y2 '%.0s%c'
    set y2range [0:y2max]
} else {
    set border 3
}

set multiplot layout np, 1 title title . "\n" . subtitle font ',14' \
    margins 85.0/W, 1 - 85.0/W, 80.0/H, 1 - 135.0/H spacing 0.1, 80.0/H
set label 99 caption at screen 0.01, 18.0/H left font ',9' tc rgb '#555555'
do for [p = 1:np] {
    set title word(titles, p) font ',11'
    if (p == 1) {
        set key at screen 0.5, 1 - 80.0/H center center horizontal reverse Left samplen 3 width 2 \
            box lc rgb '#bbbbbb'
    } else {
        unset key
    }
    if (p == np) {
        set xlabel 'time since start of measured window (s)'
    } else {
        unset xlabel
    }
    if (faults) {
        plot data index (p - 1) using 1:4 axes x1y2 with filledcurves y=0 \
                  fc rgb '#b07aa1' fs transparent solid 0.25 noborder title 'fault rate (right axis)', \
             ''   index (p - 1) using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#1f77b4' \
                  title 'grace period (max)', \
             ''   index (p - 1) using 1:3 with linespoints lw 2 pt 5 ps 0.5 lc rgb '#d62728' \
                  title 'uninhibit → resume (max)'
    } else {
        plot data index (p - 1) using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#1f77b4' \
                  title 'grace period (max)', \
             ''   index (p - 1) using 1:3 with linespoints lw 2 pt 5 ps 0.5 lc rgb '#d62728' \
                  title 'uninhibit → resume (max)'
    }
    unset label 99
}
unset multiplot
