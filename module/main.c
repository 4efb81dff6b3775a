// SPDX-License-Identifier: GPL-2.0
/*
 * clone_with_pids: create processes and threads with the pids their
 * creator chooses, in every pid namespace, on stock kernels.
 */
#include <linux/debugfs.h>
#include <linux/module.h>

#include "cwp.h"

static struct dentry *cwp_debugfs;

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
	ret = cwp_divert_init();
	if (ret)
		goto err_reserve;
	cwp_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	cwp_request_debugfs(cwp_debugfs);
	cwp_reserve_debugfs(cwp_debugfs);
	ret = cwp_probes_init(cwp_debugfs);
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
	debugfs_remove_recursive(cwp_debugfs);
	cwp_divert_exit();
err_reserve:
	cwp_reserve_exit();
err_request:
	cwp_request_exit();
err_ksyms:
	cwp_ksyms_exit();
	return ret;
}

static void __exit cwp_exit(void)
{
	cwp_dev_exit();
	cwp_probes_exit();
	debugfs_remove_recursive(cwp_debugfs);
	cwp_request_exit();
	cwp_reserve_exit();
	cwp_divert_exit();
	cwp_ksyms_exit();
	pr_info("unloaded\n");
}

module_init(cwp_init);
module_exit(cwp_exit);

MODULE_DESCRIPTION("Create processes and threads with chosen pids in every pid namespace");
MODULE_AUTHOR("clone_with_pids developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(CWP_VERSION);
