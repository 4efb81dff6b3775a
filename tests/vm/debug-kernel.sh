#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build a debug kernel from bookworm's linux-source-6.1: tinyconfig plus
# what the test VM and the module need and KASAN, PROVE_LOCKING with
# PROVE_RAW_LOCK_NESTING, DEBUG_ATOMIC_SLEEP, KMEMLEAK and DEBUG_OBJECTS
# (debug-kernel.config).
# Debian's cloud config builds for well over an hour on two cores; this
# one builds in a fraction of that. The result is cached: the image in
# CWP_CACHE/debug-6.1/bzImage, the tree to build the module against in the
# kbuild chroot's /usr/src/linux-debug.
set -eu

vm=$(cd "$(dirname "$0")" && pwd)
cache=${CWP_CACHE:-/var/cache/clone_with_pids}
out=$cache/debug-6.1
# The cache is keyed by the config fragment: a changed fragment rebuilds.
key=$(sha256sum < "$vm/debug-kernel.config" | cut -d' ' -f1)
[ "$(cat "$out/.done" 2>/dev/null)" = "$key" ] && { echo "$out"; exit 0; }

kdir=$("$vm/fetch-kernel.sh" bookworm "$cache" '6\.1\.0-[0-9]+')
chroot=$cache/chroot-bookworm-kbuild
"$vm/make-chroot.sh" bookworm gcc-12 "$chroot" \
	"bc,bison,flex,libelf-dev,libssl-dev,openssl,cpio,python3,xz-utils,rsync,kmod" >&2

# The source package, from the same suite as the cloud kernel.
list=$cache/apt/bookworm/sources.list
apt_opts="-o Dir::Etc::sourcelist=$list -o Dir::Etc::sourceparts=/nonexistent
 -o Dir::State::Lists=$cache/apt/bookworm/lists -o Dir::State::status=/dev/null
 -o Dir::Cache=$cache/apt/bookworm -o APT::Sandbox::User=root"
(cd "$cache/debs" && apt-get $apt_opts -q download linux-source-6.1 >&2)
deb=$(ls "$cache/debs"/linux-source-6.1_*.deb | sort -V | tail -n 1)

src=$chroot/usr/src/linux-debug
if [ ! -f "$src/Makefile" ]; then
	rm -rf "$src" "$chroot/usr/src/linux-source-6.1"*
	dpkg-deb -x "$deb" "$chroot"
	tar -C "$chroot/usr/src" -xaf "$chroot"/usr/src/linux-source-6.1.tar.xz
	mv "$chroot/usr/src/linux-source-6.1" "$src"
fi
cp "$vm/debug-kernel.config" "$src/debug.config"
cat > "$chroot/tmp/kbuild.sh" <<'SH'
set -e
cd /usr/src/linux-debug
make CC=gcc-12 HOSTCC=gcc-12 tinyconfig > /dev/null
scripts/kconfig/merge_config.sh -m .config debug.config > /dev/null
make CC=gcc-12 HOSTCC=gcc-12 olddefconfig > /dev/null
make CC=gcc-12 HOSTCC=gcc-12 -j"$(nproc)" bzImage
make CC=gcc-12 HOSTCC=gcc-12 modules_prepare
SH
unshare -m --propagation private sh -c '
	mount -t proc proc "$1/proc" && chroot "$1" sh /tmp/kbuild.sh > "$1/tmp/kbuild.log" 2>&1' \
	sh "$chroot" || {
	tail -n 40 "$chroot/tmp/kbuild.log" >&2
	exit 1
}
grep -q '^CONFIG_KASAN=y' "$src/.config" && grep -q '^CONFIG_PROVE_LOCKING=y' "$src/.config" &&
	grep -q '^CONFIG_PROVE_RAW_LOCK_NESTING=y' "$src/.config" &&
	grep -q '^CONFIG_CGROUPS=y' "$src/.config" &&
	grep -q '^CONFIG_DEBUG_KMEMLEAK=y' "$src/.config" || {
	echo "debug-kernel: the debug options did not stick" >&2
	exit 1
}
mkdir -p "$out"
cp "$src/arch/x86/boot/bzImage" "$out/bzImage"
echo "$key" > "$out/.done"
echo "$out"
