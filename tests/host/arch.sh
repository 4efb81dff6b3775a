#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The library builds for every architecture it has a trampoline for: i386
# (gcc -m32, linked), and arm64 and 32-bit ARM, whose trampolines are
# assembled with clang as a cross assembler (no arm64 C library here to
# link against; make tests-arm64 builds and runs them for real).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$top"

cc -m32 -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Iinclude/uapi -Iuserspace/lib \
	-o "$tmp/cli32" userspace/tools/clone-with-pids.c userspace/tools/status.c userspace/lib/clone_with_pids.c \
	userspace/lib/fallback.c userspace/lib/kmod.c userspace/lib/nspid.c userspace/lib/sets.c \
	userspace/lib/arch/i386/clone_fn.S
file "$tmp/cli32" | grep -q 'ELF 32-bit'

clang --target=aarch64-linux-gnu -c -o "$tmp/a64.o" userspace/lib/arch/aarch64/clone_fn.S
file "$tmp/a64.o" | grep -q 'ARM aarch64'
nm "$tmp/a64.o" | grep -q ' T __cwp_clone_fn_raw'
readelf -n "$tmp/a64.o" | grep -q 'AArch64 feature: BTI, PAC'

clang --target=arm-linux-gnueabihf -c -o "$tmp/arm.o" userspace/lib/arch/arm/clone_fn.S
file "$tmp/arm.o" | grep -q 'ARM, EABI5'
nm "$tmp/arm.o" | grep -q ' T __cwp_clone_fn_raw'
