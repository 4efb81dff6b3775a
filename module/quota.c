// SPDX-License-Identifier: GPL-2.0
/*
 * Quotas: how many live requests (armed, waiting for a restart, active or
 * expired) each user may have, so that one user cannot deny the service
 * to another.
 *
 * A user is a uid in the initial user namespace (kuid_t), whatever user
 * namespace it acts from. Callers with CAP_SYS_ADMIN or
 * CAP_CHECKPOINT_RESTORE in the initial user namespace ("privileged")
 * have no per-user limit and a reserve: unprivileged users together use
 * at most three quarters of the pool, so root can always arm. The pool
 * bounds the kretprobe's instances (every live request may be active at
 * once), and so the module's memory. A list with a gap keeps the
 * allocation diversion (which every fork of the system pays) armed: an
 * unprivileged caller's must be used within divert_ttl_ms.
 */
#include <linux/kernel.h>
#include <linux/atomic.h>
#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>

#include "cwp.h"

static unsigned int max_requests = 1024;
module_param(max_requests, uint, 0444);
MODULE_PARM_DESC(max_requests, "pid sets that can be armed at once, system-wide (64 to 65536, default 1024)");

static unsigned int user_requests = 128;
module_param(user_requests, uint, 0444);
MODULE_PARM_DESC(user_requests, "pid sets one unprivileged user can have armed at once (1 to 3/4 of max_requests, default 128)");

static unsigned int divert_ttl_ms = 10000;
module_param(divert_ttl_ms, uint, 0444);
MODULE_PARM_DESC(divert_ttl_ms, "how long a list with a gap armed by an unprivileged caller stays usable, in ms (100 to 600000, default 10000)");

/*
 * The one lock of the module's state: the request table, the files'
 * lists of requests and reservations, the reservations' hash and the
 * quotas. A raw spinlock: the probes take it with preemption disabled,
 * where a spinlock_t would sleep on PREEMPT_RT. Defined here, where the
 * quotas it protects are, the lowest of the files that take it.
 */
DEFINE_RAW_SPINLOCK(cwp_lock);

struct cwp_user {
	struct hlist_node node;
	kuid_t uid;
	atomic_t refs;		/* requests that point here; 0 only under cwp_lock */
	unsigned int live;	/* of which live */
};

/* Under cwp_lock. */
static DEFINE_HASHTABLE(cwp_users, 6);
static unsigned int cwp_nr_users;
static unsigned int cwp_live;		/* all users */
static unsigned int cwp_unpriv_live;	/* unprivileged callers' */

int cwp_quota_init(void)
{
	if (max_requests < 64 || max_requests > 65536 || !user_requests ||
	    user_requests > max_requests / 4 * 3) {
		pr_err("max_requests=%u user_requests=%u: out of range (64 <= max_requests <= 65536, 1 <= user_requests <= 3/4 of it)\n",
		       max_requests, user_requests);
		return -EINVAL;
	}
	if (divert_ttl_ms < 100 || divert_ttl_ms > 600000) {
		pr_err("divert_ttl_ms=%u: out of range (100 to 600000)\n", divert_ttl_ms);
		return -EINVAL;
	}
	return 0;
}

unsigned int cwp_quota_divert_ttl_ms(void)
{
	return divert_ttl_ms;
}

unsigned int cwp_quota_max_requests(void)
{
	return max_requests;
}

unsigned int cwp_quota_user_requests(void)
{
	return user_requests;
}

static struct cwp_user *cwp_user_find(kuid_t uid)
{
	struct cwp_user *user;

	lockdep_assert_held(&cwp_lock);
	hash_for_each_possible(cwp_users, user, node, __kuid_val(uid))
		if (uid_eq(user->uid, uid))
			return user;
	return NULL;
}

/* A reference on @uid's accounting, for a new request. Process context. */
struct cwp_user *cwp_user_get(kuid_t uid)
{
	struct cwp_user *user, *new;

	raw_spin_lock(&cwp_lock);
	user = cwp_user_find(uid);
	if (user)
		atomic_inc(&user->refs);
	raw_spin_unlock(&cwp_lock);
	if (user)
		return user;

	new = kzalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return NULL;
	new->uid = uid;
	atomic_set(&new->refs, 1);
	raw_spin_lock(&cwp_lock);
	user = cwp_user_find(uid);
	if (user) {
		atomic_inc(&user->refs);
	} else {
		hash_add(cwp_users, &new->node, __kuid_val(uid));
		cwp_nr_users++;
		user = new;
		new = NULL;
	}
	raw_spin_unlock(&cwp_lock);
	kfree(new);
	return user;
}

/*
 * Drop a request's reference. Process context. Only the last one takes
 * cwp_lock, which the probes take for every clone of a task with pids
 * armed: a restore frees a reservation for each process it creates.
 */
void cwp_user_put(struct cwp_user *user)
{
	bool last;

	if (atomic_add_unless(&user->refs, -1, 1))
		return;
	raw_spin_lock(&cwp_lock);
	last = atomic_dec_and_test(&user->refs);
	if (last) {
		WARN_ON_ONCE(user->live);
		hash_del(&user->node);
		cwp_nr_users--;
	}
	raw_spin_unlock(&cwp_lock);
	if (last)
		kfree(user);
}

/*
 * cwp_quota_full() - would @n more live requests of @user pass a limit?
 * Under cwp_lock.
 */
bool cwp_quota_full(const struct cwp_user *user, bool privileged, unsigned int n)
{
	lockdep_assert_held(&cwp_lock);
	if (cwp_live + n > max_requests)
		return true;
	return !privileged && (user->live + n > user_requests ||
			       cwp_unpriv_live + n > max_requests - max_requests / 4);
}

/*
 * cwp_quota_charge() - count @n more live requests of @user, of which
 * @checked must fit in the limits (the others are covered already: a
 * reservation's sets, a request put back as it was). Under cwp_lock.
 * Returns 0, or -EAGAIN and counts nothing.
 */
int cwp_quota_charge(struct cwp_user *user, bool privileged, unsigned int n,
		     unsigned int checked)
{
	lockdep_assert_held(&cwp_lock);
	if (checked && cwp_quota_full(user, privileged, checked))
		return -EAGAIN;
	user->live += n;
	cwp_live += n;
	if (!privileged)
		cwp_unpriv_live += n;
	return 0;
}

/* @n live requests of @user less. Under cwp_lock. */
void cwp_quota_uncharge(struct cwp_user *user, bool privileged, unsigned int n)
{
	lockdep_assert_held(&cwp_lock);
	user->live -= n;
	cwp_live -= n;
	if (!privileged)
		cwp_unpriv_live -= n;
}

size_t cwp_quota_mem(void)
{
	return (size_t)READ_ONCE(cwp_nr_users) * sizeof(struct cwp_user);
}
