#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The library without the module: the tests of build/tests/list-fallback
# (tests/t_fallback_*.c) on bookworm's 6.1, booted with cwp_nomodule=1 so
# that /init never loads the module and nothing can autoload it. There
# clone_with_pids() and clone_with_pids_fn() go through clone3()'s
# set_tid. Ends with "N passed, N failed, N skipped".
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
vm=$top/tests/vm
cache=${CWP_CACHE:-/var/cache/clone_with_pids}
out=$top/build/fallback
splat='BUG:|WARNING:|Oops|Call Trace|general protection|KASAN|UBSAN|Kernel panic'

"$vm/deps.sh"
[ -f "$top/build/tests/list-fallback" ] || { echo "check-fallback: run 'make tests' first" >&2; exit 2; }
t0=$(date +%s)
rm -rf "$out"
mkdir -p "$out/tests"
kdir=$("$vm/fetch-kernel.sh" bookworm "$cache" '6\.1\.0-[0-9]+' 2> "$out/fetch.log") || {
	cat "$out/fetch.log" >&2
	exit 2
}
vmlinuz=$(find "$kdir/boot" -name 'vmlinuz*' | head -n 1)
release=${vmlinuz##*/vmlinuz-}
# Only what the pass runs goes into its initramfs.
cp "$top/build/tests/list-fallback" "$top/build/tests/timeouts" "$top/build/tests/clone-with-pids" \
	"$out/tests/"
for t in $(cat "$top/build/tests/list-fallback"); do
	cp "$top/build/tests/$t" "$out/tests/"
done
log=$out/vm.log
"$vm/run-kernel.sh" "$vmlinuz" /dev/null "$out/tests" "$log" \
	"cwp_nomodule=1 cwp_list=list-fallback" || echo "CWP-TEST qemu FAIL" >> "$log"
tr -d '\r' < "$log" | grep -aq '^CWP-DONE' || echo "CWP-TEST vm-finished FAIL" >> "$log"
if grep -aqE "$splat" "$log"; then
	grep -aE -B2 -A20 "$splat" "$log" | head -n 60
	echo "CWP-TEST kernel-log-clean FAIL" >> "$log"
fi
tr -d '\r' < "$log" | grep -a '^CWP-OUT ' || true
tr -d '\r' < "$log" | grep -a '^CWP-TEST .* \(FAIL\|SKIP\)$' | sed 's/^CWP-TEST /  /' || true
pass=$(tr -d '\r' < "$log" | grep -ac '^CWP-TEST .* PASS$' || true)
fail=$(tr -d '\r' < "$log" | grep -ac '^CWP-TEST .* FAIL$' || true)
skip=$(tr -d '\r' < "$log" | grep -ac '^CWP-TEST .* SKIP$' || true)
printf '%-5s %-28s %3d passed, %d failed, %d skipped (%ds)\n' fallback "$release" \
	"$pass" "$fail" "$skip" $(($(date +%s) - t0))
echo "$pass passed, $fail failed, $skip skipped"
# Every fallback test must have run: a skip here means the pass was not
# on the fallback.
[ "$fail" -eq 0 ] && [ "$skip" -eq 0 ] && [ "$pass" -gt 0 ]
