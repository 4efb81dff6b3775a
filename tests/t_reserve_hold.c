// SPDX-License-Identifier: GPL-2.0
/*
 * Reserving and releasing thousands of sets holds cwp_lock, the raw
 * spinlock every CPU's probes take (a spinning lock even on PREEMPT_RT),
 * for a bounded time: the work goes in batches, so the longest hold of a
 * call of 4,096 sets is about that of a call of 64 (debugfs
 * stat_reserve_hold_max_ns), where one long hold would be 64 times it.
 */
#include "t.h"

#include <fcntl.h>

#define STAT	"/sys/kernel/debug/clone_with_pids/stat_reserve_hold_max_ns"

static const struct pid_set *sets[CWP_MAX_RESERVE_SETS];
static struct t_set one[CWP_MAX_RESERVE_SETS];

/* Reserve @n sets {2}, {3}, ... and release them all: the longest hold, in ns. */
static long long hold(unsigned int n)
{
	long long ns;
	FILE *f;

	t_write_file(STAT, "0");
	T_ASSERT(!clone_with_pids_reserve(sets, n, NULL, NULL), "reserve %u sets: %s", n,
		 strerror(errno));
	T_ASSERT(t_nr_reserved() == n, "%u sets reserved, not %u", t_nr_reserved(), n);
	T_ASSERT(!clone_with_pids_release(sets, n), "release %u sets one by one: %s", n,
		 strerror(errno));
	T_ASSERT(!clone_with_pids_reserve(sets, n, NULL, NULL), "reserve %u sets: %s", n,
		 strerror(errno));
	T_ASSERT(!clone_with_pids_release(NULL, 0), "release all: %s", strerror(errno));
	f = fopen(STAT, "r");
	T_ASSERT(f && fscanf(f, "%lld", &ns) == 1, "read %s", STAT);
	fclose(f);
	return ns;
}

int main(void)
{
	unsigned long long features;
	long long h64 = -1, hmax = -1, h;
	unsigned int i;

	/* A pool with room for 4,096 reserved sets. */
	t_module_reload("max_requests=8192");
	if (clone_with_pids_query(&features) < 0 || !(features & CWP_FEATURE_RESERVE))
		t_skip("the module cannot reserve pids on this kernel");
	t_need_debugfs(STAT);
	/* Pids 2 to 4097 of a pid namespace of our own. */
	t_nest(1);
	for (i = 0; i < CWP_MAX_RESERVE_SETS; i++)
		sets[i] = t_set(&one[i], 1, 2 + i);
	/* The least of three: the longest hold, without a stray interrupt's time. */
	for (i = 0; i < 3; i++) {
		h = hold(64);
		h64 = h64 < 0 || h < h64 ? h : h64;
		h = hold(CWP_MAX_RESERVE_SETS);
		hmax = hmax < 0 || h < hmax ? h : hmax;
	}
	printf("stat: longest hold of cwp_lock reserving and releasing 64 sets %lld ns, %d sets %lld ns\n",
	       h64, CWP_MAX_RESERVE_SETS, hmax);
	T_ASSERT(hmax < 8 * h64 + 200000, "%d sets held cwp_lock %lld ns, 64 sets %lld ns",
		 CWP_MAX_RESERVE_SETS, hmax, h64);
	return T_PASS;
}
