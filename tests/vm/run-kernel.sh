#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Boot one kernel in QEMU with an initramfs holding busybox, the module and
# the test programs; the serial console goes to LOG.
#
#   run-kernel.sh VMLINUZ MODULE_KO TEST_DIR LOG [EXTRA_CMDLINE]
#
# TEST_DIR holds the static test binaries and a file 'list' naming them in
# the order to run (EXTRA_CMDLINE's cwp_list= names another). CWP_VM_SMP
# vCPUs (default 2). Exits non-zero if QEMU failed or timed out.
set -eu

vmlinuz=$1
ko=$2
tests=$3
log=$4
extra=${5:-}
here=$(cd "$(dirname "$0")" && pwd)

root=$(mktemp -d)
chmod 755 "$root"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/sbin" "$root/lib/modules" "$root/proc" "$root/sys" \
	"$root/dev" "$root/tests" "$root/etc"
cp /bin/busybox "$root/bin/busybox"
cp "$here/init" "$root/init"
cp "$here/modprobe" "$root/sbin/modprobe"
chmod +x "$root/init" "$root/sbin/modprobe"
ln -s ../bin/busybox "$root/bin/sh"
cp "$ko" "$root/lib/modules/clone_with_pids.ko"
cp -a "$tests/." "$root/tests/"
echo "root:x:0:0:root:/:/bin/sh" > "$root/etc/passwd"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$root.cpio.gz"

# tsc=reliable: on a busy host the clocksource watchdog finds the TSC
# unstable and the kernel then patches static keys at run time, which
# TCG has been seen to get wrong (see tcg-int3.sh). softlockup_panic=1:
# a wedged guest (seen once under TCG, in text patching) panics and ends
# the run in a minute, rather than at the 30-minute timeout.
rc=0
timeout "${CWP_VM_TIMEOUT:-1800}" qemu-system-x86_64 -nographic -no-reboot \
	-machine q35 -cpu max -smp "${CWP_VM_SMP:-2}" -m "${CWP_VM_MEM:-1024}" -nic none \
	-kernel "$vmlinuz" -initrd "$root.cpio.gz" \
	-append "console=ttyS0 panic=-1 panic_on_warn=1 oops=panic loglevel=4 tsc=reliable softlockup_panic=1 $extra" \
	< /dev/null > "$log" 2>&1 || rc=$?
rm -f "$root.cpio.gz"
exit $rc
