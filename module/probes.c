// SPDX-License-Identifier: GPL-2.0
/*
 * Where requests meet the kernel's own clone path: the probes.
 *
 * A task has at most one request (request.c), armed either by
 * CWP_IOC_CLONE around its own kernel_clone() call or by CWP_IOC_SET_NEXT
 * for its next clone of any kind (fork, vfork, clone, clone3: all of them
 * go through kernel_clone()).
 *
 * - A kretprobe on kernel_clone() activates the caller's armed request on
 *   entry and, on return, consumes it or keeps it for the restart of an
 *   interrupted clone. It only keeps instances for tasks with an active
 *   request, and every live request may be active at once: its maxactive
 *   is the quota's pool plus one being tried per CPU.
 * - When the chosen levels are the innermost ones without a gap, the
 *   entry hands them to the kernel as clone3()'s set_tid: alloc_pid()
 *   takes exactly those numbers itself.
 * - Otherwise (a zero between chosen levels), the allocation is diverted.
 *   alloc_pid() allocates one number per namespace level with
 *   idr_alloc_cyclic(&ns->idr, ...). A kprobe there diverts the call, for
 *   the levels of the calling task's active request only, to
 *   cwp_idr_alloc_exact(), which takes exactly the requested number with
 *   idr_alloc(), as alloc_pid() does for set_tid. Everything else (flag
 *   checks, rollback of the levels already allocated, pid 1 of a new
 *   namespace) stays the kernel's own code. This probe costs every fork
 *   of the system two breakpoint traps per level, so it is armed only
 *   while such a request is live, and disarmed a second after the last.
 * - A kprobe on cgroup_can_fork(), which copy_process() calls after
 *   alloc_pid() and before anything is visible, checks the child's
 *   struct pid against the request: a clone whose pids are not exactly
 *   the chosen ones fails there, and its pids are freed by the kernel's
 *   own rollback. So a kernel that allocates pids in a way the diversion
 *   does not know gives an error (and gap lists are disabled until the
 *   module is loaded again), never a wrong pid.
 * - A kprobe on do_exit() drops the request of an exiting task.
 * - A kprobe on a function of the module, called before pids are armed,
 *   tells whether kprobes are in effect at all (debugfs can disarm them
 *   all).
 *
 * Kernel threads, io_uring and vhost workers are created without
 * kernel_clone() by the caller, or by other tasks, and are never diverted.
 * Handlers run with preemption disabled (the diversion in the breakpoint
 * handler, with interrupts off): nothing here sleeps.
 */
#include <linux/kernel.h>
#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/idr.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pid_namespace.h>
#include <linux/ptrace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "cwp.h"
#include "compat.h"

/* The diversion probes are armed while live requests need them. */
static struct kprobe cwp_idr_kp;
static struct kprobe cwp_idr_remove_kp;
static DEFINE_MUTEX(cwp_divert_mutex);
static bool cwp_divert_on;				/* enabled; written under the mutex */
static atomic_t cwp_nr_divert = ATOMIC_INIT(0);		/* requests holding it */
static bool cwp_gaps_broken;				/* failed its verification */

static atomic_t cwp_injected[CWP_INJECT_NR];

/* Consume one injected fault of kind @what, if the tests asked for one. */
bool cwp_inject(int what)
{
	return unlikely(atomic_read(&cwp_injected[what])) &&
	       atomic_add_unless(&cwp_injected[what], -1, 0);
}

/*
 * cwp_divert_on is true only while the probe is enabled: the fast path of
 * cwp_divert_get() relies on it. A run of this work after another one
 * disabled the probe must not set it again.
 */
static void cwp_divert_off_fn(struct work_struct *work)
{
	mutex_lock(&cwp_divert_mutex);
	if (!cwp_divert_on)
		goto out;
	WRITE_ONCE(cwp_divert_on, false);
	/* Pairs with cwp_divert_get(): one of the two sees the other. */
	smp_mb();
	if (atomic_read(&cwp_nr_divert)) {
		WRITE_ONCE(cwp_divert_on, true);
	} else {
		disable_kprobe(&cwp_idr_kp);
		disable_kprobe(&cwp_idr_remove_kp);
	}
out:
	mutex_unlock(&cwp_divert_mutex);
}

static DECLARE_DELAYED_WORK(cwp_divert_off, cwp_divert_off_fn);

static bool cwp_divert_selftest(void);

