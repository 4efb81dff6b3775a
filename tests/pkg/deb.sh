#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make deb: build the Debian packages of debian/ from a copy of the tree in
# build/deb (dpkg-buildpackage writes beside the source tree, so nothing
# lands next to the checkout), then run lintian on them. As root on
# Debian, it installs the build dependencies first. Fails if lintian
# reports an error; its warnings are printed.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
ver=$(cat "$top/VERSION")
out=$top/build/deb
t0=$(date +%s)

if ! dpkg-checkbuilddeps "$top/debian/control" > /dev/null 2>&1 ||
	! command -v lintian > /dev/null || ! command -v dpkg-buildpackage > /dev/null; then
	if [ "$(id -u)" != 0 ]; then
		echo "deb: build dependencies missing: run as root, or apt-get build-dep $top" >&2
		exit 2
	fi
	echo "deb: installing the build dependencies" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >&2
	apt-get install -y -q --no-install-recommends dpkg-dev lintian >&2
	apt-get build-dep -y -q "$top" >&2
fi

rm -rf "$out"
mkdir -p "$out/clone-with-pids-$ver"
(cd "$top" && tar --exclude=./build --exclude=./.git -cf - .) | tar -C "$out/clone-with-pids-$ver" -xf -
if ! (cd "$out/clone-with-pids-$ver" && dpkg-buildpackage -us -uc) > "$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log"
	echo "deb: dpkg-buildpackage failed, log: $out/build.log" >&2
	exit 1
fi
rm -rf "$out/clone-with-pids-$ver"
ls "$out"/*.deb
lintian --fail-on error --info "$out"/*.changes > "$out/lintian.log" 2>&1 && rc=0 || rc=$?
cat "$out/lintian.log"
echo "deb: built in $(($(date +%s) - t0)) s; lintian: $(grep -c '^E:' "$out/lintian.log" || true) errors, $(grep -c '^W:' "$out/lintian.log" || true) warnings"
exit $rc
