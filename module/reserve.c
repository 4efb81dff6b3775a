// SPDX-License-Identifier: GPL-2.0
/*
 * Reservations: pids taken away from the rest of the system before the
 * tasks that will have them are created (CWP_IOC_RESERVE), so that a
 * restore either has every pid of its tree or fails before it starts.
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
 * file's list under the file's mutex; it counts in its user's quota like
 * an armed set. The probes never look at reservations.
 */
#include <linux/kernel.h>
#include <linux/cred.h>
#include <linux/errno.h>
#include <linux/idr.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "cwp.h"

/* One reserved set. */
struct cwp_resv {
	struct list_head node;		/* in its file's list, or a local one */
	struct cwp_user *user;
	bool privileged;		/* charged as a privileged caller's */
	bool charged;			/* counts in the quotas */
	u32 set;			/* its index in the caller's sets */
	unsigned int num;		/* num_pids of the caller's set */
	unsigned int top_level;		/* level of the caller's set's last entry */
	unsigned int nr_taken;		/* levels whose number it holds */
	unsigned int nr_levels;
	struct cwp_level level[];	/* innermost chosen level first */
};

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
	return atomic_long_read(&cwp_resv_bytes);
}

static size_t cwp_resv_size(unsigned int nr_levels)
{
	return struct_size((struct cwp_resv *)NULL, level, nr_levels);
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
	atomic_inc(&cwp_nr_resv_alloc);
	atomic_long_add(cwp_resv_size(resv->nr_levels), &cwp_resv_bytes);
	return resv;
}

/* Give back the numbers @resv holds. Process context. */
static void cwp_resv_untake(struct cwp_resv *resv)
{
	unsigned long flags;
	unsigned int i;

	if (!resv->nr_taken)
		return;
	spin_lock_irqsave(cwp_pidmap_lock, flags);
	for (i = 0; i < resv->nr_taken; i++)
		idr_remove(&resv->level[i].ns->idr, resv->level[i].nr);
	spin_unlock_irqrestore(cwp_pidmap_lock, flags);
	resv->nr_taken = 0;
}

static void cwp_resv_free(struct cwp_resv *resv)
{
	unsigned int i;

	cwp_resv_untake(resv);
	if (resv->charged) {
		raw_spin_lock(&cwp_lock);
		cwp_quota_uncharge(resv->user, resv->privileged);
		raw_spin_unlock(&cwp_lock);
		atomic_dec(&cwp_nr_reserved);
	}
	/* The last reference on a namespace may free it: out of any lock. */
	for (i = 0; i < resv->nr_levels; i++)
		put_pid_ns(resv->level[i].ns);
	cwp_user_put(resv->user);
	atomic_long_sub(cwp_resv_size(resv->nr_levels), &cwp_resv_bytes);
	atomic_dec(&cwp_nr_resv_alloc);
	kfree(resv);
}

static void cwp_resv_free_list(struct list_head *list)
{
	struct cwp_resv *resv, *tmp;

	list_for_each_entry_safe(resv, tmp, list, node) {
		list_del(&resv->node);
		cwp_resv_free(resv);
	}
}

/*
 * Take @resv's numbers, as alloc_pid() does. Returns 0, or -EBUSY (level
 * *@busy is taken: in use, being allocated or reserved), -EINVAL (a
 * namespace that is exiting, or a pid other than 1 in one without init)
 * or -ENOMEM; then it holds nothing. Process context.
 */
static int cwp_resv_take(struct cwp_resv *resv, unsigned int *busy)
{
	unsigned long flags;
	int ret = 0, nr;

	idr_preload(GFP_KERNEL);
	spin_lock_irqsave(cwp_pidmap_lock, flags);
	for (; resv->nr_taken < resv->nr_levels; resv->nr_taken++) {
		const struct cwp_level *l = &resv->level[resv->nr_taken];

		if (!(READ_ONCE(l->ns->pid_allocated) & PIDNS_ADDING) ||
		    (l->nr != 1 && !READ_ONCE(l->ns->child_reaper))) {
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

/* The index in the caller's pids[] of @resv's level @i. */
static u32 cwp_resv_index(const struct cwp_resv *resv, unsigned int i)
{
	return resv->num - 1 - (resv->top_level - resv->level[i].level);
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

/*
 * cwp_reserve() - CWP_IOC_RESERVE through @cf: reserve every chosen pid of
 * every set of @args, or none. On EBUSY, args->busy_set and
 * args->busy_index say which pid was taken.
 */
int cwp_reserve(struct cwp_file *cf, struct cwp_reserve_args *args)
{
	struct cwp_resv *resv;
	LIST_HEAD(list);
	unsigned int busy;
	int ret;

	args->busy_set = ~0U;
	args->busy_index = ~0U;
	if (!cwp_reserve_usable())
		return -EOPNOTSUPP;
	ret = cwp_resv_read(args, &list);
	if (ret)
		goto err;

	/* Every set counts as an armed one: all fit in the quotas, or none. */
	raw_spin_lock(&cwp_lock);
	list_for_each_entry(resv, &list, node) {
		ret = cwp_quota_charge(resv->user, resv->privileged, false);
		if (ret)
			break;
		resv->charged = true;
		atomic_inc(&cwp_nr_reserved);
	}
	raw_spin_unlock(&cwp_lock);
	if (ret)
		goto err;

	list_for_each_entry(resv, &list, node) {
		ret = cwp_resv_take(resv, &busy);
		if (ret == -EBUSY) {
			args->busy_set = resv->set;
			args->busy_index = cwp_resv_index(resv, busy);
		}
		if (ret)
			goto err;
	}

	mutex_lock(&cf->resv_mutex);
	list_splice_tail(&list, &cf->reservations);
	mutex_unlock(&cf->resv_mutex);
	return 0;

err:
	cwp_resv_free_list(&list);
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
 * cwp_unreserve() - CWP_IOC_RELEASE through @cf: release the reservations
 * of the sets of @args (all of them, or -ENOENT and none), or all of
 * @cf's when there is no set.
 */
int cwp_unreserve(struct cwp_file *cf, struct cwp_reserve_args *args)
{
	const u64 __user *usets = u64_to_user_ptr(args->sets);
	struct cwp_resv *resv, *found;
	LIST_HEAD(list);
	struct cwp_pids p;
	u64 uset;
	u32 i;
	int ret = 0;

	mutex_lock(&cf->resv_mutex);
	if (!args->nr_sets) {
		list_splice_init(&cf->reservations, &list);
		goto out;
	}
	for (i = 0; i < args->nr_sets; i++) {
		if (get_user(uset, &usets[i])) {
			ret = -EFAULT;
			break;
		}
		ret = cwp_pids_read(u64_to_user_ptr(uset), &p);
		if (ret)
			break;
		found = NULL;
		if (p.nr_chosen)
			list_for_each_entry(resv, &cf->reservations, node)
				if (cwp_resv_match(resv, &p)) {
					found = resv;
					break;
				}
		if (!found) {
			ret = -ENOENT;
			break;
		}
		list_move_tail(&found->node, &list);
	}
	if (ret)
		/* None is released: back where they were, in any order. */
		list_splice_init(&list, &cf->reservations);
out:
	mutex_unlock(&cf->resv_mutex);
	cwp_resv_free_list(&list);
	return ret;
}

/* The last reference on @cf's file is gone. */
void cwp_reserve_release_file(struct cwp_file *cf)
{
	cwp_resv_free_list(&cf->reservations);
}

void cwp_reserve_exit(void)
{
	WARN_ON_ONCE(atomic_read(&cwp_nr_resv_alloc));
}
