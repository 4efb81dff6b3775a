// SPDX-License-Identifier: GPL-2.0
/*
 * The life of a request (see enum cwp_request_state): created and armed by
 * an ioctl of its task, activated by the probe on that task's next
 * kernel_clone(), consumed when that clone created a task or failed for
 * good, kept for the restart when a signal interrupted it
 * (ERESTARTNOINTR), and freed by its task.
 *
 * A task has at most one request. The table is written under cwp_lock, a
 * raw spinlock: the probes take it with preemption disabled, where a
 * spinlock_t would sleep on PREEMPT_RT. The diversion, which runs in the
 * breakpoint handler with interrupts off, and the verification only read
 * it under RCU. Nothing under the lock sleeps, allocates or frees.
 */
#include <linux/kernel.h>
#include <linux/cred.h>
#include <linux/debugfs.h>
#include <linux/errno.h>
#include <linux/hashtable.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/nsproxy.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <asm/syscall.h>

#include "cwp.h"
#include "compat.h"

DEFINE_RAW_SPINLOCK(cwp_lock);

/* Requests by task; written under cwp_lock, read under RCU. */
static DEFINE_HASHTABLE(cwp_requests, 8);
/* Unprivileged gap lists holding the diversion, oldest first. */
static LIST_HEAD(cwp_expiring);
static atomic_t cwp_nr_live = ATOMIC_INIT(0);	/* not consumed */
static atomic_t cwp_nr_table = ATOMIC_INIT(0);	/* in the table */
static atomic_t cwp_nr_alloc = ATOMIC_INIT(0);	/* allocated */
static atomic_t cwp_nr_owed = ATOMIC_INIT(0);	/* owing a restart an error */
static atomic_t cwp_nr_sets = ATOMIC_INIT(0);	/* sets of live requests */
static atomic_long_t cwp_queue_bytes = ATOMIC_LONG_INIT(0);	/* lists' sets */
static atomic_t cwp_nr_restarts = ATOMIC_INIT(0);	/* clones kept for a restart */

static struct workqueue_struct *cwp_free_wq;

static void cwp_expire_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(cwp_expire_work, cwp_expire_fn);

static struct cwp_request *cwp_request_find(const struct task_struct *task)
{
	struct cwp_request *req;

	hash_for_each_possible_rcu(cwp_requests, req, node, (unsigned long)task)
		if (req->task == task)
			return req;
	return NULL;
}

/* The system call the calling task is in, as its restart makes it again. */
static void cwp_current_call(struct cwp_call *call)
{
	struct pt_regs *regs = task_pt_regs(current);

	call->ip = instruction_pointer(regs);
	call->sp = user_stack_pointer(regs);
	call->nr = syscall_get_nr(current, regs);
}

/*
 * Is the calling task in @call, or in its restart? A restarted system
 * call resumes with the same user instruction and stack pointers and the
 * same number; a call made by a signal handler in between runs on the
 * handler's frame.
 */
static bool cwp_in_call(const struct cwp_call *call)
{
	struct cwp_call now;

	cwp_current_call(&now);
	return now.ip == call->ip && now.sp == call->sp && now.nr == call->nr;
}

/*
 * A request whose clone waits for its restart, or that owes a restart an
 * error, holds a module reference: the restart must meet the probes even
 * if the file was closed. Under cwp_lock; a caller that pins holds a
 * reference already (the ioctl's file, the probe's instance).
 */
static void cwp_request_repin(struct cwp_request *req)
{
	bool pin = req->restart || req->owed;

	if (pin == req->pinned)
		return;
	req->pinned = pin;
	if (pin)
		__module_get(THIS_MODULE);
	else
		module_put(THIS_MODULE);
}

/* @call, a restart of @req's task, must fail with EINTR. Under cwp_lock. */
static void cwp_request_owe(struct cwp_request *req, const struct cwp_call *call)
{
	if (!req->owed)
		atomic_inc(&cwp_nr_owed);
	req->owed = true;
	if (call != &req->owed_call)
		req->owed_call = *call;
	cwp_request_repin(req);
}

static void cwp_request_unowe(struct cwp_request *req)
{
	if (req->owed)
		atomic_dec(&cwp_nr_owed);
	req->owed = false;
	cwp_request_repin(req);
}

