// SPDX-License-Identifier: GPL-2.0
/*
 * Pid sets: which pid goes to which pid namespace, and who may ask for it.
 *
 * The caller's list is ordered oldest namespace first and aligned to the
 * namespace its children go to (current->nsproxy->pid_ns_for_children):
 * the last entry is the pid there, the one before it the pid in its
 * parent, and so on. Zeros are left to the kernel.
 */
#include <linux/kernel.h>
#include <linux/capability.h>
#include <linux/cred.h>
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
 * cwp_pids_read() - read and check a pid set for the calling task.
 * @uset:	user pointer to the set, may be NULL
 * @p:		the set, read once
 *
 * Returns 0 (p->nr_chosen is 0 when no pid is requested: no set, no
 * entries, only zeros), -EFAULT (unreadable set), -EINVAL (more entries
 * than levels or than CWP_MAX_PIDS, a pid out of range) or -EPERM (a
 * non-zero pid at a level whose owning user namespace grants the caller
 * neither CAP_SYS_ADMIN nor CAP_CHECKPOINT_RESTORE). @p refers to the
 * namespace for the caller's children without holding it: use it before
 * the caller can change namespaces, or make a request of it.
 */
int cwp_pids_read(const struct cwp_pid_set __user *uset, struct cwp_pids *p)
{
	struct pid_namespace *ns;
	bool gap = false;
	int i;

	p->num = 0;
	p->nr_chosen = 0;
	if (!uset)
		return 0;
	if (get_user(p->num, &uset->num_pids))
		return -EFAULT;
	if (!p->num)
		return 0;
	ns = current->nsproxy->pid_ns_for_children;
	p->children_ns = ns;
	if (p->num > CWP_MAX_PIDS || p->num > ns->level + 1)
		return -EINVAL;
	if (copy_from_user(p->pids, uset->pids, p->num * sizeof(p->pids[0])))
		return -EFAULT;
	for (i = 0; i < p->num; i++)
		if (p->pids[i] < 0 || p->pids[i] >= PID_MAX_LIMIT)
			return -EINVAL;

	/* pids[num - 1] is the pid in ns, pids[num - 2] in its parent, ... */
	p->set_tid_ok = true;
	for (i = p->num - 1; i >= 0; i--, ns = ns->parent) {
		if (!p->pids[i]) {
			gap = true;
			continue;
		}
		if (gap)
			p->set_tid_ok = false;
		if (!checkpoint_restore_ns_capable(ns->user_ns))
			return -EPERM;
		p->nr_chosen++;
	}
	return 0;
}

/*
 * cwp_pids_set_tid() - @p as clone3()'s set_tid: innermost level first.
 * Only for p->set_tid_ok. Returns the number of entries.
 */
unsigned int cwp_pids_set_tid(const struct cwp_pids *p, pid_t *set_tid)
{
	unsigned int i;

	for (i = 0; i < p->nr_chosen; i++)
		set_tid[i] = p->pids[p->num - 1 - i];
	return p->nr_chosen;
}

/*
 * cwp_pids_taken() - is one of @p's pids visibly in use already?
 *
 * A hint to fail fast: without it a clone of a busy pid copies the whole
 * process before alloc_pid() finds out. A pid freed just after this check
 * is refused all the same, as if the call had come a moment earlier; one
 * taken after it is caught by the allocation.
 */
bool cwp_pids_taken(const struct cwp_pids *p)
{
	struct pid_namespace *ns = p->children_ns;
	bool taken = false;
	int i;

	rcu_read_lock();
	for (i = p->num - 1; !taken && i >= 0; i--, ns = ns->parent)
		taken = p->pids[i] && find_pid_ns(p->pids[i], ns);
	rcu_read_unlock();
	return taken;
}

/*
 * cwp_request_create() - a request for the calling task's next clone, of
 * the pids in @p (which chooses at least one), made through @file. It
 * pins the task, its credentials and the namespace for its children until
 * it is freed (cwp_request_free(), cwp_request_put()). Returns NULL when
 * out of memory.
 */
struct cwp_request *cwp_request_create(const struct cwp_pids *p,
				       const struct file *file)
{
	struct pid_namespace *ns = p->children_ns;
	struct cwp_request *req;
	int i;

	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return NULL;
	for (i = p->num - 1; i >= 0; i--, ns = ns->parent) {
		if (!p->pids[i])
			continue;
		req->level[req->nr_levels].ns = ns;
		req->level[req->nr_levels].nr = p->pids[i];
		req->nr_levels++;
	}
	if (p->set_tid_ok) {
		req->set_tid[0] = 1;
		req->set_tid_size = cwp_pids_set_tid(p, &req->set_tid[1]);
	}

	/* The outer namespaces are pinned by their child, children_ns. */
	req->children_ns = get_pid_ns(p->children_ns);
	req->task = get_task_struct(current);
	req->cred = get_current_cred();
	req->file = file;
	return req;
}

static struct workqueue_struct *cwp_free_wq;

static void cwp_request_free_work(struct work_struct *work)
{
	struct cwp_request *req = container_of(to_rcu_work(work),
					       struct cwp_request, free_work);

	put_pid_ns(req->children_ns);
	put_task_struct(req->task);
	put_cred(req->cred);
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
	put_cred(req->cred);
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
