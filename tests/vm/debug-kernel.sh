#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build a debug kernel from bookworm's linux-source-6.1: Debian's cloud
# config plus KASAN, PROVE_LOCKING, DEBUG_ATOMIC_SLEEP, KMEMLEAK and
# DEBUG_OBJECTS, without debug info or modules (the tests need none). The
# result is cached: CWP_CACHE/debug-6.1/{bzImage,build}, where build is a
# tree the module can be built against. Takes about an hour on 2 cores.
set -eu

vm=$(cd "$(dirname "$0")" && pwd)
cache=${CWP_CACHE:-/var/cache/clone_with_pids}
out=$cache/debug-6.1
[ -f "$out/.done" ] && { echo "$out"; exit 0; }

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
cp "$(ls "$kdir"/boot/config-*)" "$src/.config"
cat >> "$src/.config" <<'CFG'
CONFIG_KASAN=y
CONFIG_KASAN_GENERIC=y
CONFIG_KASAN_INLINE=y
CONFIG_PROVE_LOCKING=y
CONFIG_DEBUG_ATOMIC_SLEEP=y
CONFIG_DEBUG_KMEMLEAK=y
CONFIG_DEBUG_KMEMLEAK_DEFAULT_OFF=n
CONFIG_DEBUG_KMEMLEAK_MEM_POOL_SIZE=16000
CONFIG_DEBUG_OBJECTS=y
CONFIG_DEBUG_OBJECTS_FREE=y
CONFIG_DEBUG_OBJECTS_TIMERS=y
CONFIG_DEBUG_OBJECTS_WORK=y
CONFIG_DEBUG_OBJECTS_RCU_HEAD=y
CONFIG_DEBUG_INFO=n
CONFIG_DEBUG_INFO_NONE=y
CONFIG_DEBUG_INFO_DWARF5=n
CONFIG_DEBUG_INFO_BTF=n
CONFIG_MODULE_SIG=n
CONFIG_MODULE_SIG_ALL=n
CONFIG_SYSTEM_TRUSTED_KEYS=""
CONFIG_SYSTEM_REVOCATION_KEYS=""
CONFIG_LOCALVERSION="-cwp-debug"
CFG
cat > "$chroot/tmp/kbuild.sh" <<'SH'
set -e
cd /usr/src/linux-debug
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
	grep -q '^CONFIG_DEBUG_KMEMLEAK=y' "$src/.config" || {
	echo "debug-kernel: the debug options did not stick" >&2
	exit 1
}
mkdir -p "$out"
cp "$src/arch/x86/boot/bzImage" "$out/bzImage"
touch "$out/.done"
echo "$out"
