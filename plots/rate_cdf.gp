# rate_cdf.gp - cumulative distribution of the estimated attack rate at the
# victim (est_attack_pps), for every attack with an estimate and for those
# that passed the uniform-spoofing test (the only valid estimates).
# Data: rate_cdf.tsv, rate_cdf_uniform.tsv: rate (packets/s), fraction.
# Extra variable: logx (1: log x axis).
load tpldir.'/common.gp'
f = datadir.'/rate_cdf.tsv'
u = datadir.'/rate_cdf_uniform.tsv'
stats f using 1 nooutput name "R"
# points mark the values while there are few (one value has no step)
pts = (R_records <= 50 ? 0.8 : 0.01)
set title sprintf("Estimated attack rate, cumulative distribution, %s", period)
set ylabel "fraction of attacks with rate at most x"
set yrange [0 : 1.02]
set key bottom right
if (logx) {
	set logscale x
	set format x "%.0s%c"
	set xlabel "estimated attack rate at the victim (packets/s, log scale)"
} else {
	set xlabel "estimated attack rate at the victim (packets/s)"
}
plot f using 1:2 with steps lw 2 lc rgb c_attacks title "all (IPv4)", \
     f using 1:2 with points pt 7 ps pts lc rgb c_attacks notitle, \
     u using 1:2 with steps lw 2 dt 2 lc rgb c_uniform title "passed the uniformity test", \
     u using 1:2 with points pt 6 ps pts * 1.5 lc rgb c_uniform notitle