/*
 * The calling task drops @req, from a call that is not the restart @req
 * waits for (a signal handler's, while its interrupted clone waits): which
 * restart is owed an error now? Returns 0 and sets *@owed (NULL: none),
 * or -EBUSY when two would be (a handler's clone was interrupted in turn,
 * while another restart was owed): a task owes one at a time. A restart
 * that asks again itself owes nothing. Under cwp_lock.
 */
static int cwp_request_debt(const struct cwp_request *req, const struct cwp_call **owed)
{
	bool owes = req->owed && !cwp_in_call(&req->owed_call);

	*owed = owes ? &req->owed_call : NULL;
	if (!req->restart || cwp_in_call(&req->restart_call))
		return 0;
	if (owes)
		return -EBUSY;
	*owed = &req->restart_call;
	return 0;
}

/* Give up the diversion probe @req kept armed. Under cwp_lock. */
static void cwp_request_drop_divert(struct cwp_request *req)
{
	if (!req->holds_divert)
		return;
	req->holds_divert = false;
	list_del_init(&req->expire_node);
	cwp_divert_put();
}

/* The sets of @req stop standing for the reservations they covered. Under cwp_lock. */
static void cwp_request_uncover(struct cwp_request *req)
{
	unsigned int i;

	if (req->cover) {
		cwp_reserve_uncover(req->cover);
		req->cover = NULL;
	}
	for (i = req->queue_pos; i < req->nr_queued; i++) {
		if (req->queue[i].cover) {
			cwp_reserve_uncover(req->queue[i].cover);
			req->queue[i].cover = NULL;
		}
	}
}

/* @req stops being live. Under cwp_lock. */
static void cwp_request_retire(struct cwp_request *req)
{
	lockdep_assert_held(&cwp_lock);
	if (req->state == CWP_REQ_CONSUMED)
		return;
	WRITE_ONCE(req->state, CWP_REQ_CONSUMED);
	req->restart = false;
	cwp_request_repin(req);
	cwp_request_drop_divert(req);
	cwp_request_uncover(req);
	cwp_quota_uncharge(req->user, req->privileged, req->nr_charged);
	atomic_sub(req->nr_sets, &cwp_nr_sets);
	req->nr_charged = 0;
	req->nr_sets = 0;
	atomic_dec(&cwp_nr_live);
}

/* Take @req out of the table and of its file. Under cwp_lock. */
static void cwp_request_unlink(struct cwp_request *req)
{
	cwp_request_retire(req);
	/* (A mark of a restart, on a consumed request: cwp_request_await_restart().) */
	req->restart = false;
	cwp_request_unowe(req);
	hash_del_rcu(&req->node);
	list_del_init(&req->file_node);
	atomic_dec(&cwp_nr_table);
}

/*
 * Put the set @p in @req->level[], for its next clone: by the diversion
 * when it covers a reservation (@cover), which alone can hand reserved
 * numbers to alloc_pid(), or when it has a gap; as clone3()'s set_tid
 * otherwise. Any context; for a live request, under cwp_lock.
 */
static void cwp_request_set(struct cwp_request *req, const struct cwp_pids *p,
			    struct cwp_resv *cover)
{
	struct pid_namespace *ns = p->children_ns;
	int i;

	req->nr_levels = 0;
	for (i = p->num - 1; i >= 0; i--, ns = ns->parent) {
		if (!p->pids[i])
			continue;
		req->level[req->nr_levels].ns = ns;
		req->level[req->nr_levels].level = ns->level;
		req->level[req->nr_levels].nr = p->pids[i];
		req->nr_levels++;
	}
	req->cover = cover;
	req->set_tid_size = 0;
	if (p->set_tid_ok && !cover) {
		req->set_tid[0] = 1;
		req->set_tid_size = cwp_pids_set_tid(p, &req->set_tid[1]);
	}
}

