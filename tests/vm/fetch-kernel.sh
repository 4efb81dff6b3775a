#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Fetch the newest stock Debian kernel of one suite and flavour (image +
# headers) into a cache outside the repository, without installing
# anything.
#
#   fetch-kernel.sh SUITE CACHE_DIR [ABI_REGEX [FLAVOUR]]
#
# FLAVOUR is cloud-amd64 (the default), rt-amd64 (PREEMPT_RT) or
# cloud-arm64. For cloud-arm64 the image and headers are arm64 packages,
# and linux-kbuild-* is the amd64 one (its scripts/ run on this host; the
# module is cross-built with ARCH=arm64); its apt state is kept apart
# (apt/SUITE-arm64) from the amd64 one.
# ABI_REGEX restricts the kernel series (e.g. '5\.10\.0-[0-9]+' for
# bullseye, whose security suite also carries a 6.1 backport).
# Prints the unpacked directory on stdout.  The mirror is derived from the
# machine's own apt sources; nothing is installed into the host.
set -eu

suite=$1
cache=$(realpath -m "$2")
abire=${3:-'[0-9].*'}
flavour=${4:-cloud-amd64}
case $flavour in
*-arm64)
	arch=arm64
	state=$suite-arm64
	;;
*)
	arch=amd64
	state=$suite
	;;
esac
# One fetch at a time: kernels of one suite share its apt state, and
# kernels of several suites the packages they have in common (linux-kbuild).
mkdir -p "$cache/apt/$state/lists/partial" "$cache/apt/$state/archives/partial" "$cache/debs"
if [ -z "${CWP_FETCH_LOCKED:-}" ]; then
	CWP_FETCH_LOCKED=1 exec flock "$cache/fetch.lock" "$0" "$@"
fi

srcdir=/etc/apt/sources.list.d
mirror=$(sed -n 's/^URIs:[[:space:]]*//p' $srcdir/*.sources 2>/dev/null | grep -v security | head -n 1)
security=$(sed -n 's/^URIs:[[:space:]]*//p' $srcdir/*.sources 2>/dev/null | grep security | head -n 1)
if [ -z "$mirror" ]; then
	mirror=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list 2>/dev/null)
fi
[ -n "$mirror" ] || { echo "fetch-kernel: no Debian mirror in the apt sources" >&2; exit 1; }

list="$cache/apt/$state/sources.list"
{
	echo "deb [trusted=yes] $mirror $suite main"
	case $suite in
	bullseye|bookworm|trixie)
		echo "deb [trusted=yes] $mirror $suite-updates main"
		[ -n "$security" ] && echo "deb [trusted=yes] $security $suite-security main"
		;;
	esac
} > "$list"

apt_opts="-o Dir::Etc::sourcelist=$list -o Dir::Etc::sourceparts=/nonexistent
 -o Dir::State::Lists=$cache/apt/$state/lists -o Dir::State::status=/dev/null
 -o Dir::Cache=$cache/apt/$state -o Acquire::Check-Valid-Until=false
 -o APT::Architecture=$arch -o APT::Architectures::=$arch -o Debug::NoLocking=1
 -o APT::Sandbox::User=root"
# arm64: amd64 too, for the linux-kbuild-* whose tools run on this host.
[ "$arch" = amd64 ] || apt_opts="$apt_opts -o APT::Architectures::=amd64"

stamp="$cache/apt/$state/updated"
if [ -z "$(find "$stamp" -mmin -720 2>/dev/null)" ]; then
	apt-get $apt_opts -q update >&2
	touch "$stamp"
fi

# Pick the newest kernel the sources in $list offer, download it and
# unpack it into $out; fails if a package cannot be downloaded.
fetch() {
	img=$(apt-cache $apt_opts search --names-only "^linux-image-$abire-$flavour\$" |
		awk '{ print $1 }' | sort -V | tail -n 1)
	[ -n "$img" ] || { echo "fetch-kernel: no $flavour kernel in $suite" >&2; exit 1; }
	abi=${img#linux-image-}
	abi=${abi%-$flavour}
	hdr=linux-headers-$abi-$flavour
	# Every package at the headers' version: the debs directory may hold
	# a newer linux-kbuild of another architecture's kernel.
	ver=$(apt-cache $apt_opts show "$hdr" | sed -n 's/^Version: //p' | sort -V | tail -n 1)
	deps=$(apt-cache $apt_opts depends "$hdr" | awk '/Depends: linux-(headers|kbuild)/ { print $2 }' |
		sed "s/^\(linux-kbuild-[^:]*\)\(:.*\)\{0,1\}\$/\1:amd64/")
	# Since 7.x the image is split: vmlinuz lives in linux-binary-*, the config
	# in linux-base-*; the modules are not needed for an initramfs-only boot.
	deps="$deps $(apt-cache $apt_opts depends "$img" |
		awk '/Depends: linux-(binary|base)-[0-9]/ { print $2 }')"

	case $flavour in
	cloud-amd64) out="$cache/kernels/$suite-$abi" ;;
	cloud-arm64) out="$cache/arm64/kernels/$suite-$abi" ;;
	*) out="$cache/kernels/$suite-$abi-$flavour" ;;
	esac
	if [ ! -f "$out/.done" ]; then
		rm -rf "$out"
		mkdir -p "$out"
		(cd "$cache/debs" &&
			apt-get $apt_opts -q download $(for p in "$img" "$hdr" $deps; do echo "$p=$ver"; done) >&2) ||
			return 1
		for p in "$img" "$hdr" $deps; do
			p=${p%:amd64}
			case $p in
			linux-kbuild-*) pa=amd64 ;;
			*) pa="$arch all" ;;
			esac
			deb=$(for a in $pa; do ls "$cache/debs/${p}_${ver}_$a.deb" 2> /dev/null || :; done)
			dpkg-deb -x "$deb" "$out" || return 1
		done
		touch "$out/.done"
	fi
}

if ! fetch; then
	# The mirror may list a kernel in the security suite that it does not
	# serve (seen for bullseye's arm64 LTS kernels: 404): take the newest
	# of the suite itself.
	[ "$arch" != amd64 ] || exit 1
	rm -rf "$out"
	echo "fetch-kernel: $img cannot be downloaded; taking the newest of $suite itself" >&2
	echo "deb [trusted=yes] $mirror $suite main" > "$list.main"
	apt_opts=$(echo "$apt_opts" | sed "s|sourcelist=$list |sourcelist=$list.main |")
	fetch
fi
echo "$out"
