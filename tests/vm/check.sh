#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check (and make check-all): everything CI runs, from a clean clone.
#
#   [KERNELS=gate|all|"6.1 arm64/6.12 ..."] [CWP_JOBS=2] tests/vm/check.sh
#
# - host checks: tests/host/*.sh, and the judges' unit tests
#   (tests/judge/test_*.py);
# - the suite (tests/t_*.c and their 32-bit builds) on each kernel of
#   KERNELS (tests/vm/lib.sh: gate is 5.10, 7.x-rt and arm64/7.x; all is
#   the whole matrix), in QEMU: a boot with two vCPUs for the suite, a
#   boot with one for the tests that make the kernel patch its text
#   (list-smp1, see the Makefile);
# - the library's fallback pass: tests/t_fallback_*.c on bookworm's 6.1,
#   booted without the module (CWP_FALLBACK=0 leaves it out);
# - make deb: the Debian packages built and lintian run on them
#   (CWP_DEB=0 leaves it out).
#
# Everything is prepared at once in the background (kernels fetched and
# their modules built in a chroot of their suite, the arm64 test programs
# cross-built, the packages built), and CWP_JOBS VMs run at a time as
# soon as what they boot is ready. Ends with one line per part, what the
# failed tests said, and "N passed, N failed, N skipped"; exits non-zero
# on any failure.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/vm/lib.sh"
kernels=$(cwp_kernels ${KERNELS:-gate})
jobs=${CWP_JOBS:-2}
out=$top/build
t_start=$(date +%s)

"$cwp_vm/deps.sh" || exit 2
for k in $kernels; do
	cwp_kernel "$k" || { echo "check: unknown kernel '$k' ($CWP_ALL_KERNELS)" >&2; exit 2; }
