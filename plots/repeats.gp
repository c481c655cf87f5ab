# repeats.gp - how many victims were attacked once, twice, ... (log y).
# Data: repeats.tsv: bucket label ("1", "6-10", "101+"), victims, attacks.
load tpldir.'/common.gp'
f = datadir.'/repeats.tsv'
stats f using 2 nooutput name "N"
set title sprintf("Victims by number of attacks, %s", period)
set xlabel "attacks on the same victim in the period"
set ylabel "victims (log scale)"
set logscale y
set yrange [0.5 : N_max * 4]
set xrange [-0.6 : N_records - 0.4]
set boxwidth 0.7 relative
set style fill solid 0.85 border lc rgb "#555555"
set grid noxtics
set key off
plot f using 0:2:xticlabels(1) with boxes lc rgb c_victims title "victims", \
     f using 0:2:(sprintf("%d", $2)) with labels offset 0, 0.8 notitle
