#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mmdebstrap hooks of check-packages.sh's rootfs.
#
#   rootfs-hook.sh essential ROOT    before the kernel is installed
#   rootfs-hook.sh customize ROOT    once everything is
set -eu
hook=$1
root=$2

# An initramfs with what this VM needs to mount its root (virtio disk,
# ext4), not most of the kernel's modules: under emulation the kernel
# takes half a minute to unpack the default one.
if [ "$hook" = essential ]; then
	mkdir -p "$root/etc/initramfs-tools/conf.d" "$root/usr/share/initramfs-tools/modules.d"
	echo MODULES=list > "$root/etc/initramfs-tools/conf.d/cwp-vm"
	printf '%s\n' virtio_pci virtio_blk ext4 > "$root/usr/share/initramfs-tools/modules.d/cwp-vm"
	exit 0
fi

# A machine that boots straight to the checks, with an unprivileged user,
# and the headers of a second kernel downloaded now, so that a run later
# needs no mirror.

# A machine id: not a first boot (no systemd-firstboot prompt).
od -An -N16 -tx1 /dev/urandom | tr -d ' \n' > "$root/etc/machine-id"
echo >> "$root/etc/machine-id"
echo cwp-pkg > "$root/etc/hostname"
printf '/dev/vda / ext4 rw,errors=remount-ro 0 1\n' > "$root/etc/fstab"
chroot "$root" useradd -m -s /bin/sh cwp
# Nothing on the serial console but the kernel and the checks.
for u in serial-getty@ttyS0.service getty@tty1.service systemd-firstboot.service \
	apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service \
	fstrim.timer man-db.timer; do
	ln -sf /dev/null "$root/etc/systemd/system/$u"
done

# The generic amd64 flavour of the same kernel ABI: a second kernel whose
# headers make DKMS build the module for it. Only the headers: their
# -common part and kbuild tools are those of the cloud kernel, already
# installed (trixie's also depend on their image, which DKMS does not
# need: check-packages.sh installs them with --force-depends).
hdr=$(chroot "$root" dpkg-query -W -f '${Depends}' linux-headers-cloud-amd64 |
	tr ',' '\n' | sed -n 's/^ *\(linux-headers-[^ ]*\)-cloud-amd64.*/\1-amd64/p' | head -n 1)
[ -n "$hdr" ] || { echo "rootfs-hook: no cloud headers" >&2; exit 1; }
mkdir -p "$root/root/second-kernel"
chroot "$root" sh -c "cd /root/second-kernel && apt-get -q -o APT::Sandbox::User=root download $hdr" >&2
