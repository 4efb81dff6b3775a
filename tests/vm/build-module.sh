#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build clone_with_pids.ko against one unpacked Debian kernel, inside a
# chroot of the kernel's suite (see make-chroot.sh).
#
#   build-module.sh KERNEL_DIR CHROOT SRC_DIR OUT_KO
set -eu

kdir=$1
chroot=$2
src=$3
out=$4

hdr=$(cd "$kdir/usr/src" && ls -d linux-headers-*-amd64 linux-headers-*-arm64 2> /dev/null | head -n 1)
[ -n "$hdr" ] || { echo "build-module: no headers in $kdir" >&2; exit 1; }
# arm64: cross-built by the suite's aarch64-linux-gnu-gcc-N (the name the
# headers' CC expands to with this CROSS_COMPILE), with the amd64
# linux-kbuild's tools.
case $hdr in
*-arm64) cross="ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-" ;;
*) cross= ;;
esac

# The headers reference their -common dir and kbuild tools by absolute
# path: put them where they expect to be, inside the chroot (one copier
# at a time: kernels of a suite share its kbuild tools).
flock "$chroot.lock" sh -c '
	[ -d "$2/usr/src/$3" ] && exit 0
	cp -a "$1/usr/lib/." "$2/usr/lib/" && cp -a "$1/usr/src/." "$2/usr/src/"' \
	sh "$kdir" "$chroot" "$hdr"

# Per run: two checkouts may build for the same kernel in one chroot.
work=/tmp/cwp-build-$hdr-$$
rm -rf "$chroot$work"
mkdir -p "$chroot$work"
cp -a "$src/Kbuild" "$src/VERSION" "$src/module" "$src/include" "$chroot$work/"

unshare -m --propagation private sh -c '
	mount -t proc proc "$1/proc" &&
	chroot "$1" make -s -C "/usr/src/$2" M="$3" $4 modules' \
	sh "$chroot" "$hdr" "$work" "$cross" >&2
cp "$chroot$work/clone_with_pids.ko" "$out"
rm -rf "$chroot$work"
