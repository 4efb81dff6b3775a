// SPDX-License-Identifier: GPL-2.0
/*
 * Reaching kernel_clone(), which is not exported, in a way the kernel's
 * branch protection accepts.
 *
 * The address comes from a kprobe planted and removed at load time:
 * kallsyms_lookup_name() is not exported since v5.7, and calling it through
 * a pointer would itself trap on IBT kernels, where its ENDBR is sealed.
 * The call goes through a static_call. On x86-64 the kernel patches its
 * trampoline into a direct jump: a direct branch needs no ENDBR at its
 * target, so it is safe whether or not kernel_clone()'s ENDBR was sealed,
 * and load fails unless the patched trampoline is verified to be that
 * direct jump. On arm64 (no static calls there) it is a call through a
 * pointer, made only where BTI would accept it: the kernel does not check
 * its indirect branches, or the target starts with a landing pad
 * (cwp_call_is_safe() in compat.h); load fails otherwise.
 *
 * The data the module needs (pidmap_lock, and pid_max before v6.14) is
 * found with kallsyms_lookup_name(), whose address a kprobe gives too: it
 * is called at load only, through a second static_call verified the same
 * way before each call and pointed back at a stub after it. Where kallsyms
 * lists no data (arm64 without CONFIG_KALLSYMS_ALL), pidmap_lock is read
 * in the code of the functions that take it (arm64.c).
 */
#include <linux/kernel.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/kthread.h>
#include <linux/pid_namespace.h>
#include <linux/sched/task.h>
#include <linux/static_call.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "cwp.h"
#include "compat.h"

static pid_t cwp_kernel_clone_unresolved(struct kernel_clone_args *args)
{
	return -ENOSYS;
}

DEFINE_STATIC_CALL(cwp_kernel_clone_call, cwp_kernel_clone_unresolved);

static u32 cwp_ibt;

pid_t cwp_kernel_clone(struct kernel_clone_args *args)
{
	return static_call(cwp_kernel_clone_call)(args);
}

u32 cwp_ibt_verdict(void)
{
	return cwp_ibt;
}

/*
 * Resolve @name to the start of the function, with a kprobe. On IBT kernels
 * the probe lands after the ENDBR (symbol+4), so the offset kallsyms gives
 * for the probe address is taken off.
 */
static unsigned long cwp_ksym_func(const char *name)
{
	struct kprobe kp = { .symbol_name = name };
	char buf[KSYM_SYMBOL_LEN];
	unsigned long addr, off, size;
	size_t len = strlen(name);
	int ret;

	ret = register_kprobe(&kp);
	if (ret) {
		pr_err("cannot resolve %s: register_kprobe() returned %d\n",
		       name, ret);
		return 0;
	}
	addr = (unsigned long)kp.addr;
	unregister_kprobe(&kp);

	sprint_symbol(buf, addr);
	if (strncmp(buf, name, len) || buf[len] != '+' ||
	    sscanf(buf + len + 1, "%lx/%lx", &off, &size) != 2 ||
	    off > 16 || off >= size) {
		pr_err("cannot resolve %s: kprobe address is %s\n", name, buf);
		return 0;
	}
	return addr - off;
}

/* Does @fn start with a landing pad for an indirect call (ENDBR64, BTI c...)? */
static bool cwp_has_landing_pad(const void *fn)
{
	u32 insn;

	if (copy_from_kernel_nofault(&insn, fn, sizeof(insn)))
		return false;
	return cwp_insn_is_landing_pad(le32_to_cpu(insn));
}

/*
 * An indirect call to @fn (as the kprobe core makes to our handlers) is safe
 * if the kernel does not check its indirect branches (IBT, BTI) or @fn
 * starts with a landing pad.
 */
bool cwp_ibt_indirect_ok(const void *fn)
{
	return !cwp_kernel_checks_branches() || cwp_has_landing_pad(fn);
}

static unsigned long cwp_kallsyms_unresolved(const char *name)
{
	return 0;
}

DEFINE_STATIC_CALL(cwp_kallsyms_call, cwp_kallsyms_unresolved);

/*
 * The lock alloc_pid() and free_pid() hold over every pid namespace's idr,
 * for the reservations (reserve.c); NULL where it could not be found.
 */
spinlock_t *cwp_pidmap_lock;

/*
 * pid_max before v6.14, where it is one int for every pid namespace
 * (compat.h); NULL where it could not be found.
 */
