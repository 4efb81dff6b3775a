#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# tests/vm/tcg-int3.sh on made-up VM logs: an int3 oops is blamed on
# QEMU's TCG (a run made again) only when the memory no longer held the
# int3 (the byte before RIP in the oops's code bytes is not 0xcc), or,
# without code bytes, when the log shows text patching; never when RIP
# is in the module.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# log RIP CODE [TRACE]: an int3 oops on 7.x, its RIP line, its code bytes
# (a line or nothing), a line of its call trace.
log() {
	{
		echo "EXT-OUT load seccomp:seccomp_bpf: ok 106 UPROBE.uprobe_attached.uprobe_block_syscall"
		echo "[  336.510289] Oops: int3: 0000 [#1] SMP NOPTI"
		echo "[  336.510301] CPU: 1 UID: 0 PID: 4711 Comm: seccomp_bpf Not tainted 7.2.13+deb14-cloud-amd64 #1 PREEMPT(lazy)  Debian 7.2.13-1"
		echo "[  336.510310] Hardware name: QEMU Standard PC (Q35 + ICH9, 2009), BIOS 1.16.2-debian-1.16.2-1 04/01/2014"
		echo "[  336.510320] RIP: 0010:$1"
		[ -z "$2" ] || echo "[  336.510330] Code: 48 89 df e8 4c 2e 00 00 48 8b 43 10 41 89 c4 48 85 c0 74 1b 4c 89 e6 48 89 df 5b 5d 41 5c 41 5d e9 a1 fe ff ff 66 0f 1f 44 00 00 $2 c3 cc cc cc cc 0f 1f 00"
		echo "[  336.510340] RSP: 0018:ffffb3c0c0ffbd48 EFLAGS: 00000046"
		echo "[  336.512126] Call Trace:"
		echo "[  336.512130]  <TASK>"
		echo "[  336.512140]  ${3:-try_to_wake_up+0x2a1/0x6a0}"
		echo "[  336.512150]  </TASK>"
		echo "[  336.514444] Kernel panic - not syncing: Fatal exception in interrupt"
	} > "$tmp/log"
}

# expect STATUS NAME
expect() {
	rc=0
	"$top/tests/vm/tcg-int3.sh" "$tmp/log" || rc=$?
	if [ "$rc" != "$1" ]; then
		echo "$2: tcg-int3.sh exited $rc, expected $1"
		fail=1
	fi
}

log "ttwu_do_activate+0x5e/0x1c0" "0f <1f>"; expect 0 "a nop5 where the int3 was"
log "ttwu_do_activate+0x5e/0x1c0" "e9 <44>"; expect 0 "a jmp where the int3 was"
log "ttwu_do_activate+0x5e/0x1c0" "cc <1f>"; expect 1 "the int3 still in memory"
log "cwp_kernel_clone_entry+0x12/0x90 [clone_with_pids]" "0f <1f>"; expect 1 "RIP in the module"
log "ttwu_do_activate+0x5e/0x1c0" ""; expect 1 "no code bytes, no text patching"
log "ttwu_do_activate+0x5e/0x1c0" "" "smp_text_poke_batch_finish+0x1f2/0x3c0"
expect 0 "no code bytes, text patching in the log"
log "ttwu_do_activate+0x5e/0x1c0" "cc <1f>" "smp_text_poke_batch_finish+0x1f2/0x3c0"
expect 1 "the int3 still in memory, text patching in the log"

sed -i 's/int3: 0000/general protection fault: 0000/' "$tmp/log"
expect 1 "not an int3 oops"

[ $fail = 0 ] && echo "tcg-int3: 8 verdicts as expected"
exit $fail
