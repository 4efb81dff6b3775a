#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the test suite on stock Debian kernels in QEMU.
#
#   KERNELS="5.10 6.1 6.12 7.x 6.12-rt 7.x-rt" [CWP_JOBS=2] tests/vm/check.sh
#
# arm64/5.10, arm64/6.1, arm64/6.12 and arm64/7.x are Debian's cloud-arm64
# kernels, booted in qemu-system-aarch64 with the arm64 test programs
# (make tests-arm64, in build/arm64/tests); any mix may be given.
#
# For each kernel: fetch the newest image + headers of its suite (cached in
# CWP_CACHE, default /var/cache/clone_with_pids), build the module in a
# chroot of that suite, boot with the tests in an initramfs, and collect one
# line per test. Ends with "N passed, N failed, N skipped"; exits non-zero
# on any failure, a kernel splat, or a VM that did not finish.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
vm=$top/tests/vm
kernels=${KERNELS:-5.10 6.1 6.12 7.x 6.12-rt 7.x-rt}
out=$top/build
splat='BUG:|WARNING:|Oops|Call Trace|general protection|KASAN|kmemleak:.*unreferenced|possible recursive locking|circular locking|UBSAN|Kernel panic'

"$vm/deps.sh"
for k in $kernels; do
	case $k in
	arm64/*) t=$out/arm64/tests m=tests-arm64 ;;
	*) t=$out/tests m=tests ;;
	esac
	[ -f "$t/list" ] || { echo "check: run 'make $m' first" >&2; exit 2; }
done

total_pass=0 total_fail=0 total_skip=0
summary=""
failed_logs=

# Host-side checks: library ABI, uapi layout, DKMS.
pass=0 fail=0 skip=0
t0=$(date +%s)
mkdir -p "$out/host"
for t in "$top"/tests/host/*.sh; do
	name=$(basename "$t" .sh)
	rc=0
	"$t" > "$out/host/$name.log" 2>&1 || rc=$?
	case $rc in
	0) pass=$((pass + 1)) ;;
	77) skip=$((skip + 1)); echo "  host/$name SKIP" ;;
	*) fail=$((fail + 1)); sed "s|^|host/$name: |" "$out/host/$name.log"; echo "  host/$name FAIL" ;;
	esac
done
line=$(printf '%-10s %-28s %3d passed, %d failed, %d skipped (%ds)' host "$(uname -m)" "$pass" "$fail" "$skip" $(($(date +%s) - t0)))
echo "$line"
summary="$line
"
total_pass=$pass total_fail=$fail total_skip=$skip
# One boot of kernel $k: boot LOG SMP EXTRA_CMDLINE.
boot() {
	blog=$1 smp=$2 bextra=$3
	# A boot that dies before /init ran never reached our code: under
	# TCG, Debian 7.x kernels rarely take an int3 oops while patching
	# static keys during boot. Such a boot is retried, twice at most.
	# The same emulator fault can hit later, in any text patching
	# (static keys, static calls, tracepoints): an int3 oops outside
	# the module, with the patching in the trace. Such a run is made
	# again, once, and says so.
	int3_retried=
	for try in 1 2 3; do
		rm -f "$blog"
		CWP_VM_SMP=$smp CWP_VM_ARCH=$arch "$vm/run-kernel.sh" "$vmlinuz" \
			"$out/$k/clone_with_pids.ko" "$tests" "$blog" "$extra $bextra" ||
			echo "CWP-TEST qemu FAIL" >> "$blog"
		if ! grep -aq 'CWP-KERNEL ' "$blog"; then
			echo "$k: the kernel died before /init started (boot $try); log kept in ${blog%.log}-boot$try.log"
			cp "$blog" "${blog%.log}-boot$try.log"
			continue
		fi
		if [ -z "$int3_retried" ] && ! grep -aq '^CWP-DONE' "$blog" &&
			"$vm/tcg-int3.sh" "$blog"; then
			int3_retried=1
			echo "$k: TCG ran a stale int3 of kernel text being patched, outside the module; run again, log kept in ${blog%.log}-int3.log"
			cp "$blog" "${blog%.log}-int3.log"
			continue
		fi
		break
	done
	if ! grep -aq '^CWP-DONE' "$blog"; then
		hung=$(tr -d '\r' < "$blog" | sed -n 's/^CWP-RUN //p' | tail -n 1)
		echo "$k: the VM ($smp vCPU) did not finish, last test started: ${hung:-none}; its log ends with:"
		tr -d '\r' < "$blog" | tail -n 40 | sed 's/^/  | /'
		echo "CWP-TEST vm-finished(${hung:-none}) FAIL" >> "$blog"
	fi
}

# The kernels are prepared ahead of their boots, in order, one at a time
# (kernels of one suite share its chroot and apt cache): while one VM
# runs, the next kernel is fetched and its module built. Each leaves
# OUT/K/prepare (prepare-kernel.sh's variables, then its exit status on
# the last line); OUT/.prepared when all are done.
prepare_all() {
	for k in $kernels; do
		rc=0
		flock "$out/.prepare.lock" "$vm/prepare-kernel.sh" "$k" "$out/$k" > "$out/$k/prepare.tmp" || rc=$?
		echo "rc=$rc" >> "$out/$k/prepare.tmp"
		mv "$out/$k/prepare.tmp" "$out/$k/prepare"
	done
	touch "$out/.prepared"
}

# One kernel: wait for its preparation, boot it with the tests, and
# write its report, its summary line and its counts into OUT/K/.
run_kernel() {
	k=$1
	t0=$(date +%s)
	while [ ! -f "$out/$k/prepare" ]; do
		sleep 1
	done
	VMLINUZ= RELEASE=$k EXTRA= ARCH=amd64
	vars=$(sed '$d' "$out/$k/prepare")
	rc=$(sed -n '$s/^rc=//p' "$out/$k/prepare")
	if [ "$rc" -eq 0 ]; then
		eval "$vars"
	elif [ "$rc" -eq 2 ]; then
		echo "CWP-TEST fetch-kernel FAIL" > "$out/$k/vm.log"
	else
		echo "CWP-TEST module-build FAIL" > "$out/$k/vm.log"
	fi
	vmlinuz=$VMLINUZ release=$RELEASE extra=$EXTRA arch=$ARCH
	case $arch in
	arm64) tests=$out/arm64/tests ;;
	*) tests=$out/tests ;;
	esac
	{
	if [ -f "$out/$k/clone_with_pids.ko" ]; then
		# The suite with two vCPUs; then, in a boot of its own with one,
		# what makes the kernel patch hot text (list-smp1, see SMP1 in
		# the Makefile). Their logs are read as one.
		boot "$out/$k/vm.log" 2 ""
		boot "$out/$k/vm-smp1.log" 1 "cwp_list=list-smp1"
		cat "$out/$k/vm-smp1.log" >> "$out/$k/vm.log"
		if grep -aqE "$splat" "$out/$k/vm.log"; then
			grep -aE -B2 -A20 "$splat" "$out/$k/vm.log" | head -n 60
			echo "CWP-TEST kernel-log-clean FAIL" >> "$out/$k/vm.log"
		fi
	fi
	log=$out/$k/vm.log
	tr -d '\r' < "$log" | grep -a '^CWP-OUT ' || true
	pass=$(tr -d '\r' < "$log" | grep -ac '^CWP-TEST .* PASS$' || true)
	fail=$(tr -d '\r' < "$log" | grep -ac '^CWP-TEST .* FAIL$' || true)
	skip=$(tr -d '\r' < "$log" | grep -ac '^CWP-TEST .* SKIP$' || true)
	tr -d '\r' < "$log" | grep -a '^CWP-LOG .*kernel_clone' | sed 's/^CWP-LOG \[[^]]*\] /  /' || true
	tr -d '\r' < "$log" | sed -n 's/^CWP-STAT /  /p'
	tr -d '\r' < "$log" | sed -n 's/^CWP-TIME //p' | sort -k2 -n -r | head -n 5 |
		awk '{ s = s sep $1 " " $2 "s"; sep = ", " } END { if (s != "") print "  slowest: " s }'
	tr -d '\r' < "$log" | grep -a '^CWP-TEST .* \(FAIL\|SKIP\)$' | sed 's/^CWP-TEST /  /' || true
	} > "$out/$k/report" 2>&1
	line=$(printf '%-10s %-28s %3d passed, %d failed, %d skipped (%ds)' "$k" "$release" "$pass" "$fail" "$skip" $(($(date +%s) - t0)))
	fails=$(tr -d '\r' < "$log" | sed -n 's/^CWP-TEST \(.*\) FAIL$/\1/p' | tr '\n' ' ')
	[ -z "$fails" ] || line="$line
      failed: $fails"
	printf '%s\n' "$line" > "$out/$k/line"
	echo "$pass $fail $skip" > "$out/$k/counts"
}

# CWP_JOBS kernels at a time (default 1). A VM rarely keeps both of its
# vCPUs busy, so two at once use two host cores better; each still has
# its own per-test timeouts.
jobs=${CWP_JOBS:-1}
rm -f "$out/.prepared"
for k in $kernels; do
	mkdir -p "$out/$k"
	rm -f "$out/$k/prepare" "$out/$k/vm.log" "$out/$k/vm-smp1.log" "$out/$k/clone_with_pids.ko" \
		"$out/$k/report" "$out/$k/line" "$out/$k/counts"
done
prepare_all &
preparer=$!
running=
for k in $kernels; do
	# Wait for one of the boots (not the preparer) to end.
	while [ "$(echo $running | wc -w)" -ge "$jobs" ]; do
		ended=
		wait -n -p ended $running || true
		running=$(echo " $running " | sed "s/ $ended / /")
	done
	run_kernel "$k" &
	running="$running $!"
done
wait

failed_logs=
for k in $kernels; do
	cat "$out/$k/report" 2> /dev/null
	line=$(cat "$out/$k/line" 2> /dev/null || echo "$k: no result")
	echo "$line"
	summary="$summary$line
"
	read -r pass fail skip < "$out/$k/counts" 2> /dev/null || { pass=0 fail=1 skip=0; }
	[ "$fail" -eq 0 ] || failed_logs="$failed_logs $k"
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
	total_skip=$((total_skip + skip))
done

# What the failed tests said, last: a CI log cut to its tail keeps it.
for k in $failed_logs; do
	echo
	echo "$k: output of the failed tests"
	"$vm/failed-output.sh" "$out/$k/vm.log"
done
echo
printf '%s' "$summary"
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
