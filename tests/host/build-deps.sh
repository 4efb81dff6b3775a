#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A build without libkmod's header says so in one line, naming the package
# and make deps, before the compiler would (a fresh Debian machine has no
# libkmod-dev); make deps names every build dependency the README does.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
out=$(make -s check-libkmod CC="cc -nostdinc" 2>&1) && { echo "check-libkmod passed without libkmod.h"; exit 1; }
echo "$out" | grep -q 'libkmod.h not found: apt-get install libkmod-dev (make deps' ||
	{ echo "unexpected message: $out"; exit 1; }
deps=$(make -s -n deps | tr -s ' \t\\' '\n')
for p in make gcc libc6-dev libkmod-dev pkgconf; do
	echo "$deps" | grep -qx "$p" || { echo "make deps does not install $p"; exit 1; }
	grep -q "\`$p\`" README.md || { echo "README.md does not name $p"; exit 1; }
done
