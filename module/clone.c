// SPDX-License-Identifier: GPL-2.0
/*
 * A clone of a task with a request, in probe context: the steps the
 * kernel's own clone path takes it through, from the probes of probes.c
 * and divert.c.
 *
 *   kernel_clone() entry	cwp_clone_activate(): the armed request is
 *				the clone's (ACTIVE), its pids as set_tid or
 *				for the diversion, its reservation claimed
 *   alloc_pid()		cwp_clone_divert_nr(), cwp_clone_keep_nr():
 *				the numbers of a diverted clone
 *   cgroup_can_fork()		cwp_clone_verify(): the child has exactly the
 *				chosen pids, or the clone fails
 *   kernel_clone() return	cwp_clone_finish(): the request is consumed,
 *				kept for the restart, or its list's next set
 *				armed
 *   do_exit()			cwp_clone_task_exit(): the task's request goes
 *
 * Handlers run with preemption disabled (the diversion's in the breakpoint
 * handler, with interrupts off): they take the raw cwp_lock, or read the
 * table under RCU, and never sleep, allocate or free.
 */
#include <linux/kernel.h>
#include <linux/cred.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/nsproxy.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <asm/syscall.h>

#include "cwp.h"
#include "compat.h"

/*
 * cwp_clone_activate() - the calling task's kernel_clone(@args) starts:
 * hand it the task's armed request, if it has one meant for this clone.
 * Returns 0 when the return handler must run (it holds a module
 * reference): the request is active, or the clone is a restart owed an
 * error, which *@force_err then holds. Returns 1 otherwise. A request
 * that cannot be used makes the clone fail at once (cwp_clone_poison())
 * with its error. Preemption disabled.
 */
int cwp_clone_activate(struct kernel_clone_args *args, int *force_err)
{
	struct cwp_request *req;
	bool newpid;
	int err = 0;
	int ret = 1;

	*force_err = 0;
	if (likely(!atomic_read(&cwp_nr_live) && !atomic_read(&cwp_nr_owed)))
		return 1;

	raw_spin_lock(&cwp_lock);
	req = cwp_request_find(current);
	if (!req)
		goto out;
	/* Armed by the program this task ran before execve(): not for this one. */
	if (req->exec_id != READ_ONCE(current->self_exec_id)) {
		cwp_restart_unowe(req);
		cwp_request_end(req);
		goto out;
	}
	if (cwp_restart_owed_here(req)) {
		/*
		 * The restart of a clone whose pids another call of this task
		 * replaced or dropped meanwhile: it fails, before anything is
		 * done. The request's pin holds the module for the reference.
		 */
		__module_get(THIS_MODULE);
		cwp_restart_unowe(req);
		req->ioctl = false;
		cwp_clone_poison(args);
		*force_err = -EINTR;
		ret = 0;
		goto out;
	}
	if (req->state != CWP_REQ_ARMED && req->state != CWP_REQ_EXPIRED)
		goto out;
	if (cwp_inject(CWP_INJECT_MISS_ENTRY))
		goto out;
	/* Kept for an interrupted clone: this is another one. */
	if (cwp_restart_elsewhere(req))
		goto out;
	/* Only a forced unload fails here: no return handler may run. */
	if (req->pinned) {
		__module_get(THIS_MODULE);
	} else if (!try_module_get(THIS_MODULE)) {
		cwp_clone_poison(args);
		goto out;
	}
	cwp_restart_forget(req);

	/* CWP_IOC_CLONE's own call: its flags, which it poisoned. */
	if (req->ioctl)
		args->flags = req->ioctl_flags;
	req->ioctl = false;
	/*
	 * The list was aligned to the namespace for children and its
	 * privileges checked with the credentials of the time it was armed;
	 * pids come from one source only: clone3()'s set_tid and an armed
	 * request together are refused.
	 */
	if (req->state == CWP_REQ_EXPIRED)
		err = -ETIME;
	else if (args->set_tid_size ||
		 current->nsproxy->pid_ns_for_children != req->children_ns)
		err = -EINVAL;
	else if (current_cred() != req->cred)
		err = -EPERM;
	req->error = err;
	req->args = args;
	req->via_set_tid = false;
	req->diverting = false;
	if (err) {
		cwp_clone_poison(args);
	} else if (req->set_tid_size) {
		/* A new namespace's level comes first: its pid 1. */
		newpid = args->flags & CLONE_NEWPID;
		args->set_tid = newpid ? req->set_tid : &req->set_tid[1];
		args->set_tid_size = req->set_tid_size + newpid;
		req->via_set_tid = true;
	} else {
		req->diverting = true;
		req->next_level = 0;
		req->nr_diverted = 0;
		if (req->cover)
			req->resv = cwp_reserve_claim(req->cover);
	}
	WRITE_ONCE(req->state, CWP_REQ_ACTIVE);
	ret = 0;
out:
	raw_spin_unlock(&cwp_lock);
	return ret;
}

