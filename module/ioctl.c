// SPDX-License-Identifier: GPL-2.0
/*
 * The misc device /dev/clone_with_pids and its ioctls.
 *
 * Opening the device grants nothing: each request is checked against the
 * credentials and namespaces of the task making it, so the node is 0666.
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/compat.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "cwp.h"
#include "compat.h"

#define CWP_IOC_BASE(cmd)	((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))

/*
 * Copy an extensible argument: the first __u64 is the caller's size. A
 * smaller known size reads the rest as zero; a larger one must carry only
 * zeros past what the module knows (E2BIG otherwise), as clone3().
 */
static int cwp_copy_args(void *dst, size_t ksize, const void __user *src,
			 size_t min_size)
{
	u64 usize;
	int ret;

	if (get_user(usize, (const u64 __user *)src))
		return -EFAULT;
	if (usize < min_size)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	ret = copy_struct_from_user(dst, ksize, src, usize);
	if (ret)
		return ret;
	/* The size may have changed under us: keep the one we checked. */
	*(u64 *)dst = usize;
	return 0;
}

static long cwp_ioctl_query(struct cwp_query __user *uq)
{
	struct cwp_query q;
	int ret;

	ret = cwp_copy_args(&q, sizeof(q), uq, CWP_QUERY_SIZE_VER0);
	if (ret)
		return ret;
	if (memchr_inv(&q.abi_version, 0, sizeof(q) - offsetof(struct cwp_query, abi_version)))
		return -EINVAL;

	q.size = min_t(u64, q.size, sizeof(q));
	q.abi_version = CWP_ABI_VERSION;
	q.max_pids = CWP_MAX_PIDS;
	q.features = CWP_FEATURE_CLONE | CWP_FEATURE_CHECKPOINT_RESTORE |
		     CWP_FEATURE_SET_NEXT | CWP_FEATURE_QUOTA | CWP_FEATURE_MONITORS |
		     CWP_FEATURE_SET_NEXT_LIST;
	if (cwp_divert_usable())
		q.features |= CWP_FEATURE_ZERO_ANY_LEVEL;
	if (cwp_reserve_usable())
		q.features |= CWP_FEATURE_RESERVE;
	q.ibt = cwp_ibt_verdict();
	q.call_method = CWP_CALL_METHOD;
	q.nr_requests = cwp_sets_armed();
	q.max_requests = cwp_quota_max_requests();
	q.user_requests = cwp_quota_user_requests();
	q.divert_ttl_ms = cwp_quota_divert_ttl_ms();
	q.mem_bytes = cwp_requests_mem() + cwp_quota_mem() + cwp_probes_mem() +
		      cwp_reserve_mem();
	q.monitors = cwp_monitors();
	q.nr_reserved = cwp_reserved();
	if (copy_to_user(uq, &q, q.size))
		return -EFAULT;
	return 0;
}

/*
 * Arm @req for the calling task, with the diversion probes ready for it
 * if it needs them; on failure @req is freed. Returns 0, -EOPNOTSUPP (a
 * set needs the diversion, which failed its verification), -EAGAIN (a
 * quota is reached), or the error of arming the probes or the request.
 */
static int cwp_arm(struct cwp_request *req)
{
	bool divert = cwp_request_uses_divert(req);
	int ret;

	if (divert) {
		ret = -EOPNOTSUPP;
		if (!cwp_divert_usable())
			goto err;
		/* Arming the probes costs every fork: not for a caller over quota. */
		ret = -EAGAIN;
		if (cwp_request_over_quota(req))
			goto err;
		ret = cwp_divert_get();
		if (ret)
			goto err;
	}
	ret = cwp_request_arm(req);
	if (divert)
		cwp_divert_got();
	if (ret)
		goto err;
	return 0;

err:
	cwp_request_free(req);
	return ret;
}

/* Arm @p (which chooses a pid) for the calling task's next clone. */
static int cwp_arm_pids(const struct cwp_pids *p, struct cwp_file *owner)
{
	struct cwp_request *req;

	req = cwp_request_create(p, owner);
	if (!req)
		return -ENOMEM;
	return cwp_arm(req);
}

