// SPDX-License-Identifier: GPL-2.0
/*
 * Where requests meet the kernel's own clone path.
 *
 * A task has at most one request, armed either by CWP_IOC_CLONE around its
 * own kernel_clone() call or by CWP_IOC_SET_NEXT for its next clone of any
 * kind (fork, vfork, clone, clone3: all of them go through kernel_clone()).
 *
 * - A kretprobe on kernel_clone() activates the caller's armed request on
 *   entry and consumes it on return, whatever the outcome. Its instances
 *   are only kept by tasks with a request, and there are never more
 *   requests than CWP_MAX_REQUESTS, so the probe cannot run out of them.
 * - When the chosen levels are the innermost ones without a gap, the
 *   entry hands them to the kernel as clone3()'s set_tid: alloc_pid()
 *   takes exactly those numbers itself, and the module does nothing more.
 * - Otherwise (a zero between chosen levels), the allocation is diverted.
 *   alloc_pid() allocates one number per namespace level with
 *   idr_alloc_cyclic(&ns->idr, ...). A kprobe there diverts the call, for
 *   the levels of the calling task's active request only, to
 *   cwp_idr_alloc_exact(), which takes exactly the requested number with
 *   idr_alloc(), as alloc_pid() does for set_tid. Everything else (flag
 *   checks, rollback of the levels already allocated, pid 1 of a new
 *   namespace) stays the kernel's own code. This probe costs every fork
 *   of the system two breakpoint traps per level, so it is armed only
 *   while such a request exists, and disarmed a second after the last.
 *   Kernel threads, io_uring and vhost workers are created without
 *   kernel_clone() by the caller, or by other tasks, and are never
 *   diverted.
 * - A kprobe on do_exit() drops the request of an exiting task.
 */
#include <linux/kernel.h>
#include <linux/hashtable.h>
#include <linux/cred.h>
#include <linux/idr.h>
#include <linux/kprobes.h>
#include <linux/mutex.h>
#include <linux/nsproxy.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "cwp.h"
#include "compat.h"

/* Requests by task; written under the lock, read under RCU. */
static DEFINE_HASHTABLE(cwp_requests, 8);
static DEFINE_SPINLOCK(cwp_requests_lock);
static atomic_t cwp_nr_requests = ATOMIC_INIT(0);	/* in the table */
static atomic_t cwp_nr_live = ATOMIC_INIT(0);		/* armed or active */

/* The diversion probe is armed while live requests need it. */
static struct kprobe cwp_idr_kp;
static DEFINE_MUTEX(cwp_divert_mutex);
static bool cwp_divert_on;				/* written under the mutex */
static atomic_t cwp_nr_divert = ATOMIC_INIT(0);		/* live, !set_tid_size */

static void cwp_divert_off_fn(struct work_struct *work)
{
	mutex_lock(&cwp_divert_mutex);
	WRITE_ONCE(cwp_divert_on, false);
	/* Pairs with cwp_divert_get(): one of the two sees the other. */
	smp_mb();
	if (atomic_read(&cwp_nr_divert))
		WRITE_ONCE(cwp_divert_on, true);
	else
		disable_kprobe(&cwp_idr_kp);
	mutex_unlock(&cwp_divert_mutex);
}

static DECLARE_DELAYED_WORK(cwp_divert_off, cwp_divert_off_fn);

/* A request that needs the diversion is about to be armed. Process context. */
static int cwp_divert_get(void)
{
	int ret = 0;

	atomic_inc(&cwp_nr_divert);
	smp_mb__after_atomic();
	if (READ_ONCE(cwp_divert_on))
		return 0;
	mutex_lock(&cwp_divert_mutex);
	if (!cwp_divert_on) {
		ret = enable_kprobe(&cwp_idr_kp);
		if (ret) {
			atomic_dec(&cwp_nr_divert);
			pr_err("cannot arm the probe on idr_alloc_cyclic: %d\n", ret);
		} else {
			WRITE_ONCE(cwp_divert_on, true);
		}
	}
	mutex_unlock(&cwp_divert_mutex);
	return ret;
}

/* Any context. */
static void cwp_divert_put(void)
{
	if (atomic_dec_and_test(&cwp_nr_divert))
		schedule_delayed_work(&cwp_divert_off, HZ);
}

/* The request stops being armed or active. */
static void cwp_request_retire(struct cwp_request *req)
{
	atomic_dec(&cwp_nr_live);
	if (!req->set_tid_size)
		cwp_divert_put();
}

static struct cwp_request *cwp_request_find(const struct task_struct *task)
{
	struct cwp_request *req;

	hash_for_each_possible_rcu(cwp_requests, req, node, (unsigned long)task)
		if (req->task == task)
			return req;
	return NULL;
}

