/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels clone_with_pids builds against (v5.10 and
 * later) and the architectures it supports. One shim per block, each named
 * after the kernel version or architecture it covers; feature tests are
 * preferred over version numbers.
 */
#ifndef _CWP_COMPAT_H
#define _CWP_COMPAT_H

#include <linux/kprobes.h>
#include <linux/log2.h>
#include <linux/pid_namespace.h>
#include <linux/threads.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <linux/thread_info.h>
#include <linux/uaccess.h>
#include <linux/version.h>
#include <asm/cpufeature.h>

#include "cwp.h"

#if !defined(CONFIG_KPROBES)
#error "clone_with_pids needs CONFIG_KPROBES to reach kernel internals"
#endif

#if !defined(CONFIG_CGROUPS)
#error "clone_with_pids verifies each clone in cgroup_can_fork(), which needs CONFIG_CGROUPS"
#endif

/* v5.18: X86_FEATURE_IBT appeared along with kernel IBT support. */
#ifdef X86_FEATURE_IBT
static inline bool cwp_cpu_has_ibt(void)
{
	return cpu_feature_enabled(X86_FEATURE_IBT);
}
#else
static inline bool cwp_cpu_has_ibt(void)
{
	return false;
}
#endif

/* CONFIG_SECCOMP: task_struct has a seccomp member only with it. */
#ifdef CONFIG_SECCOMP
static inline u32 cwp_seccomp_monitor(void)
{
	return READ_ONCE(current->seccomp.mode) != SECCOMP_MODE_DISABLED ?
	       CWP_MONITOR_SECCOMP : 0;
}
#else
static inline u32 cwp_seccomp_monitor(void)
{
	return 0;
}
#endif

/*
 * v5.11: with the generic entry code, ptrace's syscall stops, audit and
 * syscall tracepoints are flagged in thread_info.syscall_work; before it,
 * and on architectures without generic entry, in thread flags.
 */
#if defined(CONFIG_GENERIC_ENTRY) && defined(SYSCALL_WORK_SYSCALL_TRACE)
static inline u32 cwp_syscall_monitors(void)
{
	unsigned long work = READ_ONCE(current_thread_info()->syscall_work);

	return (work & (SYSCALL_WORK_SYSCALL_TRACE | SYSCALL_WORK_SYSCALL_EMU) ?
		CWP_MONITOR_SYSCALL_TRACE : 0) |
	       (work & SYSCALL_WORK_SYSCALL_AUDIT ? CWP_MONITOR_AUDIT : 0) |
	       (work & SYSCALL_WORK_SYSCALL_TRACEPOINT ? CWP_MONITOR_TRACEPOINT : 0);
}
#else
static inline u32 cwp_syscall_monitors(void)
{
	return (test_thread_flag(TIF_SYSCALL_TRACE) ||
		test_thread_flag(TIF_SYSCALL_EMU) ? CWP_MONITOR_SYSCALL_TRACE : 0) |
	       (test_thread_flag(TIF_SYSCALL_AUDIT) ? CWP_MONITOR_AUDIT : 0) |
	       (test_thread_flag(TIF_SYSCALL_TRACEPOINT) ? CWP_MONITOR_TRACEPOINT : 0);
}
#endif

/* What watches the calling thread's system calls (CWP_MONITOR_*). */
static inline u32 cwp_monitors(void)
{
	return cwp_seccomp_monitor() | cwp_syscall_monitors();
}

/*
 * v6.4: vhost workers are created by copy_process() from the user task,
 * like io_uring's workers (v5.12), without kernel_clone().
 */
#ifdef PF_USER_WORKER
#define CWP_PF_WORKERS	(PF_IO_WORKER | PF_USER_WORKER)
#else
#define CWP_PF_WORKERS	PF_IO_WORKER
#endif

/*
 * v6.7: kretprobe instances come from an objpool whose slot for each
 * possible CPU has room for every instance; before it, from a free list.
 * <linux/kprobes.h> includes <linux/objpool.h> where it exists.
 */
#ifdef _LINUX_OBJPOOL_H
static inline size_t cwp_kretprobe_mem(const struct kretprobe *rp)
{
	return (size_t)nr_cpu_ids * roundup_pow_of_two(rp->maxactive) * sizeof(void *) +
	       (size_t)rp->maxactive * (sizeof(struct kretprobe_instance) + rp->data_size);
}
#else
static inline size_t cwp_kretprobe_mem(const struct kretprobe *rp)
{
	return (size_t)rp->maxactive * (sizeof(struct kretprobe_instance) + rp->data_size);
}
#endif

