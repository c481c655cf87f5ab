# per_hour.gp - attacks per UTC hour as bars one hour wide, distinct victims
# per hour as a line over them (points too while there are few hours).
# Data: per_hour.tsv: hour start (epoch s), attacks, victims (NaN on an
# hour no input covers), gap_s (on the first hour of a run without data,
# the run's length in seconds, else NaN). Hours without data get one grey
# band per gap; blank lines around them break the victims line there.
# Extra variable: gaps, the number of runs without data (0: no key entry).
load tpldir.'/common.gp'
f = datadir.'/per_hour.tsv'
hour = 3600
stats f using 1 nooutput name "X"
stats f using 2 nooutput name "A"
stats f using 3 nooutput name "V"
ymax = (A_max > V_max ? A_max : V_max) * 1.35
span = X_max + hour - X_min
set title sprintf("Attacks and distinct victims per hour, %s", period)
set xdata time
set xrange [X_min : X_max + hour]
if (span <= 2 * 86400) {
	set format x "%H:%M\n%m-%d"
} else {
	if (span <= 10 * 86400) {
		set xtics 86400
		set format x "%a\n%Y-%m-%d"
	} else {
		set format x "%Y-%m-%d"
		set xtics rotate by 30 right
	}
}
set xlabel "time (UTC)"
set ylabel "attacks or victims per hour"
set yrange [0 : ymax]
# counts: whole-number tics when they are small
if (ymax < 10) set ytics 1
set rmargin 6
set boxwidth hour absolute
plot f using ($1 + $4 / 2):(ymax / 2):($1):($1 + $4):(0):(ymax) \
	with boxxyerror fs solid 1.0 noborder lc rgb c_nodata title (gaps ? "no data" : ""), \
     f using ($1 + hour / 2):2 with boxes fs solid 0.9 noborder lc rgb c_attacks title "attacks", \
     f using ($1 + hour / 2):3 with linespoints lw 1.5 pt 7 ps (X_records <= 200 ? 0.6 : 0.01) \
	lc rgb c_victims title "victims"
