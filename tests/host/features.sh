#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Every feature bit of the uapi header has its name in the tool's one
# table of them (userspace/tools/status.c), which --query, status and status
# --json print from.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
fail=0
for f in $(sed -n 's/^#define \(CWP_FEATURE_[A-Z0-9_]*\)[[:space:]].*/\1/p' \
	"$top/include/uapi/linux/clone_with_pids.h"); do
	if ! grep -qE "\{ $f,[[:space:]]+\"[a-z0-9-]+\" \}" "$top/userspace/tools/status.c"; then
		echo "$f has no name in userspace/tools/status.c's feature_names[]"
		fail=1
	fi
done
exit $fail
