// SPDX-License-Identifier: GPL-2.0
/*
 * Arming a request, and what the ioctls do to one beside it (process
 * context): replace the calling task's request with a new one, cancel it,
 * mark the clone CWP_IOC_CLONE makes itself, and handle that ioctl's
 * restarts. The request itself is request.c's; owing a restart an error
 * is restart.c's.
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/jiffies.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/sched/task.h>

#include "cwp.h"

/*
 * cwp_request_over_quota() - would arming @req pass a quota? A request
 * that needs the diversion asks before the probes are armed for it
 * (arming them costs every fork of the system). Sets that cover a
 * reservation count through it (it was checked). Process context.
 */
bool cwp_request_over_quota(const struct cwp_request *req)
{
	struct cwp_request *old;
	bool old_live, full;

	if (!req->nr_charged)
		return false;
	raw_spin_lock(&cwp_lock);
	/* The new one may take the old one's place in the quota. */
	old = cwp_request_find(current);
	old_live = old && old->state != CWP_REQ_DONE;
	if (old_live)
		cwp_quota_uncharge(old->user, old->privileged, old->nr_charged);
	full = cwp_quota_full(req->user, req->privileged, req->nr_charged);
	if (old_live)
		cwp_quota_charge(old->user, old->privileged, old->nr_charged, 0);
	raw_spin_unlock(&cwp_lock);
	return full;
}

/* Does @req need the diversion probes (a gap, or a reserved set)? */
bool cwp_request_uses_divert(const struct cwp_request *req)
{
	return req->uses_divert;
}

/*
 * cwp_request_arm() - make @req the calling task's request, replacing the
 * one it may have. A request that needs the diversion is armed with the
 * probes made ready for it (cwp_divert_get()), and keeps them armed while
 * it is live (cwp_requests_diverting()). Returns 0, or -EAGAIN (a quota
 * is reached) or -EBUSY (see cwp_restart_debt()). On failure the caller
 * keeps @req, and the task keeps the request it had. Process context.
 */
int cwp_request_arm(struct cwp_request *req)
{
	/* Sets that cover a reservation count through it: it was checked. */
	unsigned int checked = req->nr_charged;
	const struct cwp_call *owed = NULL;
	struct cwp_request *old;
	bool expire = false, old_live;
	int ret;

	raw_spin_lock(&cwp_lock);
	/* The task is in an ioctl, not in kernel_clone(): never active. */
	old = cwp_request_find(current);
	old_live = old && old->state != CWP_REQ_DONE;
	/* The new one may take the old one's place in the quota. */
	if (old_live)
		cwp_quota_uncharge(old->user, old->privileged, old->nr_charged);
	ret = cwp_quota_charge(req->user, req->privileged, req->nr_charged, checked);
	if (old_live)
		cwp_quota_charge(old->user, old->privileged, old->nr_charged, 0);
	if (!ret && old && old->state == CWP_REQ_ACTIVE)
		ret = -EBUSY;
	/* A restart the old one waits for, or owes an error, is owed one. */
	if (!ret && old)
		ret = cwp_restart_debt(old, &owed);
	if (ret && ret != -EAGAIN)
		cwp_quota_uncharge(req->user, req->privileged, req->nr_charged);
	if (ret)
		old = NULL;	/* refused: the old one stays */
	if (old) {
		/* CWP_IOC_CLONE made again by the restart of its system call. */
		if (old->restart && !cwp_restart_elsewhere(old))
			req->divert_retries = old->divert_retries;
		if (owed)
			cwp_restart_owe(req, owed);
		cwp_request_unlink(old);
	}
	if (!ret)
		expire = cwp_request_insert(req, CWP_REQ_ARMED);
	raw_spin_unlock(&cwp_lock);

	if (old)
		cwp_request_free(old);
	if (ret)
		return ret;
	if (expire)
		cwp_request_expire_later();
	return 0;
}

/*
 * cwp_request_cancel() - drop the calling task's request, live or
 * done. A restart it waited for, or owed an error, is owed one: the
 * request stays, done, until that restart or the task's exit.
 * Returns 1 if it was live, 0 if not, -EBUSY if it cannot be dropped
 * (see cwp_restart_debt()). Process context.
 */
int cwp_request_cancel(void)
{
	const struct cwp_call *owed;
	struct cwp_request *req;
	int ret = 0;

	raw_spin_lock(&cwp_lock);
	req = cwp_request_find(current);
	/* Nothing armed: a clone in progress, or the mark of a restart. */
	if (!req || req->state == CWP_REQ_ACTIVE ||
	    (req->state == CWP_REQ_DONE && req->restart && !req->owed)) {
		req = NULL;
		goto out;
	}
	ret = cwp_restart_debt(req, &owed);
	if (ret) {
		req = NULL;
		goto out;
	}
	ret = req->state != CWP_REQ_DONE;
	if (owed) {
		cwp_restart_owe(req, owed);
		cwp_request_end(req);
		list_del_init(&req->file_node);
		req->owner = NULL;
		req = NULL;
	} else {
		cwp_request_unlink(req);
	}
out:
	raw_spin_unlock(&cwp_lock);

	if (req)
		cwp_request_free(req);
	return ret;
}

