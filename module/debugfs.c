// SPDX-License-Identifier: GPL-2.0
/*
 * What the tests see of the module in debugfs (clone_with_pids/): its
 * counters, which show that storms made clones restart and that undone
 * clones gave reserved pids back, and fault injection for its safety
 * nets. The counters are written by the files that count; nothing here
 * depends on another file of the module.
 */
#include <linux/kernel.h>
#include <linux/atomic.h>
#include <linux/debugfs.h>

#include "cwp.h"

atomic_t cwp_stat_restarts = ATOMIC_INIT(0);	/* clones kept for their restart */
atomic_t cwp_stat_resv_back = ATOMIC_INIT(0);	/* reserved clones undone, given back */
u64 cwp_stat_resv_hold_max;			/* ns: longest cwp_lock hold reserving */
u32 cwp_stat_resv_batch_max;			/* most sets under one such hold */

static atomic_t cwp_injected[CWP_INJECT_NR];
static struct dentry *cwp_debugfs;

/* Consume one injected fault of kind @what, if the tests asked for one. */
bool cwp_inject(int what)
{
	return unlikely(atomic_read(&cwp_injected[what])) &&
	       atomic_add_unless(&cwp_injected[what], -1, 0);
}

void cwp_debugfs_init(void)
{
	cwp_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_atomic_t("stat_restarts", 0400, cwp_debugfs, &cwp_stat_restarts);
	debugfs_create_atomic_t("stat_reservations_back", 0400, cwp_debugfs,
				&cwp_stat_resv_back);
	debugfs_create_u64("stat_reserve_hold_max_ns", 0600, cwp_debugfs,
			   &cwp_stat_resv_hold_max);
	debugfs_create_u32("stat_reserve_batch_max", 0600, cwp_debugfs,
			   &cwp_stat_resv_batch_max);
	debugfs_create_atomic_t("inject_skip_divert", 0600, cwp_debugfs,
				&cwp_injected[CWP_INJECT_SKIP_DIVERT]);
	debugfs_create_atomic_t("inject_miss_entry", 0600, cwp_debugfs,
				&cwp_injected[CWP_INJECT_MISS_ENTRY]);
	debugfs_create_atomic_t("inject_stale_arm", 0600, cwp_debugfs,
				&cwp_injected[CWP_INJECT_STALE_ARM]);
}

void cwp_debugfs_exit(void)
{
	debugfs_remove_recursive(cwp_debugfs);
}
