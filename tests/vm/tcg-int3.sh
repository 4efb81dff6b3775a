#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Did this VM die of QEMU TCG running a stale int3 of kernel text that
# was being patched? Under TCG, a CPU has been seen executing the
# temporary int3 of a static key, static call or kprobe site after the
# kernel finished patching it (the kernel's int3 handler, no longer
# expecting it, oopses). Exits 0 for an int3 oops whose RIP is not in the
# module and whose trace shows text patching; 1 otherwise.
#
#   tcg-int3.sh VM_LOG
set -eu

log=$(tr -d '\r' < "$1")
echo "$log" | grep -aqE 'int3: 0000 \[#' || exit 1
rip=$(echo "$log" | grep -aE -A12 'int3: 0000 \[#' | grep -a -m1 'RIP: 0010:' || true)
case $rip in
*clone_with_pids*|'') exit 1 ;;
esac
echo "$log" | grep -aqE 'text_poke|static_call_transform|jump_label_transform|arch_jump_label|static_key_(enable|disable)' || exit 1
exit 0
