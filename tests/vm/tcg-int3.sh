#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Did this VM die of QEMU TCG running a stale int3 of kernel text that
# was being patched? Under TCG, a CPU has been seen executing the
# temporary int3 of a static key, static call or kprobe site after the
# kernel finished patching it (the kernel's int3 handler, no longer
# expecting it, oopses). Exits 0 for an int3 oops whose RIP is not in the
# module and where the memory no longer holds that int3: the oops's code
# bytes (read from memory when it printed) show another byte than 0xcc
# just before RIP, which an int3 trap leaves one byte past the int3.
# Where the oops could not read them, exits 0 if the log shows text
# patching. Exits 1 otherwise: an int3 still in the kernel's text is not
# the emulator's doing.
#
# Since 6.2 the kernel oopses there: kprobe_int3_handler() no longer
# backs up over an int3 the memory no longer holds (commit "x86/kprobes:
# Drop removed INT3 handling code"). The same oops under QEMU's TCG, at a
# jump label, its code bytes holding the jmp, was reported on LKML in
# reply to that patch (January 2024, MPTCP's CI), without the module.
#
#   tcg-int3.sh VM_LOG
set -eu

log=$(tr -d '\r' < "$1")
echo "$log" | grep -aqE 'int3: 0000 \[#' || exit 1
oops=$(echo "$log" | grep -aE -m1 -A20 'int3: 0000 \[#')
rip=$(echo "$oops" | grep -a -m1 'RIP: 0010:' || true)
case $rip in
*clone_with_pids*|'') exit 1 ;;
esac
before=$(echo "$oops" | grep -a -m1 'Code: ' |
	sed -n 's/.*Code: .*\([0-9a-f][0-9a-f]\) <[0-9a-f][0-9a-f]>.*/\1/p')
case $before in
cc) exit 1 ;;
?*) exit 0 ;;
esac
echo "$log" | grep -aqE 'text_poke|static_call_transform|jump_label_transform|arch_jump_label|static_key_(enable|disable)' || exit 1
exit 0
