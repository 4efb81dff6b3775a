// SPDX-License-Identifier: GPL-2.0
/*
 * The pid allocation diversion, for the pid sets clone3()'s set_tid
 * cannot carry: a zero between chosen levels, or a reserved set.
 *
 * alloc_pid() allocates one number per namespace level with
 * idr_alloc_cyclic(&ns->idr, NULL, pid_min, pid_max, gfp). A kprobe there
 * diverts the call, for the levels of the calling task's clone in
 * progress only (cwp_clone_divert_nr()), to cwp_idr_alloc_exact(), which
 * takes exactly the requested number with idr_alloc(), as alloc_pid()
 * does for set_tid, or to cwp_idr_alloc_reserved() for a number the
 * clone's reservation holds. Everything else (flag checks, rollback of
 * the levels already allocated, pid 1 of a new namespace) stays the
 * kernel's own code. A kprobe on idr_remove() gives a reserved number
 * back to its reservation when alloc_pid() rolls a failed clone back
 * (cwp_clone_keep_nr()).
 *
 * These probes cost every fork of the system two breakpoint traps per
 * level, so they are armed only while a request needs them
 * (cwp_requests_diverting()) and disarmed a second after the last one is
 * gone. Each arming is proven by a self-test on a private idr. Handlers
 * run in the breakpoint handler, with interrupts off: nothing here
 * sleeps there.
 */
#include <linux/kernel.h>
#include <linux/atomic.h>
#include <linux/idr.h>
#include <linux/jiffies.h>
#include <linux/kprobes.h>
#include <linux/mutex.h>
#include <linux/pid_namespace.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "cwp.h"
#include "compat.h"

static struct kprobe cwp_idr_kp;
static struct kprobe cwp_idr_remove_kp;
static DEFINE_MUTEX(cwp_divert_mutex);
static bool cwp_divert_on;			/* enabled; written under the mutex */
static atomic_t cwp_divert_arming = ATOMIC_INIT(0); /* cwp_divert_get() not yet cwp_divert_got() */
static bool cwp_gaps_broken;			/* failed its verification */

/* The self-test's number, for its task and its private idr only. */
static struct {
	struct task_struct *task;
	const struct idr *idr;
	pid_t nr;
} cwp_selftest;

/*
 * While the probes are enabled, four times a second: disable them if no request
 * has needed them for a second (a restore arms and drops the diversion
 * for every process it creates, and each arming costs the self-test and
 * the text patching of two kprobes). cwp_divert_on is true only while
 * they are enabled: the fast path of cwp_divert_get() relies on it.
 */
#define CWP_DIVERT_POLL	(HZ / 4)
static void cwp_divert_off_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(cwp_divert_off, cwp_divert_off_fn);

static void cwp_divert_off_fn(struct work_struct *work)
{
	unsigned long idle_since;

	mutex_lock(&cwp_divert_mutex);
	if (!cwp_divert_on)
		goto out;
	WRITE_ONCE(cwp_divert_on, false);
	/* Pairs with cwp_divert_get(): one of the two sees the other. */
	smp_mb();
	if (atomic_read(&cwp_divert_arming) || cwp_requests_diverting(&idle_since) ||
	    time_before(jiffies, idle_since + HZ)) {
		WRITE_ONCE(cwp_divert_on, true);
		schedule_delayed_work(&cwp_divert_off, CWP_DIVERT_POLL);
	} else {
		disable_kprobe(&cwp_idr_kp);
		disable_kprobe(&cwp_idr_remove_kp);
	}
out:
	mutex_unlock(&cwp_divert_mutex);
}

/*
 * Does the diversion take effect, on this CPU? On a private idr posing as
 * a namespace's, with pid_max 7, asking for 7 must fail with
 * cwp_idr_alloc_exact()'s EINVAL (idr_alloc_cyclic() itself would say
 * ENOSPC); with room, it must give exactly 7. Whether alloc_pid() still
 * allocates each level there is checked on every clone (cgroup_can_fork).
 * The probe is armed. Process context, under cwp_divert_mutex.
 */
static bool cwp_divert_selftest(void)
{
	struct pid_namespace *ns;
	int small, exact;

	ns = kzalloc(sizeof(*ns), GFP_KERNEL);
	if (!ns)
		return false;
	idr_init(&ns->idr);
	ns->child_reaper = current;
	cwp_selftest.idr = &ns->idr;
	cwp_selftest.nr = 7;
	WRITE_ONCE(cwp_selftest.task, current);

	small = idr_alloc_cyclic(&ns->idr, NULL, 1, 7, GFP_KERNEL);
	exact = idr_alloc_cyclic(&ns->idr, NULL, 1, 100, GFP_KERNEL);

	WRITE_ONCE(cwp_selftest.task, NULL);
	idr_destroy(&ns->idr);
	kfree(ns);
	return small == -EINVAL && exact == 7;
}

