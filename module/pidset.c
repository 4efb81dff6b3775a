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
#include <linux/nsproxy.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/threads.h>
#include <linux/user_namespace.h>
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
 * cwp_init_ns_privileged() - may the caller choose pids anywhere? It has
 * CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE in the initial user namespace:
 * no per-user quota, no time limit on a list with a gap.
 */
bool cwp_init_ns_privileged(void)
{
	return ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN) ||
	       ns_capable_noaudit(&init_user_ns, CAP_CHECKPOINT_RESTORE);
}

/* The innermost chosen level of @p (which chooses one): its pid, its namespace in *@ns. */
pid_t cwp_pids_innermost(const struct cwp_pids *p, struct pid_namespace **ns)
{
	int i;

	*ns = p->children_ns;
	for (i = p->num - 1; !p->pids[i]; i--)
		*ns = (*ns)->parent;
	return p->pids[i];
}