static long cwp_ioctl_clone(struct file *file, struct cwp_clone_args __user *uargs)
{
	struct kernel_clone_args kargs = {};
	pid_t set_tids[CWP_MAX_PIDS];
	struct cwp_clone_args args;
	struct cwp_pids pids;
	bool poisoned, set_tid = false;
	pid_t ret;

	ret = cwp_copy_args(&args, sizeof(args), uargs, CWP_CLONE_ARGS_SIZE_VER0);
	if (ret)
		return ret;
	if (args.cwp_flags || args.pad)
		return -EINVAL;
	/* clone() takes an int: bits it cannot carry are unknown flags. */
	if (upper_32_bits(args.flags))
		return -EINVAL;
	/*
	 * seccomp filters, ptrace's syscall stops, audit and syscall
	 * tracepoints see clone() system calls and must not be bypassed: the
	 * module creates no task for a monitored caller, which arms the pids
	 * with CWP_IOC_SET_NEXT and calls clone() itself.
	 */
	if (cwp_monitors())
		return -EPERM;
	/* The restart of an interrupted one owed an error fails here. */
	ret = cwp_request_restart_check();
	if (ret)
		return ret;

	ret = cwp_pids_read(u64_to_user_ptr(args.pid_set), &pids);
	if (ret)
		return ret;
	if (pids.nr_chosen && cwp_pids_taken(&pids))
		return -EBUSY;

	/* Exactly what the clone() system call passes to kernel_clone(). */
	kargs.flags = lower_32_bits(args.flags) & ~CSIGNAL;
	kargs.pidfd = u64_to_user_ptr(args.parent_tid);
	kargs.child_tid = u64_to_user_ptr(args.child_tid);
	kargs.parent_tid = u64_to_user_ptr(args.parent_tid);
	kargs.exit_signal = lower_32_bits(args.flags) & CSIGNAL;
	kargs.stack = args.stack;
	kargs.tls = args.tls;

	if (pids.nr_chosen && pids.set_tid_ok && !(kargs.flags & CLONE_NEWPID) &&
	    !cwp_reserve_matches(file->private_data, &pids)) {
		/*
		 * The usual restore: clone3()'s set_tid carries the pids, and
		 * alloc_pid() takes them itself, probes or not. Pids armed
		 * before are replaced, as by a request.
		 */
		if (cwp_requests_exist()) {
			ret = cwp_request_cancel();
			if (ret < 0)
				return ret;
		}
		kargs.set_tid = set_tids;
		kargs.set_tid_size = cwp_pids_set_tid(&pids, set_tids);
		set_tid = true;
	} else if (pids.nr_chosen) {
		if (!cwp_probes_live())
			return -EOPNOTSUPP;
		ret = cwp_arm_pids(&pids, file->private_data);
		if (ret)
			return ret;
	}
	/*
	 * The clone takes the request we armed, or one armed before with
	 * CWP_IOC_SET_NEXT: it fails unless the probe activates it.
	 */
	poisoned = cwp_requests_exist() && cwp_request_for_ioctl(&kargs);

	/*
	 * A CLONE_FILES child may close our descriptor while we still run:
	 * hold our own reference on the file, and so on the module.
	 */
	get_file(file);
	ret = cwp_kernel_clone(&kargs);
	if (ret == -EEXIST && kargs.set_tid_size)
		ret = -EBUSY;	/* clone3() says EEXIST; this interface EBUSY */
	/*
	 * The request is consumed, or kept for the restart of this ioctl
	 * (ERESTARTNOINTR), or a list's next set is armed after the task
	 * this clone created. Still the ioctl's after a failure: the probe
	 * did not take the poisoned clone.
	 */
	if (poisoned && ret < 0 && ret != -ERESTARTNOINTR && cwp_request_unclaimed()) {
		pr_warn_once("kernel_clone() ran without the module's probe (kprobes disarmed?): refused (EOPNOTSUPP)\n");
		ret = -EOPNOTSUPP;
	}
	/* Pids set_tid carried, without a request: the restart is marked. */
	if (set_tid && ret == -ERESTARTNOINTR)
		ret = cwp_request_await_restart() ?: -ERESTARTNOINTR;
	fput(file);
	return ret;
}

static long cwp_ioctl_set_next(struct file *file, struct cwp_next_args __user *uargs)
{
	struct cwp_next_args args;
	struct cwp_pids pids;
	int ret;

	ret = cwp_copy_args(&args, sizeof(args), uargs, CWP_NEXT_ARGS_SIZE_VER0);
	if (ret)
		return ret;
	if (args.cwp_flags || args.pad)
		return -EINVAL;

	ret = cwp_pids_read(u64_to_user_ptr(args.pid_set), &pids);
	if (ret)
		return ret;
	if (!pids.nr_chosen) {
		ret = cwp_request_cancel();
		return ret < 0 ? ret : 0;
	}
	/* No probe would see the clone: the kernel would choose its pids. */
	if (!cwp_probes_live())
		return -EOPNOTSUPP;
	return cwp_arm_pids(&pids, file->private_data);
}

/* Read the sets of a CWP_IOC_SET_NEXT_LIST, each choosing a pid. */
static int cwp_read_list(const struct cwp_next_list_args *args, struct cwp_queued *queue,
			 u32 *err_set)
{
	const u64 __user *usets = u64_to_user_ptr(args->sets);
	u64 uset;
	u32 i;
	int ret;

	for (i = 0; i < args->nr_sets; i++) {
		*err_set = i;
		if (get_user(uset, &usets[i]))
			return -EFAULT;
		ret = cwp_pids_read(u64_to_user_ptr(uset), &queue[i].p);
		if (ret)
			return ret;
		if (!queue[i].p.nr_chosen)
			return -EINVAL;
	}
	*err_set = ~0U;
	return 0;
}

