# SPDX-License-Identifier: MIT
# Comparison NEW vs BASE: change of each metric per variant, in percent of
# BASE's mean over repeats, with a 95 % bootstrap confidence interval.
# Red = significant regression (worse by more than the threshold), green =
# significant improvement, grey = no significant change.
# Re-run by hand: gnuplot compare.gp
#
# data/compare.dat: one block per metric, rows per variant:
#   row  change_pct  ci_lo_pct  ci_hi_pct  rgb_colour  "variant"

# ---- filled in by bench plot (docs/PLOTS.md) ----
data     = '@DATA@'
title    = '@TITLE@'
caption  = '@CAPTION@'
metrics  = '@METRICS@'     # one panel per metric, side by side (quoted titles)
nrows    = @NROWS@
top      = @TOP@           # margins as screen fractions (room for title,
bottom   = @BOTTOM@        # legend and caption at any height)
keyy     = @KEYY@
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
nm = words(metrics)

set style line 100 lc rgb '#dddddd' lt 1 lw 1
set grid xtics back ls 100
set style fill solid 0.85 noborder
set yrange [nrows - 0.5:-0.5]
set ytics scale 0 nomirror
set xtics nomirror
set xlabel 'change vs BASE (%)'
set border 1
set yzeroaxis lt 1 lc rgb '#333333' lw 1
set errorbars small

set multiplot layout 1, nm title title font ',14' \
    margins @LMARGIN@, 0.98, bottom, top spacing 0.03, 0.1
set label 99 caption at screen 0.01, 18.0/H left font ',9' tc rgb '#555555'
# Legend as coloured text: a multiplot key is squeezed into one narrow panel.
set label 91 '■ regression' at screen 0.22, keyy left tc rgb '#d62728'
set label 92 '■ improvement' at screen 0.38, keyy left tc rgb '#2ca02c'
set label 93 '■ no significant change' at screen 0.54, keyy left tc rgb '#9a9a9a'
set label 94 '•— 95 % confidence interval of the change' at screen 0.76, keyy left tc rgb '#333333'
do for [m = 1:nm] {
    set title word(metrics, m) font ',11'
    unset key
    if (m > 1) {
        set ytics format ''
    }
    # The variant names label the first panel only; the rows line up.
    if (m == 1) {
        plot data index (m - 1) using ($2 / 2):1:(abs($2) / 2):(0.32):5:ytic(strcol(6)) \
                  with boxxyerror lc rgb variable notitle, \
             ''   index (m - 1) using 2:1:3:4 with xerrorbars lc rgb '#333333' pt 7 ps 0.4 notitle
    } else {
        plot data index (m - 1) using ($2 / 2):1:(abs($2) / 2):(0.32):5 \
                  with boxxyerror lc rgb variable notitle, \
             ''   index (m - 1) using 2:1:3:4 with xerrorbars lc rgb '#333333' pt 7 ps 0.4 notitle
    }
    unset label 99
    unset label 91; unset label 92; unset label 93; unset label 94
}
unset multiplot
