#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The rootfs that make check-packages installs the packages into, for one
# suite: made with mmdebstrap (systemd, udev, dkms, the suite's newest
# cloud kernel image and headers, a compiler and pkgconf; rootfs-hook.sh),
# cached as a tarball in CWP_CACHE/pkg, made again after a week. Prints
# the tarball's path.
#
#   tests/pkg/rootfs.sh SUITE
set -eu
suite=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/pkg
cache=${CWP_CACHE:-/var/cache/clone_with_pids}/pkg
out=$top/build/pkg
base=$cache/$suite-base.tar
mkdir -p "$cache" "$out"

# One maker at a time (check-packages, .ci/warm).
exec 9> "$base.lock"
flock 9
if [ -n "$(find "$base" -mtime -7 2> /dev/null)" ]; then
	echo "$base"
	exit 0
fi

# The mirror is the one this machine's apt uses (as tests/vm/fetch-kernel.sh).
srcdir=/etc/apt/sources.list.d
mirror=$(sed -n 's/^URIs:[[:space:]]*//p' $srcdir/*.sources 2>/dev/null | grep -v security | head -n 1)
security=$(sed -n 's/^URIs:[[:space:]]*//p' $srcdir/*.sources 2>/dev/null | grep security | head -n 1)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null)
[ -n "$mirror" ] || { echo "rootfs: no Debian mirror in the apt sources" >&2; exit 2; }

echo "$suite: making the rootfs (mmdebstrap)" >&2
lists="deb $mirror $suite main|deb $mirror $suite-updates main"
[ -n "$security" ] && lists="$lists|deb $security $suite-security main"
rm -f "$base.tmp"
if ! mmdebstrap --variant=apt --mode=root --format=tar \
	--aptopt='Acquire::Check-Valid-Until "false"' \
	--dpkgopt=force-unsafe-io \
	--dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*' \
	--dpkgopt='path-exclude=/usr/share/doc/*' \
	--dpkgopt='path-include=/usr/share/doc/*/copyright' \
	--include=systemd,systemd-sysv,udev,kmod,dkms,initramfs-tools,linux-image-cloud-amd64,linux-headers-cloud-amd64,gcc,make,libc6-dev,pkgconf,procps,passwd \
	--essential-hook="'$here/rootfs-hook.sh' essential \"\$1\"" \
	--customize-hook="'$here/rootfs-hook.sh' customize \"\$1\"" \
	"$suite" "$base.tmp" "$(echo "$lists" | tr '|' '\n')" > "$out/$suite-mmdebstrap.log" 2>&1; then
	tail -n 30 "$out/$suite-mmdebstrap.log" >&2
	exit 1
fi
mv "$base.tmp" "$base"
echo "$base"