/*
 * cwp_request_restart_check() - the calling task enters CWP_IOC_CLONE,
 * maybe to make again an interrupted one. If that restart is owed an
 * error (a signal handler armed or cancelled pids meanwhile), returns
 * -EINTR and leaves the handler's pids as the handler armed them: the
 * restart neither replaces them nor takes them. The mark of an
 * interrupted CWP_IOC_CLONE with its own pids (cwp_request_await_restart())
 * is dropped when its restart comes. Returns 0 otherwise. Process context.
 */
int cwp_request_restart_check(void)
{
	struct cwp_request *req;
	int ret = 0;

	if (!atomic_read(&cwp_nr_owed) && !atomic_read(&cwp_nr_table))
		return 0;
	raw_spin_lock(&cwp_lock);
	req = cwp_request_find(current);
	if (req && cwp_restart_owed_here(req)) {
		cwp_restart_unowe(req);
		ret = -EINTR;
	} else if (req && req->state == CWP_REQ_DONE && req->restart &&
		   !cwp_restart_elsewhere(req)) {
		cwp_restart_forget(req);
	}
	raw_spin_unlock(&cwp_lock);
	return ret;
}

/*
 * cwp_request_await_restart() - CWP_IOC_CLONE with its own pids, given to
 * kernel_clone() as clone3()'s set_tid with no request, returns
 * ERESTARTNOINTR: a signal came, and the system call will be made again.
 * Mark the calling task as waiting for that restart (a done request,
 * its restart_call set), so that pids a signal handler arms meanwhile are
 * not replaced by the restart, which fails with EINTR instead
 * (cwp_request_restart_check()), as every clone owed an error does.
 * Returns 0, or -ENOMEM or -EINTR (a restart of another clone is marked
 * already: a handler's clone interrupted in its turn): the ioctl then
 * fails with that error rather than be made again. Process context.
 */
int cwp_request_await_restart(void)
{
	struct cwp_request *new, *req;
	int ret = 0;

	new = cwp_request_alloc(current->nsproxy->pid_ns_for_children, NULL);
	if (!new)
		return -ENOMEM;
	raw_spin_lock(&cwp_lock);
	req = cwp_request_find(current);
	if (req && (req->restart || req->state != CWP_REQ_DONE)) {
		ret = -EINTR;
	} else if (!req) {
		req = new;
		new = NULL;
		cwp_request_insert(req, CWP_REQ_DONE);
	}
	if (!ret)
		cwp_restart_await(req);
	raw_spin_unlock(&cwp_lock);
	if (new)
		cwp_request_free(new);
	return ret;
}

/*
 * cwp_request_for_ioctl() - the module is about to call kernel_clone()
 * with @args for the calling task, which has a live request: poison
 * @args, and let the probe restore their flags as it activates the
 * request. If the probe does not run (all kprobes disarmed through
 * debugfs), the clone fails instead of creating a task with pids the
 * kernel chose. Returns false if the task has no live request.
 */
bool cwp_request_for_ioctl(struct kernel_clone_args *args)
{
	struct cwp_request *req;
	bool live;

	raw_spin_lock(&cwp_lock);
	req = cwp_request_find(current);
	/* What cwp_request_activate() takes for this clone. */
	live = req && (req->state == CWP_REQ_ARMED || req->state == CWP_REQ_EXPIRED) &&
	       req->exec_id == READ_ONCE(current->self_exec_id) &&
	       !cwp_restart_elsewhere(req);
	if (live) {
		req->ioctl = true;
		req->ioctl_flags = args->flags;
		cwp_clone_poison(args);
	}
	raw_spin_unlock(&cwp_lock);
	return live;
}

/*
 * cwp_request_unclaimed() - CWP_IOC_CLONE's poisoned clone failed: did
 * the probe never take it? Then the request armed for it is still marked
 * as the ioctl's (cwp_request_activate() clears that): it is cancelled,
 * and true returned; the ioctl fails with EOPNOTSUPP rather than leave
 * the pids for a later clone. Process context.
 */
bool cwp_request_unclaimed(void)
{
	struct cwp_request *req;
	bool missed;

	raw_spin_lock(&cwp_lock);
	req = cwp_request_find(current);
	missed = req && req->ioctl && (req->state == CWP_REQ_ARMED ||
				       req->state == CWP_REQ_EXPIRED);
	if (missed)
		req->ioctl = false;
	raw_spin_unlock(&cwp_lock);
	if (missed)
		cwp_request_cancel();
	return missed;
}