static void cwp_request_unlink(struct cwp_request *req)
{
	lockdep_assert_held(&cwp_requests_lock);
	hash_del_rcu(&req->node);
	atomic_dec(&cwp_nr_requests);
	if (req->state != CWP_REQ_CONSUMED)
		cwp_request_retire(req);
}

/*
 * cwp_request_arm() - make @req the calling task's request, replacing the
 * one it may have (armed, or consumed and not freed yet). Returns 0, or
 * -EAGAIN when CWP_MAX_REQUESTS exist already, or the error of arming the
 * diversion probe. On failure the caller keeps @req. Process context.
 */
int cwp_request_arm(struct cwp_request *req)
{
	struct cwp_request *old;
	int ret;

	if (!req->set_tid_size) {
		ret = cwp_divert_get();
		if (ret)
			return ret;
	}
	spin_lock(&cwp_requests_lock);
	old = cwp_request_find(current);
	if (!old && atomic_read(&cwp_nr_requests) >= CWP_MAX_REQUESTS) {
		spin_unlock(&cwp_requests_lock);
		if (!req->set_tid_size)
			cwp_divert_put();
		return -EAGAIN;
	}
	/* The task is in an ioctl, not in kernel_clone(): never active. */
	WARN_ON_ONCE(old && old->state == CWP_REQ_ACTIVE);
	if (old)
		cwp_request_unlink(old);
	req->state = CWP_REQ_ARMED;
	hash_add_rcu(cwp_requests, &req->node, (unsigned long)current);
	atomic_inc(&cwp_nr_requests);
	atomic_inc(&cwp_nr_live);
	spin_unlock(&cwp_requests_lock);

	if (old)
		cwp_request_free(old);
	return 0;
}

/*
 * cwp_request_cancel() - drop the calling task's request: an armed one, or
 * one its last clone consumed. Returns true if one was still armed.
 * Process context.
 */
bool cwp_request_cancel(void)
{
	struct cwp_request *req;
	bool armed = false;

	spin_lock(&cwp_requests_lock);
	req = cwp_request_find(current);
	if (req && req->state != CWP_REQ_ACTIVE) {
		armed = req->state == CWP_REQ_ARMED;
		cwp_request_unlink(req);
	} else {
		req = NULL;
	}
	spin_unlock(&cwp_requests_lock);

	if (req)
		cwp_request_free(req);
	return armed;
}

/*
 * cwp_request_release_file() - drop the requests made through @file. An
 * active request belongs to a clone in progress and is consumed by it.
 */
void cwp_request_release_file(const struct file *file)
{
	struct cwp_request *req;
	struct hlist_node *tmp;
	int bkt;

	spin_lock(&cwp_requests_lock);
	hash_for_each_safe(cwp_requests, bkt, tmp, req, node) {
		if (req->file != file || req->state == CWP_REQ_ACTIVE)
			continue;
		cwp_request_unlink(req);
		cwp_request_put(req);
	}
	spin_unlock(&cwp_requests_lock);
}

/* Armed or active requests, system-wide. */
unsigned int cwp_requests_count(void)
{
	return atomic_read(&cwp_nr_live);
}

/* Requests in the table, consumed ones included. */
bool cwp_requests_exist(void)
{
	return atomic_read(&cwp_nr_requests);
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

static int cwp_idr_alloc_cyclic_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct cwp_request *req;
	unsigned int i, k;
	struct idr *idr;
	int nr = 0;

	if (likely(!atomic_read(&cwp_nr_live)))
		return 0;

	idr = (struct idr *)regs_get_kernel_argument(regs, 0);
	rcu_read_lock();
	req = cwp_request_find(current);
	if (req && READ_ONCE(req->state) == CWP_REQ_ACTIVE && req->divert) {
		/*
		 * alloc_pid() goes from the innermost level outwards, in the
		 * order of req->level[]: start after the last match.
		 */
		for (k = 0; !nr && k < req->nr_levels; k++) {
			i = (req->next_level + k) % req->nr_levels;
			if (idr == &req->level[i].ns->idr) {
				nr = req->level[i].nr;
				req->next_level = i + 1;
			}
		}
	}
	rcu_read_unlock();
	if (!nr)
		return 0;

	cwp_regs_set_arg2(regs, nr);
	instruction_pointer_set(regs, (unsigned long)cwp_idr_alloc_exact);
	return 1;	/* resume at the new ip, skip the probed function */
}

/*
 * Never called: a kprobe with a post handler is never turned into an
 * optimized (jump) probe, and only unoptimized probes resume at the ip a
 * pre handler sets. lib/ is built without ftrace, so this is an int3 probe.
 */
