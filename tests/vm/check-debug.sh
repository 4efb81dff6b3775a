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
. "$top/tests/vm/lib.sh"
vm=$cwp_vm
cache=$cwp_cache
out=$top/build/debug

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

cwp_boot "$out/vm.log" '^# kernel ' '^# done' env CWP_VM_MEM=3072 CWP_VM_TIMEOUT=5400 \
	"$vm/run-kernel.sh" "$kdir/bzImage" "$out/clone_with_pids.ko" "$top/build/tests" "$out/vm.log" \
	"cwp_timeout_scale=6 cwp_kmemleak=1 cwp_skip=m32/ cwp_fuzz_requests=${CWP_DEBUG_FUZZ:-50000} cwp_fuzz_seconds=3000 cwp_race_rounds=${CWP_DEBUG_RACE:-20} cwp_storm_rounds=${CWP_DEBUG_STORM:-200} cwp_exit_rounds=100 cwp_owed_seconds=300"
rc=0
cwp_results debug "6.1 (KASAN, lockdep, kmemleak)" $(($(date +%s) - t0)) "$out/details" "$out/vm.log" ||
	rc=1
[ "$rc" = 0 ] || { echo; echo "debug: output of the failed tests"; cat "$out/details"; }
echo "$cwp_pass passed, $cwp_fail failed, $cwp_skip skipped"
exit $rc
