#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make install honours DESTDIR, PREFIX and a multiarch LIBDIR: headers,
# libraries, the pkg-config file (whose flags build and link a program
# against the installed tree), tool, man pages, udev rule and tmpfiles
# entry; make uninstall removes every file it installed.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$top"
d=$tmp/root
libdir=/usr/lib/x86_64-linux-gnu
vars="DESTDIR=$d PREFIX=/usr LIBDIR=$libdir"

make -s $vars install-userspace install-system > "$tmp/install.log"
for f in usr/include/clone_with_pids.h usr/include/linux/clone_with_pids.h \
	$libdir/libclone_with_pids.so.0 $libdir/libclone_with_pids.so $libdir/libclone_with_pids.a \
	$libdir/pkgconfig/libclone_with_pids.pc usr/bin/clone-with-pids usr/bin/restore-tree usr/bin/dump-tree \
	usr/share/man/man1/dump-tree.1 usr/share/man/man3/clone_with_pids_get.3 \
	usr/share/man/man1/clone-with-pids.1 usr/share/man/man3/clone_with_pids_query.3 \
	usr/share/man/man4/clone_with_pids.4 lib/udev/rules.d/60-clone-with-pids.rules \
	usr/lib/tmpfiles.d/clone-with-pids.conf; do
	[ -e "$d/$f" ] || { echo "not installed: $f"; exit 1; }
done
grep -qx "libdir=$libdir" "$d/$libdir/pkgconfig/libclone_with_pids.pc"
grep -qx "Version: $(cat VERSION)" "$d/$libdir/pkgconfig/libclone_with_pids.pc"
grep -q 'static_node=clone_with_pids' "$d/lib/udev/rules.d/60-clone-with-pids.rules"
grep -qx 'z /dev/clone_with_pids 0666 - - -' "$d/usr/lib/tmpfiles.d/clone-with-pids.conf"

printf '#include <clone_with_pids.h>\nint main(void) { return clone_with_pids_query(0) == 0; }\n' > "$tmp/a.c"
export PKG_CONFIG_PATH="$d/$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$d"
cc $(pkg-config --cflags libclone_with_pids) -o "$tmp/a" "$tmp/a.c" $(pkg-config --libs libclone_with_pids)
readelf -d "$tmp/a" | grep -q 'NEEDED.*libclone_with_pids.so.0'
cc $(pkg-config --cflags libclone_with_pids) -static -o "$tmp/a-static" "$tmp/a.c" \
	$(pkg-config --static --libs libclone_with_pids) 2> /dev/null

make -s $vars uninstall > "$tmp/uninstall.log"
left=$(find "$d" -type f -o -type l)
[ -z "$left" ] || { echo "left after uninstall: $left"; exit 1; }
