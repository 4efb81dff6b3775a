#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build the kernel's own selftests that check-external runs, from the
# linux-source package of a kernel's suite and series, statically, in a
# chroot of that suite (its C library, libcap and linux-libc-dev; the
# kselftest headers and uapi headers of the same tree).
#
#   build-selftests.sh SUITE SERIES
#
# SERIES is the kernel's upstream series (5.10, 6.1, 6.12, 7.2): the
# package is linux-source-SERIES, its newest version in SUITE. The result is
# cached per source version and build recipe in
# CWP_CACHE/external/selftests/SERIES-VERSION (kselftest install layout:
# kselftest-list.txt, one directory per collection); its path is printed
# on stdout. Needs the suite's apt lists, which tests/vm/fetch-kernel.sh
# keeps in CWP_CACHE/apt/SUITE (prepare-kernel.sh runs it first).
set -eu

suite=$1
series=$2
here=$(cd "$(dirname "$0")" && pwd)
vm=$here/../vm
cache=${CWP_CACHE:-/var/cache/clone_with_pids}
ext=$cache/external
targets="clone3 pidfd pid_namespace ptrace seccomp proc"

list=$cache/apt/$suite/sources.list
[ -f "$list" ] || { echo "build-selftests: no apt lists for $suite (run tests/vm/fetch-kernel.sh)" >&2; exit 2; }
apt_opts="-o Dir::Etc::sourcelist=$list -o Dir::Etc::sourceparts=/nonexistent
 -o Dir::State::Lists=$cache/apt/$suite/lists -o Dir::State::status=/dev/null
 -o Dir::Cache=$cache/apt/$suite -o Acquire::Check-Valid-Until=false
 -o APT::Architecture=amd64 -o Debug::NoLocking=1 -o APT::Sandbox::User=root"
pkg=linux-source-$series
ver=$(apt-cache $apt_opts show "$pkg" 2> /dev/null | sed -n 's/^Version: //p' | sort -V | tail -n 1)
[ -n "$ver" ] || { echo "build-selftests: no $pkg in $suite" >&2; exit 2; }

out=$ext/selftests/$series-$ver
# Rebuilt when the recipe changes.
key="$ver $(cat "$0" "$here/chroot.sh" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$out/.done" 2> /dev/null)" = "$key" ]; then
	echo "$out"
	exit 0
fi

chroot=$("$here/chroot.sh" "$suite")

# The source package: the one the kernel's own cache holds, or ours.
deb=$(ls "$cache/debs/${pkg}_${ver}_all.deb" 2> /dev/null || true)
if [ -z "$deb" ]; then
	mkdir -p "$ext/debs"
	deb=$(ls "$ext/debs/${pkg}_${ver}_all.deb" 2> /dev/null || true)
	if [ -z "$deb" ]; then
		(cd "$ext/debs" && apt-get $apt_opts -q download "$pkg=$ver" >&2)
		deb=$(ls "$ext/debs/${pkg}_${ver}_all.deb")
	fi
fi

work=$chroot/build
rm -rf "$work"
mkdir -p "$work"
echo "build-selftests: unpacking $pkg $ver" >&2
dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$pkg.tar.xz" | tar -xJ -C "$work"

cat > "$work/build.sh" <<SH
set -e
cd /build/$pkg
make -s headers_install INSTALL_HDR_PATH=/build/$pkg/usr
# -static through the environment: the collections' Makefiles append to it.
# -pthread, not a -lpthread before the sources: bullseye's glibc still has
# a separate libpthread, which a static link must take after them.
export CFLAGS="-static -pthread" LDFLAGS=-static
make -C tools/testing/selftests TARGETS="$targets" install INSTALL_PATH=/build/out
SH
echo "build-selftests: building $targets" >&2
unshare -m --propagation private sh -c '
	mount -t proc proc "$1/proc" && chroot "$1" sh /build/build.sh > "$1/build/build.log" 2>&1' \
	sh "$chroot" || {
	tail -n 40 "$work/build.log" >&2
	exit 1
}
# Every collection built (the kselftest Makefile goes on past a failed
# one), every program it lists there, and static.
for t in $targets; do
	grep -q "^$t:" "$work/out/kselftest-list.txt" || {
		grep -B2 -A20 "selftests/$t'" "$work/build.log" | head -n 60 >&2
		echo "build-selftests: $t was not built" >&2
		exit 1
	}
done
for ct in $(cat "$work/out/kselftest-list.txt"); do
	f=$work/out/${ct%%:*}/${ct#*:}
	[ -x "$f" ] || { echo "build-selftests: $ct was not built" >&2; exit 1; }
	case $(file -b "$f") in
	*ELF*dynamic*) echo "build-selftests: $ct is not static" >&2; exit 1 ;;
	esac
done
rm -rf "$out"
mkdir -p "$(dirname "$out")"
mv "$work/out" "$out"
cp "$work/build.log" "$out/build.log"
rm -rf "$work"
echo "$key" > "$out/.done"
echo "$out"
