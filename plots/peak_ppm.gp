# peak_ppm.gp - attacks by peak rate: backscatter packets in the busiest 60 s
# window, in power-of-two bins on a log axis.
# Data: peak_ppm.tsv: geometric bin middle, attacks, bin low edge, high edge.
load tpldir.'/common.gp'
f = datadir.'/peak_ppm.tsv'
stats f using 2 nooutput name "N"
set title sprintf("Attacks by peak packets per minute, %s", period)
set xlabel "peak backscatter packets in a 60 s window (log scale, bins of x2)"
set ylabel "attacks"
set logscale x 2
set format x "%.0f"
set yrange [0 : N_max * 1.15]
# counts: whole-number tics when they are small
if (N_max < 10) set ytics 1
set style fill solid 0.85 border lc rgb "#555555"
set key off
plot f using 1:2:3:4:(0):2 with boxxyerror lc rgb c_attacks title "attacks"
