# SPDX-License-Identifier: GPL-2.0
# The harness's core, sourced by every check that boots a kernel (make
# check, check-all, check-debug, check-packages, check-external, demo,
# bench): the kernel list, the kernel-to-suite table, one boot with the
# emulator's faults told apart from the module's, and the judge of a VM's
# log (tests/judge/vmlog.py: its kernel-log verdict, its KTAP results).
#
# Sourcing scripts set $top (the checkout) first.

cwp_vm=$top/tests/vm
cwp_cache=${CWP_CACHE:-/var/cache/clone_with_pids}
cwp_vmlog="python3 $top/tests/judge/vmlog.py"

# make check's kernels, the three that differ most: the oldest (5.10), the
# newest with PREEMPT_RT and IBT (7.x-rt), and the newest arm64 one. make
# check-all's: every kernel of the matrix.
CWP_GATE_KERNELS="5.10 7.x-rt arm64/7.x"
CWP_ALL_KERNELS="5.10 6.1 6.12 7.x 6.12-rt 7.x-rt arm64/5.10 arm64/6.1 arm64/6.12 arm64/7.x"

# cwp_kernels WORDS: the kernels WORDS names ("gate", "all", or kernels).
cwp_kernels() {
	case $* in
	''|gate) echo "$CWP_GATE_KERNELS" ;;
	all) echo "$CWP_ALL_KERNELS" ;;
	*) echo "$*" ;;
	esac
}

# cwp_kernel K: set cwp_suite (Debian suite), cwp_abire (its kernel series,
# a regular expression of the ABI) and cwp_flavour (cloud-amd64, rt-amd64,
# cloud-arm64) of kernel K. Returns 2 for a kernel not in the matrix.
cwp_kernel() {
	cwp_flavour=cloud-amd64
	case $1 in
	arm64/*-rt) return 2 ;;
	arm64/*) cwp_flavour=cloud-arm64 ;;
	esac
	case ${1#arm64/} in
	5.10) cwp_suite=bullseye cwp_abire='5\.10\.0-[0-9]+' ;;
	6.1) cwp_suite=bookworm cwp_abire='6\.1\.0-[0-9]+' ;;
	6.12) cwp_suite=trixie cwp_abire='6\.12\.[0-9]+\+deb13' ;;
	7.x|sid) cwp_suite=sid cwp_abire='[0-9]+\.[0-9]+\.[0-9]+\+deb[0-9]+' ;;
	6.12-rt) cwp_suite=trixie cwp_abire='6\.12\.[0-9]+\+deb13' cwp_flavour=rt-amd64 ;;
	7.x-rt) cwp_suite=sid cwp_abire='[0-9]+\.[0-9]+\.[0-9]+\+deb[0-9]+' cwp_flavour=rt-amd64 ;;
	*) return 2 ;;
	esac
}

# cwp_boot LOG START DONE COMMAND...: one VM, COMMAND writing its serial
# console to LOG, judged for the emulator's own faults, which are told
# apart from the module's by what the log proves:
#
# - no line matching START (the VM's init never ran): the kernel died
#   while booting, before our code ran; booted again, twice at most;
# - no line matching DONE, and vmlog.py emulator-fault: QEMU's TCG ran a
#   stale int3 of kernel text that was being patched, outside the
#   module, and the memory no longer held that int3; booted again, once.
#
# With cwp_boot_premodule set (a regular expression), also: no DONE, no
# line matching it (the init had not loaded the module yet), and a kernel
# splat: the kernel died before the module was ever loaded; booted again.
#
# Anything else is the run's result, whatever it says. Each boot made
# again keeps its log as LOG-retryN.log and prints a line "retry N: WHY"
# on stdout, which the check reports.
cwp_boot() {
	_log=$1 _start=$2 _done=$3
	shift 3
	_int3=
	for _try in 1 2 3; do
		rm -f "$_log"
		"$@" || echo "# qemu exited with an error" >> "$_log"
		if ! tr -d '\r' < "$_log" | grep -aqE "$_start"; then
			_why="the kernel died before its init ran"
		elif [ -n "${cwp_boot_premodule:-}" ] && ! tr -d '\r' < "$_log" | grep -aqE "$_done" &&
			! tr -d '\r' < "$_log" | grep -aqE "$cwp_boot_premodule" &&
			! $cwp_vmlog verdict "$_log" > /dev/null; then
			_why="the kernel died before the module was ever loaded"
		elif [ -z "$_int3" ] && ! tr -d '\r' < "$_log" | grep -aqE "$_done" &&
			$cwp_vmlog emulator-fault "$_log"; then
			_int3=1
			_why="QEMU's TCG ran a stale int3 of kernel text being patched, outside the module"
		else
			return 0
		fi
		[ "$_try" -lt 3 ] || return 0
		cp "$_log" "${_log%.log}-retry$_try.log"
		echo "retry $_try: $_why (${_log%.log}-retry$_try.log)"
	done
}

# cwp_results NAME RELEASE SECONDS DETAILS LOG... [-- FAILED_STEP...]:
# judge the logs of one kernel's boots (read as one), with the steps that
# failed on the host (fetch-kernel, module-build...): print the report,
# then the kernel's summary line; what the failed tests said goes to the
# file DETAILS. Sets cwp_pass, cwp_fail, cwp_skip; returns 1 on a failure.
cwp_results() {
	_name=$1 _release=$2 _secs=$3 _details=$4
	shift 4
	_logs= _fails=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		_logs="$_logs $1"
		shift
	done
	[ $# -eq 0 ] || shift
	for _f in "$@"; do
		_fails="$_fails --fail $_f"
	done
	_out=$($cwp_vmlog results --details "$_details" $_fails $_logs)
	echo "$_out" | sed '$d'
	set -- $(echo "$_out" | tail -n 1)
	cwp_pass=$2 cwp_fail=$3 cwp_skip=$4
	printf '%-10s %-28s %3d passed, %d failed, %d skipped (%ds)\n' "$_name" "$_release" \
		"$cwp_pass" "$cwp_fail" "$cwp_skip" "$_secs"
	[ "$cwp_fail" -eq 0 ]
}
