// SPDX-License-Identifier: GPL-2.0
/*
 * clone_with_pids: create processes and threads with the pids their
 * creator chooses, in every pid namespace, on stock kernels.
 */
#include <linux/module.h>

#include "cwp.h"

/*
 * Init in the order of what depends on what: the quotas and the kernel's
 * internals first, the probes and the device (which make requests
 * reachable) last; exit in the reverse order.
 */
static int __init cwp_init(void)
{
	int ret;

	ret = cwp_quota_init();
	if (ret)
		return ret;
	ret = cwp_ksyms_init();
	if (ret)
		return ret;
	ret = cwp_request_init();
	if (ret)
		goto err_ksyms;
	ret = cwp_reserve_init();
	if (ret)
		goto err_request;
	cwp_debugfs_init();
	ret = cwp_divert_init();
	if (ret)
		goto err_debugfs;
	ret = cwp_probes_init();
	if (ret)
		goto err_divert;
	ret = cwp_dev_init();
	if (ret)
		goto err_probes;
	pr_info("version %s loaded, /dev/%s (10:%d), max_requests=%u user_requests=%u\n",
		CWP_VERSION, CWP_DEVICE_NAME, CWP_MISC_MINOR,
		cwp_quota_max_requests(), cwp_quota_user_requests());
	return 0;

err_probes:
	cwp_probes_exit();
err_divert:
	cwp_divert_exit();
err_debugfs:
	cwp_debugfs_exit();
	cwp_reserve_exit();
err_request:
	cwp_request_exit();
err_ksyms:
	cwp_ksyms_exit();
	return ret;
}

/*
 * No file is open: no request can be armed. The probes go first; a clone
 * in progress holds a module reference until it returns.
 */
static void __exit cwp_exit(void)
{
	cwp_dev_exit();
	cwp_probes_exit();
	cwp_request_exit();
	cwp_divert_exit();
	cwp_debugfs_exit();
	cwp_reserve_exit();
	cwp_ksyms_exit();
	pr_info("unloaded\n");
}

module_init(cwp_init);
module_exit(cwp_exit);

MODULE_DESCRIPTION("Create processes and threads with chosen pids in every pid namespace");
MODULE_AUTHOR("clone_with_pids developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(CWP_VERSION);
