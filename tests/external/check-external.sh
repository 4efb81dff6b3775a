#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Suites nobody here wrote, on stock Debian kernels in QEMU, with the
# module loaded and its probes live: the kernel's own selftests (from the
# linux-source package of each kernel's suite and series) and stress-ng's
# process stressors. The module must not change how the kernel behaves.
#
#   KERNELS="5.10 7.x" tests/external/check-external.sh
#
# Per kernel, one boot (tests/external/init): the selftests without the
# module, with it loaded, and with it loaded under ext_load's background
# load (a gap list kept armed in a child pid namespace, processes created
# with chosen pids in a loop); stress-ng before, with and under load and
# after the module is unloaded. Writes build/external/KERNEL/results.txt
# (format: tests/external/README.md) and prints a summary; exits non-zero
# when the runs differ, a failure or skip is not explained by
# tests/external/known, a stressor fails, a check fails or the kernel log
# shows a splat.
#
# Environment:
#   KERNELS            kernels of the matrix (default: all six)
#   CWP_EXT_SKIP       more selftests not to run (collection:program, blank
#                      separated), besides the known file's "notrun" ones
#   CWP_EXT_PARTS      selftests, stress, or selftests+stress (default)
#   CWP_EXT_STRESS     seconds per stressor and run (default 3)
#   CWP_EXT_STRESSORS  the stress-ng stressors to run (default: all ten)
#   CWP_EXT_DELAY      ms between the load's creations (default 50)
#   CWP_EXT_VM_TIMEOUT seconds for one VM (default 7200)
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/vm/lib.sh"
here=$top/tests/external
vm=$cwp_vm
kernels=${KERNELS:-5.10 6.1 6.12 7.x 6.12-rt 7.x-rt}
out=$top/build/external
judge="python3 $top/tests/judge/external.py"

"$vm/deps.sh"
[ -x "$out/ext_load" ] || { echo "check-external: run 'make $out/ext_load' first (make check-external does)" >&2; exit 2; }

