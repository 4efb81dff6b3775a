// SPDX-License-Identifier: GPL-2.0
/*
 * Requests, in process context: the owner of struct cwp_request. A
 * request is created and armed by an ioctl of its task (for its next
 * clone: CWP_IOC_SET_NEXT, CWP_IOC_SET_NEXT_LIST, or CWP_IOC_CLONE's own),
 * cancelled or replaced by another, dropped when its file is released or
 * when it expires (an unprivileged gap list not used in time), and freed.
 * What happens to it in its clone is clone.c's; restarts are restart.c's;
 * the states are in cwp.h.
 *
 * A task has at most one request. The table is written under cwp_lock, a
 * raw spinlock: the probes take it with preemption disabled, where a
 * spinlock_t would sleep on PREEMPT_RT. The diversion, which runs in the
 * breakpoint handler with interrupts off, and the verification only read
 * it under RCU. Nothing under the lock sleeps, allocates or frees.
 */
#include <linux/kernel.h>
#include <linux/cred.h>
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
#include <linux/slab.h>

#include "cwp.h"
#include "compat.h"

/* Requests by task; written under cwp_lock, read under RCU. */
static DEFINE_HASHTABLE(cwp_requests, 8);
/* Unprivileged gap lists holding the diversion, oldest first. */
static LIST_HEAD(cwp_expiring);
atomic_t cwp_nr_live = ATOMIC_INIT(0);		/* live: not done */
atomic_t cwp_nr_table = ATOMIC_INIT(0);		/* in the table */
static atomic_t cwp_nr_alloc = ATOMIC_INIT(0);	/* allocated */
static atomic_t cwp_nr_sets = ATOMIC_INIT(0);	/* sets of live requests */
/* Requests keeping the diversion probes armed, and since when none has. */
static atomic_t cwp_nr_diverting = ATOMIC_INIT(0);
static unsigned long cwp_divert_idle;
static atomic_long_t cwp_queue_bytes = ATOMIC_LONG_INIT(0);	/* lists' sets */

static struct workqueue_struct *cwp_free_wq;

static void cwp_expire_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(cwp_expire_work, cwp_expire_fn);

struct cwp_request *cwp_request_find(const struct task_struct *task)
{
	struct cwp_request *req;

	hash_for_each_possible_rcu(cwp_requests, req, node, (unsigned long)task)
		if (req->task == task)
			return req;
	return NULL;
}

