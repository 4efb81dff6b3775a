#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build a minimal Debian chroot able to build out-of-tree modules against
# headers of that suite: its kbuild tools need its glibc, and the module
# must be built by the gcc that built the kernel.
#
#   make-chroot.sh SUITE GCC_PACKAGE DIR [EXTRA_PACKAGES]
#
# Every kernel is built in a chroot of its own suite, so that the module is
# compiled by the compiler that built the kernel.
set -eu

suite=$1
gcc=$2
dir=$3
extra=${4:+,$4}

[ -f "$dir/.done" ] && exit 0
# One maker at a time per chroot: two checks may want it at once.
if [ -z "${CWP_CHROOT_LOCKED:-}" ]; then
	mkdir -p "$(dirname "$dir")"
	CWP_CHROOT_LOCKED=1 exec flock "$dir.lock" "$0" "$@"
fi
case $suite in
bullseye|bookworm) libelf=libelf1 ;;
*) libelf=libelf1t64 ;;
esac
rm -rf "$dir"
mkdir -p "$(dirname "$dir")"
mirror=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
	grep -v security | head -n 1)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list)

mmdebstrap --variant=apt --aptopt='Acquire::Check-Valid-Until "false"' \
	--include="make,$gcc,libc6-dev,$libelf,binutils,kmod,dwarves$extra" \
	"$suite" "$dir" "deb $mirror $suite main" >&2
touch "$dir/.done"
