# per_day.gp - attacks and distinct victims per UTC day as bars (side by side
# for up to a month of days, overlaid beyond).
# Data: per_day.tsv: day start (epoch s), attacks, victims (NaN on a day no
# input covers), gap_s (on the first day of a run without data, the run's
# length in seconds, else NaN). Days without data get a grey band, so a gap
# never reads as a zero.
# Extra variable: gaps, the number of runs without data (0: no key entry).
load tpldir.'/common.gp'
f = datadir.'/per_day.tsv'
day = 86400
stats f using 1 nooutput name "X"
stats f using 2 nooutput name "A"
stats f using 3 nooutput name "V"
ymax = (A_max > V_max ? A_max : V_max) * 1.35
set title sprintf("Attacks and distinct victims per day, %s", period)
set xdata time
set xrange [X_min : X_max + day]
if (X_records <= 16) {
	set xtics X_min + day / 2, day
	set format x "%a\n%Y-%m-%d"
} else {
	set format x "%Y-%m-%d"
	set xtics rotate by 30 right
}
set xlabel "day (UTC)"
set ylabel "attacks or victims per day"
set yrange [0 : ymax]
# counts: whole-number tics when they are small
if (ymax < 10) set ytics 1
set rmargin 6
# Up to a month: attacks and victims side by side with outlines. Longer:
# one full-width bar per day, victims (never more than attacks) drawn over
# the attacks, no outlines (they would turn hundreds of bars black).
if (X_records <= 31) {
	set boxwidth day * 0.38 absolute
	set style fill solid 0.85 border lc rgb "#555555"
	xa = 0.3
	xv = 0.7
} else {
	set boxwidth day absolute
	set style fill solid 0.9 noborder
	xa = 0.5
	xv = 0.5
}
plot f using ($1 + $4 / 2):(ymax / 2):($1):($1 + $4):(0):(ymax) \
	with boxxyerror fs solid 1.0 noborder lc rgb c_nodata title (gaps ? "no data" : ""), \
     f using ($1 + day * xa):2 with boxes lc rgb c_attacks title "attacks", \
     f using ($1 + day * xv):3 with boxes lc rgb c_victims title "victims"
