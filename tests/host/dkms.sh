#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# dkms.conf works: DKMS (bookworm's) adds, builds and installs the module
# for bookworm's kernel in a chroot with that kernel's headers.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
vm=$top/tests/vm
cache=${CWP_CACHE:-/var/cache/clone_with_pids}
ver=$(cat "$top/VERSION")

kdir=$("$vm/fetch-kernel.sh" bookworm "$cache" '6\.1\.0-[0-9]+')
hdr=$(cd "$kdir/usr/src" && ls -d linux-headers-*-amd64)
kver=${hdr#linux-headers-}
chroot=$cache/chroot-bookworm-dkms
"$vm/make-chroot.sh" bookworm gcc-12 "$chroot" dkms
if [ ! -d "$chroot/usr/src/$hdr" ]; then
	cp -a "$kdir/usr/src/." "$chroot/usr/src/"
	cp -a "$kdir/usr/lib/." "$chroot/usr/lib/"
fi
mkdir -p "$chroot/lib/modules/$kver"
ln -sfn "/usr/src/$hdr" "$chroot/lib/modules/$kver/build"

src=$chroot/usr/src/clone_with_pids-$ver
rm -rf "$src" "$chroot/var/lib/dkms/clone_with_pids"
mkdir -p "$src"
(cd "$top" && cp -r Kbuild VERSION module include "$src/")
sed "s/#MODULE_VERSION#/$ver/" "$top/dkms.conf" > "$src/dkms.conf"
unshare -m --propagation private sh -c '
	mount -t proc proc "$1/proc" &&
	chroot "$1" sh -c "dkms add -m clone_with_pids -v $2 &&
		dkms build -m clone_with_pids -v $2 -k $3 &&
		dkms install -m clone_with_pids -v $2 -k $3 --force &&
		modinfo -F alias /lib/modules/$3/updates/dkms/clone_with_pids.ko*"' \
	sh "$chroot" "$ver" "$kver" > "$chroot.log" 2>&1 || {
	cat "$chroot.log"
	exit 1
}
grep -q 'devname:clone_with_pids' "$chroot.log" || { cat "$chroot.log"; exit 1; }
