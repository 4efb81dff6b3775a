#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run the test suite on stock Debian kernels in QEMU.
#
#   KERNELS="5.10 6.1 6.12 7.x" tests/vm/check.sh
#
# For each kernel: fetch the newest image + headers of its suite (cached in
# CWP_CACHE, default /var/cache/clone_with_pids), build the module in a
# chroot of that suite, boot with the tests in an initramfs, and collect one
# line per test. Ends with "N passed, N failed, N skipped"; exits non-zero
# on any failure, a kernel splat, or a VM that did not finish.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
vm=$top/tests/vm
cache=${CWP_CACHE:-/var/cache/clone_with_pids}
kernels=${KERNELS:-5.10 6.1 6.12 7.x}
out=${CWP_BUILD:-$top/build}
splat='BUG:|WARNING:|Oops|Call Trace|general protection|KASAN|kmemleak:.*unreferenced|possible recursive locking|circular locking|UBSAN|Kernel panic'

for tool in qemu-system-x86_64 mmdebstrap busybox cpio gzip apt-get dpkg-deb unshare; do
	command -v $tool > /dev/null || {
		echo "check: $tool is missing; run .ci/run once or see README (Requirements)" >&2
		exit 2
	}
done
[ -f "$out/tests/list" ] || { echo "check: run 'make tests' first" >&2; exit 2; }

total_pass=0 total_fail=0 total_skip=0
summary=""
for k in $kernels; do
	case $k in
	5.10) suite=bullseye; abire='5\.10\.0-[0-9]+' ;;
	6.1) suite=bookworm; abire='6\.1\.0-[0-9]+' ;;
	6.12) suite=trixie; abire='6\.12\.[0-9]+\+deb13' ;;
	7.x|sid) suite=sid; abire='[0-9]+\.[0-9]+\.[0-9]+\+deb[0-9]+' ;;
	*) echo "check: unknown kernel '$k' (5.10, 6.1, 6.12, 7.x)" >&2; exit 2 ;;
	esac
	t0=$(date +%s)
	kdir=$("$vm/fetch-kernel.sh" "$suite" "$cache" "$abire")
	config=$(ls "$kdir"/usr/src/linux-headers-*-amd64/.config)
	gcc=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ ]*\).*/\1/p' "$config" | sed 's/^x86_64-linux-gnu-//')
	chroot=$cache/chroot-$suite-$gcc
	mkdir -p "$out/$k"
	"$vm/make-chroot.sh" "$suite" "$gcc" "$chroot" 2> "$out/$k/chroot.log" || {
		cat "$out/$k/chroot.log" >&2
		exit 2
	}
	"$vm/build-module.sh" "$kdir" "$chroot" "$top" "$out/$k/clone_with_pids.ko" 2> "$out/$k/build.log" || {
		cat "$out/$k/build.log"
		echo "CWP-TEST module-build FAIL" > "$out/$k/vm.log"
	}
	extra=
	grep -q '^CONFIG_X86_KERNEL_IBT=y' "$config" && extra="cwp_expect_ibt=1"
	vmlinuz=$(find "$kdir/boot" "$kdir/usr/lib/modules" -name 'vmlinuz*' 2> /dev/null | head -n 1)
	release=$(basename "$(dirname "$config")" | sed 's/^linux-headers-//')
	if [ -f "$out/$k/clone_with_pids.ko" ]; then
		# A boot that dies before /init ran never reached our code: under
		# TCG, Debian 7.x kernels rarely take an int3 oops while patching
		# static keys during boot. Such a boot is retried, twice at most.
		for try in 1 2 3; do
			rm -f "$out/$k/vm.log"
			"$vm/run-kernel.sh" "$vmlinuz" "$out/$k/clone_with_pids.ko" "$out/tests" \
				"$out/$k/vm.log" "$extra" || echo "CWP-TEST qemu FAIL" >> "$out/$k/vm.log"
			grep -aq '^CWP-KERNEL' "$out/$k/vm.log" && break
			echo "$k: the kernel died before /init started (boot $try); log kept in $out/$k/vm-boot$try.log"
			cp "$out/$k/vm.log" "$out/$k/vm-boot$try.log"
		done
		grep -q '^CWP-DONE' "$out/$k/vm.log" ||
			echo "CWP-TEST vm-finished FAIL" >> "$out/$k/vm.log"
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
	tr -d '\r' < "$log" | grep -a '^CWP-TEST .* \(FAIL\|SKIP\)$' | sed 's/^CWP-TEST /  /' || true
	line=$(printf '%-5s %-28s %3d passed, %d failed, %d skipped (%ds)' "$k" "$release" "$pass" "$fail" "$skip" $(($(date +%s) - t0)))
	echo "$line"
	summary="$summary$line
"
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
	total_skip=$((total_skip + skip))
done

echo
printf '%s' "$summary"
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
