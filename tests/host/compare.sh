#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# check-external's judge (tests/external/compare.awk) on made-up results:
# a program that differs between runs fails the kernel, unless known
# explains it, or it failed only in run none, before the module was
# loaded; a flaky-load entry lets only the load run differ; a
# stressor's failure is forgiven only when each of its user faults is a
# crash known names, at that offset (given by the kernel, or computed
# from the mapping and the executable segment's offset); the stress-ng
# means say when none2/none moved beyond a factor of 2.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat > "$tmp/known" <<'KNOWN'
*	a:racy	flaky-load	lists /proc while the load's children exit
*	a:coin	flaky	varies, module or not
*	stress-ng:pthread:2a32f2	crash	stress-ng's own bug
KNOWN

# verdict EXPECTED NAME: judge $tmp/res, compare the verdict.
verdict() {
	got=$(awk -v kernel=6.1 -v text_off=0x048000 -f "$top/tests/external/compare.awk" "$tmp/known" "$tmp/res" |
		sed -n 's/^verdict //p')
	if [ "$got" != "$1" ]; then
		echo "$2: verdict $got, expected $1"
		awk -v kernel=6.1 -v text_off=0x048000 -f "$top/tests/external/compare.awk" "$tmp/known" "$tmp/res"
		exit 1
	fi
}

# res NONE MODULE LOAD: exits of a:racy and a:plain in the three runs
# (a:plain takes the same exit in none and module, 0 in load).
res() {
	{
		echo "check insmod PASS"
		echo "prog none a:racy $1 1"
		echo "prog module a:racy $2 1"
		echo "prog load a:racy $3 1"
		echo "prog none a:coin 0 1"
		echo "prog module a:coin 1 1"
		echo "prog load a:coin 0 1"
		echo "prog none a:plain ${4:-0} 1"
		echo "prog module a:plain ${5:-0} 1"
		echo "prog load a:plain ${6:-0} 1"
	} > "$tmp/res"
}

res 0 0 0; verdict PASS "all pass"
res 0 0 134; verdict PASS "flaky-load fails under load only"
res 0 134 0; verdict FAIL "flaky-load differs without the load"
res 134 134 134; verdict FAIL "flaky-load fails in every run (the entry does not explain it)"
res 0 0 0 0 0 134; verdict FAIL "a program without an entry fails under load"
res 0 0 0 1 1 1; verdict FAIL "a program without an entry fails everywhere"
res 0 0 0 134 0 0; verdict PASS "a program fails only before the module is loaded"
res 0 0 0 0 134 0; verdict FAIL "a program fails only with the module"
res 0 0 0 134 134 0; verdict FAIL "a program fails before and with the module"
res 0 0 0 134 0 1; verdict FAIL "a program fails before the module and under load"
# taps EXIT2 EXIT3 TAP2 TAP3...: res's programs all passing; b:harness
# exits 0 in load and EXIT2, EXIT3 in none, module; its TAP line #1 is
# ok everywhere, #2 is TAP2 in none, TAP3 in module, ok in load ("-":
# missing, the program aborted before it).
taps() {
	res 0 0 0
	echo "prog none b:harness $1 1" >> "$tmp/res"
	echo "prog module b:harness $2 1" >> "$tmp/res"
	echo "prog load b:harness 0 1" >> "$tmp/res"
	for r in none module load; do
		echo "tap $r b:harness 1 ok global.first" >> "$tmp/res"
	done
	[ "$3" = - ] || echo "tap none b:harness 2 $3 global.second" >> "$tmp/res"
	[ "$4" = - ] || echo "tap module b:harness 2 $4 global.second" >> "$tmp/res"
	echo "tap load b:harness 2 ok global.second" >> "$tmp/res"
}
taps 0 0 ok ok; verdict PASS "every subtest ok"
taps 1 0 not-ok ok; verdict PASS "a subtest fails only before the module is loaded"
taps 134 0 - ok; verdict PASS "a program aborts only before the module is loaded"
taps 0 1 ok not-ok; verdict FAIL "a subtest fails only with the module"
taps 0 134 ok -; verdict FAIL "a program aborts only with the module"
taps 1 1 not-ok not-ok; verdict FAIL "a subtest fails before and with the module"
taps 0 0 skip ok; verdict PASS "a subtest skips only before the module is loaded"
# stress RC [UFAULT-LINE...]: res's programs all passing, the pthread
# stressor exiting RC in run none (0 in the others), with these user
# faults in run none.
stress() {
	rc=$1
	shift
	res 0 0 0
	for r in none module load none2; do
		[ $r = none ] && c=$rc || c=0
		echo "stress $r pthread $c 100 10.0" >> "$tmp/res"
	done
	for l in "$@"; do
		echo "ufault stress none pthread: [  125.6] traps: stress-ng-pthre[7969] general protection fault $l" >> "$tmp/res"
	done
}
new='ip:561c189b32f2 sp:7fdfd2107d40 error:0 in stress-ng[2a32f2,561c18758000+50b000]'
old='ip:561c189b32f2 sp:7fdfd2107d40 error:0 in stress-ng[561c18758000+50b000]'
other='ip:561c189b32f6 sp:7fdfd2107d40 error:0 in stress-ng[2a32f6,561c18758000+50b000]'
libc='ip:7f00000012f2 sp:7fdfd2107d40 error:0 in libc.so.6[2a32f2,7f0000000000+50b000]'

stress 0; verdict PASS "every stressor passes"
stress 2; verdict FAIL "a stressor fails without a user fault"
stress 2 "$new"; verdict PASS "a stressor fails with a known crash (file offset given)"
stress 2 "$old"; verdict PASS "a stressor fails with a known crash (mapping only)"
stress 2 "$new" "$other"; verdict FAIL "a known crash and another fault"
stress 2 "$libc"; verdict FAIL "a fault at the known offset of another file"
stress 0 "$other"; verdict FAIL "an unknown user fault of a stressor that exits 0"

# geomean NONE2 MARKED NAME: fork and kill make 100 bogo ops/s in run
# none, 100 in module and load, NONE2 in none2; the geomean line must
# say the host's load moved (MARKED 1) or not (0).
geomean() {
	res 0 0 0
	for s in fork kill; do
		echo "stress none $s 0 300 100.0" >> "$tmp/res"
		echo "stress module $s 0 300 100.0" >> "$tmp/res"
		echo "stress load $s 0 300 100.0" >> "$tmp/res"
		echo "stress none2 $s 0 300 $1" >> "$tmp/res"
	done
	line=$(awk -v kernel=6.1 -f "$top/tests/external/compare.awk" "$tmp/known" "$tmp/res" |
		grep '^ratio geomean ') || { echo "$3: no geomean line"; exit 1; }
	case $line in
	*"none2/none $4 (the host's load changed"*) marked=1 ;;
	*"none2/none $4") marked=0 ;;
	*) echo "$3: $line"; exit 1 ;;
	esac
	if [ $marked != "$2" ]; then
		echo "$3: $line"
		exit 1
	fi
}
geomean 110.0 0 "none2 a tenth faster: a measure" 1.100
geomean 400.0 1 "none2 four times faster: the host's load moved" 4.000
geomean 20.0 1 "none2 five times slower: the host's load moved" 0.200
echo "compare.awk: 24 verdicts and 3 noise marks as expected"
