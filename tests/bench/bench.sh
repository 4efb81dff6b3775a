#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench: boot a stock Debian kernel in QEMU with the module, run every
# section of cwp-bench in it, and turn its output into
#
#   build/bench/results.txt   every BENCH line of the VM (raw data)
#   build/bench/table.md      the ratio tables (also printed)
#   build/bench/*.dat         the plot's data
#   build/bench/bench.png     the plot
#
#   BENCH_KERNEL=7.x BENCH_SCALE=2 tests/bench/bench.sh
#
# BENCH_KERNEL: 5.10, 6.1 (default), 6.12, 7.x, or an arm64 one
# (arm64/6.1: the cross-built cwp-bench in build/arm64/bench). BENCH_SCALE multiplies
# the number of rounds of every section (default 1: 7 to 9 minutes on two
# busy cores). BENCH_GRAPH=1 adds a function_graph profile of each method.
# BENCH_SECTIONS="env latency graph" runs only those sections.
# Every comparison is a ratio of cases run side by side in the same VM;
# nothing is compared with a stored time, and the script fails only when
# the benchmarks could not run, never on a result.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/vm/lib.sh"
vm=$cwp_vm
here=$top/tests/bench
k=${BENCH_KERNEL:-6.1}
scale=${BENCH_SCALE:-1}
out=$top/build/bench

"$vm/deps.sh"
# The plot needs gnuplot; the benchmarks do not.
if ! command -v gnuplot > /dev/null; then
	if [ "$(id -u)" = 0 ]; then
		echo "bench: installing gnuplot-nox" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -q --no-install-recommends gnuplot-nox >&2 ||
			{ apt-get update -q >&2 &&
			  apt-get install -y -q --no-install-recommends gnuplot-nox >&2; } ||
			echo "bench: could not install gnuplot-nox: no plot" >&2
	else
		echo "bench: gnuplot missing (apt-get install gnuplot-nox): no plot" >&2
	fi
fi
case $k in
arm64/*) bin=$top/build/arm64/bench/cwp-bench ;;
*) bin=$out/cwp-bench ;;
esac
[ -x "$bin" ] || { echo "bench: run 'make bench'" >&2; exit 2; }

echo "bench: preparing the $k kernel and building the module for it..."
VMLINUZ= RELEASE= EXTRA= ARCH=
vars=$("$vm/prepare-kernel.sh" "$k" "$out/$k") || {
	echo "bench: cannot prepare the $k kernel (see $out/$k/*.log)" >&2
	exit 2
}
eval "$vars"

# Rounds scaled by BENCH_SCALE, at least 2.
r() {
	awk -v a="$1" -v s="$scale" 'BEGIN { v = int(a * s + 0.5); print (v < 2 ? 2 : v) }'
}

files=$out/files
rm -rf "$files"
mkdir -p "$files"
cp "$bin" "$files/"
: > "$files/list"
section() {
	name=$1
	shift
	case " ${BENCH_SECTIONS:-$1} " in
	*" $1 "*) ;;
	*) return 0 ;;
	esac
	printf '#!/bin/sh\nexec ./cwp-bench %s\n' "$*" > "$files/$name"
	chmod +x "$files/$name"
	echo "$name" >> "$files/list"
}
section b_env env
section b_latency latency rounds="$(r 100)" batch=20
section b_depth depth rounds="$(r 30)" batch=12 depths=1,2,4,8,16,24,32
section b_tax tax rounds="$(r 24)" batch=30 depths=1,32
section b_tput tput rounds="$(r 30)" ops=10 mode=threads
section b_tput_procs tput rounds="$(r 30)" ops=20 mode=procs
section b_churn churn rounds="$(r 10)" ops=50
section b_threads threads rounds="$(r 10)" n=1000
section b_restore restore rounds="$(r 200)" ahead=40
section b_reserve reserve rounds="$(r 10)" n=100,1000,4000
section b_tree tree rounds="$(r 5)" n=10000 methods=fork,fwp,list,reserve_list
section b_profile profile n=20 depths=1,4,32
# Durations per kernel function (function_graph): distorted by the tracer's
# own cost under TCG, so only on request.
if [ -n "${BENCH_GRAPH:-}" ]; then
	section b_graph graph kind=procs n=20
	section b_graph_threads graph kind=threads n=100
fi

timeout_s=$(awk -v s="$scale" 'BEGIN { print int(900 * (s < 1 ? 1 : s)) }')
export CWP_VM_TIMEOUT=$((timeout_s * 3))
log=$out/vm.log
echo "bench: booting $RELEASE in QEMU (counts: $(sed 's/^b_//' "$files/list" | tr '\n' ' '))"
t0=$(date +%s)
cwp_boot "$log" '^# kernel ' '^# done' env CWP_VM_ARCH="$ARCH" "$vm/run-kernel.sh" \
	"$VMLINUZ" "$out/$k/clone_with_pids.ko" "$files" "$log" "cwp_mode=verbose cwp_timeout=$timeout_s $EXTRA"
echo "bench: VM ran for $(($(date +%s) - t0)) s"

tr -d '\r' < "$log" | sed -n 's/^# b_[a-z_]*: \(BENCH .*\)/\1/p' > "$out/results.txt"
status=0
if ! tr -d '\r' < "$log" | grep -aq '^# done'; then
	echo "bench: the VM did not finish; see $log" >&2
	status=1
fi
$cwp_vmlog verdict "$log" >&2 || status=1
# A section that failed: its non-BENCH output says why (kernel log, error).
for t in $(tr -d '\r' < "$log" | sed -n 's/^not ok [0-9]* \(b_[a-z_]*\)$/\1/p'); do
	echo "bench: section $t failed:" >&2
	tr -d '\r' < "$log" | sed -n "s/^# $t: //p" | grep -v '^BENCH .* round=' | head -n 40 >&2
	status=1
done
[ -s "$out/results.txt" ] || { echo "bench: no results" >&2; exit 1; }

rm -f "$out"/*.dat
python3 "$top/tests/judge/bench_report.py" --out "$out" --kernel "$RELEASE" --scale "$scale" \
	"$out/results.txt" > "$out/table.md"
if command -v gnuplot > /dev/null; then
	term=png
	gnuplot -e 'set terminal' 2>&1 | grep -q pngcairo && term=pngcairo
	gnuplot -e "dir='$out'; term='$term'; kernel='$RELEASE'" "$here/plot.gp" ||
		echo "bench: gnuplot failed" >&2
fi
echo
cat "$out/table.md"
echo
echo "bench: raw data $out/results.txt, tables $out/table.md, plot $out/bench.png"
exit $status
