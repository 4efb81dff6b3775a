// SPDX-License-Identifier: GPL-2.0
/*
 * Reservations: pids taken away from the rest of the system before the
 * tasks that will have them are created (CWP_IOC_RESERVE), so that a
 * restore either has every pid of its tree or fails before it starts.
 * This file makes, releases and frees them, in process context; what a
 * clone does with one is reserve_clone.c's.
 *
 * alloc_pid() takes a task's number in each pid namespace level with
 * idr_alloc() or idr_alloc_cyclic() on ns->idr, storing NULL, under
 * pidmap_lock, and publishes the numbers with idr_replace() once every
 * level has one: a NULL entry is a number that is taken but that
 * find_pid_ns() and /proc do not see. A reservation holds its numbers the
 * same way, under the same lock, with a reference on each namespace. No
 * allocation can take them (idr_alloc_cyclic() skips them, set_tid gets
 * EEXIST), and nothing but their release removes them: free_pid() and
 * alloc_pid()'s rollback only remove numbers a struct pid holds.
 *
 * A reservation belongs to the open file it was made through, in the
 * file's list under cwp_lock; it counts in its user's quota like an
 * armed set. It is found by the number of its innermost level, which no
 * other reservation nor task can have in that namespace: a hash table of
 * as many buckets as sets can be armed (max_requests), under cwp_lock,
 * makes arming a set and claiming its reservation cost the same whatever
 * the number of reservations.
 *
 * A reservation is held by its file (while in the file's list), by the
 * clone that claimed it and by the set that covers it (refs, under
 * cwp_lock), and freed when the last of them lets it go: released, its
 * numbers go back at once, but its quota charge stays until the set that
 * covered it is gone. It is freed in process context (its namespaces'
 * last references may sleep): by a work item when the last reference
 * goes in a probe.
 */
#include <linux/kernel.h>
#include <linux/cred.h>
#include <linux/errno.h>
#include <linux/hash.h>
#include <linux/idr.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "cwp.h"
#include "compat.h"

#include "reserve.h"

static struct workqueue_struct *cwp_resv_wq;

/* Reservations of every file by their innermost level; under cwp_lock. */
static struct hlist_head *cwp_resv_hash;
static unsigned int cwp_resv_hash_bits;

/*
 * Reservations whose clone is done, freed in process context by one work
 * item for all, a second after the first: a restore consumes one per
 * process it creates, and a work item each would wake another CPU as
 * often. Their tasks hold the same namespaces meanwhile.
 */
#define CWP_RESV_REAP_DELAY	HZ
static LLIST_HEAD(cwp_resv_dead);
static void cwp_resv_reap(struct work_struct *work);
static DECLARE_DELAYED_WORK(cwp_resv_reap_work, cwp_resv_reap);
static atomic_t cwp_nr_reserved = ATOMIC_INIT(0);
static atomic_t cwp_nr_resv_alloc = ATOMIC_INIT(0);
static atomic_long_t cwp_resv_bytes = ATOMIC_LONG_INIT(0);

/* Can reservations be made on this kernel? */
bool cwp_reserve_usable(void)
{
	return cwp_pidmap_lock;
}

unsigned int cwp_reserved(void)
{
	return atomic_read(&cwp_nr_reserved);
}

size_t cwp_reserve_mem(void)
{
	return atomic_long_read(&cwp_resv_bytes) +
	       (sizeof(*cwp_resv_hash) << cwp_resv_hash_bits);
}

static size_t cwp_resv_size(unsigned int nr_levels)
{
	return struct_size((struct cwp_resv *)NULL, level, nr_levels);
}

static struct hlist_head *cwp_resv_bucket(const struct pid_namespace *ns, pid_t nr)
{
	return &cwp_resv_hash[hash_32(hash_ptr(ns, 32) ^ (u32)nr, cwp_resv_hash_bits)];
}

/*
 * The reservation of @cf whose innermost level is @nr in @ns (one at
 * most: the number is taken there). Under cwp_lock.
 */
struct cwp_resv *cwp_resv_lookup(const struct cwp_file *cf, const struct pid_namespace *ns,
				 pid_t nr)
{
	struct cwp_resv *resv;

	hlist_for_each_entry(resv, cwp_resv_bucket(ns, nr), hash_node)
		if (resv->level[0].ns == ns && resv->level[0].nr == nr)
			return resv->cf == cf ? resv : NULL;
	return NULL;
}

