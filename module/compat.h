/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels clone_with_pids builds against (v5.10 and
 * later) and the architectures it supports. One shim per block, each named
 * after the kernel version or architecture it covers; feature tests are
 * preferred over version numbers.
 */
#ifndef _CWP_COMPAT_H
#define _CWP_COMPAT_H

#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <asm/cpufeature.h>

#if !defined(CONFIG_KPROBES)
#error "clone_with_pids needs CONFIG_KPROBES to reach kernel internals"
#endif

#if !defined(CONFIG_HAVE_STATIC_CALL)
#error "clone_with_pids needs static calls (CONFIG_HAVE_STATIC_CALL) to call kernel_clone() without an indirect branch"
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
static inline bool cwp_seccomp_filtered(void)
{
	return READ_ONCE(current->seccomp.mode) != SECCOMP_MODE_DISABLED;
}
#else
static inline bool cwp_seccomp_filtered(void)
{
	return false;
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