/*
 * Arm the diversion probe and prove that it fires, on a private idr. Under
 * QEMU's TCG, a breakpoint written again into idr_alloc_cyclic() has been
 * seen not to take effect on any CPU for tens of milliseconds (the memory
 * held it; no handler ran); writing it once more did. So the probe is
 * written again until it fires, CWP_REARM_TRIES times at most. Under
 * cwp_divert_mutex.
 */
static int cwp_divert_arm(void)
{
	int ret, i;

	ret = enable_kprobe(&cwp_idr_kp);
	for (i = 0; !ret && i < CWP_REARM_TRIES; i++) {
		if (!cwp_inject(CWP_INJECT_STALE_ARM) && cwp_divert_selftest())
			break;
		disable_kprobe(&cwp_idr_kp);
		ret = enable_kprobe(&cwp_idr_kp);
	}
	if (ret) {
		pr_err("cannot arm the probe on idr_alloc_cyclic: %d\n", ret);
		return ret;
	}
	if (i == CWP_REARM_TRIES) {
		disable_kprobe(&cwp_idr_kp);
		pr_err_ratelimited("the probe on idr_alloc_cyclic did not fire, armed %d times: gap list refused (EOPNOTSUPP)\n",
				   CWP_REARM_TRIES + 1);
		return -EOPNOTSUPP;
	}
	if (i)
		pr_notice_ratelimited("the probe on idr_alloc_cyclic fired once armed again (%d times)\n",
				      i);
	ret = enable_kprobe(&cwp_idr_remove_kp);
	if (ret) {
		disable_kprobe(&cwp_idr_kp);
		pr_err("cannot arm the probe on idr_remove: %d\n", ret);
	}
	return ret;
}

/*
 * cwp_divert_get() - a request that needs the diversion is about to be
 * armed: have the probes armed, and kept so until cwp_divert_got() (the
 * request, armed, keeps them so from then on: cwp_requests_diverting()).
 * Returns 0, or the error of arming them; then cwp_divert_got() is not
 * called. Process context.
 */
int cwp_divert_get(void)
{
	int ret = 0;

	atomic_inc(&cwp_divert_arming);
	/* Pairs with cwp_divert_off_fn(): one of the two sees the other. */
	smp_mb__after_atomic();
	if (READ_ONCE(cwp_divert_on))
		return 0;
	mutex_lock(&cwp_divert_mutex);
	if (!cwp_divert_on) {
		ret = cwp_divert_arm();
		if (ret) {
			atomic_dec(&cwp_divert_arming);
		} else {
			WRITE_ONCE(cwp_divert_on, true);
			schedule_delayed_work(&cwp_divert_off, CWP_DIVERT_POLL);
		}
	}
	mutex_unlock(&cwp_divert_mutex);
	return ret;
}

/* cwp_divert_get()'s request is armed, or was refused. Process context. */
void cwp_divert_got(void)
{
	/* Its arming is seen before this is: cwp_divert_off_fn(). */
	smp_mb__before_atomic();
	atomic_dec(&cwp_divert_arming);
}

/* May a set that needs the diversion be armed? */
bool cwp_divert_usable(void)
{
	return !READ_ONCE(cwp_gaps_broken);
}

/*
 * A clone with a gap list did not get the pids it chose: this kernel does
 * not allocate pids the way the diversion expects. Gap lists are refused
 * from now on. Any context.
 */
void cwp_divert_broken(void)
{
	unsigned long idle_since;

	if (!xchg(&cwp_gaps_broken, true))
		pr_err("gap lists are disabled until the module is loaded again (diversion probe %s, %s, %lu missed, %u holders)\n",
		       kprobe_disabled(&cwp_idr_kp) ? "disabled" : "enabled",
		       READ_ONCE(cwp_divert_on) ? "on" : "off", cwp_idr_kp.nmissed,
		       cwp_requests_diverting(&idle_since));
}

/*
 * Entered instead of idr_alloc_cyclic(&ns->idr, NULL, pid_min, pid_max, gfp)
 * from alloc_pid(), under pidmap_lock, with @nr in place of pid_min. The
 * checks are alloc_pid()'s for set_tid; a pid in use is EBUSY, as the
 * clone_with_pids() proposal said, where clone3() says EEXIST.
 */
static noinline int cwp_idr_alloc_exact(struct idr *idr, void *ptr, int nr,
					int pid_max, gfp_t gfp)
{
	struct pid_namespace *ns = container_of(idr, struct pid_namespace, idr);
	int ret;

	if (nr >= pid_max)
		return -EINVAL;
	/* Only pid 1 can come first in a namespace. */
	if (nr != 1 && !READ_ONCE(ns->child_reaper))
		return -EINVAL;
	ret = idr_alloc(idr, ptr, nr, nr + 1, gfp);
	if (ret == -ENOSPC)
		return -EBUSY;
	return ret;
}

/*
 * Entered instead of idr_alloc_cyclic() for a number the clone's
 * reservation holds (reserve.c), below pid_max: the NULL entry is already
 * in @idr, and alloc_pid() publishes it with idr_replace() or removes it
 * on failure (cwp_idr_remove_keep() then puts it back).
 */
