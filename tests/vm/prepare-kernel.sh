#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Get one supported kernel ready to boot with the module built for it.
#
#   prepare-kernel.sh KERNEL OUT_DIR
#
# KERNEL: 5.10, 6.1, 6.12 or 7.x (Debian's cloud kernels), 6.12-rt or
# 7.x-rt (Debian's PREEMPT_RT kernels, where a spinlock_t sleeps);
# arm64/5.10, arm64/6.1, arm64/6.12, arm64/7.x (Debian's cloud-arm64
# kernels of the same suites, cross-built for, booted in
# qemu-system-aarch64).
#
# Fetches the newest image + headers of the kernel's suite into CWP_CACHE
# (default /var/cache/clone_with_pids), makes a chroot of that suite with
# the compiler that built the kernel, builds OUT_DIR/clone_with_pids.ko in
# it, and prints shell assignments: VMLINUZ, RELEASE, ARCH (amd64 or arm64),
# EXTRA (kernel command line words for the tests: cwp_expect_ibt=1 on IBT
# kernels, cwp_expect_rt=1 on PREEMPT_RT ones, cwp_expect_bti_kernel=1 and
# cwp_expect_pac_kernel=1 on arm64 kernels that check their indirect
# branches and sign their return addresses).
set -eu

k=$1
out=$2
vm=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$vm/../.." && pwd)
. "$vm/lib.sh"
cache=$cwp_cache

cwp_kernel "$k" || {
	echo "prepare-kernel: unknown kernel '$k' ($CWP_ALL_KERNELS)" >&2
	exit 2
}
suite=$cwp_suite abire=$cwp_abire flavour=$cwp_flavour
arch=${flavour##*-}
# Kernels of one suite and architecture share a chroot: one at a time.
if [ -z "${CWP_PREPARE_LOCKED:-}" ]; then
	mkdir -p "$cache"
	CWP_PREPARE_LOCKED=1 exec flock "$cache/prepare-$suite-$arch.lock" "$0" "$@"
fi

mkdir -p "$out"
kdir=$("$vm/fetch-kernel.sh" "$suite" "$cache" "$abire" "$flavour" 2> "$out/fetch.log") || {
	cat "$out/fetch.log" >&2
	exit 2
}
config=$(ls "$kdir"/usr/src/linux-headers-*-"$arch"/.config)
gcc=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ ]*\).*/\1/p' "$config" |
	sed 's/^x86_64-linux-gnu-//; s/^aarch64-linux-gnu-//')
# arm64: a chroot of its own, with the suite's cross gcc of that version
# (and libkmod's header: trixie's also builds the arm64 test programs,
# see cross-tests.sh).
case $arch in
arm64)
	chroot=$cache/arm64/chroot-$suite-$gcc
	pkgs=$gcc-aarch64-linux-gnu,libc6-dev-arm64-cross,libkmod-dev
	;;
*)
	chroot=$cache/chroot-$suite-$gcc
	pkgs=
	;;
esac
"$vm/make-chroot.sh" "$suite" "$gcc" "$chroot" $pkgs 2> "$out/chroot.log" || {
	cat "$out/chroot.log" >&2
	exit 2
}
rm -f "$out/clone_with_pids.ko"
"$vm/build-module.sh" "$kdir" "$chroot" "$top" "$out/clone_with_pids.ko" 2> "$out/build.log" || {
	cat "$out/build.log" >&2
	exit 3
}
echo "VMLINUZ='$(find "$kdir/boot" "$kdir/usr/lib/modules" -name 'vmlinuz*' 2> /dev/null | head -n 1)'"
echo "RELEASE='$(basename "$(dirname "$config")" | sed 's/^linux-headers-//')'"
echo "ARCH='$arch'"
extra=
grep -q '^CONFIG_X86_KERNEL_IBT=y' "$config" && extra="$extra cwp_expect_ibt=1"
# On PREEMPT_RT the 32-bit pass adds nothing the 64-bit one does not
# test there (the compat ioctl path is the same code): skip it for time.
grep -q '^CONFIG_PREEMPT_RT=y' "$config" && extra="$extra cwp_expect_rt=1 cwp_skip=m32/ cwp_exit_rounds=300"
grep -q '^CONFIG_ARM64_BTI_KERNEL=y' "$config" && extra="$extra cwp_expect_bti_kernel=1"
# arm64: pac-ret in the kernel; before v5.13 CONFIG_ARM64_PTR_AUTH said it.
if [ "$arch" = arm64 ] && { grep -q '^CONFIG_ARM64_PTR_AUTH_KERNEL=y' "$config" ||
	{ ! grep -q 'ARM64_PTR_AUTH_KERNEL' "$config" && grep -q '^CONFIG_ARM64_PTR_AUTH=y' "$config"; }; }; then
	extra="$extra cwp_expect_pac_kernel=1"
fi
echo "EXTRA='${extra# }'"