/*
 * v6.14: pid_max is each pid namespace's, struct pid_namespace.pid_max
 * (Kbuild tests the header: CWP_HAVE_PIDNS_PID_MAX); before it, one int
 * for every namespace, which is not exported: ksyms.c finds it, and
 * where it cannot, reservations check numbers against PID_MAX_LIMIT only
 * (the clone through one then fails with EINVAL, the number kept).
 */
#ifdef CWP_HAVE_PIDNS_PID_MAX
#define CWP_PID_MAX_PER_NS	true
static inline int cwp_pid_max(const struct pid_namespace *ns)
{
	return READ_ONCE(ns->pid_max);
}
#else
#define CWP_PID_MAX_PER_NS	false
static inline int cwp_pid_max(const struct pid_namespace *ns)
{
	return cwp_pid_max_global ? READ_ONCE(*cwp_pid_max_global) : (int)PID_MAX_LIMIT;
}
#endif

/*
 * arm64, v5.13: in-kernel pointer authentication (pac-ret) got its own
 * option, CONFIG_ARM64_PTR_AUTH_KERNEL; before it, CONFIG_ARM64_PTR_AUTH
 * covered the kernel and user space.
 */
#if defined(CONFIG_ARM64_PTR_AUTH_KERNEL) || \
	(defined(CONFIG_ARM64_PTR_AUTH) && LINUX_VERSION_CODE < KERNEL_VERSION(5, 13, 0) && \
	 (defined(CONFIG_CC_HAS_SIGN_RETURN_ADDRESS) || defined(CONFIG_CC_HAS_BRANCH_PROT_PAC_RET)))
static inline bool cwp_kernel_signs_returns(void)
{
	return system_supports_address_auth();
}
#else
static inline bool cwp_kernel_signs_returns(void)
{
	return false;
}
#endif

/*
 * x86-64: the third argument register; kernel_clone() is called through a
 * static_call patched into a direct jump, which IBT does not check, and
 * verified to be one (cwp_call_is_safe()); the landing pad of an indirect
 * branch is ENDBR64.
 */
#ifdef CONFIG_X86_64
#if !defined(CONFIG_HAVE_STATIC_CALL)
#error "clone_with_pids needs static calls (CONFIG_HAVE_STATIC_CALL) to call kernel_clone() without an indirect branch"
#endif

static inline void cwp_regs_set_arg2(struct pt_regs *regs, unsigned long val)
{
	regs->dx = val;
}

#define CWP_CALL_METHOD	CWP_CALL_STATIC_CALL
#define CWP_CALL_DESC	"called by static_call (direct jump, verified)"

/* Every x86-64 kernel here has CONFIG_KALLSYMS_ALL: no code is read (arm64.c). */
static inline unsigned long cwp_lock_arg(unsigned long fn, unsigned long callee)
{
	return 0;
}

static inline unsigned long cwp_ldr_addr(unsigned long fn, u32 value)
{
	return 0;
}

/* Does the kernel check its own indirect branches? */
static inline bool cwp_kernel_checks_branches(void)
{
	return IS_ENABLED(CONFIG_X86_KERNEL_IBT);
}

/* Is @insn, the first 4 bytes of a function, a landing pad for a call? */
static inline bool cwp_insn_is_landing_pad(u32 insn)
{
	return insn == 0xfa1e0ff3U;	/* endbr64: f3 0f 1e fa, read as a u32 */
}

/* The CWP_IBT_* bits of what the kernel and the CPU enforce. */
static inline u32 cwp_arch_verdict(bool landing_pad)
{
	return (IS_ENABLED(CONFIG_X86_KERNEL_IBT) ? CWP_IBT_KERNEL : 0) |
	       (cwp_cpu_has_ibt() ? CWP_IBT_CPU : 0) |
	       (IS_ENABLED(CONFIG_X86_KERNEL_IBT) && !landing_pad ? CWP_IBT_SEALED : 0);
}

/* The verdict @v as the kernel log says it. */
static inline const char *cwp_verdict_desc(u32 v)
{
	if (!(v & CWP_IBT_KERNEL))
		return v & CWP_IBT_CPU ? "kernel built without IBT; IBT enforced by this CPU" :
					 "kernel built without IBT; IBT not enforced by this CPU";
	if (v & CWP_IBT_SEALED)
		return v & CWP_IBT_CPU ? "ENDBR sealed; IBT enforced by this CPU" :
					 "ENDBR sealed; IBT not enforced by this CPU";
	return v & CWP_IBT_CPU ? "ENDBR present; IBT enforced by this CPU" :
				 "ENDBR present; IBT not enforced by this CPU";
}