/*
 * cwp_clone_finish() - the calling task's kernel_clone() returns (@regs
 * hold its return value) with its request active. ERESTARTNOINTR (a
 * signal came before anything was copied, and the system call will be
 * made again) keeps the request for that restart; a clone that created
 * its task arms the next set of a list (of a file not released); anything
 * else consumes it. alloc_pid() reports a set_tid pid in use as EEXIST: this interface
 * says EBUSY. Preemption disabled.
 */
void cwp_clone_finish(struct pt_regs *regs)
{
	int ret = (int)regs_return_value(regs);
	struct cwp_request *req;

	raw_spin_lock(&cwp_lock);
	req = cwp_request_find(current);
	if (req && req->state == CWP_REQ_ACTIVE) {
		req->args = NULL;
		req->diverting = false;
		if (req->resv) {
			cwp_reserve_done(req->resv, ret > 0);
			req->resv = NULL;
		}
		if (ret == -ERESTARTNOINTR && !req->error) {
			atomic_inc(&cwp_stat_restarts);
			cwp_restart_await(req);
			WRITE_ONCE(req->state, CWP_REQ_ARMED);
		} else if (ret > 0 && !req->error && req->owner &&
			   req->queue_pos < req->nr_queued) {
			/* (A list whose file was released meanwhile ends here.) */
			cwp_request_next(req);
		} else {
			cwp_request_end(req);
			if (req->error)
				regs_set_return_value(regs, req->error);
			else if (req->via_set_tid && ret == -EEXIST)
				regs_set_return_value(regs, -EBUSY);
		}
	}
	raw_spin_unlock(&cwp_lock);
}

/*
 * cwp_clone_divert_nr() - alloc_pid() of the calling task's clone
 * allocates a number in @idr, below @pid_max: the number its active
 * request chose there, or 0; *@reserved says whether the clone's
 * reservation hands it over. A number at or above @pid_max is not handed
 * (alloc_pid() would not keep it, nor give it back: see reserve.c), and
 * the allocation fails. alloc_pid() goes from the innermost level
 * outwards, in the order of req->level[]: the search starts after the
 * last match (and comes back to it when alloc_pid() retries a level).
 * Breakpoint context.
 */
pid_t cwp_clone_divert_nr(const struct idr *idr, int pid_max, bool *reserved)
{
	struct cwp_request *req;
	unsigned int i, k;
	pid_t nr = 0;

	*reserved = false;
	if (likely(!atomic_read(&cwp_nr_live)))
		return 0;
	rcu_read_lock();
	req = cwp_request_find(current);
	if (req && READ_ONCE(req->state) == CWP_REQ_ACTIVE && req->diverting) {
		for (k = 0; !nr && k < req->nr_levels; k++) {
			i = (req->next_level + k) % req->nr_levels;
			if (idr == &req->level[i].ns->idr) {
				nr = req->level[i].nr;
				req->next_level = i + 1;
			}
		}
		if (nr && cwp_inject(CWP_INJECT_SKIP_DIVERT)) {
			nr = 0;
		} else if (nr) {
			req->nr_diverted++;
			if (req->resv && nr < pid_max)
				*reserved = cwp_reserve_hand(req->resv, idr, nr);
		}
	}
	rcu_read_unlock();
	return nr;
}

/*
 * cwp_clone_keep_nr() - the calling task is about to remove @id from
 * @idr (alloc_pid()'s rollback, free_pid()): true when the number was
 * handed from the reservation of its clone in progress, which takes it
 * back. Breakpoint context, under pidmap_lock.
 */
bool cwp_clone_keep_nr(const struct idr *idr, unsigned long id)
{
	struct cwp_request *req;
	bool keep = false;

	if (likely(!atomic_read(&cwp_nr_live)))
		return false;
	rcu_read_lock();
	req = cwp_request_find(current);
	if (req && READ_ONCE(req->state) == CWP_REQ_ACTIVE && req->resv)
		keep = cwp_reserve_keep(req->resv, idr, id);
	rcu_read_unlock();
	return keep;
}

/*
 * Does the struct pid alloc_pid() gave @child hold every chosen number?
 * Returns -1 if it does, else the index of the first level it misses, with
 * the number it got there in *@got (0 if none).
 */
