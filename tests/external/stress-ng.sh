#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# bookworm's stress-ng with every library it links, ready to copy into the
# initramfs: CWP_CACHE/external/stress-ng-VERSION/{stress-ng,lib/}. The
# same binary runs on every kernel (the VM's init links lib/ into
# /lib/x86_64-linux-gnu and the loader into /lib64). Prints the directory.
#
#   stress-ng.sh
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cache=${CWP_CACHE:-/var/cache/clone_with_pids}
chroot=$("$here/chroot.sh" bookworm)
ver=$(chroot "$chroot" dpkg-query -W -f '${Version}' stress-ng)
out=$cache/external/stress-ng-$ver
[ -f "$out/.done" ] && { echo "$out"; exit 0; }
rm -rf "$out"
mkdir -p "$out/lib"
cp "$chroot/usr/bin/stress-ng" "$out/stress-ng"
for l in $(chroot "$chroot" ldd /usr/bin/stress-ng | awk '$2 == "=>" { print $3 } $1 ~ /^\// { print $1 }'); do
	cp -L "$chroot$l" "$out/lib/$(basename "$l")"
done
[ -f "$out/lib/ld-linux-x86-64.so.2" ] || { echo "stress-ng: no loader among the libraries" >&2; exit 1; }
touch "$out/.done"
echo "$out"