done
mkdir -p "$out/check"
rm -f "$out"/check/*

# Runs COMMAND in the background, its output in build/check/NAME.log and
# NAME.err, its exit status in build/check/NAME.rc when it is done.
bg() {
	local name=$1

	shift
	(
		rc=0
		"$@" > "$out/check/$name.log" 2> "$out/check/$name.err" || rc=$?
		echo $rc > "$out/check/$name.rc"
	) &
}

# Seconds since the start, for the log.
at() {
	echo "[$(($(date +%s) - t_start))s] $*"
}

# Every preparation at once: the locks of fetch-kernel.sh, make-chroot.sh
# and prepare-kernel.sh serialize what must be (one suite's chroot).
arm64=
for k in $kernels; do
	case $k in arm64/*) arm64=1 ;; esac
	rm -rf "$out/$k"
	mkdir -p "$out/$k"
	bg "prepare-${k//\//-}" "$cwp_vm/prepare-kernel.sh" "$k" "$out/$k"
done
[ -z "$arm64" ] || bg tests-arm64 "$cwp_vm/cross-tests.sh" arm64
if [ "${CWP_FALLBACK:-1}" = 1 ]; then
	cwp_kernel 6.1
	bg fallback-kernel "$cwp_vm/fetch-kernel.sh" "$cwp_suite" "$cwp_cache" "$cwp_abire"
fi
[ "${CWP_DEB:-1}" = 0 ] || bg deb "$top/tests/pkg/deb.sh"
bg tests make -C "$top" -j"$(nproc)" tests
at "preparing: $kernels${arm64:+, the arm64 tests}"

# Host checks, while the rest is prepared.
host() {
	local t name t0 rc

	mkdir -p "$out/host"
	for t in "$top"/tests/host/*.sh; do
		name=$(basename "$t" .sh)
		t0=$(date +%s)
		rc=0
		"$t" > "$out/host/$name.log" 2>&1 || rc=$?
		echo "$name $rc $(($(date +%s) - t0))"
	done
	t0=$(date +%s)
	rc=0
	python3 -m unittest discover -s "$top/tests/judge" -p 'test_*.py' > "$out/host/judge.log" 2>&1 || rc=$?
	echo "judge $rc $(($(date +%s) - t0))"
}
bg host host

# One boot of one kernel: vm LOG SMP ACCEL EXTRA. The suite's boot has two
# vCPUs, each in a host thread of its own (tcg): the races and storms need
# them to run at once. Boots that need no concurrency run every vCPU in
# one host thread (tcg,thread=single): measured over 171 boots of 7.x
# each way, that removed the stale int3s that multi-threaded TCG runs
# after text patching (5 oopses, none), at no cost in time.
vm() {
	CWP_VM_SMP=$2 CWP_VM_ACCEL=$3 CWP_VM_ARCH=$arch cwp_boot "$1" '^# kernel ' '^# done' \
		"$cwp_vm/run-kernel.sh" "$vmlinuz" "$ko" "$tests" "$1" "$extra $4"
}

# One kernel, once prepared: the suite, then in a boot of its own with
# one vCPU what makes the kernel patch hot text (list-smp1). Its report
# in OUT/K/report, its summary line in OUT/K/line, its counts in
# OUT/K/counts, what its failed tests said in OUT/K/details.
run_kernel() {
	k=$1
	t0=$(date +%s)
	p=$out/check/prepare-${k//\//-}
	VMLINUZ= RELEASE=$k EXTRA= ARCH=amd64
	rc=$(cat "$p.rc")
	fails=
	case $rc in
	0) eval "$(cat "$p.log")" ;;
	2) fails=fetch-kernel ;;
	*) fails=module-build ;;
	esac
	vmlinuz=$VMLINUZ extra=$EXTRA arch=$ARCH ko=$out/$k/clone_with_pids.ko
	case $arch in
	arm64)
		tests=$out/arm64/tests
		[ "$(cat "$out/check/tests-arm64.rc")" = 0 ] || fails="$fails tests-arm64-build"
		;;
	*)
		tests=$out/tests
		[ "$(cat "$out/check/tests.rc")" = 0 ] || fails="$fails tests-build"
		;;
	esac
	logs=
	{
	[ -z "$fails" ] || cat "$p.err" "$out/check/tests.err" | tail -n 30 | sed 's/^/  | /'
	[ -z "$arm64" ] || [ "$arch" != arm64 ] || [ "$(cat "$out/check/tests-arm64.rc")" = 0 ] ||
		tail -n 30 "$out/check/tests-arm64.err" | sed 's/^/  | /'
	if [ -z "$fails" ]; then
		vm "$out/$k/vm.log" 2 tcg ""
		vm "$out/$k/vm-smp1.log" 1 tcg,thread=single "cwp_list=list-smp1"
		logs="$out/$k/vm.log $out/$k/vm-smp1.log"
	fi
	cwp_results "$k" "$RELEASE" $(($(date +%s) - t0)) "$out/$k/details" $logs -- $fails \
		> "$out/$k/results"
	sed '$d' "$out/$k/results"
	tail -n 1 "$out/$k/results" > "$out/$k/line"
	} > "$out/$k/report" 2>&1
	echo "$cwp_pass $cwp_fail $cwp_skip" > "$out/$k/counts"
}

# The library without the module: the fallback tests on 6.1, booted with
# cwp_nomodule=1 so that the module is never loaded. Every one of them
# must run and pass: a skip means the pass was not on the fallback.
run_fallback() {
	k=fallback
	t0=$(date +%s)
	fails=
	[ "$(cat "$out/check/fallback-kernel.rc")" = 0 ] || fails=fetch-kernel
	[ "$(cat "$out/check/tests.rc")" = 0 ] || fails="$fails tests-build"
	rm -rf "$out/fallback"
	mkdir -p "$out/fallback/tests"
	logs= release=6.1
	{
	if [ -z "$fails" ]; then
		kdir=$(tail -n 1 "$out/check/fallback-kernel.log")
		vmlinuz=$(find "$kdir/boot" -name 'vmlinuz*' | head -n 1)
		release=${vmlinuz##*/vmlinuz-}
		cp "$out/tests/list-fallback" "$out/tests/timeouts" "$out/tests/clone-with-pids" \
			"$out/fallback/tests/"
		for t in $(cat "$out/tests/list-fallback"); do
			cp "$out/tests/$t" "$out/fallback/tests/"
		done
		CWP_VM_ACCEL=tcg,thread=single cwp_boot "$out/fallback/vm.log" '^# kernel ' '^# done' \
			"$cwp_vm/run-kernel.sh" \
			"$vmlinuz" /dev/null "$out/fallback/tests" "$out/fallback/vm.log" \
			"cwp_nomodule=1 cwp_list=list-fallback"
		logs=$out/fallback/vm.log
	fi
	cwp_results fallback "$release" $(($(date +%s) - t0)) "$out/fallback/details" $logs -- $fails \
		> "$out/fallback/results"
	sed '$d' "$out/fallback/results"
	tail -n 1 "$out/fallback/results" > "$out/fallback/line"
	} > "$out/fallback/report.tmp" 2>&1
	mv "$out/fallback/report.tmp" "$out/fallback/report"
	[ "$cwp_skip" -eq 0 ] && [ "$cwp_pass" -gt 0 ] || cwp_fail=$((cwp_fail + 1))
	echo "$cwp_pass $cwp_fail $cwp_skip" > "$out/fallback/counts"
}

