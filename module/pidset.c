// SPDX-License-Identifier: GPL-2.0
/*
 * Pid sets: which pid goes to which pid namespace, who may ask for it, and
 * how the kernel's own allocation is made to hand it out.
 *
 * A request maps the caller's list (oldest namespace first, the last entry
 * in current->nsproxy->pid_ns_for_children) onto namespaces and is armed
 * for the calling task while kernel_clone() runs. alloc_pid() allocates one
 * number per level with idr_alloc_cyclic() on that namespace's idr; a kprobe
 * there diverts the call, for the levels of an armed request only, to
 * cwp_idr_alloc_exact(), which takes exactly the requested number with
 * idr_alloc() as alloc_pid() does for clone3()'s set_tid. Everything else
 * (flag checks, rollback of the levels already allocated, pidfs, pid 1 of
 * a new namespace) stays the kernel's own code.
 */
#include <linux/kernel.h>
#include <linux/capability.h>
#include <linux/hashtable.h>
#include <linux/idr.h>
#include <linux/kprobes.h>
#include <linux/nsproxy.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/threads.h>
#include <linux/uaccess.h>

#include "cwp.h"
#include "compat.h"

struct cwp_level {
	struct pid_namespace *ns;
	pid_t nr;
};

struct cwp_request {
	struct hlist_node node;
	struct rcu_head rcu;
	const struct task_struct *task;
	unsigned int nr_levels;
	struct cwp_level level[CWP_MAX_PIDS];
};

/* Armed requests, keyed by task; written under the lock, read under RCU. */
static DEFINE_HASHTABLE(cwp_requests, 8);
static DEFINE_SPINLOCK(cwp_requests_lock);
static atomic_t cwp_nr_armed = ATOMIC_INIT(0);

/*
 * cwp_request_create() - read and check a pid set for the calling task.
 * @uset: user pointer to the set, may be NULL
 *
 * Returns NULL when no pid is requested (no set, no entries, only zeros),
 * a request to arm, or an ERR_PTR: -EFAULT (unreadable set), -EINVAL (too
 * many entries, a pid out of range), -EPERM (a non-zero pid at a level
 * whose owning user namespace grants the caller neither CAP_SYS_ADMIN nor
 * CAP_CHECKPOINT_RESTORE), -ENOMEM. The pids are read once.
 */
struct cwp_request *cwp_request_create(const struct cwp_pid_set __user *uset)
{
	struct pid_namespace *ns;
	struct cwp_request *req;
	pid_t pids[CWP_MAX_PIDS];
	u32 num;
	int i;

	if (!uset)
		return NULL;
	if (get_user(num, &uset->num_pids))
		return ERR_PTR(-EFAULT);
	if (!num)
		return NULL;
	ns = current->nsproxy->pid_ns_for_children;
	if (num > CWP_MAX_PIDS || num > ns->level + 1)
		return ERR_PTR(-EINVAL);
	if (copy_from_user(pids, uset->pids, num * sizeof(pids[0])))
		return ERR_PTR(-EFAULT);
	for (i = 0; i < num; i++)
		if (pids[i] < 0 || pids[i] >= PID_MAX_LIMIT)
			return ERR_PTR(-EINVAL);

	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return ERR_PTR(-ENOMEM);

	/* pids[num - 1] is the pid in ns, pids[num - 2] in its parent, ... */
	for (i = num - 1; i >= 0; i--, ns = ns->parent) {
		if (!pids[i])
			continue;
		if (!checkpoint_restore_ns_capable(ns->user_ns)) {
			kfree(req);
			return ERR_PTR(-EPERM);
		}
		req->level[req->nr_levels].ns = ns;
		req->level[req->nr_levels].nr = pids[i];
		req->nr_levels++;
	}
	if (!req->nr_levels) {
		kfree(req);
		return NULL;
	}
	return req;
}

/*
 * cwp_request_arm() - make @req apply to the calling task's next pid
 * allocations. The namespaces it names stay pinned by the caller's nsproxy
 * until cwp_request_disarm(), which the same task calls.
 */
void cwp_request_arm(struct cwp_request *req)
{
	req->task = current;
	spin_lock(&cwp_requests_lock);
	hash_add_rcu(cwp_requests, &req->node, (unsigned long)current);
	atomic_inc(&cwp_nr_armed);
	spin_unlock(&cwp_requests_lock);
}

/* cwp_request_disarm() - withdraw and free @req. */
void cwp_request_disarm(struct cwp_request *req)
{
	spin_lock(&cwp_requests_lock);
	hash_del_rcu(&req->node);
	atomic_dec(&cwp_nr_armed);
	spin_unlock(&cwp_requests_lock);
	kfree_rcu(req, rcu);
}

static const struct cwp_request *cwp_request_find(const struct task_struct *task)
{
	struct cwp_request *req;

	hash_for_each_possible_rcu(cwp_requests, req, node, (unsigned long)task)
		if (req->task == task)
			return req;
	return NULL;
}

