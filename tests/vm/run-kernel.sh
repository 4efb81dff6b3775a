#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Boot one kernel in QEMU with an initramfs holding busybox, the module and
# the test programs; the serial console goes to LOG.
#
#   run-kernel.sh VMLINUZ MODULE_KO TEST_DIR LOG [EXTRA_CMDLINE]
#
# TEST_DIR holds the static test binaries and a file 'list' naming them in
# the order to run (EXTRA_CMDLINE's cwp_list= names another). CWP_VM_SMP
# vCPUs (default 2). CWP_VM_ARCH=arm64 boots an arm64 kernel in
# qemu-system-aarch64 (-M virt, -cpu max: BTI and pointer authentication)
# with an arm64 busybox. Exits non-zero if QEMU failed or timed out.
set -eu

vmlinuz=$1
ko=$2
tests=$3
log=$4
extra=${5:-}
here=$(cd "$(dirname "$0")" && pwd)
arch=${CWP_VM_ARCH:-amd64}
case $arch in
arm64) busybox=$("$here/fetch-busybox.sh" arm64 "${CWP_CACHE:-/var/cache/clone_with_pids}") ;;
*) busybox=/bin/busybox ;;
esac

root=$(mktemp -d)
chmod 755 "$root"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/sbin" "$root/lib/modules" "$root/proc" "$root/sys" \
	"$root/dev" "$root/tests" "$root/etc"
cp "$busybox" "$root/bin/busybox"
cp "$here/init" "$root/init"
cp "$here/modprobe" "$root/sbin/modprobe"
chmod +x "$root/init" "$root/sbin/modprobe"
ln -s ../bin/busybox "$root/bin/sh"
cp "$ko" "$root/lib/modules/clone_with_pids.ko"
cp -a "$tests/." "$root/tests/"
# The kernel-log patterns every check uses, for the VM's init.
cp "$here/../judge/kernel-log.txt" "$root/tests/"
echo "root:x:0:0:root:/:/bin/sh" > "$root/etc/passwd"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$root.cpio.gz"

# tsc=reliable: on a busy host the clocksource watchdog finds the TSC
# unstable and the kernel then patches static keys at run time, which
# TCG has been seen to get wrong (tests/judge/vmlog.py, emulator_int3()).
# softlockup_panic=1: a wedged guest (seen once under TCG, in text
# patching) panics and ends the run in a minute, rather than at the
# 60-minute timeout.
#
# arm64: -cpu max has BTI and pointer authentication (the boot log says
# "detected: Branch Target Identification" and "Address authentication");
# pauth-impdef=on makes QEMU sign with an implementation-defined hash
# instead of emulating QARMA, which is much faster and still checked
# (CWP_VM_CPU overrides the -cpu argument, e.g. CWP_VM_CPU=max).
# CWP_VM_ACCEL: QEMU's -accel argument (default tcg: one host thread per
# vCPU; tcg,thread=single runs every vCPU in one host thread, in turn).
rc=0
case $arch in
arm64)
	set -- qemu-system-aarch64 -machine virt -cpu "${CWP_VM_CPU:-max,pauth-impdef=on}"
	console=ttyAMA0
	;;
*)
	set -- qemu-system-x86_64 -machine q35 -cpu max
	console="ttyS0 tsc=reliable"
	;;
esac
timeout "${CWP_VM_TIMEOUT:-3600}" "$@" -accel "${CWP_VM_ACCEL:-tcg}" -nographic -no-reboot \
	-smp "${CWP_VM_SMP:-2}" -m "${CWP_VM_MEM:-1024}" -nic none \
	-kernel "$vmlinuz" -initrd "$root.cpio.gz" \
	-append "console=$console panic=-1 panic_on_warn=1 oops=panic loglevel=4 softlockup_panic=1 $extra" \
	< /dev/null > "$log" 2>&1 || rc=$?
rm -f "$root.cpio.gz"
exit $rc