/*
 * Arm the diversion probe and prove that it fires, on a private idr. Under
 * QEMU's TCG, a breakpoint written again into idr_alloc_cyclic() has been
 * seen not to take effect on any CPU for tens of milliseconds, once
 * after 374 and once after 1,564 re-armings (the memory held it; no
 * handler ran); writing it once more did. So the probe is written again until it fires,
 * CWP_REARM_TRIES times at most. Under cwp_divert_mutex.
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

/* A request that needs the diversion is about to be armed. Process context. */
int cwp_divert_get(void)
{
	int ret = 0;

	atomic_inc(&cwp_nr_divert);
	/* Pairs with cwp_divert_off_fn(): one of the two sees the other. */
	smp_mb__after_atomic();
	if (READ_ONCE(cwp_divert_on))
		return 0;
	mutex_lock(&cwp_divert_mutex);
	if (!cwp_divert_on) {
		ret = cwp_divert_arm();
		if (ret)
			atomic_dec(&cwp_nr_divert);
		else
			WRITE_ONCE(cwp_divert_on, true);
	}
	mutex_unlock(&cwp_divert_mutex);
	return ret;
}

/*
 * Any context. The probe goes a second after the last put that left it
 * unused: a restore arms and drops it for every process it creates, and
 * each arming costs the selftest and the text patching of two kprobes,
 * which a put a second after the first one that left it unused redid
 * every second.
 */
void cwp_divert_put(void)
{
	if (atomic_dec_and_test(&cwp_nr_divert))
		mod_delayed_work(system_wq, &cwp_divert_off, HZ);
}

/* May a list with a gap be armed? */
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
	if (!xchg(&cwp_gaps_broken, true))
		pr_err("gap lists are disabled until the module is loaded again (diversion probe %s, %s, %lu missed, %d holders)\n",
		       kprobe_disabled(&cwp_idr_kp) ? "disabled" : "enabled",
		       READ_ONCE(cwp_divert_on) ? "on" : "off", cwp_idr_kp.nmissed,
		       atomic_read(&cwp_nr_divert));
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
	bool reserved;
	pid_t nr = cwp_request_divert_nr((struct idr *)regs_get_kernel_argument(regs, 0),
					 (int)regs_get_kernel_argument(regs, 3), &reserved);

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
	if (!cwp_request_keep_nr((struct idr *)regs_get_kernel_argument(regs, 0),
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
static void cwp_post_nop(struct kprobe *kp, struct pt_regs *regs,
			 unsigned long flags)
{
}

static struct kprobe cwp_idr_kp = {
	.symbol_name	= "idr_alloc_cyclic",
	.pre_handler	= cwp_idr_alloc_cyclic_pre,
	.post_handler	= cwp_post_nop,
};

/* Armed and disarmed with cwp_idr_kp. */
static struct kprobe cwp_idr_remove_kp = {
	.symbol_name	= "idr_remove",
	.pre_handler	= cwp_idr_remove_pre,
	.post_handler	= cwp_post_nop,
	.flags		= KPROBE_FLAG_DISABLED,
};

/* Entered instead of cgroup_can_fork(): the child's pids are not the chosen ones. */
static noinline int cwp_can_fork_inexact(struct task_struct *child, void *kargs)
{
	return -EOPNOTSUPP;
}

/* Entered instead of cgroup_can_fork(): the diversion missed, made again. */
static noinline int cwp_can_fork_retry(struct task_struct *child, void *kargs)
{
	return -ERESTARTNOINTR;
}

/* Entered instead of cgroup_can_fork(): the clone escaped the kretprobe. */
static noinline int cwp_can_fork_missed(struct task_struct *child, void *kargs)
{
	return -EAGAIN;
}

static int cwp_can_fork_pre(struct kprobe *kp, struct pt_regs *regs)
{
	int err = cwp_request_verify((struct task_struct *)regs_get_kernel_argument(regs, 0),
				     (void *)regs_get_kernel_argument(regs, 1));

	if (!err)
		return 0;
	switch (err) {
	case -EAGAIN:
		instruction_pointer_set(regs, (unsigned long)cwp_can_fork_missed);
		break;
	case -ERESTARTNOINTR:
		instruction_pointer_set(regs, (unsigned long)cwp_can_fork_retry);
		break;
	default:
		instruction_pointer_set(regs, (unsigned long)cwp_can_fork_inexact);
		break;
	}
	return 1;
}

static struct kprobe cwp_can_fork_kp = {
	.symbol_name	= "cgroup_can_fork",
	.pre_handler	= cwp_can_fork_pre,
	.post_handler	= cwp_post_nop,
};

/* What the return handler of one kernel_clone() call must do. */
struct cwp_clone_call {
	int force_err;		/* fail with this error; else finish the request */
};

/*
 * Keep a kretprobe instance only for a task whose request this clone
 * takes, or for a restart that must fail.
 */
static int cwp_kernel_clone_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct cwp_clone_call *call = (struct cwp_clone_call *)ri->data;

	return cwp_request_activate((struct kernel_clone_args *)regs_get_kernel_argument(regs, 0),
				    &call->force_err);
}

static int cwp_kernel_clone_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct cwp_clone_call *call = (struct cwp_clone_call *)ri->data;

	if (call->force_err)
		regs_set_return_value(regs, call->force_err);
	else
		cwp_request_finish(regs);
	/* Safe in module code: unregistering waits for running handlers. */
	module_put(THIS_MODULE);
	return 0;
}