static struct cwp_request *cwp_request_alloc(struct pid_namespace *children_ns,
					     struct cwp_file *owner)
{
	struct cwp_request *req;

	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return NULL;
	req->user = cwp_user_get(current_uid());
	if (!req->user) {
		kfree(req);
		return NULL;
	}
	INIT_LIST_HEAD(&req->file_node);
	INIT_LIST_HEAD(&req->expire_node);
	/* The outer namespaces are pinned by their child, children_ns. */
	req->children_ns = get_pid_ns(children_ns);
	req->task = get_task_struct(current);
	req->cred = get_current_cred();
	req->owner = owner;
	req->exec_id = READ_ONCE(current->self_exec_id);
	req->privileged = cwp_init_ns_privileged();
	atomic_inc(&cwp_nr_alloc);
	return req;
}

/*
 * cwp_request_create() - a request for the calling task's next clone, of
 * the pids in @p (which chooses at least one), made through @owner. It
 * pins the task, its credentials, its user's accounting and the namespace
 * for its children until it is freed; a set that covers a reservation of
 * @owner (cwp_reserve_cover()) counts in the quotas through it, any other
 * as one armed set. Returns NULL when out of memory.
 */
struct cwp_request *cwp_request_create(const struct cwp_pids *p,
				       struct cwp_file *owner)
{
	struct cwp_request *req;

	req = cwp_request_alloc(p->children_ns, owner);
	if (!req)
		return NULL;
	cwp_request_set(req, p, cwp_reserve_cover(owner, p));
	req->needs_divert = !req->set_tid_size;
	req->nr_sets = 1;
	req->nr_charged = !req->cover;
	return req;
}

/*
 * cwp_request_create_list() - the same for the calling task's next @nr
 * clones, one set of @queue each (read for the calling task, each
 * choosing a pid): the request takes @queue, a kvmalloc()ed array, also
 * when it fails (NULL: out of memory).
 */
struct cwp_request *cwp_request_create_list(struct cwp_queued *queue, unsigned int nr,
					    struct cwp_file *owner)
{
	struct cwp_request *req;
	unsigned int i;

	req = cwp_request_alloc(queue[0].p.children_ns, owner);
	if (!req) {
		kvfree(queue);
		return NULL;
	}
	req->queue = queue;
	req->nr_queued = nr;
	req->queue_pos = 1;
	req->nr_sets = nr;
	atomic_long_add(nr * sizeof(*queue), &cwp_queue_bytes);
	for (i = 0; i < nr; i++) {
		queue[i].cover = cwp_reserve_cover(owner, &queue[i].p);
		req->nr_charged += !queue[i].cover;
		if (queue[i].cover || !queue[i].p.set_tid_ok)
			req->needs_divert = true;
	}
	cwp_request_set(req, &queue[0].p, queue[0].cover);
	queue[0].cover = NULL;
	return req;
}

/*
 * The clone of @req created its task, and @req is a list with a set left:
 * arm that set for the task's next clone. Under cwp_lock.
 */
static void cwp_request_next(struct cwp_request *req)
{
	struct cwp_queued *q = &req->queue[req->queue_pos++];

	/* The set just consumed: its charge, or its reservation's. */
	if (req->cover) {
		cwp_reserve_uncover(req->cover);
	} else {
		cwp_quota_uncharge(req->user, req->privileged, 1);
		req->nr_charged--;
	}
	req->nr_sets--;
	atomic_dec(&cwp_nr_sets);
	cwp_request_set(req, &q->p, q->cover);
	q->cover = NULL;
	req->ioctl = false;
	req->divert_retries = 0;
	req->armed_at = jiffies;
	/* An unprivileged gap list's time to live counts from each set. */
	if (req->holds_divert && !req->privileged)
		list_move_tail(&req->expire_node, &cwp_expiring);
	WRITE_ONCE(req->state, CWP_REQ_ARMED);
}

static void cwp_request_drop_refs(struct cwp_request *req)
{
	if (req->queue) {
		atomic_long_sub(req->nr_queued * sizeof(*req->queue), &cwp_queue_bytes);
		kvfree(req->queue);
	}
	put_pid_ns(req->children_ns);
	put_task_struct(req->task);
	put_cred(req->cred);
	cwp_user_put(req->user);
	atomic_dec(&cwp_nr_alloc);
}

/*
 * cwp_request_free() - free @req, out of the table, from process context:
 * the references go at once (readers only compare the pointers, or follow
 * them for an active request, which is never freed), the memory after a
 * grace period.
 */
