#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Fetch the newest stock Debian kernel of one suite and flavour (image +
# headers) into a cache outside the repository, without installing
# anything.
#
#   fetch-kernel.sh SUITE CACHE_DIR [ABI_REGEX [FLAVOUR]]
#
# FLAVOUR is cloud-amd64 (the default) or rt-amd64 (PREEMPT_RT).
# ABI_REGEX restricts the kernel series (e.g. '5\.10\.0-[0-9]+' for
# bullseye, whose security suite also carries a 6.1 backport).
# Prints the unpacked directory on stdout.  The mirror is derived from the
# machine's own apt sources; nothing is installed into the host.
set -eu

suite=$1
cache=$(realpath -m "$2")
abire=${3:-'[0-9].*'}
flavour=${4:-cloud-amd64}
mkdir -p "$cache/apt/$suite/lists/partial" "$cache/apt/$suite/archives/partial" "$cache/debs"

srcdir=/etc/apt/sources.list.d
mirror=$(sed -n 's/^URIs:[[:space:]]*//p' $srcdir/*.sources 2>/dev/null | grep -v security | head -n 1)
security=$(sed -n 's/^URIs:[[:space:]]*//p' $srcdir/*.sources 2>/dev/null | grep security | head -n 1)
if [ -z "$mirror" ]; then
	mirror=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list 2>/dev/null)
fi
[ -n "$mirror" ] || { echo "fetch-kernel: no Debian mirror in the apt sources" >&2; exit 1; }

list="$cache/apt/$suite/sources.list"
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
 -o Dir::State::Lists=$cache/apt/$suite/lists -o Dir::State::status=/dev/null
 -o Dir::Cache=$cache/apt/$suite -o Acquire::Check-Valid-Until=false
 -o APT::Architecture=amd64 -o Debug::NoLocking=1
 -o APT::Sandbox::User=root"

stamp="$cache/apt/$suite/updated"
if [ -z "$(find "$stamp" -mmin -720 2>/dev/null)" ]; then
	apt-get $apt_opts -q update >&2
	touch "$stamp"
fi

img=$(apt-cache $apt_opts search --names-only "^linux-image-$abire-$flavour\$" |
	awk '{ print $1 }' | sort -V | tail -n 1)
[ -n "$img" ] || { echo "fetch-kernel: no $flavour kernel in $suite" >&2; exit 1; }
abi=${img#linux-image-}
abi=${abi%-$flavour}
hdr=linux-headers-$abi-$flavour
deps=$(apt-cache $apt_opts depends "$hdr" | awk '/Depends: linux-(headers|kbuild)/ { print $2 }')
# Since 7.x the image is split: vmlinuz lives in linux-binary-*, the config
# in linux-base-*; the modules are not needed for an initramfs-only boot.
deps="$deps $(apt-cache $apt_opts depends "$img" |
	awk '/Depends: linux-(binary|base)-[0-9]/ { print $2 }')"

case $flavour in
cloud-amd64) out="$cache/kernels/$suite-$abi" ;;
*) out="$cache/kernels/$suite-$abi-$flavour" ;;
esac
if [ ! -f "$out/.done" ]; then
	rm -rf "$out"
	mkdir -p "$out"
	(cd "$cache/debs" && apt-get $apt_opts -q download "$img" "$hdr" $deps >&2)
	for p in "$img" "$hdr" $deps; do
		deb=$(ls "$cache/debs/${p}_"*.deb | sort -V | tail -n 1)
		dpkg-deb -x "$deb" "$out"
	done
	touch "$out/.done"
fi
echo "$out"