static struct kretprobe cwp_clone_krp = {
	.kp.symbol_name	= "kernel_clone",
	.entry_handler	= cwp_kernel_clone_entry,
	.handler	= cwp_kernel_clone_return,
	.data_size	= sizeof(struct cwp_clone_call),
};

static int cwp_do_exit_pre(struct kprobe *kp, struct pt_regs *regs)
{
	cwp_request_task_exit();
	return 0;
}

static struct kprobe cwp_exit_kp = {
	.symbol_name	= "do_exit",
	.pre_handler	= cwp_do_exit_pre,
};

/* Probed: the probe sets *@hit. */
static noinline void cwp_canary(bool *hit)
{
	asm volatile("" : : "r"(hit) : "memory");
}

static int cwp_canary_pre(struct kprobe *kp, struct pt_regs *regs)
{
	*(bool *)regs_get_kernel_argument(regs, 0) = true;
	return 0;
}

static struct kprobe cwp_canary_kp = {
	.pre_handler	= cwp_canary_pre,
};

/*
 * cwp_probes_live() - are kprobes in effect? Root can disarm them all
 * through debugfs (kprobes/enabled); pids armed then would be ignored by
 * the clone. Process context.
 */
bool cwp_probes_live(void)
{
	bool hit = false;

	cwp_canary(&hit);
	if (likely(READ_ONCE(hit)))
		return true;
	pr_warn_once("kprobes are disarmed (debugfs kprobes/enabled is 0): pids cannot be armed (EOPNOTSUPP)\n");
	return false;
}

/* Memory of the kretprobe's instances. */
size_t cwp_probes_mem(void)
{
	return cwp_kretprobe_mem(&cwp_clone_krp);
}

/*
 * Does the diversion take effect, on this CPU? On a private idr posing as
 * a namespace's, with pid_max 7, asking for 7 must fail with
 * cwp_idr_alloc_exact()'s EINVAL (idr_alloc_cyclic() itself would say
 * ENOSPC); with room, it must give exactly 7. Whether alloc_pid() still
 * allocates each level there is checked on every clone (cgroup_can_fork).
 * The probe is armed. Process context.
 */
static bool cwp_divert_selftest(void)
{
	struct cwp_request *req;
	struct pid_namespace *ns;
	int small, exact;

	ns = kzalloc(sizeof(*ns), GFP_KERNEL);
	if (!ns)
		return false;
	idr_init(&ns->idr);
	ns->child_reaper = current;
	req = cwp_request_fake(ns, 7);
	if (!req) {
		kfree(ns);
		return false;
	}

	small = idr_alloc_cyclic(&ns->idr, NULL, 1, 7, GFP_KERNEL);
	exact = idr_alloc_cyclic(&ns->idr, NULL, 1, 100, GFP_KERNEL);

	cwp_request_unfake(req);
	idr_destroy(&ns->idr);
	kfree(ns);
	return small == -EINVAL && exact == 7;
}

static int cwp_register(struct kprobe *kp)
{
	int ret = register_kprobe(kp);

	if (ret)
		pr_err("cannot probe %s: register_kprobe() returned %d\n",
		       kp->symbol_name ? kp->symbol_name : "cwp_canary", ret);
	return ret;
}

