#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The shared library exports exactly the symbols of its version script,
# all under their version node; the public headers compile on their own,
# as C and as C++.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
make -s userspace > /dev/null

# Each symbol under the version node that lists it (nodes never change:
# a new symbol goes into a new node).
exp=$(awk '/^[A-Z_0-9.]+ \{/ { node = $1 } /^[[:space:]]*[a-z_]+;$/ { sub(/;/, "", $1); print node " " $1 }' \
	userspace/lib/libclone_with_pids.map | sort)
got=$(objdump -T build/libclone_with_pids.so.0 | awk '$2 == "g" && $4 == ".text" { print $6 " " $7 }' | sort)
if [ "$got" != "$exp" ]; then
	echo "exported: $got"
	echo "expected: $exp"
	exit 1
fi

# Debian's symbols file lists the same symbols under the same nodes.
deb=$(awk '/^ [a-z_]+@/ { split($1, a, "@"); print a[2] " " a[1] }' debian/libclone-with-pids0.symbols | sort)
if [ "$deb" != "$exp" ]; then
	echo "debian/libclone-with-pids0.symbols: $deb"
	echo "expected: $exp"
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '#include <clone_with_pids.h>\nint main(void) { return fork_with_pids(0) == -2; }\n' > "$tmp/a.c"
printf '#include <linux/clone_with_pids.h>\nint main(void) { return CWP_IOC_CLONE == 0; }\n' > "$tmp/b.c"
cc -std=c11 -Wall -Werror -pedantic -Iuserspace/lib -c -o "$tmp/a.o" "$tmp/a.c"
cc -std=c99 -Wall -Werror -Iinclude/uapi -c -o "$tmp/b.o" "$tmp/b.c"
if command -v c++ > /dev/null; then
	cp "$tmp/a.c" "$tmp/a.cc"
	c++ -Wall -Werror -Iuserspace/lib -c -o "$tmp/c.o" "$tmp/a.cc"
fi
cc -o "$tmp/a" "$tmp/a.o" build/libclone_with_pids.a
cc -o "$tmp/a" "$tmp/a.o" -Lbuild -l:libclone_with_pids.so.0
