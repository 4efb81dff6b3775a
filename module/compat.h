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
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <linux/thread_info.h>
#include <asm/cpufeature.h>

#include "cwp.h"

#if !defined(CONFIG_KPROBES)
#error "clone_with_pids needs CONFIG_KPROBES to reach kernel internals"
#endif

#if !defined(CONFIG_HAVE_STATIC_CALL)
#error "clone_with_pids needs static calls (CONFIG_HAVE_STATIC_CALL) to call kernel_clone() without an indirect branch"
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

/* x86-64: the third argument register, and the ENDBR64 encoding. */
#ifdef CONFIG_X86_64
static inline void cwp_regs_set_arg2(struct pt_regs *regs, unsigned long val)
{
	regs->dx = val;
}

#define CWP_ENDBR64	0xfa1e0ff3U	/* f3 0f 1e fa, read as a u32 */
#else
#error "clone_with_pids supports x86-64 only for now"
#endif

#endif /* _CWP_COMPAT_H */
