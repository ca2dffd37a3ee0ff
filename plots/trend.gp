# SPDX-License-Identifier: MIT
# Trend of one metric across runs from the results history (bench history
# trend): x is the kernel, the git revision or the run time; one line per
# series (design, or whatever else varies among the selected variants).
# Points are the mean over a run's repeats, error bars its 95 % CI.
# Re-run by hand: gnuplot trend.gp
#
# data/trend.dat: one block per series:  x  mean  ci_lo  ci_hi

# ---- filled in by bench history trend (docs/HISTORY.md) ----
data     = '@DATA@'
title    = '@TITLE@'
caption  = '@CAPTION@'
series   = '@SERIES@'
colors   = '@COLORS@'
dashes   = '@DASHES@'
ylabel   = '@YLABEL@'
xlabel   = '@XLABEL@'
W        = @WIDTH@
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
set border 3
set tics nomirror
set xtics @XTICS@ rotate by -30 left
set xrange [-0.5 : @XMAX@ + 0.5]
set yrange [0 : *]
set xlabel xlabel
set ylabel ylabel
set title title font ',13'
set bmargin at screen 140.0 / H
set label 99 caption at screen 0.01, 14.0 / H left font ',9' tc rgb '#555555'
set key top left reverse Left samplen 4 box lc rgb '#bbbbbb'
plot for [s = 1:ns] data index (s - 1) using 1:2:3:4 with yerrorlines \
     lw 2 pt 7 ps 0.8 lc rgb word(colors, s) dt int(word(dashes, s)) title word(series, s)