static long cwp_ioctl_set_next_list(struct file *file,
				    struct cwp_next_list_args __user *uargs)
{
	struct cwp_next_list_args args;
	struct cwp_queued *queue;
	struct cwp_request *req;
	int ret;

	ret = cwp_copy_args(&args, sizeof(args), uargs, CWP_NEXT_LIST_ARGS_SIZE_VER0);
	if (ret)
		return ret;
	if (args.cwp_flags || args.err_set || args.pad ||
	    args.nr_sets > CWP_MAX_NEXT_SETS)
		return -EINVAL;
	if (!args.nr_sets) {
		ret = cwp_request_cancel();
		return ret < 0 ? ret : 0;
	}
	/* No probe would see the clones: the kernel would choose their pids. */
	if (!cwp_probes_live())
		return -EOPNOTSUPP;

	queue = kvmalloc_array(args.nr_sets, sizeof(*queue), GFP_KERNEL_ACCOUNT);
	if (!queue)
		return -ENOMEM;
	ret = cwp_read_list(&args, queue, &args.err_set);
	if (put_user(args.err_set, &uargs->err_set) && !ret)
		ret = -EFAULT;
	if (ret) {
		kvfree(queue);
		return ret;
	}
	/* It takes the queue. */
	req = cwp_request_create_list(queue, args.nr_sets, file->private_data);
	if (!req)
		return -ENOMEM;
	return cwp_arm(req);
}

/* CWP_IOC_RESERVE, or CWP_IOC_RELEASE when !@reserve. */
static long cwp_ioctl_reserve(struct file *file, struct cwp_reserve_args __user *uargs,
			      bool reserve)
{
	struct cwp_reserve_args args;
	int ret;

	ret = cwp_copy_args(&args, sizeof(args), uargs, CWP_RESERVE_ARGS_SIZE_VER0);
	if (ret)
		return ret;
	if (args.cwp_flags || args.nr_sets > CWP_MAX_RESERVE_SETS)
		return -EINVAL;
	if (!reserve)
		return cwp_reserve_release(file->private_data, &args);
	ret = cwp_reserve(file->private_data, &args);
	if (put_user(args.busy_set, &uargs->busy_set) ||
	    put_user(args.busy_index, &uargs->busy_index))
		return ret ? ret : -EFAULT;
	return ret;
}

static int cwp_open(struct inode *inode, struct file *file)
{
	struct cwp_file *cf;

	cf = kzalloc(sizeof(*cf), GFP_KERNEL);
	if (!cf)
		return -ENOMEM;
	INIT_LIST_HEAD(&cf->requests);
	INIT_LIST_HEAD(&cf->reservations);
	file->private_data = cf;
	return nonseekable_open(inode, file);
}

static int cwp_release(struct inode *inode, struct file *file)
{
	struct cwp_file *cf = file->private_data;

	cwp_request_file_closed(cf);
	cwp_reserve_file_closed(cf);
	kfree(cf);
	return 0;
}

static long cwp_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (CWP_IOC_BASE(cmd)) {
	case CWP_IOC_BASE(CWP_IOC_QUERY):
		return cwp_ioctl_query(uarg);
	case CWP_IOC_BASE(CWP_IOC_CLONE):
		return cwp_ioctl_clone(file, uarg);
	case CWP_IOC_BASE(CWP_IOC_SET_NEXT):
		return cwp_ioctl_set_next(file, uarg);
	case CWP_IOC_BASE(CWP_IOC_RESERVE):
		return cwp_ioctl_reserve(file, uarg, true);
	case CWP_IOC_BASE(CWP_IOC_RELEASE):
		return cwp_ioctl_reserve(file, uarg, false);
	case CWP_IOC_BASE(CWP_IOC_SET_NEXT_LIST):
		return cwp_ioctl_set_next_list(file, uarg);
	}
	return -ENOTTY;
}

static const struct file_operations cwp_fops = {
	.owner		= THIS_MODULE,
	.open		= cwp_open,
	.release	= cwp_release,
	.unlocked_ioctl	= cwp_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice cwp_misc = {
	.minor	= CWP_MISC_MINOR,
	.name	= CWP_DEVICE_NAME,
	.fops	= &cwp_fops,
	.mode	= 0666,
};

int cwp_dev_init(void)
{
	int ret;

	ret = misc_register(&cwp_misc);
	if (ret)
		pr_err("cannot register misc device 10:%d: %d\n",
		       CWP_MISC_MINOR, ret);
	return ret;
}

void cwp_dev_exit(void)
{
	misc_deregister(&cwp_misc);
}

MODULE_ALIAS_MISCDEV(CWP_MISC_MINOR);
MODULE_ALIAS("devname:" CWP_DEVICE_NAME);