/* Give the reservations of @list and the caller's references to @cf. Under cwp_lock. */
static void cwp_resv_attach(struct cwp_file *cf, struct list_head *list)
{
	struct cwp_resv *resv;

	list_for_each_entry(resv, list, node) {
		resv->cf = cf;
		resv->counted = true;
		atomic_inc(&cwp_nr_reserved);
		hlist_add_head(&resv->hash_node,
			       cwp_resv_bucket(resv->level[0].ns, resv->level[0].nr));
	}
	list_splice_tail_init(list, &cf->reservations);
}

/*
 * Take @resv off its file: it is reserved no more, and the file's
 * reference is the caller's now. Under cwp_lock.
 */
void cwp_resv_detach_one(struct cwp_resv *resv)
{
	hlist_del_init(&resv->hash_node);
	list_del_init(&resv->node);
	resv->cf = NULL;
	if (resv->counted) {
		resv->counted = false;
		atomic_dec(&cwp_nr_reserved);
	}
}

/*
 * Drop a reference on @resv; returns true if it was the last, and then
 * @resv is out of the quotas: the caller frees it, or has it freed.
 * Under cwp_lock.
 */
static bool cwp_resv_put_locked(struct cwp_resv *resv)
{
	lockdep_assert_held(&cwp_lock);
	if (WARN_ON_ONCE(!resv->refs) || --resv->refs)
		return false;
	if (resv->charged) {
		cwp_quota_uncharge(resv->user, resv->privileged, 1);
		resv->charged = false;
	}
	return true;
}

/* The same, from any context: a last reference is freed by the work item. */
void cwp_resv_put_async(struct cwp_resv *resv)
{
	if (cwp_resv_put_locked(resv) && llist_add(&resv->dead_node, &cwp_resv_dead))
		queue_delayed_work(cwp_resv_wq, &cwp_resv_reap_work, CWP_RESV_REAP_DELAY);
}

/* A reservation of the chosen pids of @p, holding nothing yet. */
static struct cwp_resv *cwp_resv_create(const struct cwp_pids *p)
{
	struct pid_namespace *ns = p->children_ns;
	struct cwp_resv *resv;
	int i;

	resv = kzalloc(cwp_resv_size(p->nr_chosen), GFP_KERNEL);
	if (!resv)
		return NULL;
	resv->user = cwp_user_get(current_uid());
	if (!resv->user) {
		kfree(resv);
		return NULL;
	}
	resv->privileged = cwp_init_ns_privileged();
	resv->num = p->num;
	resv->top_level = ns->level;
	for (i = p->num - 1; i >= 0; i--, ns = ns->parent) {
		if (!p->pids[i])
			continue;
		/* The caller's namespaces are alive while it runs. */
		resv->level[resv->nr_levels].ns = get_pid_ns(ns);
		resv->level[resv->nr_levels].level = ns->level;
		resv->level[resv->nr_levels].nr = p->pids[i];
		resv->nr_levels++;
	}
	INIT_LIST_HEAD(&resv->node);
	INIT_HLIST_NODE(&resv->hash_node);
	resv->refs = 1;
	atomic_inc(&cwp_nr_resv_alloc);
	atomic_long_add(cwp_resv_size(resv->nr_levels), &cwp_resv_bytes);
	return resv;
}

/*
 * Give back the numbers @resv holds, but those handed to alloc_pid() (a
 * task has them, or its failed clone removed them already). Process
 * context.
 */
static void cwp_resv_untake(struct cwp_resv *resv)
{
	unsigned long flags;
	unsigned int i;

	/* A consumed reservation: its task holds every number. */
	if (!resv->nr_taken || resv->handed == GENMASK(resv->nr_taken - 1, 0))
		return;
	spin_lock_irqsave(cwp_pidmap_lock, flags);
	for (i = 0; i < resv->nr_taken; i++)
		if (!(resv->handed & BIT(i)))
			idr_remove(&resv->level[i].ns->idr, resv->level[i].nr);
	spin_unlock_irqrestore(cwp_pidmap_lock, flags);
	resv->nr_taken = 0;
}

