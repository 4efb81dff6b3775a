// SPDX-License-Identifier: GPL-2.0
/*
 * clone_with_pids: create processes and threads with the pids their
 * creator chooses, in every pid namespace, on stock kernels.
 */
#include <linux/module.h>

#include "cwp.h"

static int __init cwp_init(void)
{
	int ret;

	ret = cwp_ksyms_init();
	if (ret)
		return ret;
	ret = cwp_pidset_init();
	if (ret)
		goto err_ksyms;
	ret = cwp_hooks_init();
	if (ret)
		goto err_pidset;
	ret = cwp_dev_init();
	if (ret)
		goto err_hooks;
	pr_info("version %s loaded, /dev/%s (10:%d)\n", CWP_VERSION,
		CWP_DEVICE_NAME, CWP_MISC_MINOR);
	return 0;

err_hooks:
	cwp_hooks_exit();
err_pidset:
	cwp_pidset_exit();
err_ksyms:
	cwp_ksyms_exit();
	return ret;
}

static void __exit cwp_exit(void)
{
	cwp_dev_exit();
	cwp_hooks_exit();
	cwp_pidset_exit();
	cwp_ksyms_exit();
	pr_info("unloaded\n");
}

module_init(cwp_init);
module_exit(cwp_exit);

MODULE_DESCRIPTION("Create processes and threads with chosen pids in every pid namespace");
MODULE_AUTHOR("clone_with_pids developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(CWP_VERSION);
