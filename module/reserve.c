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
 * file's list under cwp_lock; it counts in its user's quota like an
 * armed set. It is found by the number of its innermost level, which no
 * other reservation nor task can have in that namespace: a hash table of
 * as many buckets as sets can be armed (max_requests), under cwp_lock,
 * makes arming a set and claiming its reservation cost the same whatever
 * the number of reservations. A clone of a request armed through that file whose chosen
 * pids include all of its pids consumes it (a task of a pid namespace
 * created after the reservation has levels it could not hold):
 *
 * - the request is made for the diversion, never set_tid (whose
 *   idr_alloc() would find the numbers taken), and claims the reservation
 *   when its clone starts (cwp_request_activate(), under cwp_lock);
 * - where alloc_pid() allocates a reserved level, the diversion hands it
 *   the number it holds instead (cwp_idr_alloc_reserved()): the NULL entry
 *   is alloc_pid()'s from then on, published by its idr_replace();
 * - if the clone fails after that, alloc_pid()'s rollback or free_pid()
 *   removes the number: a probe on idr_remove(), armed with the
 *   diversion, puts NULL back instead for a level handed by the calling
 *   task's clone (cwp_idr_remove_keep()), so the number goes back to the
 *   reservation without ever being free;
 * - when the clone returns (cwp_request_finish()), a task created
 *   consumes the reservation; otherwise it is the file's again, whole.
 *
 * The handed levels are written by the clone's own task only, in its
 * breakpoint handlers and under pidmap_lock; the file's list and the
 * in-flight state under cwp_lock. A reservation is freed from process
 * context (its namespaces' last references may sleep): from a work item
 * when its clone returns in a probe.
 */
#include <linux/kernel.h>
#include <linux/cred.h>
#include <linux/debugfs.h>
#include <linux/errno.h>
#include <linux/hash.h>
#include <linux/idr.h>
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

/* One reserved set. */
struct cwp_resv {
	struct list_head node;		/* in its file's list, or a local one */
	struct hlist_node hash_node;	/* in cwp_resv_hash, while in its file's list */
	struct cwp_file *cf;		/* its file, once reserved */
	struct llist_node dead_node;	/* in cwp_resv_dead, once its clone is done */
	struct cwp_user *user;
	bool privileged;		/* charged as a privileged caller's */
	bool charged;			/* counts in the quotas */
	bool in_flight;			/* claimed by a clone in progress */
	bool orphan;			/* released while in flight: freed after */
	u32 handed;			/* levels alloc_pid() holds (bit i: level[i]) */
	u32 set;			/* its index in the caller's sets */
	unsigned int num;		/* num_pids of the caller's set */
	unsigned int top_level;		/* level of the caller's set's last entry */
	unsigned int nr_taken;		/* levels whose number it holds */
	unsigned int nr_levels;
	struct cwp_level level[];	/* innermost chosen level first */
};

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
static atomic_t cwp_nr_resv_back = ATOMIC_INIT(0);	/* clones undone, given back */

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
 * The reservation holding @nr in @ns as its innermost level, if it is
 * @cf's. There is one at most: the number is taken in @ns. Under cwp_lock.
 */
static struct cwp_resv *cwp_resv_lookup(const struct cwp_file *cf, const struct pid_namespace *ns,
					pid_t nr)
{
	struct cwp_resv *resv;

	hlist_for_each_entry(resv, cwp_resv_bucket(ns, nr), hash_node)
		if (resv->level[0].ns == ns && resv->level[0].nr == nr)
			return resv->cf == cf ? resv : NULL;
	return NULL;
}

/* Give the reservations of @list to @cf. Under cwp_lock. */
static void cwp_resv_attach(struct cwp_file *cf, struct list_head *list)
{
	struct cwp_resv *resv;

	list_for_each_entry(resv, list, node) {
		resv->cf = cf;
		hlist_add_head(&resv->hash_node,
			       cwp_resv_bucket(resv->level[0].ns, resv->level[0].nr));
	}
	list_splice_tail_init(list, &cf->reservations);
}

/* Take @resv off its file. Under cwp_lock. */
static void cwp_resv_detach_one(struct cwp_resv *resv)
{
	hlist_del_init(&resv->hash_node);
	list_del_init(&resv->node);
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

static void cwp_resv_free(struct cwp_resv *resv)
{
	unsigned int i;

	cwp_resv_untake(resv);
	if (resv->charged) {
		raw_spin_lock(&cwp_lock);
		cwp_quota_uncharge(resv->user, resv->privileged, 1);
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

static void cwp_resv_reap(struct work_struct *work)
{
	struct cwp_resv *resv, *tmp;

	llist_for_each_entry_safe(resv, tmp, llist_del_all(&cwp_resv_dead), dead_node)
		cwp_resv_free(resv);
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
 * namespace without init yet, or whose init is gone) or -ENOMEM; then it
 * holds nothing. Process context.
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
		ret = cwp_quota_charge(resv->user, resv->privileged, 1, 1);
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

	raw_spin_lock(&cwp_lock);
	cwp_resv_attach(cf, &list);
	raw_spin_unlock(&cwp_lock);
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

/* The innermost chosen level of @p, and its namespace in *@ns. */
static pid_t cwp_pids_innermost(const struct cwp_pids *p, struct pid_namespace **ns)
{
	int i;

	*ns = p->children_ns;
	for (i = p->num - 1; !p->pids[i]; i--)
		*ns = (*ns)->parent;
	return p->pids[i];
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
 * Take all of @cf's reservations off it into @list; one whose clone is in
 * progress is freed when that clone returns. Under cwp_lock.
 */
static void cwp_resv_detach_all(struct cwp_file *cf, struct list_head *list)
{
	struct cwp_resv *resv, *tmp;

	list_for_each_entry_safe(resv, tmp, &cf->reservations, node) {
		cwp_resv_detach_one(resv);
		if (resv->in_flight)
			resv->orphan = true;
		else
			list_add_tail(&resv->node, list);
	}
}

/*
 * cwp_unreserve() - CWP_IOC_RELEASE through @cf: release the reservations
 * of the sets of @args (all of them, or none and -ENOENT, -EBUSY), or all
 * of @cf's when there is no set.
 */
int cwp_unreserve(struct cwp_file *cf, struct cwp_reserve_args *args)
{
	const u64 __user *usets = u64_to_user_ptr(args->sets);
	LIST_HEAD(list);
	struct cwp_pids p;
	u64 uset;
	u32 i;
	int ret = 0;

	if (!args->nr_sets) {
		raw_spin_lock(&cwp_lock);
		cwp_resv_detach_all(cf, &list);
		raw_spin_unlock(&cwp_lock);
		cwp_resv_free_list(&list);
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
		raw_spin_lock(&cwp_lock);
		cwp_resv_attach(cf, &list);
		raw_spin_unlock(&cwp_lock);
		return ret;
	}
	cwp_resv_free_list(&list);
	return 0;
}

/* The last reference on @cf's file is gone. Process context. */
void cwp_reserve_release_file(struct cwp_file *cf)
{
	LIST_HEAD(list);

	raw_spin_lock(&cwp_lock);
	cwp_resv_detach_all(cf, &list);
	raw_spin_unlock(&cwp_lock);
	cwp_resv_free_list(&list);
}

/* The level of @resv holding @nr in @idr, or -1. */
static int cwp_resv_level(const struct cwp_resv *resv, const struct idr *idr, unsigned long nr)
{
	unsigned int i;

	for (i = 0; i < resv->nr_levels; i++)
		if (&resv->level[i].ns->idr == idr && resv->level[i].nr == nr)
			return i;
	return -1;
}

/* Is every pid @resv holds among the @nr_levels pids of @level? */
static bool cwp_resv_within(const struct cwp_resv *resv, const struct cwp_level *level,
			    unsigned int nr_levels)
{
	unsigned int i, j;

	for (i = 0; i < resv->nr_levels; i++) {
		for (j = 0; j < nr_levels; j++)
			if (level[j].ns == resv->level[i].ns && level[j].nr == resv->level[i].nr)
				break;
		if (j == nr_levels)
			return false;
	}
	return true;
}

/*
 * The reservation of @cf a clone of @nr_levels chosen pids @level consumes:
 * one whose pids are all among them (a task in a pid namespace created
 * after the reservation has more levels than it could hold). Under
 * cwp_lock.
 */
static struct cwp_resv *cwp_resv_find(struct cwp_file *cf, const struct cwp_level *level,
				      unsigned int nr_levels)
{
	struct cwp_resv *resv;
	unsigned int i;

	/* Its innermost level is one of them. */
	for (i = 0; i < nr_levels; i++) {
		resv = cwp_resv_lookup(cf, level[i].ns, level[i].nr);
		if (resv && !resv->in_flight && cwp_resv_within(resv, level, nr_levels))
			return resv;
	}
	return NULL;
}

/*
 * Is every pid @resv holds among the chosen pids of @p? Both go from the
 * innermost namespace outwards, so one pass over @p finds them in order.
 */
static bool cwp_resv_within_pids(const struct cwp_resv *resv, const struct cwp_pids *p)
{
	struct pid_namespace *ns = p->children_ns;
	unsigned int n = 0;
	int i;

	for (i = p->num - 1; i >= 0 && n < resv->nr_levels; i--, ns = ns->parent)
		if (p->pids[i] && resv->level[n].ns == ns && resv->level[n].nr == p->pids[i])
			n++;
	return n == resv->nr_levels;
}

/*
 * cwp_reserve_matches() - would a clone through @cf for @p consume one of
 * @cf's reservations? Then the request for @p is made for the diversion,
 * which alone can hand reserved numbers to alloc_pid(). The same choice
 * as cwp_reserve_claim()'s, without building the levels: nothing here can
 * fail. Process context.
 */
bool cwp_reserve_matches(struct cwp_file *cf, const struct cwp_pids *p)
{
	struct pid_namespace *ns = p->children_ns;
	struct cwp_resv *resv;
	bool found = false;
	int i;

	if (!cf || !p->nr_chosen || list_empty_careful(&cf->reservations))
		return false;
	raw_spin_lock(&cwp_lock);
	for (i = p->num - 1; i >= 0 && !found; i--, ns = ns->parent) {
		if (!p->pids[i])
			continue;
		resv = cwp_resv_lookup(cf, ns, p->pids[i]);
		found = resv && !resv->in_flight && cwp_resv_within_pids(resv, p);
	}
	raw_spin_unlock(&cwp_lock);
	return found;
}

/*
 * cwp_reserve_claim() - a clone of a request armed through @cf for the
 * @nr_levels chosen pids of @level starts: the reservation it consumes,
 * now in flight, or NULL. Under cwp_lock.
 */
struct cwp_resv *cwp_reserve_claim(struct cwp_file *cf, const struct cwp_level *level,
				   unsigned int nr_levels)
{
	struct cwp_resv *resv;

	lockdep_assert_held(&cwp_lock);
	resv = cwp_resv_find(cf, level, nr_levels);
	if (resv) {
		resv->in_flight = true;
		resv->handed = 0;
	}
	return resv;
}

/*
 * cwp_reserve_hand() - alloc_pid() of @resv's clone allocates @nr in
 * @idr: true if @resv holds it, and hands it over. Breakpoint context,
 * the clone's task, under pidmap_lock.
 */
bool cwp_reserve_hand(struct cwp_resv *resv, const struct idr *idr, pid_t nr)
{
	int i = cwp_resv_level(resv, idr, nr);

	if (i < 0)
		return false;
	resv->handed |= BIT(i);
	return true;
}

/*
 * cwp_reserve_keep() - the clone of @resv is about to remove @id from
 * @idr (its rollback, or free_pid()): true if the number was handed from
 * @resv, which takes it back. Breakpoint context, the clone's task, under
 * pidmap_lock.
 */
bool cwp_reserve_keep(struct cwp_resv *resv, const struct idr *idr, unsigned long id)
{
	int i = cwp_resv_level(resv, idr, id);

	if (i < 0 || !(resv->handed & BIT(i)))
		return false;
	resv->handed &= ~BIT(i);
	return true;
}

/*
 * cwp_reserve_done() - @resv's clone returned: @created a task, which
 * holds its numbers now, or not, and every number it was handed came back
 * (unless the probe on idr_remove() missed one: then the reservation is
 * dropped, never given again with a hole). Under cwp_lock, from the
 * kretprobe's return handler.
 */
void cwp_reserve_done(struct cwp_resv *resv, bool created)
{
	lockdep_assert_held(&cwp_lock);
	resv->in_flight = false;
	if (!created && resv->handed)
		pr_warn_ratelimited("a failed clone kept %#x of the levels of its reservation: reservation dropped\n",
				    resv->handed);
	if (!created && !resv->handed)
		atomic_inc(&cwp_nr_resv_back);
	if (created || resv->handed || resv->orphan) {
		if (!resv->orphan)
			cwp_resv_detach_one(resv);
		/* Out of the counts now; the rest in process context. */
		if (resv->charged) {
			cwp_quota_uncharge(resv->user, resv->privileged, 1);
			atomic_dec(&cwp_nr_reserved);
			resv->charged = false;
		}
		if (llist_add(&resv->dead_node, &cwp_resv_dead))
			queue_delayed_work(cwp_resv_wq, &cwp_resv_reap_work,
					   CWP_RESV_REAP_DELAY);
	}
}

/* Counters the tests read: they show that undone clones gave pids back. */
void cwp_reserve_debugfs(struct dentry *dir)
{
	debugfs_create_atomic_t("stat_reservations_back", 0400, dir, &cwp_nr_resv_back);
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
