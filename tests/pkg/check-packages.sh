#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make check-packages: the built packages (build/deb, make deb) installed
# the way a user installs them, on bookworm and trixie.
#
#   CWP_PKG_SUITES="bookworm trixie" tests/pkg/check-packages.sh
#
# For each suite: a rootfs made with mmdebstrap (systemd, udev, dkms, the
# suite's newest cloud kernel image and headers, a compiler and pkgconf),
# cached as a tarball in CWP_CACHE/pkg (rebuilt after a week; rootfs.sh); apt installs
# the .debs in it, in a chroot on this host, so DKMS builds the module with
# the suite's own compiler and without emulation. An ext4 image of it
# (mke2fs -d) boots in QEMU (TCG) with its own kernel and initramfs and
# systemd as init; a unit (vm-check.sh) runs the checks after boot and
# prints them on the serial console. Then, in the chroot again: the headers
# of a second kernel make DKMS build for it, and removing the dkms package
# removes the module for both. The results, the VM's and this script's,
# are KTAP, judged with the VM's serial log by tests/judge/vmlog.py. Ends
# with "N passed, N failed".
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/vm/lib.sh"
here=$top/tests/pkg
cache=$cwp_cache/pkg
suites=${CWP_PKG_SUITES:-bookworm trixie}
ver=$(cat "$top/VERSION")
debs=$top/build/deb
out=$top/build/pkg
t_start=$(date +%s)