static int cwp_clone_inexact(const struct cwp_request *req,
			       const struct task_struct *child, pid_t *got)
{
	const struct cwp_level *lv;
	struct pid *pid;
	unsigned int i;

	*got = 0;
	/* copy_process() set child->pid, the number in init_pid_ns. */
	pid = find_pid_ns(child->pid, &init_pid_ns);
	for (i = 0; i < req->nr_levels; i++) {
		lv = &req->level[i];
		if (!pid || lv->level > pid->level)
			return i;
		if (pid->numbers[lv->level].ns != lv->ns ||
		    pid->numbers[lv->level].nr != lv->nr) {
			*got = pid->numbers[lv->level].nr;
			return i;
		}
	}
	return -1;
}

/*
 * cwp_clone_verify() - copy_process() of the calling task is about to
 * commit to @child: its pids are allocated, nothing is visible yet, and a
 * failure here undoes everything. Returns 0, or the error the clone must
 * fail with:
 * -ERESTARTNOINTR	a gap list's diversion missed: the system call is
 *		made again, CWP_DIVERT_RETRIES times at most
 * -EOPNOTSUPP	the clone's request chose pids @child did not get: the
 *		kernel allocates pids in a way the diversion does not know
 *		(*@diversion_failed says if it was the diversion's)
 * -EAGAIN	the task has an armed request that this clone did not
 *		activate: the kretprobe missed it (no free instance)
 * Workers that copy_process() creates for the task without kernel_clone()
 * (io_uring, vhost) are not its clones. Preemption disabled.
 */
int cwp_clone_verify(struct task_struct *child, const struct kernel_clone_args *args,
		     bool *diversion_failed)
{
	struct cwp_request *req;
	int ret = 0, miss;
	pid_t got;

	*diversion_failed = false;
	if (likely(!atomic_read(&cwp_nr_live) && !atomic_read(&cwp_nr_owed)))
		return 0;
	rcu_read_lock();
	req = cwp_request_find(current);
	if (!req || (child->flags & CWP_PF_WORKERS))
		goto out;
	if (cwp_restart_owed_here(req)) {
		ret = -EAGAIN;
		pr_warn_ratelimited("the restart of a clone of %s[%d] escaped the kernel_clone probe: refused (EAGAIN)\n",
				    current->comm, task_pid_nr(current));
		goto out;
	}
	switch (READ_ONCE(req->state)) {
	case CWP_REQ_ACTIVE:
		if (req->args != args)
			break;
		miss = cwp_clone_inexact(req, child, &got);
		if (miss < 0)
			break;
		if (req->diverting && req->divert_retries < CWP_DIVERT_RETRIES) {
			/*
			 * Under QEMU's TCG a CPU has been seen to run
			 * idr_alloc_cyclic() past the breakpoint memory already
			 * held, just after the probe was armed again. The
			 * clone is undone here and made again (see
			 * cwp_restart_syscall()): the kernel's own rollback
			 * frees its pids.
			 */
			req->divert_retries++;
			cwp_restart_syscall();
			ret = -ERESTARTNOINTR;
			pr_notice_ratelimited("a clone of %s[%d] got pid %d where %d was chosen, at level %u (%u of %u levels diverted): made again\n",
					      current->comm, task_pid_nr(current), got,
					      req->level[miss].nr, req->level[miss].level,
					      req->nr_diverted, req->nr_levels);
			break;
		}
		ret = -EOPNOTSUPP;
		pr_err_ratelimited("a clone of %s[%d] got pid %d where %d was chosen, at level %u (clone flags %#llx, %s, %u of %u levels diverted): refused (EOPNOTSUPP)\n",
				   current->comm, task_pid_nr(current), got, req->level[miss].nr,
				   req->level[miss].level, (unsigned long long)args->flags,
				   req->diverting ? "gap list" : "set_tid", req->nr_diverted,
				   req->nr_levels);
		*diversion_failed = req->diverting;
		break;
	case CWP_REQ_ARMED:
	case CWP_REQ_EXPIRED:
		/* Not for another call's restart; not for another program. */
		if (!cwp_restart_elsewhere(req) &&
		    req->exec_id == READ_ONCE(current->self_exec_id)) {
			ret = -EAGAIN;
			pr_warn_ratelimited("a clone of %s[%d] escaped the kernel_clone probe with pids armed: refused (EAGAIN)\n",
					    current->comm, task_pid_nr(current));
		}
		break;
	default:
		break;
	}
out:
	rcu_read_unlock();
	return ret;
}

/* cwp_clone_task_exit() - the calling task exits. Preemption disabled. */
void cwp_clone_task_exit(void)
{
	struct cwp_request *req;

	if (likely(!atomic_read(&cwp_nr_table)))
		return;
	raw_spin_lock(&cwp_lock);
	req = cwp_request_find(current);
	if (req)
		cwp_request_unlink(req);
	raw_spin_unlock(&cwp_lock);
	if (req)
		cwp_request_free_deferred(req);
}

/*
 * Unprivileged gap lists that were not used in time stop holding the
 * diversion probe: their clone will fail with ETIME.
 */