static noinline int cwp_idr_alloc_reserved(struct idr *idr, void *ptr, int nr,
					   int pid_max, gfp_t gfp)
{
	return nr;
}

static int cwp_idr_alloc_cyclic_pre(struct kprobe *kp, struct pt_regs *regs)
{
	const struct idr *idr = (struct idr *)regs_get_kernel_argument(regs, 0);
	bool reserved = false;
	pid_t nr;

	if (unlikely(READ_ONCE(cwp_selftest.task) == current) && idr == cwp_selftest.idr)
		nr = cwp_selftest.nr;
	else
		nr = cwp_clone_divert_nr(idr, (int)regs_get_kernel_argument(regs, 3), &reserved);
	if (!nr)
		return 0;
	cwp_regs_set_arg2(regs, nr);
	instruction_pointer_set(regs, reserved ? (unsigned long)cwp_idr_alloc_reserved :
					      (unsigned long)cwp_idr_alloc_exact);
	return 1;	/* resume at the new ip, skip the probed function */
}

/*
 * Entered instead of idr_remove(@idr, @id), under pidmap_lock, for a
 * number a failed clone was handed from its reservation: the entry is
 * NULL again, taken, as the reservation held it.
 */
static noinline void *cwp_idr_remove_keep(struct idr *idr, unsigned long id)
{
	idr_replace(idr, NULL, id);
	return NULL;
}

static int cwp_idr_remove_pre(struct kprobe *kp, struct pt_regs *regs)
{
	if (!cwp_clone_keep_nr((struct idr *)regs_get_kernel_argument(regs, 0),
			       regs_get_kernel_argument(regs, 1)))
		return 0;
	instruction_pointer_set(regs, (unsigned long)cwp_idr_remove_keep);
	return 1;
}

/*
 * Never called: a kprobe with a post handler is never turned into an
 * optimized (jump) probe, only unoptimized probes resume at the ip a pre
 * handler sets, and on ftrace it asks for FTRACE_OPS_FL_IPMODIFY.
 */
static void cwp_divert_post_nop(struct kprobe *kp, struct pt_regs *regs,
				unsigned long flags)
{
}

static struct kprobe cwp_idr_kp = {
	.symbol_name	= "idr_alloc_cyclic",
	.pre_handler	= cwp_idr_alloc_cyclic_pre,
	.post_handler	= cwp_divert_post_nop,
};

/* Armed and disarmed with cwp_idr_kp. */
static struct kprobe cwp_idr_remove_kp = {
	.symbol_name	= "idr_remove",
	.pre_handler	= cwp_idr_remove_pre,
	.post_handler	= cwp_divert_post_nop,
	.flags		= KPROBE_FLAG_DISABLED,
};

/*
 * The diversion probes, the first proven by the self-test, then disarmed
 * until a request needs them. The kprobe core calls the handlers
 * indirectly (IBT needs their ENDBR); the diversions enter
 * cwp_idr_alloc_*() and cwp_idr_remove_keep() by a return, which IBT does
 * not check.
 */
int cwp_divert_init(void)
{
	int ret;

	if (!cwp_ibt_indirect_ok(cwp_idr_alloc_cyclic_pre) ||
	    !cwp_ibt_indirect_ok(cwp_idr_remove_pre) ||
	    !cwp_ibt_indirect_ok(cwp_divert_post_nop)) {
		pr_err("a kprobe handler has no ENDBR on this IBT kernel; refusing to load\n");
		return -EOPNOTSUPP;
	}
	ret = register_kprobe(&cwp_idr_kp);
	if (ret) {
		pr_err("cannot probe idr_alloc_cyclic: register_kprobe() returned %d\n", ret);
		return ret;
	}
	if (!cwp_divert_selftest()) {
		pr_err("self-test: the pid allocation diversion does not take effect; refusing to load\n");
		ret = -EOPNOTSUPP;
		goto err_idr;
	}
	disable_kprobe(&cwp_idr_kp);
	ret = register_kprobe(&cwp_idr_remove_kp);
	if (ret) {
		pr_err("cannot probe idr_remove: register_kprobe() returned %d\n", ret);
		goto err_idr;
	}
	return 0;

err_idr:
	unregister_kprobe(&cwp_idr_kp);
	return ret;
}

/* Once no request is left: nothing can arm the probes or queue their work. */
void cwp_divert_exit(void)
{
	cancel_delayed_work_sync(&cwp_divert_off);
	unregister_kprobe(&cwp_idr_remove_kp);
	unregister_kprobe(&cwp_idr_kp);
	/*
	 * A pre handler that returned 1 sent its task to a function of the
	 * module (cwp_idr_alloc_*(), cwp_idr_remove_keep(), and probes.c's
	 * cwp_can_fork_*()), which runs after the handler, where
	 * unregistering does not wait for it: until every task has been
	 * through a voluntary switch or user space, one may still be there
	 * (preempted, on PREEMPT_RT under pidmap_lock). Called after
	 * cwp_probes_exit(), this covers both.
	 */
	synchronize_rcu_tasks();
}