# Is job J ready to boot? Its preparation and the test programs are done.
ready() {
	case $1 in
	fallback) [ -f "$out/check/fallback-kernel.rc" ] && [ -f "$out/check/tests.rc" ] ;;
	arm64/*) [ -f "$out/check/prepare-${1//\//-}.rc" ] && [ -f "$out/check/tests-arm64.rc" ] ;;
	*) [ -f "$out/check/prepare-$1.rc" ] && [ -f "$out/check/tests.rc" ] ;;
	esac
}

queue=$kernels
[ "${CWP_FALLBACK:-1}" = 1 ] && queue="$queue fallback"
running=
while [ -n "$queue" ] || [ -n "$running" ]; do
	started=
	if [ "$(echo $running | wc -w)" -lt "$jobs" ]; then
		for j in $queue; do
			ready "$j" || continue
			at "booting $j"
			case $j in
			fallback) run_fallback & ;;
			*) run_kernel "$j" & ;;
			esac
			running="$running $!"
			queue=$(echo " $queue " | sed "s| $j | |; s|^ *||; s| *\$||")
			started=1
			break
		done
	fi
	[ -n "$started" ] && continue
	# Reap the VMs that ended, and look again in a moment: a job may have
	# become ready meanwhile.
	still=
	for p in $running; do
		if kill -0 "$p" 2> /dev/null; then
			still="$still $p"
		else
			wait "$p" || true
		fi
	done
	running=$still
	sleep 2
done
wait
at "every VM is done"

total_pass=0 total_fail=0 total_skip=0 summary= failed=
add() {
	total_pass=$((total_pass + $1)) total_fail=$((total_fail + $2)) total_skip=$((total_skip + $3))
}

# The host checks.
pass=0 fail=0
while read -r name rc secs; do
	if [ "$rc" = 0 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		sed "s|^|host/$name: |" "$out/host/$name.log" | tail -n 40
		echo "  host/$name FAIL (${secs}s)"
	fi
done < "$out/check/host.log"
line=$(printf '%-10s %-28s %3d passed, %d failed, %d skipped' host "$(uname -m)" "$pass" "$fail" 0)
echo "$line"
summary="$line
"
add "$pass" "$fail" 0

for k in $kernels fallback; do
	[ "$k" != fallback ] || [ "${CWP_FALLBACK:-1}" = 1 ] || continue
	cat "$out/$k/report" 2> /dev/null
	line=$(cat "$out/$k/line" 2> /dev/null || echo "$k: no result")
	echo "$line"
	summary="$summary$line
"
	read -r pass fail skip < "$out/$k/counts" 2> /dev/null || { pass=0 fail=1 skip=0; }
	[ "$fail" -eq 0 ] || failed="$failed $k"
	add "$pass" "$fail" "$skip"
done

if [ "${CWP_DEB:-1}" = 1 ]; then
	tail -n 2 "$out/check/deb.err"
	tail -n 1 "$out/check/deb.log"
	if [ "$(cat "$out/check/deb.rc")" = 0 ]; then
		line=$(printf '%-10s %-28s %3d passed, %d failed, %d skipped' deb lintian 1 0 0)
		add 1 0 0
	else
		cat "$out/check/deb.log" "$out/check/deb.err" | tail -n 30
		line=$(printf '%-10s %-28s %3d passed, %d failed, %d skipped' deb lintian 0 1 0)
		add 0 1 0
	fi
	echo "$line"
	summary="$summary$line
"
fi

# What the failed tests said, last: a CI log cut to its tail keeps it.
for k in $failed; do
	echo
	echo "$k: output of the failed tests"
	cat "$out/$k/details" 2> /dev/null
done
echo
printf '%s' "$summary"
echo "check: $(($(date +%s) - t_start)) s"
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
