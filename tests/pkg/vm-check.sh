#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /usr/local/sbin/cwp-pkg-check in the package test VM: what a user of the
# installed packages sees after boot, as KTAP (read by tests/judge/vmlog.py):
# "# kernel RELEASE", one "ok N name" or "not ok N name" line a check,
# what a failed one printed as "# name: ...", then "# done", and power off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ver=$(cat /usr/local/share/cwp/version)
kver=$(uname -r)
# The kernel-log patterns of every check (tests/judge/kernel-log.txt).
grep -v '^#' /usr/local/share/cwp/kernel-log.txt | grep . > /tmp/kernel-log.pat
n=0

check() {
	name=$1
	shift
	n=$((n + 1))
	if "$@" > /tmp/out 2>&1; then
		echo "ok $n $name"
	else
		sed "s|^|# $name: |" /tmp/out
		echo "not ok $n $name"
	fi
}

dkms_built() {
	dkms status -m clone_with_pids -k "$kver"
	dkms status -m clone_with_pids -k "$kver" | grep -q "$ver.*installed" &&
	modinfo -n clone_with_pids | grep -q '/updates/dkms/clone_with_pids\.ko' &&
	[ "$(modinfo -F version clone_with_pids)" = "$ver" ]
}

not_loaded() {
	lsmod | grep clone_with_pids
	[ ! -d /sys/module/clone_with_pids ]
}

node_0666() {
	ls -l /dev/clone_with_pids
	[ "$(stat -c '%F %a %t:%T' /dev/clone_with_pids)" = "character special file 666 a:fb" ]
}

# An unprivileged user's first open (the tool with kernel-chosen pids)
# loads the module.
user_autoload() {
	runuser -u cwp -- clone-with-pids --pids 0 -- true || return 1
	[ -d /sys/module/clone_with_pids ] && [ "$(cat /sys/module/clone_with_pids/version)" = "$ver" ]
}

root_chosen_pid() {
	out=$(clone-with-pids --pids 4242 -- sh -c 'echo $$') || return 1
	echo "$out"
	[ "$out" = 4242 ]
}

# The program check-packages.sh built with the pkg-config flags of
# libclone-with-pids-dev: linked to the installed library, it gets its pid.
pkg_config_program() {
	ldd /tmp/fwp && ldd /tmp/fwp | grep -q 'libclone_with_pids\.so\.0 => /' &&
	/tmp/fwp 4343 && /tmp/fwp-static 4344
}

library_query() {
	/tmp/fwp query && /tmp/fwp query | grep -q '^query 1 '
}

status_loaded() {
	clone-with-pids status && clone-with-pids status --json > /tmp/status.json &&
	cat /tmp/status.json && grep -q '"state": "live"' /tmp/status.json &&
	grep -q '"mode": "0666"' /tmp/status.json && grep -q "\"version\": \"$ver\"" /tmp/status.json
}

unload() {
	rmmod clone_with_pids && rm -f /dev/clone_with_pids
}

# Without a node, root (CAP_SYS_MODULE) has the library load the module
# through libkmod; an unprivileged user gets ENODEV from fork_with_pids().
lib_kmod_unprivileged() {
	unload || return 1
	runuser -u cwp -- /tmp/fwp 4545 19 && [ ! -d /sys/module/clone_with_pids ] &&
	runuser -u cwp -- /tmp/fwp query | grep -q '^query 2 '
}

lib_kmod_root() {
	/tmp/fwp 4646 && [ -d /sys/module/clone_with_pids ] && [ -c /dev/clone_with_pids ]
}

tool_load() {
	unload || return 1
	clone-with-pids status; [ $? = 3 ] || return 1
	clone-with-pids load && [ -d /sys/module/clone_with_pids ] && clone-with-pids status
}

tool_blacklist() {
	unload || return 1
	echo 'blacklist clone_with_pids' > /etc/modprobe.d/cwp-test.conf
	clone-with-pids load; rc=$?
	clone-with-pids status; src=$?
	rm -f /etc/modprobe.d/cwp-test.conf
	echo "load $rc status $src"
	[ $rc = 4 ] && [ ! -d /sys/module/clone_with_pids ] && clone-with-pids load
}

kernel_log_clean() {
	! dmesg | grep -vE ' ip:[0-9a-f]+ sp:[0-9a-f]+ error:[0-9a-f]+' | grep -Ef /tmp/kernel-log.pat
}

echo "KTAP version 1"
echo "# kernel $kver, booted in $(cut -d' ' -f1 /proc/uptime) s"
echo "1..13"
check dkms-built dkms_built
check not-loaded not_loaded
check node-0666 node_0666
check user-autoload user_autoload
check root-chosen-pid root_chosen_pid
cp /usr/local/share/cwp/fwp /usr/local/share/cwp/fwp-static /tmp/
check pkg-config-program pkg_config_program
check library-query library_query
check status-loaded status_loaded
check lib-kmod-unprivileged lib_kmod_unprivileged
check lib-kmod-root lib_kmod_root
check tool-load tool_load
check tool-blacklist tool_blacklist
check kernel-log-clean kernel_log_clean
# Where the boot's time went (for check-packages.sh's log).
journalctl -b -q -o short-monotonic --no-pager 2> /dev/null |
	grep -E 'Reached target|Run /init|Freeing unused kernel|EXT4-fs \(vda\): mounted|Startup finished' |
	sed 's/^/# info /'
echo "# done"
systemctl poweroff --no-block 2> /dev/null || poweroff