void cwp_request_free(struct cwp_request *req)
{
	might_sleep();
	/* A request never armed still has the reservations it covered. */
	raw_spin_lock(&cwp_lock);
	cwp_request_uncover(req);
	raw_spin_unlock(&cwp_lock);
	cwp_request_drop_refs(req);
	kfree_rcu(req, rcu);
}

static void cwp_request_free_work(struct work_struct *work)
{
	struct cwp_request *req = container_of(to_rcu_work(work),
					       struct cwp_request, free_work);

	cwp_request_drop_refs(req);
	kfree(req);
}

/*
 * The same from any context: the references are dropped from a work item
 * (the last one on a pid namespace may sleep). For a task's exit only.
 */
static void cwp_request_put(struct cwp_request *req)
{
	INIT_RCU_WORK(&req->free_work, cwp_request_free_work);
	queue_rcu_work(cwp_free_wq, &req->free_work);
}

/*
 * cwp_request_arm() - make @req the calling task's request, replacing the
 * one it may have. Returns 0, or -EAGAIN (a quota is reached),
 * -EOPNOTSUPP (a gap list where the diversion failed its verification) or
 * the error of arming the diversion probe. On failure the caller keeps
 * @req, and the task keeps the request it had. Process context.
 */
int cwp_request_arm(struct cwp_request *req)
{
	/* Sets that cover a reservation count through it: it was checked. */
	unsigned int checked = req->nr_charged;
	const struct cwp_call *owed = NULL;
	struct cwp_request *old;
	bool expire = false, old_live;
	int ret;

	if (req->needs_divert) {
		if (!cwp_divert_usable())
			return -EOPNOTSUPP;
		/*
		 * Arming the probe costs every fork: not for a caller over
		 * quota, unless its own reservations count for the request.
		 */
		raw_spin_lock(&cwp_lock);
		old = cwp_request_find(current);
		old_live = old && old->state != CWP_REQ_CONSUMED;
		if (old_live)
			cwp_quota_uncharge(old->user, old->privileged, old->nr_charged);
		ret = checked && cwp_quota_full(req->user, req->privileged, checked) ?
		      -EAGAIN : 0;
		if (old_live)
			cwp_quota_charge(old->user, old->privileged, old->nr_charged, 0);
		raw_spin_unlock(&cwp_lock);
		if (ret)
			return ret;
		ret = cwp_divert_get();
		if (ret)
			return ret;
		req->holds_divert = true;
	}

	raw_spin_lock(&cwp_lock);
	/* The task is in an ioctl, not in kernel_clone(): never active. */
	old = cwp_request_find(current);
	old_live = old && old->state != CWP_REQ_CONSUMED;
	/* The new one may take the old one's place in the quota. */
	if (old_live)
		cwp_quota_uncharge(old->user, old->privileged, old->nr_charged);
	/* Its reservations count for their sets already. */
	ret = cwp_quota_charge(req->user, req->privileged, req->nr_charged, checked);
	if (old_live)
		cwp_quota_charge(old->user, old->privileged, old->nr_charged, 0);
	if (!ret && old && old->state == CWP_REQ_ACTIVE)
		ret = -EBUSY;
	/* A restart the old one waits for, or owes an error, is owed one. */
	if (!ret && old)
		ret = cwp_request_debt(old, &owed);
	if (ret && ret != -EAGAIN)
		cwp_quota_uncharge(req->user, req->privileged, req->nr_charged);
	if (ret)
		old = NULL;	/* refused: the old one stays */
	if (old) {
		/* CWP_IOC_CLONE made again by the restart of its system call. */
		if (old->restart && cwp_in_call(&old->restart_call))
			req->divert_retries = old->divert_retries;
		if (owed)
			cwp_request_owe(req, owed);
		cwp_request_unlink(old);
	}
	if (!ret) {
		req->state = CWP_REQ_ARMED;
		req->armed_at = jiffies;
		hash_add_rcu(cwp_requests, &req->node, (unsigned long)current);
		if (req->owner)
			list_add_tail(&req->file_node, &req->owner->requests);
		if (req->holds_divert && !req->privileged) {
			list_add_tail(&req->expire_node, &cwp_expiring);
			expire = true;
		}
		atomic_inc(&cwp_nr_table);
		atomic_inc(&cwp_nr_live);
		atomic_add(req->nr_sets, &cwp_nr_sets);
	}
	raw_spin_unlock(&cwp_lock);

	if (old)
		cwp_request_free(old);
	if (ret) {
		if (req->holds_divert) {
			req->holds_divert = false;
			cwp_divert_put();
		}
		return ret;
	}
	if (expire)
		queue_delayed_work(cwp_free_wq, &cwp_expire_work,
				   msecs_to_jiffies(cwp_quota_divert_ttl_ms()));
	return 0;
}

