#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build the test programs for another architecture with make tests, in a
# chroot that has the cross compiler, into build/ARCH/tests.
#
#   cross-tests.sh arm64 [TARGET...]
#
# TARGETs are make targets, under build/ARCH (default: tests).
#
# arm64: trixie's gcc-14 for aarch64 with -mbranch-protection=standard.
# trixie's static C library is itself built for BTI and PAC (bookworm's is
# not), so every program is BTI-marked as a whole (its GNU property note
# says "AArch64 feature: BTI, PAC") and the CPU checks its indirect
# branches. The chroot is the one the 6.12 arm64 module is built in. The
# 32-bit programs (m32/, the compat path) are armhf ones, built by its
# gcc-14 for arm-linux-gnueabihf.
set -eu

arch=$1
shift
targets=${*:-tests}
vm=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$vm/../.." && pwd)
cache=${CWP_CACHE:-/var/cache/clone_with_pids}

case $arch in
arm64)
	suite=trixie gcc=gcc-14
	cc=aarch64-linux-gnu-gcc-14
	cflags="-O2 -g -mbranch-protection=standard"
	m32="M32_CC=arm-linux-gnueabihf-gcc-14 M32_AR=arm-linux-gnueabihf-ar M32_ARCH=arm"
	;;
*) echo "cross-tests: unknown architecture '$arch' (arm64)" >&2; exit 2 ;;
esac
chroot=$cache/$arch/chroot-$suite-$gcc
"$vm/make-chroot.sh" "$suite" "$gcc" "$chroot" \
	"$gcc-aarch64-linux-gnu,libc6-dev-arm64-cross,libkmod-dev,$gcc-arm-linux-gnueabihf,libc6-dev-armhf-cross"
# A chroot made by prepare-kernel.sh for the module only, or before
# these were on the list.
[ -f "$chroot/usr/include/libkmod.h" ] && [ -x "$chroot/usr/bin/arm-linux-gnueabihf-gcc-14" ] ||
	chroot "$chroot" sh -c 'apt-get update -q && apt-get install -y -q --no-install-recommends \
		libkmod-dev gcc-14-arm-linux-gnueabihf libc6-dev-armhf-cross' >&2

mkdir -p "$chroot/src"
unshare -m --propagation private sh -c '
	mount --bind "$2" "$1/src" &&
	chroot "$1" make -j"$(nproc)" -C /src $6 B=build/$3 CC="$4" AR=aarch64-linux-gnu-ar CFLAGS="$5" \
		M32_CFLAGS="-O2 -g" $7' \
	sh "$chroot" "$top" "$arch" "$cc" "$cflags" "$targets" "$m32"