/* @req stops keeping the diversion probes armed. Under cwp_lock. */
static void cwp_request_drop_divert(struct cwp_request *req)
{
	if (!req->keeps_divert_armed)
		return;
	req->keeps_divert_armed = false;
	list_del_init(&req->expire_node);
	WRITE_ONCE(cwp_divert_idle, jiffies);
	/* Seen before the count: cwp_divert_off_fn(). */
	smp_mb__before_atomic();
	atomic_dec(&cwp_nr_diverting);
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
void cwp_request_end(struct cwp_request *req)
{
	lockdep_assert_held(&cwp_lock);
	if (req->state == CWP_REQ_DONE)
		return;
	WRITE_ONCE(req->state, CWP_REQ_DONE);
	cwp_restart_forget(req);
	cwp_request_drop_divert(req);
	cwp_request_uncover(req);
	cwp_quota_uncharge(req->user, req->privileged, req->nr_charged);
	atomic_sub(req->nr_sets, &cwp_nr_sets);
	req->nr_charged = 0;
	req->nr_sets = 0;
	atomic_dec(&cwp_nr_live);
}

/* Take @req out of the table and of its file. Under cwp_lock. */
void cwp_request_unlink(struct cwp_request *req)
{
	cwp_request_end(req);
	/* (A done request may mark a restart: cwp_request_await_restart().) */
	req->restart = false;
	cwp_restart_unowe(req);
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

/*
 * cwp_request_alloc() - a request of the calling task, with no pid set
 * yet, made through @owner (or NULL) for children in @children_ns.
 * Process context; NULL when out of memory.
 */
struct cwp_request *cwp_request_alloc(struct pid_namespace *children_ns,
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
	req->uses_divert = !req->set_tid_size;
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
			req->uses_divert = true;
	}
	cwp_request_set(req, &queue[0].p, queue[0].cover);
	queue[0].cover = NULL;
	return req;
}

/*
 * The clone of @req created its task, and @req is a list with a set left:
 * arm that set for the task's next clone. Under cwp_lock.
 */
void cwp_request_next(struct cwp_request *req)
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
	if (req->keeps_divert_armed && !req->privileged)
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
void cwp_request_free_deferred(struct cwp_request *req)
{
	INIT_RCU_WORK(&req->free_work, cwp_request_free_work);
	queue_rcu_work(cwp_free_wq, &req->free_work);
}

/*
 * cwp_request_insert() - put @req in the table as the calling task's
 * request, in @state (ARMED, or DONE for the mark of a restart), and in
 * its file's list. An armed request that needs the diversion keeps its
 * probes armed; true if it must expire (cwp_request_expire_later()).
 * Under cwp_lock.
 */
bool cwp_request_insert(struct cwp_request *req, enum cwp_request_state state)
{
	bool expire = false;

	lockdep_assert_held(&cwp_lock);
	req->state = state;
	req->armed_at = jiffies;
	hash_add_rcu(cwp_requests, &req->node, (unsigned long)current);
	atomic_inc(&cwp_nr_table);
	if (state == CWP_REQ_DONE)
		return false;
	if (req->owner)
		list_add_tail(&req->file_node, &req->owner->requests);
	if (req->uses_divert) {
		req->keeps_divert_armed = true;
		atomic_inc(&cwp_nr_diverting);
		if (!req->privileged) {
			list_add_tail(&req->expire_node, &cwp_expiring);
			expire = true;
		}
	}
	atomic_inc(&cwp_nr_live);
	atomic_add(req->nr_sets, &cwp_nr_sets);
	return expire;
}

/* A request inserted must expire: have it checked in time. Process context. */
void cwp_request_expire_later(void)
{
	queue_delayed_work(cwp_free_wq, &cwp_expire_work,
			   msecs_to_jiffies(cwp_quota_divert_ttl_ms()));
}

/*
 * cwp_requests_diverting() - live requests that keep the diversion probes
 * armed; *@idle_since is when the last one of them stopped. Any context.
 */
unsigned int cwp_requests_diverting(unsigned long *idle_since)
{
	unsigned int n = atomic_read(&cwp_nr_diverting);

	*idle_since = READ_ONCE(cwp_divert_idle);
	return n;
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
 * cwp_request_file_closed() - drop the requests made through @owner. A
 * request whose clone is in progress (active, or interrupted and waiting
 * for its restart) is consumed by that clone, and one that owes a restart
 * an error stays for it: they forget their file. Process context.
 */
void cwp_request_file_closed(struct cwp_file *owner)
{
	struct cwp_request *req, *tmp;
	LIST_HEAD(dead);

	raw_spin_lock(&cwp_lock);
	list_for_each_entry_safe(req, tmp, &owner->requests, file_node) {
		if (req->state == CWP_REQ_ACTIVE || req->restart || req->owed) {
			if (req->owed && !req->restart)
				cwp_request_end(req);
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
unsigned int cwp_sets_armed(void)
{
	return atomic_read(&cwp_nr_sets);
}

/* Requests in the table, done ones included. */
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
		/* In its clone now: it is done with it, or expires later. */
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

int cwp_request_init(void)
{
	cwp_free_wq = alloc_workqueue("clone_with_pids", WQ_UNBOUND, 0);
	return cwp_free_wq ? 0 : -ENOMEM;
}

/*
 * Once no probe and no ioctl can run: free what is left (done
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