/*
 * cwp_request_cancel() - drop the calling task's request, live or
 * consumed. A restart it waited for, or owed an error, is owed one: the
 * request stays, consumed, until that restart or the task's exit.
 * Returns 1 if it was live, 0 if not, -EBUSY if it cannot be dropped
 * (see cwp_request_debt()). Process context.
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
	    (req->state == CWP_REQ_CONSUMED && req->restart && !req->owed)) {
		req = NULL;
		goto out;
	}
	ret = cwp_request_debt(req, &owed);
	if (ret) {
		req = NULL;
		goto out;
	}
	ret = req->state != CWP_REQ_CONSUMED;
	if (owed) {
		cwp_request_owe(req, owed);
		cwp_request_retire(req);
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
	if (req && req->owed && cwp_in_call(&req->owed_call)) {
		cwp_request_unowe(req);
		ret = -EINTR;
	} else if (req && req->state == CWP_REQ_CONSUMED && req->restart &&
		   cwp_in_call(&req->restart_call)) {
		req->restart = false;
		cwp_request_repin(req);
	}
	raw_spin_unlock(&cwp_lock);
	return ret;
}

/*
 * cwp_request_await_restart() - CWP_IOC_CLONE with its own pids, given to
 * kernel_clone() as clone3()'s set_tid with no request, returns
 * ERESTARTNOINTR: a signal came, and the system call will be made again.
 * Mark the calling task as waiting for that restart (a consumed request,
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
	if (req && (req->restart || req->state != CWP_REQ_CONSUMED)) {
		ret = -EINTR;
	} else if (!req) {
		req = new;
		new = NULL;
		req->state = CWP_REQ_CONSUMED;
		hash_add_rcu(cwp_requests, &req->node, (unsigned long)current);
		atomic_inc(&cwp_nr_table);
	}
	if (!ret) {
		req->restart = true;
		cwp_current_call(&req->restart_call);
		cwp_request_repin(req);
	}
	raw_spin_unlock(&cwp_lock);
	if (new)
		cwp_request_free(new);
	return ret;
}

/*
 * cwp_clone_poison() - make kernel_clone(@args) fail at once with EINVAL,
 * before copy_process() does anything: kernel_clone() starts by refusing
 * CLONE_PIDFD with CLONE_PARENT_SETTID at the same address (v5.10, v6.1,
 * v6.12 and v7.2 checked).
 */
void cwp_clone_poison(struct kernel_clone_args *args)
{
	args->flags |= CLONE_PIDFD | CLONE_PARENT_SETTID;
	args->pidfd = args->parent_tid;
}

/*
 * cwp_request_poison_clone() - the module is about to call kernel_clone()
 * with @args for the calling task, which has a live request: poison
 * @args, and let the probe restore their flags as it activates the
 * request. If the probe does not run (all kprobes disarmed through
 * debugfs), the clone fails instead of creating a task with pids the
 * kernel chose. Returns false if the task has no live request.
 */
