#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A static busybox for another architecture's initramfs, unpacked from the
# suite's busybox-static package into a cache, never installed.
#
#   fetch-busybox.sh ARCH CACHE_DIR [SUITE]
#
# Prints the path of the busybox binary on stdout. The mirror is derived
# from the machine's own apt sources, as fetch-kernel.sh does.
set -eu

arch=$1
cache=$(realpath -m "$2")
suite=${3:-bookworm}
dir=$cache/$arch/busybox
state=$cache/apt/busybox-$suite-$arch

if [ ! -f "$dir/.done" ] && [ -z "${CWP_BUSYBOX_LOCKED:-}" ]; then
	mkdir -p "$cache/$arch"
	CWP_BUSYBOX_LOCKED=1 exec flock "$dir.lock" "$0" "$@"
fi
if [ ! -f "$dir/.done" ]; then
	mirror=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2> /dev/null |
		grep -v security | head -n 1)
	[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list 2> /dev/null)
	[ -n "$mirror" ] || { echo "fetch-busybox: no Debian mirror in the apt sources" >&2; exit 1; }
	mkdir -p "$state/lists/partial" "$state/archives/partial" "$state/debs"
	echo "deb [trusted=yes] $mirror $suite main" > "$state/sources.list"
	apt_opts="-o Dir::Etc::sourcelist=$state/sources.list -o Dir::Etc::sourceparts=/nonexistent
	 -o Dir::State::Lists=$state/lists -o Dir::State::status=/dev/null
	 -o Dir::Cache=$state -o Acquire::Check-Valid-Until=false
	 -o APT::Architecture=$arch -o APT::Architectures::=$arch -o Debug::NoLocking=1
	 -o APT::Sandbox::User=root"
	apt-get $apt_opts -q update >&2
	(cd "$state/debs" && apt-get $apt_opts -q download busybox-static >&2)
	rm -rf "$dir"
	mkdir -p "$dir"
	dpkg-deb -x "$(ls "$state/debs/busybox-static_"*"_$arch.deb" | sort -V | tail -n 1)" "$dir"
	touch "$dir/.done"
fi
echo "$dir/bin/busybox"