int *cwp_pid_max_global;

/*
 * kallsyms_lookup_name(@name), called through a static_call verified to be
 * safe (cwp_call_is_safe()), then unresolved again; 0 where it cannot be.
 */
static unsigned long cwp_kallsyms(const char *name)
{
	unsigned long fn, addr = 0;

	fn = cwp_ksym_func("kallsyms_lookup_name");
	if (!fn)
		return 0;
	static_call_update(cwp_kallsyms_call, (typeof(&cwp_kallsyms_unresolved))fn);
	if (cwp_call_is_safe(STATIC_CALL_TRAMP_ADDR(cwp_kallsyms_call), fn))
		addr = static_call(cwp_kallsyms_call)(name);
	static_call_update(cwp_kallsyms_call, cwp_kallsyms_unresolved);
	return addr;
}

/*
 * Resolve the data symbol @name with kallsyms. The address must be the
 * symbol's own: kallsyms holds data symbols only with
 * CONFIG_KALLSYMS_ALL. Returns NULL where it cannot.
 */
static void *cwp_ksym_data(const char *name)
{
	char buf[KSYM_SYMBOL_LEN], want[KSYM_NAME_LEN + 4];
	unsigned long addr = cwp_kallsyms(name);

	if (!addr)
		return NULL;
	sprint_symbol(buf, addr);
	snprintf(want, sizeof(want), "%s+0x0/", name);
	if (strncmp(buf, want, strlen(want)))
		return NULL;
	return (void *)addr;
}

static spinlock_t *cwp_lock_candidate;
static atomic_t cwp_lock_seen, cwp_lock_held, cwp_pid_max_seen;

/* idr_alloc_cyclic() on the initial namespace's idr: from alloc_pid(), under pidmap_lock. */
static int cwp_lock_check_pre(struct kprobe *kp, struct pt_regs *regs)
{
	if ((struct idr *)regs_get_kernel_argument(regs, 0) != &init_pid_ns.idr)
		return 0;
	atomic_inc(&cwp_lock_seen);
	/* Its end: alloc_pid() passes pid_max. */
	atomic_set(&cwp_pid_max_seen, (int)regs_get_kernel_argument(regs, 3));
	if (cwp_lock_candidate && spin_is_locked(cwp_lock_candidate))
		atomic_inc(&cwp_lock_held);
	return 0;
}

static int cwp_lock_check_thread(void *unused)
{
	return 0;
}

/*
 * Watch alloc_pid() allocate a pid in the initial pid namespace: a kernel
 * thread is created to see it happen at least once. Returns false if it
 * was not seen; else true if @lock (NULL: no lock) was held each time,
 * with the pid_max it passed in *@pid_max. Only reads @lock.
 */
static bool cwp_watch_alloc_pid(spinlock_t *lock, int *pid_max)
{
	struct kprobe kp = {
		.symbol_name	= "idr_alloc_cyclic",
		.pre_handler	= cwp_lock_check_pre,
	};
	struct task_struct *t;

	cwp_lock_candidate = lock;
	atomic_set(&cwp_lock_seen, 0);
	atomic_set(&cwp_lock_held, 0);
	if (register_kprobe(&kp))
		return false;
	t = kthread_run(cwp_lock_check_thread, NULL, "cwp-lock-check");
	unregister_kprobe(&kp);
	*pid_max = atomic_read(&cwp_pid_max_seen);
	return !IS_ERR(t) && atomic_read(&cwp_lock_seen) > 0 &&
	       (!lock || atomic_read(&cwp_lock_held) == atomic_read(&cwp_lock_seen));
}

/*
 * pidmap_lock without CONFIG_KALLSYMS_ALL (Debian's arm64 5.10 and 6.1
 * kernels): the first lock taken by free_pid()
 * (spin_lock_irqsave(&pidmap_lock, flags)) and by
 * disable_pid_allocation() (spin_lock_irq(&pidmap_lock)), read in their
 * code (cwp_lock_arg(); arm64 only), inlined or not. ADRP + ADD in the
 * kernel's code can only reach the kernel image; both must agree on an
 * address that is no function (kallsyms, text symbols only here, knows
 * none there), can be read, and is held when alloc_pid() allocates a pid.
 */
