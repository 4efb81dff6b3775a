// SPDX-License-Identifier: GPL-2.0
/*
 * Reservations in the clones that consume them (reserve.c makes them).
 *
 * A set armed through the reservation's file whose chosen pids include
 * all of a reservation's (a task of a pid namespace created after the
 * reservation has levels it could not hold) covers it
 * (cwp_reserve_cover()), if no other armed set does: one set at a time
 * stands for a reservation, and counts in the quotas through it, so
 * that a reservation covers at most one armed set and the pool stays
 * bounded. The clone of that set alone consumes it:
 *
 * - the request is made for the diversion, never set_tid (whose
 *   idr_alloc() would find the numbers taken), and claims the reservation
 *   when its clone starts (cwp_clone_activate(), under cwp_lock);
 * - where alloc_pid() allocates a reserved level, the diversion hands it
 *   the number it holds instead (cwp_idr_alloc_reserved()): the NULL entry
 *   is alloc_pid()'s from then on, published by its idr_replace();
 * - if the clone fails after that, alloc_pid()'s rollback or free_pid()
 *   removes the number: a probe on idr_remove(), armed with the
 *   diversion, puts NULL back instead for a level handed by the calling
 *   task's clone (cwp_idr_remove_keep()), so the number goes back to the
 *   reservation without ever being free;
 * - when the clone returns (cwp_clone_finish()), a task created consumes
 *   the reservation; otherwise it is the file's again, whole.
 *
 * A number is handed to alloc_pid() only where alloc_pid() will keep it
 * (below the namespace's pid_max): a level whose allocation fails is not
 * rolled back by alloc_pid(), and would be held by nobody. The handed
 * levels are written by the clone's own task only, in its breakpoint
 * handlers and under pidmap_lock; the rest under cwp_lock.
 */
#include <linux/kernel.h>
#include <linux/bits.h>
#include <linux/idr.h>
#include <linux/pid_namespace.h>
#include <linux/spinlock.h>

#include "cwp.h"
#include "reserve.h"

/* The level of @resv holding @nr in @idr, or -1. */
static int cwp_resv_level(const struct cwp_resv *resv, const struct idr *idr, unsigned long nr)
{
	unsigned int i;

	for (i = 0; i < resv->nr_levels; i++)
		if (&resv->level[i].ns->idr == idr && resv->level[i].nr == nr)
			return i;
	return -1;
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
 * The reservation of @cf that a set @p armed through it would cover: the
 * one whose pids are all among @p's chosen ones, found by its innermost
 * level from @p's innermost chosen pid outwards, if no set covers it yet.
 * Under cwp_lock.
 */
static struct cwp_resv *cwp_resv_coverable(struct cwp_file *cf, const struct cwp_pids *p)
{
	struct pid_namespace *ns = p->children_ns;
	struct cwp_resv *resv;
	int i;

	for (i = p->num - 1; i >= 0; i--, ns = ns->parent) {
		if (!p->pids[i])
			continue;
		resv = cwp_resv_lookup(cf, ns, p->pids[i]);
		if (resv && !resv->covered && cwp_resv_within_pids(resv, p))
			return resv;
	}
	return NULL;
}

/*
 * cwp_reserve_matches() - would a set @p armed through @cf now cover one
 * of @cf's reservations (cwp_reserve_cover())? Then it is armed for the
 * diversion, which alone can hand reserved numbers to alloc_pid().
 * Nothing is allocated or changed. Process context.
 */
bool cwp_reserve_matches(struct cwp_file *cf, const struct cwp_pids *p)
{
	bool found;

	if (!cf || !p->nr_chosen || list_empty_careful(&cf->reservations))
		return false;
	raw_spin_lock(&cwp_lock);
	found = cwp_resv_coverable(cf, p);
	raw_spin_unlock(&cwp_lock);
	return found;
}

/*
 * cwp_reserve_cover() - a set @p is being armed through @cf: the
 * reservation of @cf it stands for from now on, or NULL. A covered
 * reservation counts in the quotas for that set (which counts nothing of
 * its own), is claimed by that set's clone only, and stays allocated,
 * with its charge, until cwp_reserve_uncover(), even if it is released
 * meanwhile. A set covers one reservation at most (the first found from
 * its innermost chosen pid): if its pids include another's, its clone
 * fails with EBUSY, as for any reserved pid. Process context.
 */
struct cwp_resv *cwp_reserve_cover(struct cwp_file *cf, const struct cwp_pids *p)
{
	struct cwp_resv *resv;

	if (!cf || !p->nr_chosen || list_empty_careful(&cf->reservations))
		return NULL;
	raw_spin_lock(&cwp_lock);
	resv = cwp_resv_coverable(cf, p);
	if (resv) {
		resv->covered = true;
		resv->refs++;
	}
	raw_spin_unlock(&cwp_lock);
	return resv;
}

/*
 * cwp_reserve_uncover() - the set that covers @resv is consumed, or
 * dropped. Under cwp_lock, any context.
 */
void cwp_reserve_uncover(struct cwp_resv *resv)
{
	lockdep_assert_held(&cwp_lock);
	resv->covered = false;
	cwp_resv_put_async(resv);
}

/*
 * cwp_reserve_claim() - the clone of the set that covers @resv starts:
 * @resv, now in flight, if it is still reserved; NULL if it was released
 * meanwhile (the clone then takes its pids as any clone would). Under
 * cwp_lock.
 */
struct cwp_resv *cwp_reserve_claim(struct cwp_resv *resv)
{
	lockdep_assert_held(&cwp_lock);
	if (!resv->cf || resv->in_flight)
		return NULL;
	resv->in_flight = true;
	resv->handed = 0;
	resv->refs++;
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
		atomic_inc(&cwp_stat_resv_back);
	/* Consumed, or dropped with a hole: off its file, with its reference. */
	if ((created || resv->handed) && resv->cf) {
		cwp_resv_detach_one(resv);
		cwp_resv_put_async(resv);
	}
	cwp_resv_put_async(resv);
}