/*
 * Entered instead of idr_alloc_cyclic(&ns->idr, NULL, pid_min, pid_max, gfp)
 * from alloc_pid(), under pidmap_lock, with @nr in place of pid_min. The
 * checks are alloc_pid()'s for set_tid; a pid in use is EBUSY, as the
 * clone_with_pids() proposal said, where clone3() says EEXIST.
 */
static noinline int cwp_idr_alloc_exact(struct idr *idr, void *ptr, int nr,
					int pid_max, gfp_t gfp)
{
	struct pid_namespace *ns = container_of(idr, struct pid_namespace, idr);
	int ret;

	if (nr >= pid_max)
		return -EINVAL;
	/* Only pid 1 can come first in a namespace. */
	if (nr != 1 && !READ_ONCE(ns->child_reaper))
		return -EINVAL;
	ret = idr_alloc(idr, ptr, nr, nr + 1, gfp);
	if (ret == -ENOSPC)
		return -EBUSY;
	return ret;
}

static int cwp_idr_alloc_cyclic_pre(struct kprobe *kp, struct pt_regs *regs)
{
	const struct cwp_request *req;
	struct idr *idr;
	int ret = 0;
	int i;

	if (likely(!atomic_read(&cwp_nr_armed)))
		return 0;

	idr = (struct idr *)regs_get_kernel_argument(regs, 0);
	rcu_read_lock();
	req = cwp_request_find(current);
	for (i = 0; req && i < req->nr_levels; i++) {
		if (idr != &req->level[i].ns->idr)
			continue;
		cwp_regs_set_arg2(regs, req->level[i].nr);
		instruction_pointer_set(regs, (unsigned long)cwp_idr_alloc_exact);
		ret = 1;	/* resume at the new ip, skip the probed function */
		break;
	}
	rcu_read_unlock();
	return ret;
}

/*
 * Never called: a kprobe with a post handler is never turned into an
 * optimized (jump) probe, and only unoptimized probes resume at the ip a
 * pre handler sets. lib/ is built without ftrace, so this is an int3 probe.
 */
static void cwp_idr_alloc_cyclic_post(struct kprobe *kp, struct pt_regs *regs,
				      unsigned long flags)
{
}

static struct kprobe cwp_idr_kp = {
	.symbol_name	= "idr_alloc_cyclic",
	.pre_handler	= cwp_idr_alloc_cyclic_pre,
	.post_handler	= cwp_idr_alloc_cyclic_post,
};

/*
 * Prove on this kernel that the diversion takes effect, on a private idr
 * posing as a namespace's: with pid_max 7, asking for 7 must fail with
 * cwp_idr_alloc_exact()'s EINVAL (idr_alloc_cyclic() itself would say
 * ENOSPC); with room, it must give exactly 7.
 */
static int cwp_pidset_selftest(void)
{
	struct cwp_request *req;
	struct pid_namespace *ns;
	int small, exact;

	ns = kzalloc(sizeof(*ns), GFP_KERNEL);
	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!ns || !req) {
		kfree(ns);
		kfree(req);
		return -ENOMEM;
	}
	idr_init(&ns->idr);
	ns->child_reaper = current;
	req->level[0].ns = ns;
	req->level[0].nr = 7;
	req->nr_levels = 1;

	cwp_request_arm(req);
	small = idr_alloc_cyclic(&ns->idr, NULL, 1, 7, GFP_KERNEL);
	exact = idr_alloc_cyclic(&ns->idr, NULL, 1, 100, GFP_KERNEL);
	cwp_request_disarm(req);
	idr_destroy(&ns->idr);
	kfree(ns);

	if (small != -EINVAL || exact != 7) {
		pr_err("self-test: the pid allocation diversion does not take effect (%d, %d); refusing to load\n",
		       small, exact);
		return -EOPNOTSUPP;
	}
	return 0;
}

int cwp_pidset_init(void)
{
	int ret;

	/*
	 * The kprobe core calls the handler indirectly; the diversion enters
	 * cwp_idr_alloc_exact() by a return, which IBT does not check.
	 */
	if (!cwp_ibt_indirect_ok(cwp_idr_alloc_cyclic_pre) ||
	    !cwp_ibt_indirect_ok(cwp_idr_alloc_cyclic_post)) {
		pr_err("kprobe handler has no ENDBR on this IBT kernel; refusing to load\n");
		return -EOPNOTSUPP;
	}
	ret = register_kprobe(&cwp_idr_kp);
	if (ret) {
		pr_err("cannot probe idr_alloc_cyclic: register_kprobe() returned %d\n",
		       ret);
		return ret;
	}
	ret = cwp_pidset_selftest();
	if (ret)
		goto err_probe;
	return 0;

err_probe:
	unregister_kprobe(&cwp_idr_kp);
	return ret;
}

void cwp_pidset_exit(void)
{
	unregister_kprobe(&cwp_idr_kp);
	/* Requests are only armed while their task holds the device open. */
	WARN_ON_ONCE(atomic_read(&cwp_nr_armed));
}