/* Free @resv, out of its file, unused and out of the quotas. Process context. */
static void cwp_resv_free(struct cwp_resv *resv)
{
	unsigned int i;

	cwp_resv_untake(resv);
	/* The last reference on a namespace may free it: out of any lock. */
	for (i = 0; i < resv->nr_levels; i++)
		put_pid_ns(resv->level[i].ns);
	cwp_user_put(resv->user);
	atomic_long_sub(cwp_resv_size(resv->nr_levels), &cwp_resv_bytes);
	atomic_dec(&cwp_nr_resv_alloc);
	kfree(resv);
}

static void cwp_resv_reap(struct work_struct *work)
{
	struct cwp_resv *resv, *tmp;

	llist_for_each_entry_safe(resv, tmp, llist_del_all(&cwp_resv_dead), dead_node)
		cwp_resv_free(resv);
}

/*
 * Let go of the reservations of @list, each off its file and held by the
 * caller: their numbers go back now (but those a clone in flight was
 * handed), each is freed unless its clone or its set still holds it.
 * Process context.
 */
static void cwp_resv_release_list(struct list_head *list)
{
	struct cwp_resv *resv, *tmp;
	bool last;

	list_for_each_entry_safe(resv, tmp, list, node) {
		list_del_init(&resv->node);
		/* Off its file, no clone can claim it: its numbers are ours. */
		if (!READ_ONCE(resv->in_flight))
			cwp_resv_untake(resv);
		raw_spin_lock(&cwp_lock);
		last = cwp_resv_put_locked(resv);
		raw_spin_unlock(&cwp_lock);
		if (last)
			cwp_resv_free(resv);
	}
}

/*
 * Take @resv's numbers, as alloc_pid() does. Returns 0, or -EBUSY (level
 * *@busy is taken: in use, being allocated or reserved), -EINVAL (a
 * number at or above its namespace's pid_max, a namespace without init
 * yet, or whose init is gone) or -ENOMEM; then it holds nothing. Process
 * context.
 */
static int cwp_resv_take(struct cwp_resv *resv, unsigned int *busy)
{
	unsigned long flags;
	int ret = 0, nr;

	idr_preload(GFP_KERNEL);
	spin_lock_irqsave(cwp_pidmap_lock, flags);
	for (; resv->nr_taken < resv->nr_levels; resv->nr_taken++) {
		const struct cwp_level *l = &resv->level[resv->nr_taken];

		/*
		 * Not in a namespace without init: with its pid 1 taken, the
		 * next fork there would be its first process but not pid 1
		 * (kernels before v6.15 let it be: a namespace without a
		 * reaper), nor in one whose init is gone.
		 */
		if (!(READ_ONCE(l->ns->pid_allocated) & PIDNS_ADDING) ||
		    !READ_ONCE(l->ns->child_reaper)) {
			ret = -EINVAL;
			break;
		}
		/* alloc_pid() would refuse it (EINVAL), as it refuses set_tid. */
		if (l->nr >= cwp_pid_max(l->ns)) {
			ret = -EINVAL;
			break;
		}
		nr = idr_alloc(&l->ns->idr, NULL, l->nr, l->nr + 1, GFP_ATOMIC);
		if (nr < 0) {
			ret = nr == -ENOSPC ? -EBUSY : nr;
			*busy = resv->nr_taken;
			break;
		}
	}
	spin_unlock_irqrestore(cwp_pidmap_lock, flags);
	idr_preload_end();
	if (ret)
		cwp_resv_untake(resv);
	return ret;
}

/* Read the sets of @args into @list, one reservation each. */
static int cwp_resv_read(const struct cwp_reserve_args *args, struct list_head *list)
{
	const u64 __user *usets = u64_to_user_ptr(args->sets);
	struct cwp_resv *resv;
	struct cwp_pids p;
	u32 i;
	u64 uset;
	int ret;

	for (i = 0; i < args->nr_sets; i++) {
		if (get_user(uset, &usets[i]))
			return -EFAULT;
		ret = cwp_pids_read(u64_to_user_ptr(uset), &p);
		if (ret)
			return ret;
		if (!p.nr_chosen)
			return -EINVAL;
		resv = cwp_resv_create(&p);
		if (!resv)
			return -ENOMEM;
		resv->set = i;
		list_add_tail(&resv->node, list);
	}
	return 0;
}