static void cwp_idr_alloc_cyclic_post(struct kprobe *kp, struct pt_regs *regs,
				      unsigned long flags)
{
}

static struct kprobe cwp_idr_kp = {
	.symbol_name	= "idr_alloc_cyclic",
	.pre_handler	= cwp_idr_alloc_cyclic_pre,
	.post_handler	= cwp_idr_alloc_cyclic_post,
};

/*
 * Make this kernel_clone() fail before anything is allocated: alloc_pid()
 * refuses a set_tid list longer than the nesting depth with EINVAL. The
 * return handler reports @error instead.
 */
static void cwp_clone_fail(struct kernel_clone_args *args,
			   struct cwp_request *req, int error)
{
	args->set_tid_size = SIZE_MAX;
	req->error = error;
}

/* Keep a kretprobe instance only for a task whose request this clone takes. */
static int cwp_kernel_clone_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct kernel_clone_args *args;
	struct cwp_request *req;
	bool newpid;
	int ret = 1;

	if (likely(!atomic_read(&cwp_nr_live)))
		return 1;

	args = (struct kernel_clone_args *)regs_get_kernel_argument(regs, 0);
	spin_lock(&cwp_requests_lock);
	req = cwp_request_find(current);
	if (req && req->state == CWP_REQ_ARMED) {
		/*
		 * The list was aligned to the namespace for children and its
		 * privileges checked with the credentials of the time it was
		 * armed; pids come from one source only: clone3()'s set_tid
		 * and an armed request together are refused.
		 */
		newpid = args->flags & CLONE_NEWPID;
		if (args->set_tid_size ||
		    current->nsproxy->pid_ns_for_children != req->children_ns) {
			cwp_clone_fail(args, req, -EINVAL);
		} else if (current_cred() != req->cred) {
			cwp_clone_fail(args, req, -EPERM);
		} else if (req->set_tid_size) {
			/* A new namespace's level comes first: its pid 1. */
			args->set_tid = newpid ? req->set_tid : &req->set_tid[1];
			args->set_tid_size = req->set_tid_size + newpid;
			req->via_set_tid = true;
		} else {
			req->divert = true;
		}
		/*
		 * An armed request lives no longer than the file it came
		 * through; an active one keeps the module until this clone
		 * returns, even if that file is closed meanwhile.
		 */
		if (try_module_get(THIS_MODULE)) {
			WRITE_ONCE(req->state, CWP_REQ_ACTIVE);
			ret = 0;
		}
	}
	spin_unlock(&cwp_requests_lock);
	return ret;
}

/*
 * The clone is over: the request is consumed. It stays in the table, out of
 * every probe's way, until the task's next call frees it in process
 * context (arming again, cancelling, the ioctl that made this clone, or
 * releasing the file), which is far cheaper than a deferred free here.
 * alloc_pid() reports a set_tid pid in use as EEXIST: this interface says
 * EBUSY.
 */
static int cwp_kernel_clone_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct cwp_request *req;

	spin_lock(&cwp_requests_lock);
	req = cwp_request_find(current);
	if (req && req->state == CWP_REQ_ACTIVE) {
		WRITE_ONCE(req->state, CWP_REQ_CONSUMED);
		cwp_request_retire(req);
		if (req->error)
			regs_set_return_value(regs, req->error);
		else if (req->via_set_tid && (int)regs_return_value(regs) == -EEXIST)
			regs_set_return_value(regs, -EBUSY);
	}
	spin_unlock(&cwp_requests_lock);

	/* Safe in module code: unregistering waits for running handlers. */
	module_put(THIS_MODULE);
	return 0;
}

static struct kretprobe cwp_clone_krp = {
	.kp.symbol_name	= "kernel_clone",
	.entry_handler	= cwp_kernel_clone_entry,
	.handler	= cwp_kernel_clone_return,
};

static int cwp_do_exit_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct cwp_request *req;

	if (likely(!atomic_read(&cwp_nr_requests)))
		return 0;

	spin_lock(&cwp_requests_lock);
	req = cwp_request_find(current);
	if (req)
		cwp_request_unlink(req);
	spin_unlock(&cwp_requests_lock);

	if (req)
		cwp_request_put(req);
	return 0;
}

static struct kprobe cwp_exit_kp = {
	.symbol_name	= "do_exit",
	.pre_handler	= cwp_do_exit_pre,
};

/*
 * Prove on this kernel that the diversion takes effect, on a private idr
 * posing as a namespace's: with pid_max 7, asking for 7 must fail with
 * cwp_idr_alloc_exact()'s EINVAL (idr_alloc_cyclic() itself would say
 * ENOSPC); with room, it must give exactly 7.
 */