"$top/tests/vm/deps.sh"
if ! command -v mke2fs > /dev/null; then
	[ "$(id -u)" = 0 ] || { echo "check-packages: mke2fs missing (e2fsprogs)" >&2; exit 2; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends e2fsprogs >&2
fi
pkgs=
for p in clone-with-pids-dkms_${ver}_all libclone-with-pids0_${ver}_amd64 \
	libclone-with-pids-dev_${ver}_amd64 clone-with-pids_${ver}_amd64; do
	[ -f "$debs/$p.deb" ] || { echo "check-packages: $debs/$p.deb missing: make deb" >&2; exit 2; }
	pkgs="$pkgs $p.deb"
done

mkdir -p "$cache" "$out"
total_pass=0 total_fail=0 summary=

# In the chroot ROOT, with /proc and /dev, as DKMS and apt need them.
in_root() {
	r=$1
	shift
	unshare -m --propagation private sh -c '
		r=$1; shift
		mount -t proc proc "$r/proc" && mount --rbind /dev "$r/dev" &&
		mount -t tmpfs tmp "$r/tmp" && chroot "$r" "$@"' sh "$r" "$@"
}

# The booted image of one suite: pkg_vm, with kimg, kver, root, work,
# suite set; its serial console in $out/SUITE-vm.log.
pkg_vm() {
	timeout "${CWP_PKG_VM_TIMEOUT:-600}" qemu-system-x86_64 -nographic -no-reboot \
		-machine q35 -cpu max -smp 2 -m 1024 -nic none \
		-kernel "$kimg" -initrd "$root/boot/initrd.img-$kver" \
		-drive file="$work/disk.img",format=raw,if=virtio \
		-append "console=ttyS0 root=/dev/vda rw panic=-1 panic_on_warn=1 oops=panic loglevel=4" \
		< /dev/null > "$out/$suite-vm.log" 2>&1
}

# One suite, in a subshell of its own: results in $out/SUITE.results,
# its kernel in $out/SUITE.kver, its time in $out/SUITE.time.
run_suite() {
	suite=$1
	t0=$(date +%s)
	kver=
	log=$out/$suite.log
	: > "$log"
	res=$out/$suite.results
	: > "$res"
	n=0
	# result NAME ok|not ok: one KTAP line of this script's own.
	result() {
		n=$((n + 1))
		echo "$2 $n $1" >> "$res"
	}
	base=$("$here/rootfs.sh" "$suite") || result rootfs "not ok"

	work=$cache/run-$suite
	root=$work/root
	rm -rf "$work"
	mkdir -p "$root"
	if [ -f "$base" ] && ! grep -q '^not ok' "$res"; then
		tar -C "$root" -xf "$base"
		kimg=$(ls "$root"/boot/vmlinuz-* | sort -V | tail -n 1)
		kver=${kimg##*/vmlinuz-}
		mkdir -p "$root/root/debs"
		for p in $pkgs; do cp "$debs/$p" "$root/root/debs/"; done
		# apt installs the packages; the dkms package's postinst builds
		# the module with DKMS for the rootfs's kernel.
		if in_root "$root" sh -c 'DEBIAN_FRONTEND=noninteractive \
			apt-get install -y /root/debs/*.deb' >> "$log" 2>&1 &&
			[ -n "$(find "$root/lib/modules/$kver/updates/dkms" -name 'clone_with_pids.ko*' 2> /dev/null)" ]; then
			result apt-install-dkms-build ok
		else
			tail -n 30 "$log" | sed 's/^/# apt-install-dkms-build: /' >> "$res"
			result apt-install-dkms-build "not ok"
		fi

		mkdir -p "$root/usr/local/share/cwp" "$root/usr/local/sbin"
		echo "$ver" > "$root/usr/local/share/cwp/version"
		cp "$here/fwp.c" "$top/tests/judge/kernel-log.txt" "$root/usr/local/share/cwp/"
		# A program calling fork_with_pids(), built in the rootfs with the
		# pkg-config flags of libclone-with-pids-dev (dynamic and static),
		# here rather than under emulation; the VM runs both.
		if in_root "$root" sh -c 'set -ex; cd /usr/local/share/cwp
			[ "$(pkg-config --modversion libclone_with_pids)" = "$(cat version)" ]
			cc $(pkg-config --cflags libclone_with_pids) -o fwp fwp.c \
				$(pkg-config --libs libclone_with_pids)
			cc $(pkg-config --cflags libclone_with_pids) -static -o fwp-static fwp.c \
				$(pkg-config --static --libs libclone_with_pids)' >> "$log" 2>&1; then
			result pkg-config-build ok
		else
			tail -n 20 "$log" | sed 's/^/# pkg-config-build: /' >> "$res"
			result pkg-config-build "not ok"
		fi
		install -m 0755 "$here/vm-check.sh" "$root/usr/local/sbin/cwp-pkg-check"
		cp "$here/cwp-pkg-check.service" "$root/etc/systemd/system/"
		ln -sf ../cwp-pkg-check.service \
			"$root/etc/systemd/system/multi-user.target.wants/cwp-pkg-check.service"

		# The image: what the rootfs holds now, plus room to work.
		size=$(($(du -sm "$root" | cut -f1) + 512))
		mke2fs -q -t ext4 -L root -d "$root" "$work/disk.img" "${size}M" >> "$log" 2>&1
		echo "$suite: booting $kver"
		# (The whole VM log is judged below with the results: its
		# kernel log, whether the checks finished, their KTAP lines.)
		cwp_boot "$out/$suite-vm.log" '^# kernel ' '^# done' pkg_vm
		tr -d '\r' < "$out/$suite-vm.log" | sed -n 's/^# \(kernel .*\)/  \1/p'

		# A second kernel's headers: DKMS builds the module for it.
		hdeb=$(ls "$root"/root/second-kernel/linux-headers-*.deb | head -n 1)
		kver2=$(basename "$hdeb" | sed 's/^linux-headers-\([^_]*\)_.*/\1/')
		# (--force-depends: trixie's headers depend on their image, which
		# DKMS does not need.)
		if in_root "$root" dpkg -i --force-depends "/root/second-kernel/${hdeb##*/}" >> "$log" 2>&1 &&
			[ -n "$(find "$root/lib/modules/$kver2/updates/dkms" -name 'clone_with_pids.ko*' 2> /dev/null)" ]; then
			result second-kernel-dkms-build ok
		else
			tail -n 20 "$log" | sed 's/^/# second-kernel-dkms-build: /' >> "$res"
			result second-kernel-dkms-build "not ok"
		fi
		# Removing the dkms package removes the module for every kernel
		# (the second kernel's headers go first, by dpkg, leaving apt a
		# consistent system; its module stays until DKMS removes it).
		in_root "$root" dpkg -r "linux-headers-$kver2" >> "$log" 2>&1 || true
		if in_root "$root" apt-get remove -y clone-with-pids-dkms >> "$log" 2>&1 &&
			[ -z "$(find "$root/lib/modules" -name 'clone_with_pids.ko*')" ] &&
			[ ! -d "$root/var/lib/dkms/clone_with_pids" ] &&
			! grep -rqs clone_with_pids "$root/lib/modules/$kver/modules.devname"; then
			result remove-dkms-package ok
		else
			find "$root/lib/modules" -name 'clone_with_pids.ko*' | sed 's/^/# remove-dkms-package: /' >> "$res"
			result remove-dkms-package "not ok"
		fi
		rm -rf "$work"
	fi
	echo "# done" >> "$res"
	echo "${kver:-}" > "$out/$suite.kver"
	echo $(($(date +%s) - t0)) > "$out/$suite.time"
}

# The suites run side by side: much of each is downloading, dpkg and one
# busy vCPU, which leave a core to the other.
for suite in $suites; do
	rm -f "$out/$suite.time" "$out/$suite.kver"
	(run_suite "$suite") > "$out/$suite.out" 2>&1 &
done
wait

for suite in $suites; do
	res=$out/$suite.results
	cat "$out/$suite.out"
	fails=
	[ -f "$out/$suite.time" ] || fails=$suite-finished
	logs=$res
	[ ! -f "$out/$suite-vm.log" ] || logs="$logs $out/$suite-vm.log"
	cwp_results "$suite" "$(cat "$out/$suite.kver" 2> /dev/null)" \
		"$(cat "$out/$suite.time" 2> /dev/null || echo 0)" "$out/$suite.details" $logs -- $fails \
		> "$out/$suite.judged" || true
	cat "$out/$suite.details" "$out/$suite.judged"
	line=$(tail -n 1 "$out/$suite.judged")
	summary="$summary$line
"
	total_pass=$((total_pass + cwp_pass))
	total_fail=$((total_fail + cwp_fail))
done
echo
printf '%s' "$summary"
echo "check-packages: $(($(date +%s) - t_start)) s"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ] && [ "$total_pass" -gt 0 ]