static spinlock_t *cwp_pidmap_lock_from_code(void)
{
	unsigned long free_pid = cwp_kallsyms("free_pid");
	int pid_max;
	unsigned long disable = cwp_kallsyms("disable_pid_allocation");
	unsigned long lock_irqsave = cwp_kallsyms("_raw_spin_lock_irqsave");
	unsigned long lock_irq = cwp_kallsyms("_raw_spin_lock_irq");
	char buf[KSYM_SYMBOL_LEN];
	unsigned long a, b;
	spinlock_t tmp;

	if (!free_pid || !disable)
		return NULL;
	a = cwp_lock_arg(free_pid, lock_irqsave);
	b = cwp_lock_arg(disable, lock_irq);
	if (!a || a != b || !IS_ALIGNED(a, sizeof(u32)))
		return NULL;
	sprint_symbol(buf, a);
	if (strchr(buf, '+') || copy_from_kernel_nofault(&tmp, (void *)a, sizeof(tmp)) ||
	    !cwp_watch_alloc_pid((spinlock_t *)a, &pid_max))
		return NULL;
	return (spinlock_t *)a;
}

/*
 * pid_max before v6.14 without CONFIG_KALLSYMS_ALL (Debian's arm64 5.10
 * and 6.1 kernels): the one 32-bit global alloc_pid()'s code loads
 * (ADRP + LDR, cwp_ldr_addr(); arm64 only) that holds the pid_max
 * alloc_pid() was just seen to pass to idr_alloc_cyclic(), at an address
 * that is no function.
 */
static int *cwp_pid_max_from_code(void)
{
	unsigned long alloc_pid = cwp_kallsyms("alloc_pid");
	char buf[KSYM_SYMBOL_LEN];
	unsigned long a;
	int seen;

	if (!alloc_pid || !cwp_watch_alloc_pid(NULL, &seen) || seen <= 0)
		return NULL;
	a = cwp_ldr_addr(alloc_pid, seen);
	if (!a || !IS_ALIGNED(a, sizeof(int)))
		return NULL;
	sprint_symbol(buf, a);
	if (strchr(buf, '+'))
		return NULL;
	return (int *)a;
}

int cwp_ksyms_init(void)
{
	unsigned long addr;

	addr = cwp_ksym_func("kernel_clone");
	if (!addr)
		return -ENOENT;

	cwp_ibt |= cwp_arch_verdict(cwp_has_landing_pad((void *)addr));

	static_call_update(cwp_kernel_clone_call,
			   (typeof(&cwp_kernel_clone_unresolved))addr);
	if (!cwp_call_is_safe(STATIC_CALL_TRAMP_ADDR(cwp_kernel_clone_call), addr)) {
		pr_err("kernel_clone at %pS: %s, which branch protection would not accept (%s); refusing to load\n",
		       (void *)addr, CWP_CALL_DESC, cwp_verdict_desc(cwp_ibt));
		static_call_update(cwp_kernel_clone_call,
				   cwp_kernel_clone_unresolved);
		return -EOPNOTSUPP;
	}
	cwp_ibt |= CWP_IBT_SAFE;
	cwp_pidmap_lock = cwp_ksym_data("pidmap_lock");
	if (!cwp_pidmap_lock) {
		cwp_pidmap_lock = cwp_pidmap_lock_from_code();
		if (cwp_pidmap_lock)
			pr_info("pidmap_lock at %p, read in the code of free_pid() and disable_pid_allocation(), held by alloc_pid()\n",
				cwp_pidmap_lock);
		else
			pr_warn("cannot find pidmap_lock: pid reservations are not available\n");
	}

	if (!CWP_PID_MAX_PER_NS) {
		cwp_pid_max_global = cwp_ksym_data("pid_max");
		if (!cwp_pid_max_global) {
			cwp_pid_max_global = cwp_pid_max_from_code();
			if (cwp_pid_max_global)
				pr_info("pid_max at %p, read in the code of alloc_pid()\n",
					cwp_pid_max_global);
		}
		if (!cwp_pid_max_global)
			pr_warn("cannot find pid_max: reservations check pids against %d only\n",
				(int)PID_MAX_LIMIT);
	}

	pr_info("kernel_clone at %pS: %s; %s\n",
		(void *)addr, CWP_CALL_DESC, cwp_verdict_desc(cwp_ibt));
	return 0;
}

void cwp_ksyms_exit(void)
{
	static_call_update(cwp_kernel_clone_call, cwp_kernel_clone_unresolved);
}