/* Sets reserved or released at a time under cwp_lock (every CPU's probes take it). */
#define CWP_RESV_BATCH	64

/* The longest cwp_lock hold and the most sets under one, for debugfs. */
static void cwp_resv_held(u64 t0, unsigned int n)
{
	u64 t = ktime_get_ns() - t0;

	if (t > READ_ONCE(cwp_stat_resv_hold_max))
		WRITE_ONCE(cwp_stat_resv_hold_max, t);
	if (n > READ_ONCE(cwp_stat_resv_batch_max))
		WRITE_ONCE(cwp_stat_resv_batch_max, n);
}

/* cwp_resv_attach() of @list to @cf, in batches. Process context. */
static void cwp_resv_attach_batched(struct cwp_file *cf, struct list_head *list)
{
	struct cwp_resv *resv, *tmp;
	unsigned int n = 0;
	LIST_HEAD(batch);
	u64 t0;

	list_for_each_entry_safe(resv, tmp, list, node) {
		list_move_tail(&resv->node, &batch);
		if (++n < CWP_RESV_BATCH && !list_empty(list))
			continue;
		t0 = ktime_get_ns();
		raw_spin_lock(&cwp_lock);
		cwp_resv_attach(cf, &batch);
		raw_spin_unlock(&cwp_lock);
		cwp_resv_held(t0, n);
		n = 0;
	}
}

/*
 * cwp_reserve() - CWP_IOC_RESERVE through @cf: reserve every chosen pid of
 * every set of @args, or none. On EBUSY, args->busy_set and
 * args->busy_index say which pid was taken.
 */
int cwp_reserve(struct cwp_file *cf, struct cwp_reserve_args *args)
{
	struct cwp_resv *resv;
	LIST_HEAD(list);
	unsigned int busy, n;
	u64 t0;
	int ret;

	args->busy_set = ~0U;
	args->busy_index = ~0U;
	if (!cwp_reserve_usable())
		return -EOPNOTSUPP;
	ret = cwp_resv_read(args, &list);
	if (ret)
		goto err;

	/*
	 * Every set counts as an armed one: all fit in the quotas, or none.
	 * In batches, so that cwp_lock, which every CPU's probes take, is
	 * held for a bounded time whatever the number of sets.
	 */
	resv = list_first_entry_or_null(&list, struct cwp_resv, node);
	while (resv && !ret) {
		t0 = ktime_get_ns();
		raw_spin_lock(&cwp_lock);
		for (n = 0; resv && n < CWP_RESV_BATCH && !ret; n++) {
			ret = cwp_quota_charge(resv->user, resv->privileged, 1, 1);
			if (!ret)
				resv->charged = true;
			resv = list_is_last(&resv->node, &list) ? NULL : list_next_entry(resv, node);
		}
		raw_spin_unlock(&cwp_lock);
		cwp_resv_held(t0, n);
	}
	if (ret)
		goto err;

	list_for_each_entry(resv, &list, node) {
		ret = cwp_resv_take(resv, &busy);
		if (ret == -EBUSY) {
			args->busy_set = resv->set;
			args->busy_index = resv->num - 1 -
				(resv->top_level - resv->level[busy].level);
		}
		if (ret)
			goto err;
	}

	cwp_resv_attach_batched(cf, &list);
	return 0;

err:
	cwp_resv_release_list(&list);
	return ret;
}

/* Does @resv hold exactly the chosen pids of @p? */
static bool cwp_resv_match(const struct cwp_resv *resv, const struct cwp_pids *p)
{
	struct pid_namespace *ns = p->children_ns;
	unsigned int n = 0;
	int i;

	for (i = p->num - 1; i >= 0; i--, ns = ns->parent) {
		if (!p->pids[i])
			continue;
		if (n == resv->nr_levels || resv->level[n].ns != ns ||
		    resv->level[n].nr != p->pids[i])
			return false;
		n++;
	}
	return n == resv->nr_levels;
}

/*
 * Take @cf's reservation of exactly the chosen pids of @p (at least one)
 * off its file into @list: -ENOENT if it has none, -EBUSY if its clone is
 * in progress. Under cwp_lock.
 */
static int cwp_resv_detach(struct cwp_file *cf, const struct cwp_pids *p,
			   struct list_head *list)
{
	struct pid_namespace *ns;
	struct cwp_resv *resv;
	pid_t nr = cwp_pids_innermost(p, &ns);