static int cwp_hooks_selftest(void)
{
	struct cwp_request *req;
	struct pid_namespace *ns;
	int small, exact;

	ns = kzalloc(sizeof(*ns), GFP_KERNEL);
	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!ns || !req) {
		kfree(ns);
		kfree(req);
		return -ENOMEM;
	}
	idr_init(&ns->idr);
	ns->child_reaper = current;
	req->task = current;
	req->state = CWP_REQ_ACTIVE;
	req->divert = true;
	req->level[0].ns = ns;
	req->level[0].nr = 7;
	req->nr_levels = 1;

	spin_lock(&cwp_requests_lock);
	hash_add_rcu(cwp_requests, &req->node, (unsigned long)current);
	atomic_inc(&cwp_nr_requests);
	atomic_inc(&cwp_nr_live);
	atomic_inc(&cwp_nr_divert);
	spin_unlock(&cwp_requests_lock);

	small = idr_alloc_cyclic(&ns->idr, NULL, 1, 7, GFP_KERNEL);
	exact = idr_alloc_cyclic(&ns->idr, NULL, 1, 100, GFP_KERNEL);

	spin_lock(&cwp_requests_lock);
	cwp_request_unlink(req);
	spin_unlock(&cwp_requests_lock);
	synchronize_rcu();
	kfree(req);
	idr_destroy(&ns->idr);
	kfree(ns);

	if (small != -EINVAL || exact != 7) {
		pr_err("self-test: the pid allocation diversion does not take effect (%d, %d); refusing to load\n",
		       small, exact);
		return -EOPNOTSUPP;
	}
	return 0;
}

static int cwp_register(struct kprobe *kp)
{
	int ret = register_kprobe(kp);

	if (ret)
		pr_err("cannot probe %s: register_kprobe() returned %d\n",
		       kp->symbol_name, ret);
	return ret;
}

int cwp_hooks_init(void)
{
	int ret;

	/*
	 * The kprobe core calls the handlers indirectly; the diversion enters
	 * cwp_idr_alloc_exact() by a return, which IBT does not check.
	 */
	if (!cwp_ibt_indirect_ok(cwp_idr_alloc_cyclic_pre) ||
	    !cwp_ibt_indirect_ok(cwp_idr_alloc_cyclic_post) ||
	    !cwp_ibt_indirect_ok(cwp_kernel_clone_entry) ||
	    !cwp_ibt_indirect_ok(cwp_kernel_clone_return) ||
	    !cwp_ibt_indirect_ok(cwp_do_exit_pre)) {
		pr_err("a kprobe handler has no ENDBR on this IBT kernel; refusing to load\n");
		return -EOPNOTSUPP;
	}

	/* Armed for the self-test only, then disarmed until a request needs it. */
	ret = cwp_register(&cwp_idr_kp);
	if (ret)
		return ret;
	WRITE_ONCE(cwp_divert_on, true);
	ret = cwp_hooks_selftest();
	cancel_delayed_work_sync(&cwp_divert_off);
	cwp_divert_off_fn(NULL);
	if (ret)
		goto err_idr;
	ret = cwp_register(&cwp_exit_kp);
	if (ret)
		goto err_idr;
	/* Every request may hold an instance, plus one being tried per CPU. */
	cwp_clone_krp.maxactive = CWP_MAX_REQUESTS + 2 * num_possible_cpus();
	ret = register_kretprobe(&cwp_clone_krp);
	if (ret) {
		pr_err("cannot probe kernel_clone: register_kretprobe() returned %d\n", ret);
		goto err_exit;
	}
	return 0;

err_exit:
	unregister_kprobe(&cwp_exit_kp);
err_idr:
	unregister_kprobe(&cwp_idr_kp);
	return ret;
}

void cwp_hooks_exit(void)
{
	struct cwp_request *req;
	struct hlist_node *tmp;
	int bkt;

	/*
	 * No file is open, so no request is armed; an active one holds a
	 * module reference until its clone returns. Consumed ones whose file
	 * was released while they were active may be left: free them.
	 */
	WARN_ON_ONCE(atomic_read(&cwp_nr_live));
	unregister_kretprobe(&cwp_clone_krp);
	unregister_kprobe(&cwp_exit_kp);
	cancel_delayed_work_sync(&cwp_divert_off);
	unregister_kprobe(&cwp_idr_kp);

	spin_lock(&cwp_requests_lock);
	hash_for_each_safe(cwp_requests, bkt, tmp, req, node) {
		cwp_request_unlink(req);
		cwp_request_put(req);
	}
	spin_unlock(&cwp_requests_lock);
}
