#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print what each failed test of a VM log said (its CWP-OUT lines, the
# last 40 of each), for the end of a run, where a CI log cut to its tail
# still shows it.
#
#   failed-output.sh VM_LOG
set -eu

log=$1
tr -d '\r' < "$log" | sed -n 's/^CWP-TEST \(.*\) FAIL$/\1/p' | while read -r t; do
	echo "  --- $t"
	tr -d '\r' < "$log" | grep -aF "CWP-OUT $t: " | tail -n 40 | sed 's/^CWP-OUT /  /'
done