	resv = cwp_resv_lookup(cf, ns, nr);
	if (!resv || !cwp_resv_match(resv, p))
		return -ENOENT;
	if (resv->in_flight)
		return -EBUSY;
	cwp_resv_detach_one(resv);
	list_add_tail(&resv->node, list);
	return 0;
}

/*
 * Take all of @cf's reservations off it into @list, in batches (see
 * CWP_RESV_BATCH): the caller lets them go (cwp_resv_release_list()).
 * Process context.
 */
static void cwp_resv_detach_all(struct cwp_file *cf, struct list_head *list)
{
	struct cwp_resv *resv;
	unsigned int n;
	u64 t0;

	while (!list_empty_careful(&cf->reservations)) {
		t0 = ktime_get_ns();
		raw_spin_lock(&cwp_lock);
		for (n = 0; n < CWP_RESV_BATCH && !list_empty(&cf->reservations); n++) {
			resv = list_first_entry(&cf->reservations, struct cwp_resv, node);
			cwp_resv_detach_one(resv);
			list_add_tail(&resv->node, list);
		}
		raw_spin_unlock(&cwp_lock);
		cwp_resv_held(t0, n);
	}
}

/*
 * cwp_reserve_release() - CWP_IOC_RELEASE through @cf: release the reservations
 * of the sets of @args (all of them, or none and -ENOENT, -EBUSY), or all
 * of @cf's when there is no set.
 */
int cwp_reserve_release(struct cwp_file *cf, struct cwp_reserve_args *args)
{
	const u64 __user *usets = u64_to_user_ptr(args->sets);
	LIST_HEAD(list);
	struct cwp_pids p;
	u64 uset;
	u32 i;
	int ret = 0;

	if (!args->nr_sets) {
		cwp_resv_detach_all(cf, &list);
		cwp_resv_release_list(&list);
		return 0;
	}
	for (i = 0; i < args->nr_sets; i++) {
		if (get_user(uset, &usets[i])) {
			ret = -EFAULT;
			break;
		}
		ret = cwp_pids_read(u64_to_user_ptr(uset), &p);
		if (ret)
			break;
		raw_spin_lock(&cwp_lock);
		ret = p.nr_chosen ? cwp_resv_detach(cf, &p, &list) : -ENOENT;
		raw_spin_unlock(&cwp_lock);
		if (ret)
			break;
	}
	if (ret) {
		/* None is released: back to the file, in any order. */
		cwp_resv_attach_batched(cf, &list);
		return ret;
	}
	cwp_resv_release_list(&list);
	return 0;
}

/*
 * The last reference on @cf's file is gone: its reservations are
 * released. (Any holder of the file may release them all before, with
 * CWP_IOC_RELEASE: they belong to the file, not to a task.) Process
 * context.
 */
void cwp_reserve_file_closed(struct cwp_file *cf)
{
	LIST_HEAD(list);

	cwp_resv_detach_all(cf, &list);
	cwp_resv_release_list(&list);
}

int cwp_reserve_init(void)
{
	unsigned int i;

	cwp_resv_hash_bits = ilog2(roundup_pow_of_two(cwp_quota_max_requests()));
	cwp_resv_hash = kvmalloc_array(1U << cwp_resv_hash_bits, sizeof(*cwp_resv_hash),
				       GFP_KERNEL);
	if (!cwp_resv_hash)
		return -ENOMEM;
	for (i = 0; i < 1U << cwp_resv_hash_bits; i++)
		INIT_HLIST_HEAD(&cwp_resv_hash[i]);
	cwp_resv_wq = alloc_workqueue("clone_with_pids_resv", WQ_UNBOUND, 0);
	if (!cwp_resv_wq)
		goto err_hash;
	return 0;

err_hash:
	kvfree(cwp_resv_hash);
	return -ENOMEM;
}

/* No file is open and no clone in progress: only frees may be queued. */
void cwp_reserve_exit(void)
{
	flush_delayed_work(&cwp_resv_reap_work);
	destroy_workqueue(cwp_resv_wq);
	WARN_ON_ONCE(atomic_read(&cwp_nr_resv_alloc));
	kvfree(cwp_resv_hash);
}
