#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make check-debug: the 64-bit suite on a debug build of bookworm's 6.1
# (KASAN, PROVE_LOCKING, DEBUG_ATOMIC_SLEEP, KMEMLEAK, DEBUG_OBJECTS; see
# debug-kernel.sh), ending with a kmemleak scan. The fuzzer runs with
# CWP_DEBUG_FUZZ requests (default 50,000): KASAN under emulation is
# about ten times slower than the stock kernel. t_race64 runs
# CWP_DEBUG_RACE rounds (default 20, against 300 in make check), the
# storms CWP_DEBUG_STORM creations per path (default 200, against 1000).
# The 32-bit programs are skipped here (make check runs them on four
# kernels; the compat ioctl path is the same code).
# The kernel has PROVE_RAW_LOCK_NESTING: a spinlock_t taken under a raw
# one, which would sleep on PREEMPT_RT, is a lockdep splat here.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
vm=$top/tests/vm
cache=${CWP_CACHE:-/var/cache/clone_with_pids}
out=$top/build/debug
splat='BUG:|WARNING:|Oops|Call Trace|general protection|KASAN|kmemleak:.*unreferenced|possible recursive locking|circular locking|Invalid wait context|UBSAN|Kernel panic|sleeping function called'

"$vm/deps.sh"
[ -f "$top/build/tests/list" ] || { echo "check-debug: run 'make tests' first" >&2; exit 2; }
t0=$(date +%s)
kdir=$("$vm/debug-kernel.sh")
chroot=$cache/chroot-bookworm-kbuild
mkdir -p "$out"

work=/tmp/cwp-build-debug
rm -rf "$chroot$work"
mkdir -p "$chroot$work"
cp -a "$top/Kbuild" "$top/VERSION" "$top/module" "$top/include" "$chroot$work/"
unshare -m --propagation private sh -c '
	mount -t proc proc "$1/proc" &&
	chroot "$1" make -s CC=gcc-12 HOSTCC=gcc-12 -C /usr/src/linux-debug M="$2" modules' \
	sh "$chroot" "$work" > "$out/build.log" 2>&1 || { cat "$out/build.log"; exit 3; }
cp "$chroot$work/clone_with_pids.ko" "$out/"

CWP_VM_MEM=3072 CWP_VM_TIMEOUT=5400 "$vm/run-kernel.sh" "$kdir/bzImage" "$out/clone_with_pids.ko" \
	"$top/build/tests" "$out/vm.log" \
	"cwp_timeout_scale=6 cwp_kmemleak=1 cwp_skip=m32/ cwp_fuzz_requests=${CWP_DEBUG_FUZZ:-50000} cwp_fuzz_seconds=3000 cwp_race_rounds=${CWP_DEBUG_RACE:-20} cwp_storm_rounds=${CWP_DEBUG_STORM:-200} cwp_exit_rounds=100 cwp_owed_seconds=300" ||
	echo "CWP-TEST qemu FAIL" >> "$out/vm.log"
if ! grep -aq '^CWP-DONE' "$out/vm.log"; then
	hung=$(tr -d '\r' < "$out/vm.log" | sed -n 's/^CWP-RUN //p' | tail -n 1)
	echo "debug: the VM did not finish, last test started: ${hung:-none}; its log ends with:"
	tr -d '\r' < "$out/vm.log" | tail -n 40 | sed 's/^/  | /'
	echo "CWP-TEST vm-finished(${hung:-none}) FAIL" >> "$out/vm.log"
fi
if grep -aqE "$splat" "$out/vm.log"; then
	grep -aE -B2 -A30 "$splat" "$out/vm.log" | head -n 120
	echo "CWP-TEST kernel-log-clean FAIL" >> "$out/vm.log"
fi
tr -d '\r' < "$out/vm.log" | grep -a '^CWP-OUT ' || true
tr -d '\r' < "$out/vm.log" | sed -n 's/^CWP-STAT /  /p'
pass=$(tr -d '\r' < "$out/vm.log" | grep -ac '^CWP-TEST .* PASS$' || true)
fail=$(tr -d '\r' < "$out/vm.log" | grep -ac '^CWP-TEST .* FAIL$' || true)
skip=$(tr -d '\r' < "$out/vm.log" | grep -ac '^CWP-TEST .* SKIP$' || true)
tr -d '\r' < "$out/vm.log" | grep -a '^CWP-TEST .* \(FAIL\|SKIP\)$' | sed 's/^CWP-TEST /  /' || true
if [ "$fail" -ne 0 ]; then
	echo
	echo "debug: output of the failed tests"
	"$vm/failed-output.sh" "$out/vm.log"
fi
echo "debug 6.1 (KASAN, lockdep, kmemleak): $(($(date +%s) - t0)) s"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