stressdir=$("$here/stress-ng.sh")
# The file offset of stress-ng's first executable segment: kernels before
# 6.9 report a user fault's mapping ("in stress-ng[START+SIZE]"), not the
# faulting instruction's offset in the file, which known names.
text_off=$(readelf -lW "$stressdir/stress-ng" | awk '$1 == "LOAD" && $(NF - 1) ~ /E/ { print $2; exit }')
summary=
failed=
start=$(date +%s)
for k in $kernels; do
	t0=$(date +%s)
	kout=$out/$k
	mkdir -p "$kout"
	rm -f "$kout/vm.log" "$kout/results.txt" "$kout/clone_with_pids.ko"
	cwp_kernel "$k" || { echo "check-external: unknown kernel '$k'" >&2; exit 2; }
	suite=$cwp_suite
	VMLINUZ= RELEASE= EXTRA=
	vars=$("$vm/prepare-kernel.sh" "$k" "$kout") || {
		echo "check-external: $k: the kernel or the module could not be prepared" >&2
		exit 2
	}
	eval "$vars"
	series=$(echo "$RELEASE" | sed -n 's/^\([0-9]*\.[0-9]*\)[.-].*/\1/p')
	selftests=$("$here/build-selftests.sh" "$suite" "$series")
	srcver=$(basename "$selftests")

	# The initramfs's /tests: selftests, stress-ng, the load, the init.
	stage=$kout/vm
	rm -rf "$stage"
	mkdir -p "$stage"
	cp -a "$selftests" "$stage/kselftest"
	cp -a "$stressdir" "$stage/stress"
	cp "$out/ext_load" "$stage/ext_load"
	cp "$here/init" "$stage/ext-init"
	cp "$here/timeouts" "$stage/ext-timeouts"
	chmod +x "$stage/ext-init"

	skip=$(awk -v k="$k" '
		function kmatch(pats, k,    n, a, i, p) {
			n = split(pats, a, ",")
			for (i = 1; i <= n; i++) {
				p = a[i]
				if (p == "*" || p == k) return 1
				if (p ~ /\*$/ && index(k, substr(p, 1, length(p) - 1)) == 1) return 1
			}
			return 0
		}
		$0 !~ /^[ \t]*(#|$)/ && $3 == "notrun" && kmatch($1, k) { print $2 }' "$here/known")
	skip=$(echo $skip ${CWP_EXT_SKIP:-} | tr ' ' ',')
	# tsc=reliable: no clocksource watchdog. Under TCG on a busy host it
	# can find the TSC unstable after a while; 7.2 then disables the
	# sched_clock_irqtime static key (kernel/sched/clock.c), whose sites
	# are in __schedule(), and a CPU of QEMU's TCG has run a stale int3 of
	# that patching there: an oops in __schedule() on 7.x, before the
	# module was ever loaded.
	cmdline="$EXTRA tsc=reliable rdinit=/tests/ext-init cwp_ext_parts=${CWP_EXT_PARTS:-selftests+stress}"
	cmdline="$cmdline cwp_ext_stress=${CWP_EXT_STRESS:-3} cwp_ext_delay=${CWP_EXT_DELAY:-50}"
	[ -n "$skip" ] && cmdline="$cmdline cwp_ext_skip=$skip"
	[ -z "${CWP_EXT_STRESSORS:-}" ] ||
		cmdline="$cmdline cwp_ext_stressors=$(echo $CWP_EXT_STRESSORS | tr ' ' ',')"

	# One boot, judged by cwp_boot (tests/vm/lib.sh) for the emulator's
	# faults: a kernel that died before the init ran; a VM that died of
	# QEMU's TCG running a stale int3 of kernel text being patched
	# (outside the module, the memory no longer holding that int3: seen
	# once on 7.x in the load run, about seccomp_bpf's UPROBE cases); and,
	# here, a kernel that died before the module was ever loaded (the run
	# without it). Each retry is recorded in the results.
	retries=$(cwp_boot_premodule='EXT-CHECK insmod' cwp_boot "$kout/vm.log" 'EXT-KERNEL ' '^EXT-DONE' \
		env CWP_VM_TIMEOUT="${CWP_EXT_VM_TIMEOUT:-7200}" nice -n 19 "$vm/run-kernel.sh" \
		"$VMLINUZ" "$kout/clone_with_pids.ko" "$stage" "$kout/vm.log" "$cmdline")
	[ -z "$retries" ] || echo "$retries" | sed "s|^|$k: |"

	res=$kout/results.txt
	{
		echo "# clone_with_pids check-external results, format 1 (tests/external/README.md)"
		echo "kernel $k $RELEASE"
		echo "selftests linux-source-$series $srcver"
		echo "stress-ng $(basename "$stressdir")"
		echo "cmdline $cmdline"
		[ -z "$retries" ] || echo "$retries" | sed 's/^retry \([0-9]*\): /retry boot \1: /'
		$judge extract --splat-file "$top/tests/judge/kernel-log.txt" "$kout/vm.log"
	} > "$res.raw"
	$judge judge --kernel "$k" --text-off "$text_off" "$here/known" "$res.raw" > "$res.judged"
	cat "$res.raw" "$res.judged" > "$res"
	rm -f "$res.raw" "$res.judged"

	if ! grep -q '^check vm-finished FAIL' "$res"; then :; else
		echo "$k: the VM did not finish; its log ends with:"
		tr -d '\r' < "$kout/vm.log" | tail -n 40 | sed 's/^/  | /'
	fi
	grep -E '^(count|ratio geomean|fail|diff|unexplained|stale|flaky) ' "$res" | sed 's/^/  /' || true
	grep '^splat ' "$res" | head -n 40 | sed 's/^/  /' || true
	verdict=$(sed -n 's/^verdict //p' "$res")
	ratio=$(sed -n 's/^ratio geomean //p' "$res")
	line=$(printf '%-7s %-28s %s%s (%ds)' "$k" "$RELEASE" "$verdict" "${ratio:+, stress-ng $ratio}" \
		$(($(date +%s) - t0)))
	echo "$line"
	summary="$summary$line
"
	[ "$verdict" = PASS ] || failed="$failed $k"
done
echo
printf '%s' "$summary"
echo "check-external: $(($(date +%s) - start)) s${failed:+, failed:$failed}; results in $out/KERNEL/results.txt"
[ -z "$failed" ]
