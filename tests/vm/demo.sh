#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make demo: boot a stock Debian kernel (bookworm's 6.1 unless
# DEMO_KERNEL says otherwise, e.g. DEMO_KERNEL=arm64/6.1) with the module
# and show it working.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/vm/lib.sh"
vm=$cwp_vm
k=${DEMO_KERNEL:-6.1}
out=$top/build/demo

"$vm/deps.sh"
mkdir -p "$out/files"
echo "Preparing the $k kernel and building the module for it..."
eval "$("$vm/prepare-kernel.sh" "$k" "$out/$k")"
case $ARCH in
arm64) b=$top/build/arm64 ;;
*) b=$top/build ;;
esac
cp "$b/tests/clone-with-pids" "$b/tests/restore-tree" \
	"$b/demo/demo-seed" "$top/userspace/examples/tree.txt" "$out/files/"
cp "$top/tests/demo/demo.sh" "$out/files/"
chmod +x "$out/files/demo.sh"
echo demo.sh > "$out/files/list"
echo "Booting $RELEASE in QEMU..."
cwp_boot "$out/vm.log" '^# kernel ' '^# done' env CWP_VM_ARCH="$ARCH" "$vm/run-kernel.sh" \
	"$VMLINUZ" "$out/$k/clone_with_pids.ko" "$out/files" "$out/vm.log" "cwp_mode=verbose $EXTRA"
echo
tr -d '\r' < "$out/vm.log" | sed -n 's/^# log \[[^]]*\] \(clone_with_pids: [kv].*\)/\1/p'
tr -d '\r' < "$out/vm.log" | sed -n 's/^# demo.sh: //p'
tr -d '\r' < "$out/vm.log" | grep -q '^ok [0-9]* demo.sh$' && $cwp_vmlog verdict "$out/vm.log"