/*
 * Is the static_call trampoline @tramp a direct jump to @target (or past
 * its ENDBR)? A direct branch needs no landing pad at its target.
 */
static inline bool cwp_call_is_safe(const void *tramp, unsigned long target)
{
	u8 insn[5];
	unsigned long dest;
	s32 rel;

	/* Keep the compiler from folding tramp + 5 into a relocation. */
	OPTIMIZER_HIDE_VAR(tramp);
	if (copy_from_kernel_nofault(insn, tramp, sizeof(insn)))
		return false;
	if (insn[0] != 0xe9)	/* jmp rel32 */
		return false;
	memcpy(&rel, insn + 1, sizeof(rel));
	dest = (unsigned long)tramp + sizeof(insn) + rel;
	return dest == target || dest == target + 4;
}

/*
 * arm64: the third argument register is x2. None of Debian's arm64
 * kernels (5.10 to 7.x, gcc-built, no kCFI) has CONFIG_HAVE_STATIC_CALL:
 * <linux/static_call.h>'s generic static_call() is a call through a
 * pointer (BLR). Branch Target Identification checks such a call in the
 * kernel only with CONFIG_ARM64_BTI_KERNEL, which none of them has (in
 * v6.1 it depends on !CC_IS_GCC, for GCC bug 106671); where it is set,
 * the target must start with BTI c, BTI jc, or PACIASP / PACIBSP
 * (landing pads of a BLR whatever SCTLR_EL1.BT1 says), and the module
 * refuses to load if kernel_clone() does not.
 */
#elif defined(CONFIG_ARM64)
static inline void cwp_regs_set_arg2(struct pt_regs *regs, unsigned long val)
{
	regs->regs[2] = val;
}

#define CWP_CALL_METHOD	CWP_CALL_POINTER
#define CWP_CALL_DESC	"called through a pointer"

/* arm64.c: the first spinlock @fn takes, read in its code. */
unsigned long cwp_lock_arg(unsigned long fn, unsigned long callee);
/* arm64.c: the one 32-bit global @fn loads that holds @value. */
unsigned long cwp_ldr_addr(unsigned long fn, u32 value);

static inline bool cwp_kernel_checks_branches(void)
{
	return IS_ENABLED(CONFIG_ARM64_BTI_KERNEL);
}

static inline bool cwp_insn_is_landing_pad(u32 insn)
{
	return insn == 0xd503245fU ||	/* bti c */
	       insn == 0xd50324dfU ||	/* bti jc */
	       insn == 0xd503233fU ||	/* paciasp */
	       insn == 0xd503237fU;	/* pacibsp */
}

static inline u32 cwp_arch_verdict(bool landing_pad)
{
	return (IS_ENABLED(CONFIG_ARM64_BTI_KERNEL) ? CWP_BTI_KERNEL : 0) |
	       (system_supports_bti() ? CWP_BTI_CPU : 0) |
	       (landing_pad ? CWP_BTI_LANDING : 0) |
	       (cwp_kernel_signs_returns() ? CWP_PAC_KERNEL : 0) |
	       (system_supports_address_auth() ? CWP_PAC_CPU : 0);
}

static inline const char *cwp_verdict_desc(u32 v)
{
	if (v & CWP_BTI_KERNEL)
		return v & CWP_BTI_LANDING ? "kernel built with BTI, landing pad present" :
					     "kernel built with BTI, NO landing pad";
	if (v & CWP_PAC_KERNEL)
		return v & CWP_BTI_CPU ?
		       "kernel built without BTI (its indirect calls are not checked), BTI on this CPU; return addresses signed (PAC)" :
		       "kernel built without BTI (its indirect calls are not checked), no BTI on this CPU; return addresses signed (PAC)";
	return v & CWP_BTI_CPU ?
	       "kernel built without BTI (its indirect calls are not checked), BTI on this CPU; return addresses not signed" :
	       "kernel built without BTI (its indirect calls are not checked), no BTI on this CPU; return addresses not signed";
}

/* The call through a pointer is safe where BTI does not check it, or lands on a pad. */
static inline bool cwp_call_is_safe(const void *tramp, unsigned long target)
{
	u32 insn;

	if (!cwp_kernel_checks_branches())
		return true;
	if (copy_from_kernel_nofault(&insn, (const void *)target, sizeof(insn)))
		return false;
	return cwp_insn_is_landing_pad(le32_to_cpu(insn));
}
#else
#error "clone_with_pids supports x86-64 and arm64 only"
#endif

#endif /* _CWP_COMPAT_H */
