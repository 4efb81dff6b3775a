#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The chroot of one suite in which check-external builds the selftests
# (and, for bookworm, takes stress-ng from): tests/vm/make-chroot.sh with
# the suite's default gcc, libcap (static) and rsync for the kselftest
# install, xz for the source tarball. Prints its path.
#
#   chroot.sh SUITE
set -eu

suite=$1
here=$(cd "$(dirname "$0")" && pwd)
cache=${CWP_CACHE:-/var/cache/clone_with_pids}
dir=$cache/external/chroot-$suite
extra=libcap-dev,rsync,xz-utils
[ "$suite" = bookworm ] && extra=$extra,stress-ng
mkdir -p "$cache/external"
"$here/../vm/make-chroot.sh" "$suite" gcc "$dir" "$extra" 2> "$dir.log" || {
	tail -n 40 "$dir.log" >&2
	exit 2
}
echo "$dir"
