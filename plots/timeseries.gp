# timeseries.gp - backscatter packets (top) and active attacks and victims
# (bottom) per time-series bin over UTC time.
# Data: timeseries.tsv: bin middle (epoch s), packets, attacks active,
# victims, with a blank line where bins are missing; timeseries_gaps.tsv:
# start and end (epoch s) of each missing stretch, drawn as grey bands.
# Extra variables: bins, the bin width as text ("300 s"); gaps, how many
# missing stretches there are (the key names "no data" only when some are).
load tpldir.'/common.gp'
f = datadir.'/timeseries.tsv'
g = datadir.'/timeseries_gaps.tsv'
stats f using 1 nooutput name "X"
stats f using 2 nooutput name "P"
stats f using 3 nooutput name "A"
stats f using 4 nooutput name "V"
# whole hours at both ends, so the first day's tic is inside the range
xmin = floor(X_min / 3600) * 3600
xmax = ceil(X_max / 3600) * 3600
span = xmax - xmin
# points mark the bins while there are few (a lone bin has no line)
pts = (X_records <= 100 ? 0.6 : 0.01)
pmax = (P_max > 0 ? P_max : 1) * 1.25
amax = (A_max > V_max ? A_max : V_max)
amax = (amax > 0 ? amax : 1) * 1.35
set xdata time
set xrange [xmin : xmax]
# tic labels only under the lower panel
xfmt = "%Y-%m-%d"
if (span <= 2 * 86400) {
	xfmt = "%H:%M\n%m-%d"
} else {
	if (span <= 10 * 86400) {
		set xtics 86400
		xfmt = "%a\n%Y-%m-%d"
	} else {
		set xtics rotate by 30 right
	}
}
set multiplot layout 2, 1 title sprintf("Backscatter per %s bin, %s", bins, period) font ",12"
set lmargin 10
set rmargin 6
set key horizontal
set title ""
set ylabel "packets per bin"
set yrange [0 : pmax]
set format y "%.0s%c"
set xlabel ""
set format x ""
plot g using (($1 + $2) / 2):(pmax / 2):1:2:(0):(pmax) \
	with boxxyerror fs solid 1.0 noborder lc rgb c_nodata title (gaps ? "no data" : ""), \
     f using 1:2 with linespoints lw 1.2 pt 7 ps pts lc rgb c_packets title "packets"
set ylabel "count per bin"
set yrange [0 : amax]
# counts: whole-number tics when they are small
if (amax < 10) set ytics 1
set format y "%g"
set xlabel "time (UTC)"
set format x xfmt
plot g using (($1 + $2) / 2):(amax / 2):1:2:(0):(amax) \
	with boxxyerror fs solid 1.0 noborder lc rgb c_nodata notitle, \
     f using 1:4 with linespoints lw 1 pt 7 ps pts lc rgb c_victims title "their victims", \
     f using 1:3 with linespoints lw 1.2 pt 7 ps pts lc rgb c_attacks title "active attacks"
unset multiplot
