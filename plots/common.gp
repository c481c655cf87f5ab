# common.gp - settings every figure of `backscatter report` shares.
# Loaded first by each template. The program sets these variables with -e:
#   datadir  directory of the TSV data files (and of the PNGs)
#   outfile  PNG to write (a temporary name, renamed when gnuplot succeeds)
#   tpldir   directory of the templates
#   period   "2026-11-24 22:00 to 2026-11-27 04:00 UTC", the "when" of titles
#   width, height  image size in pixels (the HTML page uses the same)
# Times in the data are seconds since the Unix epoch; gnuplot's time axes
# show them as UTC (gnuplot applies no time zone).
set terminal pngcairo size width,height noenhanced font "DejaVu Sans,10" background rgb "white"
set output outfile
set encoding utf8
set datafile separator "\t"
set datafile missing "NaN"
set datafile commentschars "#"
set timefmt "%s"
set border 3 lw 1
set tics nomirror out
set grid back lc rgb "#e0e0e0" lw 1
set key top right box opaque samplen 2
set title font ",12"
# colours: one per series, the same in every figure
c_attacks = "#1f77b4"
c_victims = "#ff7f0e"
c_packets = "#2ca02c"
c_uniform = "#9467bd"
c_nodata = "#c8c8c8"