/* The kprobe core calls the handlers indirectly: IBT needs their ENDBR. */
static bool cwp_handlers_ibt_ok(void)
{
	return cwp_ibt_indirect_ok(cwp_idr_alloc_cyclic_pre) &&
	       cwp_ibt_indirect_ok(cwp_idr_remove_pre) &&
	       cwp_ibt_indirect_ok(cwp_post_nop) &&
	       cwp_ibt_indirect_ok(cwp_can_fork_pre) &&
	       cwp_ibt_indirect_ok(cwp_kernel_clone_entry) &&
	       cwp_ibt_indirect_ok(cwp_kernel_clone_return) &&
	       cwp_ibt_indirect_ok(cwp_do_exit_pre) &&
	       cwp_ibt_indirect_ok(cwp_canary_pre);
}

/*
 * The diversion probe, proven by the self-test, then disarmed until a
 * request needs it. The diversions enter cwp_idr_alloc_exact() and the
 * refusals cwp_can_fork_*() by a return, which IBT does not check.
 */
int cwp_divert_init(void)
{
	int ret;

	if (!cwp_handlers_ibt_ok()) {
		pr_err("a kprobe handler has no ENDBR on this IBT kernel; refusing to load\n");
		return -EOPNOTSUPP;
	}
	ret = cwp_register(&cwp_idr_kp);
	if (ret)
		return ret;
	if (!cwp_divert_selftest()) {
		pr_err("self-test: the pid allocation diversion does not take effect; refusing to load\n");
		ret = -EOPNOTSUPP;
		goto err_idr;
	}
	disable_kprobe(&cwp_idr_kp);
	ret = cwp_register(&cwp_idr_remove_kp);
	if (ret)
		goto err_idr;
	return 0;

err_idr:
	unregister_kprobe(&cwp_idr_kp);
	return ret;
}

/* Once no request is left: nothing can arm the probe or queue its work. */
void cwp_divert_exit(void)
{
	cancel_delayed_work_sync(&cwp_divert_off);
	unregister_kprobe(&cwp_idr_remove_kp);
	unregister_kprobe(&cwp_idr_kp);
	/*
	 * A pre handler that returned 1 sent its task to a function of the
	 * module (cwp_idr_alloc_exact(), cwp_can_fork_*()), which runs after
	 * the handler, where unregistering does not wait for it: until every
	 * task has been through a voluntary switch or user space, one may
	 * still be there (preempted, on PREEMPT_RT under pidmap_lock). Called
	 * after cwp_probes_exit(), this covers both.
	 */
	synchronize_rcu_tasks();
}

int cwp_probes_init(struct dentry *debugfs)
{
	int ret;

	cwp_canary_kp.addr = (kprobe_opcode_t *)cwp_canary;
	ret = cwp_register(&cwp_canary_kp);
	if (ret)
		return ret;
	if (!cwp_probes_live()) {
		ret = -EOPNOTSUPP;
		goto err_canary;
	}
	ret = cwp_register(&cwp_can_fork_kp);
	if (ret)
		goto err_canary;
	ret = cwp_register(&cwp_exit_kp);
	if (ret)
		goto err_can_fork;
	cwp_clone_krp.maxactive = cwp_quota_max_requests() + num_possible_cpus();
	ret = register_kretprobe(&cwp_clone_krp);
	if (ret) {
		pr_err("cannot probe kernel_clone: register_kretprobe() returned %d\n", ret);
		goto err_exit;
	}

	debugfs_create_atomic_t("inject_skip_divert", 0600, debugfs,
				&cwp_injected[CWP_INJECT_SKIP_DIVERT]);
	debugfs_create_atomic_t("inject_miss_entry", 0600, debugfs,
				&cwp_injected[CWP_INJECT_MISS_ENTRY]);
	debugfs_create_atomic_t("inject_stale_arm", 0600, debugfs,
				&cwp_injected[CWP_INJECT_STALE_ARM]);
	return 0;

err_exit:
	unregister_kprobe(&cwp_exit_kp);
err_can_fork:
	unregister_kprobe(&cwp_can_fork_kp);
err_canary:
	unregister_kprobe(&cwp_canary_kp);
	return ret;
}

/*
 * No file is open, so no request is armed; an active one holds a module
 * reference until its clone returns. After this, no handler runs.
 */
void cwp_probes_exit(void)
{
	unregister_kretprobe(&cwp_clone_krp);
	unregister_kprobe(&cwp_exit_kp);
	unregister_kprobe(&cwp_can_fork_kp);
	unregister_kprobe(&cwp_canary_kp);
}
