#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# check-external's judge (tests/external/compare.awk) on made-up results:
# a program that differs between runs fails the kernel, unless known
# explains it; a flaky-load entry lets only the load run differ.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat > "$tmp/known" <<'KNOWN'
*	a:racy	flaky-load	lists /proc while the load's children exit
*	a:coin	flaky	varies, module or not
KNOWN

# verdict EXPECTED NAME: judge $tmp/res, compare the verdict.
verdict() {
	got=$(awk -v kernel=6.1 -f "$top/tests/external/compare.awk" "$tmp/known" "$tmp/res" |
		sed -n 's/^verdict //p')
	if [ "$got" != "$1" ]; then
		echo "$2: verdict $got, expected $1"
		awk -v kernel=6.1 -f "$top/tests/external/compare.awk" "$tmp/known" "$tmp/res"
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
echo "compare.awk: 6 verdicts as expected"
