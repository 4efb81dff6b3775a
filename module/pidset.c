// SPDX-License-Identifier: GPL-2.0
/*
 * Pid sets: which pid goes to which pid namespace, and who may ask for it.
 *
 * The caller's list is ordered oldest namespace first and aligned to the
 * namespace its children go to (current->nsproxy->pid_ns_for_children):
 * the last entry is the pid there, the one before it the pid in its
 * parent, and so on. A request keeps, for each non-zero entry, the
 * namespace and the pid; zeros are left to the kernel.
 */
#include <linux/kernel.h>
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/module.h>
#include <linux/nsproxy.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/threads.h>
#include <linux/uaccess.h>

#include "cwp.h"

/*
 * cwp_request_create() - read and check a pid set for the calling task.
 * @uset:	user pointer to the set, may be NULL
 * @file:	the device file the request comes through
 *
 * Returns NULL when no pid is requested (no set, no entries, only zeros),
 * a request, or an ERR_PTR: -EFAULT (unreadable set), -EINVAL (more
 * entries than levels or than CWP_MAX_PIDS, a pid out of range), -EPERM
 * (a non-zero pid at a level whose owning user namespace grants the caller
 * neither CAP_SYS_ADMIN nor CAP_CHECKPOINT_RESTORE), -ENOMEM. The pids are
 * read once. The request pins the calling task and the namespace for its
 * children until it is freed (cwp_request_free(), cwp_request_put()).
 */
struct cwp_request *cwp_request_create(const struct cwp_pid_set __user *uset,
				       const struct file *file)
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
	req->children_ns = ns;

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

	/* The outer namespaces are pinned by their child, children_ns. */
	get_pid_ns(req->children_ns);
	req->task = get_task_struct(current);
	req->file = file;
	return req;
}

/*
 * cwp_request_pids_taken() - is one of @req's pids visibly in use already?
 *
 * A hint to fail fast: without it a clone of a busy pid copies the whole
 * process before alloc_pid() finds out. A pid freed just after this check
 * is refused all the same, as if the call had come a moment earlier; one
 * taken after it is caught by the allocation.
 */
bool cwp_request_pids_taken(const struct cwp_request *req)
{
	bool taken = false;
	int i;

	rcu_read_lock();
	for (i = 0; !taken && i < req->nr_levels; i++)
		taken = find_pid_ns(req->level[i].nr, req->level[i].ns);
	rcu_read_unlock();
	return taken;
}

static struct workqueue_struct *cwp_free_wq;

static void cwp_request_free_work(struct work_struct *work)
{
	struct cwp_request *req = container_of(to_rcu_work(work),
					       struct cwp_request, free_work);

	put_pid_ns(req->children_ns);
	put_task_struct(req->task);
	kfree(req);
}

/*
 * cwp_request_put() - free @req, out of the table, once no RCU reader can
 * see it any more. Callable from any context: the references are dropped
 * from a work item, since dropping the last one on a pid namespace may
 * sleep. Costly: for the rare paths (exit, release, unload).
 */
void cwp_request_put(struct cwp_request *req)
{
	INIT_RCU_WORK(&req->free_work, cwp_request_free_work);
	queue_rcu_work(cwp_free_wq, &req->free_work);
}

/*
 * cwp_request_free() - the same, from process context: the references go
 * at once (probes only compare the namespaces' addresses, never follow
 * them), the memory after a grace period.
 */
void cwp_request_free(struct cwp_request *req)
{
	might_sleep();
	put_pid_ns(req->children_ns);
	put_task_struct(req->task);
	kfree_rcu(req, rcu);
}

int cwp_pidset_init(void)
{
	cwp_free_wq = alloc_workqueue("clone_with_pids", WQ_UNBOUND, 0);
	return cwp_free_wq ? 0 : -ENOMEM;
}

/* Waits for every pending free: call once no request can be created. */
void cwp_pidset_exit(void)
{
	rcu_barrier();		/* queue_rcu_work() still in its grace period */
	destroy_workqueue(cwp_free_wq);
}
