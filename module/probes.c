// SPDX-License-Identifier: GPL-2.0
/*
 * The probes on the kernel's clone path, registered here; what they do is
 * clone.c's (and the diversion's, divert.c's):
 *
 * - a kretprobe on kernel_clone(): on entry, the calling task's armed
 *   request becomes the clone's (cwp_clone_activate()); on return, it is
 *   consumed or kept for the restart of an interrupted clone
 *   (cwp_clone_finish()). It keeps instances only for tasks with an
 *   active request, and every live request may be active at once: its
 *   maxactive is the quota's pool plus one being tried per CPU (each live
 *   request counts in the pool, itself or through the reservation its set
 *   covers; a restart owed an error holds one only while its poisoned
 *   clone fails);
 * - a kprobe on cgroup_can_fork(), which copy_process() calls after
 *   alloc_pid() and before anything is visible: a clone whose pids are not
 *   exactly the chosen ones fails there (cwp_clone_verify()), and its pids
 *   are freed by the kernel's own rollback; a failed diversion disables
 *   gap lists until the module is loaded again;
 * - a kprobe on do_exit(): the request of an exiting task goes;
 * - a kprobe on a function of the module, called before pids are armed:
 *   are kprobes in effect at all (debugfs can disarm them all)?
 *
 * Kernel threads, io_uring and vhost workers are created without
 * kernel_clone() by the caller, or by other tasks, and are never diverted.
 * Handlers run with preemption disabled: nothing here sleeps.
 */
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/ptrace.h>
#include <linux/sched.h>

#include "cwp.h"
#include "compat.h"

/*
 * Never called: a kprobe with a post handler is never turned into an
 * optimized (jump) probe, only unoptimized probes resume at the ip a pre
 * handler sets, and on ftrace it asks for FTRACE_OPS_FL_IPMODIFY.
 */
static void cwp_post_nop(struct kprobe *kp, struct pt_regs *regs,
			 unsigned long flags)
{
}

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
	bool diversion_failed;
	int err = cwp_clone_verify((struct task_struct *)regs_get_kernel_argument(regs, 0),
				   (void *)regs_get_kernel_argument(regs, 1), &diversion_failed);

	if (!err)
		return 0;
	if (diversion_failed)
		cwp_divert_broken();
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

	return cwp_clone_activate((struct kernel_clone_args *)regs_get_kernel_argument(regs, 0),
				  &call->force_err);
}

static int cwp_kernel_clone_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct cwp_clone_call *call = (struct cwp_clone_call *)ri->data;

	if (call->force_err)
		regs_set_return_value(regs, call->force_err);
	else
		cwp_clone_finish(regs);
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
	cwp_clone_task_exit();
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
	return cwp_ibt_indirect_ok(cwp_post_nop) &&
	       cwp_ibt_indirect_ok(cwp_can_fork_pre) &&
	       cwp_ibt_indirect_ok(cwp_kernel_clone_entry) &&
	       cwp_ibt_indirect_ok(cwp_kernel_clone_return) &&
	       cwp_ibt_indirect_ok(cwp_do_exit_pre) &&
	       cwp_ibt_indirect_ok(cwp_canary_pre);
}

int cwp_probes_init(void)
{
	int ret;

	if (!cwp_handlers_ibt_ok()) {
		pr_err("a kprobe handler has no ENDBR on this IBT kernel; refusing to load\n");
		return -EOPNOTSUPP;
	}
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
