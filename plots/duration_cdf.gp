# duration_cdf.gp - cumulative distribution of attack duration.
# Data: duration_cdf.tsv: duration (s), fraction of attacks at or below it.
# Extra variable: logx (1: log x axis, when durations span two decades).
load tpldir.'/common.gp'
f = datadir.'/duration_cdf.tsv'
stats f using 1 nooutput name "D"
# points mark the values while there are few (one value has no step)
pts = (D_records <= 50 ? 0.8 : 0.01)
set title sprintf("Attack duration, cumulative distribution, %s", period)
set ylabel "fraction of attacks lasting at most x"
set yrange [0 : 1.02]
set key bottom right
if (logx) {
	set logscale x
	set xlabel "attack duration (log scale)"
	set xtics ("1 min" 60, "2 min" 120, "5 min" 300, "15 min" 900, "30 min" 1800, \
		   "1 h" 3600, "3 h" 10800, "6 h" 21600, "12 h" 43200, "1 day" 86400, "3 days" 259200)
} else {
	set xlabel "attack duration (s)"
}
plot f using 1:2 with steps lw 2 lc rgb c_attacks title "attacks", \
     f using 1:2 with points pt 7 ps pts lc rgb c_attacks notitle
