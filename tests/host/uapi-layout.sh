#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The uapi structs have one layout for 64-bit and 32-bit callers (no
# implicit padding, __u64 pointers), so the compat ioctl needs no
# translation; the documented sizes are the struct sizes, and a newer
# version only appends to the older one.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/l.c" <<'C'
#include <stddef.h>
#include <linux/clone_with_pids.h>
#define L(t, f) offsetof(struct t, f)
_Static_assert(sizeof(struct cwp_clone_args) == CWP_CLONE_ARGS_SIZE_VER0, "clone args size");
_Static_assert(sizeof(struct cwp_query) == CWP_QUERY_SIZE_VER2, "query size");
_Static_assert(L(cwp_query, nr_reserved) == CWP_QUERY_SIZE_VER1, "query VER1 prefix");
_Static_assert(sizeof(struct cwp_reserve_args) == CWP_RESERVE_ARGS_SIZE_VER0, "reserve args size");
_Static_assert(L(cwp_reserve_args, nr_sets) == 16 && L(cwp_reserve_args, busy_index) == 28,
	       "reserve args layout");
_Static_assert(sizeof(struct cwp_next_list_args) == CWP_NEXT_LIST_ARGS_SIZE_VER0,
	       "next list args size");
_Static_assert(L(cwp_next_list_args, nr_sets) == 16 && L(cwp_next_list_args, err_set) == 24 &&
	       L(cwp_next_list_args, pad) == 28, "next list args layout");
_Static_assert(L(cwp_query, user_requests) == CWP_QUERY_SIZE_VER0, "query VER0 prefix");
_Static_assert(L(cwp_query, mem_bytes) == 48 && L(cwp_query, pad) == 60, "query VER1 layout");
_Static_assert(L(cwp_clone_args, pid_set) == 48 && L(cwp_clone_args, pad) == 60, "clone args layout");
_Static_assert(L(cwp_query, features) == 16 && L(cwp_query, max_requests) == 36, "query layout");
_Static_assert(sizeof(struct cwp_next_args) == CWP_NEXT_ARGS_SIZE_VER0, "next args size");
_Static_assert(sizeof(struct cwp_pid_set) == 4 && L(cwp_pid_set, pids) == 4, "pid set layout");
_Static_assert(_Alignof(struct cwp_clone_args) == 8 || sizeof(void *) == 4, "alignment");
int main(void) { return 0; }
C
cc -std=c11 -m64 -Wpadded -Werror -I"$top/include/uapi" -c -o "$tmp/64.o" "$tmp/l.c"
if [ -f /usr/include/x86_64-linux-gnu/gnu/stubs-32.h ] || [ -f /usr/include/gnu/stubs-32.h ]; then
	cc -std=c11 -m32 -Wpadded -Werror -I"$top/include/uapi" -c -o "$tmp/32.o" "$tmp/l.c"
else
	echo "no 32-bit libc headers (gcc-multilib): 64-bit layout checked only"
fi
