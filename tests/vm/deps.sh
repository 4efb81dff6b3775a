#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install, with apt-get, what building and booting the test VMs needs on
# the host, if it is missing: a compiler for the static test programs,
# QEMU, mmdebstrap for the per-suite build chroots, a static busybox for
# the initramfs, QEMU for arm64 (qemu-system-arm), cpio, 32-bit libc (uapi layout, i386 build), clang as
# arm64 cross assembler, libkmod's header (the library opens libkmod with
# dlopen() but takes its types from there). Not gcc-aarch64-linux-gnu: it conflicts with
# gcc-multilib. Kernels are never installed into the host.
set -eu

need=
command -v make > /dev/null || need="$need make"
command -v gcc > /dev/null || need="$need gcc"
[ -f /usr/lib/x86_64-linux-gnu/libc.a ] || need="$need libc6-dev"
[ -f /usr/include/x86_64-linux-gnu/gnu/stubs-32.h ] || need="$need gcc-multilib"
[ -f /usr/include/libkmod.h ] || need="$need libkmod-dev"
command -v qemu-system-x86_64 > /dev/null || need="$need qemu-system-x86"
command -v qemu-system-aarch64 > /dev/null || need="$need qemu-system-arm"
command -v mmdebstrap > /dev/null || need="$need mmdebstrap"
dpkg -s busybox-static > /dev/null 2>&1 || need="$need busybox-static"
command -v cpio > /dev/null || need="$need cpio"
command -v gzip > /dev/null || need="$need gzip"
command -v unshare > /dev/null || need="$need util-linux"
command -v clang > /dev/null || need="$need clang"
command -v file > /dev/null || need="$need file"
[ -n "$need" ] || exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing:$need; install them (apt-get install$need) or run as root" >&2
	exit 2
fi
echo "deps: installing$need" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
apt-get install -y -q --no-install-recommends $need >&2
