# SPDX-License-Identifier: GPL-2.0
# The plot of `make bench`: gnuplot -e "dir='build/bench'; term='pngcairo'; kernel='...'" plot.gp
# Reads the .dat files report.awk writes; every bar or point is the median
# of per-round ratios, the error bars its quartiles.
if (!exists("term")) term = 'pngcairo'
if (!exists("kernel")) kernel = ''
if (term eq 'pngcairo') {
	set terminal pngcairo size 1800,1000 font 'DejaVu Sans,10'
} else {
	set terminal png size 1800,1000
}
set output dir.'/bench.png'
set termoption noenhanced
set multiplot layout 2,3 title 'clone_with_pids benchmarks, '.kernel.' under QEMU TCG (median of per-round ratios, bars: quartiles)'
set grid ytics
set style fill solid 0.5 border -1
set boxwidth 0.6
set key top left
set xtics rotate by -30 left

f = dir.'/latency.dat'
set title '1. create + exit + reap: ratio'
set yrange [0.6:1.8]
set xrange [-0.6:*]
plot f using 0:2:xtic(1) with boxes lc rgb '#4477aa' notitle, \
     f using 0:2:3:4 with yerrorbars lc rgb 'black' pt 7 ps 0.5 notitle, \
     1.03 with lines dt 2 lc rgb 'red' title 'target 1.03', \
     1 with lines lc rgb 'gray' notitle
unset xrange

f = dir.'/depth.dat'
set title '4. ratio versus pid namespace levels'
set xtics norotate
set xlabel 'levels (pids per process)'
set logscale x 2
set xrange [0.8:40]
set yrange [0.6:1.8]
plot f using 1:2:3:4 with yerrorlines lw 2 title 'cwp / clone3 set_tid', \
     f using 1:5:6:7 with yerrorlines lw 2 title 'fwp / fork', \
     f using 1:8:9:10 with yerrorlines lw 2 title 'clone3 set_tid / clone3', \
     1.03 with lines dt 2 lc rgb 'red' title 'target 1.03'

set title '4. median time per create + exit + reap (TCG, scale only)'
set ylabel 'microseconds'
set yrange [0:*]
plot f using 1:11 with linespoints lw 2 title 'fork', \
     f using 1:12 with linespoints lw 2 title 'clone3', \
     f using 1:13 with linespoints lw 2 title 'clone3 set_tid', \
     f using 1:14 with linespoints lw 2 title 'clone_with_pids', \
     f using 1:15 with linespoints lw 2 title 'fork_with_pids'
unset ylabel
unset xlabel
unset logscale x
unset xrange
set xtics rotate by -30 left

f = dir.'/tput.dat'
set title '3. throughput of 2 workers: ratio'
set yrange [0.4:2.4]
set xrange [-0.6:*]
plot f using 0:2:xtic(1) with boxes lc rgb '#228833' notitle, \
     f using 0:2:3:4 with yerrorbars lc rgb 'black' pt 7 ps 0.5 notitle, \
     0.95 with lines dt 2 lc rgb 'red' title 'target >= 0.95 (vs fork)', \
     1.2 with lines dt 3 lc rgb 'orange' title 'target >= 1.2 (vs ns_last_pid)'
unset xrange

f = dir.'/churn.dat'
set title '3. under churn: outcome of each request (%)'
set style data histograms
set style histogram rowstacked
set yrange [0:105]
set key outside bottom center horizontal
plot f using 2:xtic(1) lc rgb '#228833' title 'exact pid', \
     '' using 3 lc rgb '#cc3311' title 'wrong pid', \
     '' using 4 lc rgb '#ddaa33' title 'EBUSY, pid taken', \
     '' using 5 lc rgb '#aa3377' title 'EBUSY, pid free', \
     '' using 6 lc rgb '#555555' title 'other error'
set style data lines
set key inside top left

f = dir.'/other.dat'
set title '2, 5: tree, threads; plain fork with / without the module'
set yrange [0.6:2.4]
set xrange [-0.6:*]
plot f using 0:2:xtic(1) with boxes lc rgb '#aa3377' notitle, \
     f using 0:2:3:4 with yerrorbars lc rgb 'black' pt 7 ps 0.5 notitle, \
     1.05 with lines dt 2 lc rgb 'red' title 'tree target 1.05', \
     1 with lines lc rgb 'gray' notitle
unset multiplot