bool cwp_request_poison_clone(struct kernel_clone_args *args)
{
	struct cwp_request *req;
	bool live;

	raw_spin_lock(&cwp_lock);
	req = cwp_request_find(current);
	/* What cwp_request_activate() takes for this clone. */
	live = req && (req->state == CWP_REQ_ARMED || req->state == CWP_REQ_EXPIRED) &&
	       req->exec_id == READ_ONCE(current->self_exec_id) &&
	       (!req->restart || cwp_in_call(&req->restart_call));
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

/*
 * cwp_request_release_file() - drop the requests made through @owner. A
 * request whose clone is in progress (active, or interrupted and waiting
 * for its restart) is consumed by that clone, and one that owes a restart
 * an error stays for it: they forget their file. Process context.
 */
void cwp_request_release_file(struct cwp_file *owner)
{
	struct cwp_request *req, *tmp;
	LIST_HEAD(dead);

	raw_spin_lock(&cwp_lock);
	list_for_each_entry_safe(req, tmp, &owner->requests, file_node) {
		if (req->state == CWP_REQ_ACTIVE || req->restart || req->owed) {
			if (req->owed && !req->restart)
				cwp_request_retire(req);
			list_del_init(&req->file_node);
			req->owner = NULL;
			continue;
		}
		cwp_request_unlink(req);
		list_add(&req->file_node, &dead);
	}
	raw_spin_unlock(&cwp_lock);

	list_for_each_entry_safe(req, tmp, &dead, file_node)
		cwp_request_free(req);
}

/* Sets of live requests, system-wide. */
unsigned int cwp_requests_live(void)
{
	return atomic_read(&cwp_nr_sets);
}

/* Requests in the table, consumed ones included. */
bool cwp_requests_exist(void)
{
	return atomic_read(&cwp_nr_table);
}

size_t cwp_requests_mem(void)
{
	return (size_t)atomic_read(&cwp_nr_alloc) * sizeof(struct cwp_request) +
	       atomic_long_read(&cwp_queue_bytes);
}

/*
 * cwp_request_activate() - the calling task's kernel_clone(@args) starts:
 * hand it the task's armed request, if it has one meant for this clone.
 * Returns 0 when the return handler must run (it holds a module
 * reference): the request is active, or the clone is a restart owed an
 * error, which *@force_err then holds. Returns 1 otherwise. A request
 * that cannot be used makes the clone fail at once (cwp_clone_poison())
 * with its error. Preemption disabled.
 */
int cwp_request_activate(struct kernel_clone_args *args, int *force_err)
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
		cwp_request_unowe(req);
		cwp_request_retire(req);
		goto out;
	}
	if (req->owed && cwp_in_call(&req->owed_call)) {
		/*
		 * The restart of a clone whose pids another call of this task
		 * replaced or dropped meanwhile: it fails, before anything is
		 * done. The request's pin holds the module for the reference.
		 */
		__module_get(THIS_MODULE);
		cwp_request_unowe(req);
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
	if (req->restart && !cwp_in_call(&req->restart_call))
		goto out;
	/* Only a forced unload fails here: no return handler may run. */
	if (req->pinned) {
		__module_get(THIS_MODULE);
	} else if (!try_module_get(THIS_MODULE)) {
		cwp_clone_poison(args);
		goto out;
	}
	req->restart = false;
	cwp_request_repin(req);

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
	req->divert = false;
	if (err) {
		cwp_clone_poison(args);
	} else if (req->set_tid_size) {
		/* A new namespace's level comes first: its pid 1. */
		newpid = args->flags & CLONE_NEWPID;
		args->set_tid = newpid ? req->set_tid : &req->set_tid[1];
		args->set_tid_size = req->set_tid_size + newpid;
		req->via_set_tid = true;
	} else {
		req->divert = true;
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
 * cwp_request_finish() - the calling task's kernel_clone() returns (@regs
 * hold its return value) with its request active. ERESTARTNOINTR (a
 * signal came before anything was copied, and the system call will be
 * made again) keeps the request for that restart; a clone that created
 * its task arms the next set of a list (of a file not released); anything
 * else consumes it. alloc_pid() reports a set_tid pid in use as EEXIST: this interface
 * says EBUSY. Preemption disabled.
 */
void cwp_request_finish(struct pt_regs *regs)
{
	int ret = (int)regs_return_value(regs);
	struct cwp_request *req;

	raw_spin_lock(&cwp_lock);
	req = cwp_request_find(current);
	if (req && req->state == CWP_REQ_ACTIVE) {
		req->args = NULL;
		req->divert = false;
		if (req->resv) {
			cwp_reserve_done(req->resv, ret > 0);
			req->resv = NULL;
		}
		if (ret == -ERESTARTNOINTR && !req->error) {
			atomic_inc(&cwp_nr_restarts);
			req->restart = true;
			cwp_current_call(&req->restart_call);
			cwp_request_repin(req);
			WRITE_ONCE(req->state, CWP_REQ_ARMED);
		} else if (ret > 0 && !req->error && req->owner &&
			   req->queue_pos < req->nr_queued) {
			/* (A list whose file was released meanwhile ends here.) */
			cwp_request_next(req);
		} else {
			cwp_request_retire(req);
			if (req->error)
				regs_set_return_value(regs, req->error);
			else if (req->via_set_tid && ret == -EEXIST)
				regs_set_return_value(regs, -EBUSY);
		}
	}
	raw_spin_unlock(&cwp_lock);
}

/*
 * cwp_request_divert_nr() - alloc_pid() of the calling task's clone
 * allocates a number in @idr, below @pid_max: the number its active
 * request chose there, or 0; *@reserved says whether the clone's
 * reservation hands it over. A number at or above @pid_max is not handed
 * (alloc_pid() would not keep it, nor give it back: see reserve.c), and
 * the allocation fails. alloc_pid() goes from the innermost level
 * outwards, in the order of req->level[]: the search starts after the
 * last match (and comes back to it when alloc_pid() retries a level).
 * Breakpoint context.
 */
pid_t cwp_request_divert_nr(const struct idr *idr, int pid_max, bool *reserved)
{
	struct cwp_request *req;
	unsigned int i, k;
	pid_t nr = 0;

	*reserved = false;
	if (likely(!atomic_read(&cwp_nr_live)))
		return 0;
	rcu_read_lock();
	req = cwp_request_find(current);
	if (req && READ_ONCE(req->state) == CWP_REQ_ACTIVE && req->divert) {
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
 * cwp_request_keep_nr() - the calling task is about to remove @id from
 * @idr (alloc_pid()'s rollback, free_pid()): true when the number was
 * handed from the reservation of its clone in progress, which takes it
 * back. Breakpoint context, under pidmap_lock.
 */
bool cwp_request_keep_nr(const struct idr *idr, unsigned long id)
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
 * The calling task's system call returns -ERESTARTNOINTR with no signal
 * pending: have it made again. The way out to user space runs the signal
 * code when TIF_SIGPENDING is set; it finds no signal, clears the flag
 * and restarts the call (arch_do_signal_or_restart(), arch_do_signal() on
 * v5.10, do_signal() on arm64), as for a signal that was ignored.
 */
static void cwp_restart_syscall(void)
{
	set_tsk_thread_flag(current, TIF_SIGPENDING);
}

/*
 * Does the struct pid alloc_pid() gave @child hold every chosen number?
 * Returns -1 if it does, else the index of the first level it misses, with
 * the number it got there in *@got (0 if none).
 */
static int cwp_request_inexact(const struct cwp_request *req,
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
 * cwp_request_verify() - copy_process() of the calling task is about to
 * commit to @child: its pids are allocated, nothing is visible yet, and a
 * failure here undoes everything. Returns 0, or the error the clone must
 * fail with:
 * -ERESTARTNOINTR	a gap list's diversion missed: the system call is
 *		made again, CWP_DIVERT_RETRIES times at most
 * -EOPNOTSUPP	the clone's request chose pids @child did not get: the
 *		kernel allocates pids in a way the diversion does not know
 * -EAGAIN	the task has an armed request that this clone did not
 *		activate: the kretprobe missed it (no free instance)
 * Workers that copy_process() creates for the task without kernel_clone()
 * (io_uring, vhost) are not its clones. Preemption disabled.
 */
int cwp_request_verify(struct task_struct *child,
		       const struct kernel_clone_args *args)
{
	struct cwp_request *req;
	int ret = 0, miss;
	pid_t got;

	if (likely(!atomic_read(&cwp_nr_live) && !atomic_read(&cwp_nr_owed)))
		return 0;
	rcu_read_lock();
	req = cwp_request_find(current);
	if (!req || (child->flags & CWP_PF_WORKERS))
		goto out;
	if (req->owed && cwp_in_call(&req->owed_call)) {
		ret = -EAGAIN;
		pr_warn_ratelimited("the restart of a clone of %s[%d] escaped the kernel_clone probe: refused (EAGAIN)\n",
				    current->comm, task_pid_nr(current));
		goto out;
	}
	switch (READ_ONCE(req->state)) {
	case CWP_REQ_ACTIVE:
		if (req->args != args)
			break;
		miss = cwp_request_inexact(req, child, &got);
		if (miss < 0)
			break;
		if (req->divert && req->divert_retries < CWP_DIVERT_RETRIES) {
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
				   req->divert ? "gap list" : "set_tid", req->nr_diverted,
				   req->nr_levels);
		if (req->divert)
			cwp_divert_broken();
		break;
	case CWP_REQ_ARMED:
	case CWP_REQ_EXPIRED:
		/* Not for another call's restart; not for another program. */
		if ((!req->restart || cwp_in_call(&req->restart_call)) &&
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

/* cwp_request_task_exit() - the calling task exits. Preemption disabled. */
void cwp_request_task_exit(void)
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
		cwp_request_put(req);
}

/*
 * Unprivileged gap lists that were not used in time stop holding the
 * diversion probe: their clone will fail with ETIME.
 */
static void cwp_expire_fn(struct work_struct *work)
{
	unsigned long ttl = msecs_to_jiffies(cwp_quota_divert_ttl_ms());
	struct cwp_request *req, *tmp;
	unsigned long next = 0;

	raw_spin_lock(&cwp_lock);
	list_for_each_entry_safe(req, tmp, &cwp_expiring, expire_node) {
		if (time_before(jiffies, req->armed_at + ttl)) {
			next = min_not_zero(next, req->armed_at + ttl - jiffies);
			break;
		}
		/* In its clone now: it is consumed, or expires later. */
		if (req->state == CWP_REQ_ACTIVE) {
			next = HZ;
			continue;
		}
		WRITE_ONCE(req->state, CWP_REQ_EXPIRED);
		cwp_request_drop_divert(req);
	}
	raw_spin_unlock(&cwp_lock);
	if (next)
		queue_delayed_work(cwp_free_wq, &cwp_expire_work, next);
}

/*
 * For the diversion's self-test: an active gap request of the calling
 * task for number @nr in @ns, with no quota, credentials or file.
 */
struct cwp_request *cwp_request_fake(struct pid_namespace *ns, pid_t nr)
{
	struct cwp_request *req = kzalloc(sizeof(*req), GFP_KERNEL);

	if (!req)
		return NULL;
	req->task = current;
	req->state = CWP_REQ_ACTIVE;
	req->divert = true;
	req->level[0].ns = ns;
	req->level[0].nr = nr;
	req->nr_levels = 1;
	raw_spin_lock(&cwp_lock);
	hash_add_rcu(cwp_requests, &req->node, (unsigned long)current);
	atomic_inc(&cwp_nr_live);
	raw_spin_unlock(&cwp_lock);
	return req;
}

void cwp_request_unfake(struct cwp_request *req)
{
	raw_spin_lock(&cwp_lock);
	hash_del_rcu(&req->node);
	atomic_dec(&cwp_nr_live);
	raw_spin_unlock(&cwp_lock);
	synchronize_rcu();
	kfree(req);
}

/* Counters the tests read: they show that a storm made clones restart. */
void cwp_request_debugfs(struct dentry *dir)
{
	debugfs_create_atomic_t("stat_restarts", 0400, dir, &cwp_nr_restarts);
}

int cwp_request_init(void)
{
	cwp_free_wq = alloc_workqueue("clone_with_pids", WQ_UNBOUND, 0);
	return cwp_free_wq ? 0 : -ENOMEM;
}

/*
 * Once no probe and no ioctl can run: free what is left (consumed
 * requests whose file was released while they were active) and wait for
 * every pending free.
 */
void cwp_request_exit(void)
{
	struct cwp_request *req;
	struct hlist_node *tmp;
	LIST_HEAD(dead);
	int bkt;

	raw_spin_lock(&cwp_lock);
	hash_for_each_safe(cwp_requests, bkt, tmp, req, node) {
		cwp_request_unlink(req);
		list_add(&req->file_node, &dead);
	}
	raw_spin_unlock(&cwp_lock);
	while (!list_empty(&dead)) {
		req = list_first_entry(&dead, struct cwp_request, file_node);
		list_del(&req->file_node);
		cwp_request_free(req);
	}
	cancel_delayed_work_sync(&cwp_expire_work);
	rcu_barrier();		/* queue_rcu_work() still in its grace period */
	destroy_workqueue(cwp_free_wq);
}
