// SPDX-License-Identifier: GPL-2.0
/*
 * Reaching kernel_clone(), which is not exported, without an indirect call.
 *
 * The address comes from a kprobe planted and removed at load time:
 * kallsyms_lookup_name() is not exported since v5.7, and calling it through
 * a pointer would itself trap on IBT kernels, where its ENDBR is sealed.
 * The call goes through a static_call, whose trampoline the kernel patches
 * into a direct jump: a direct branch needs no ENDBR at its target, so it
 * is safe whether or not kernel_clone()'s ENDBR was sealed. Load fails
 * unless the patched trampoline is verified to be that direct jump.
 */
#include <linux/kernel.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
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

static bool cwp_has_endbr(const void *fn)
{
	u32 insn;

	if (copy_from_kernel_nofault(&insn, fn, sizeof(insn)))
		return false;
	return insn == CWP_ENDBR64;
}

/*
 * An indirect call to @fn (as the kprobe core makes to our handlers) is safe
 * if the kernel does not use IBT or @fn starts with ENDBR.
 */
bool cwp_ibt_indirect_ok(const void *fn)
{
	return !IS_ENABLED(CONFIG_X86_KERNEL_IBT) || cwp_has_endbr(fn);
}

/* Does the static_call trampoline jump directly to @target (or past its ENDBR)? */
static bool cwp_static_call_is_direct(unsigned long target)
{
	const u8 *tramp = (const u8 *)STATIC_CALL_TRAMP_ADDR(cwp_kernel_clone_call);
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

int cwp_ksyms_init(void)
{
	unsigned long addr;
	bool sealed;

	addr = cwp_ksym_func("kernel_clone");
	if (!addr)
		return -ENOENT;

	sealed = !cwp_has_endbr((void *)addr);
	if (IS_ENABLED(CONFIG_X86_KERNEL_IBT))
		cwp_ibt |= CWP_IBT_KERNEL;
	if (cwp_cpu_has_ibt())
		cwp_ibt |= CWP_IBT_CPU;
	if (IS_ENABLED(CONFIG_X86_KERNEL_IBT) && sealed)
		cwp_ibt |= CWP_IBT_SEALED;

	static_call_update(cwp_kernel_clone_call,
			   (typeof(&cwp_kernel_clone_unresolved))addr);
	if (!cwp_static_call_is_direct(addr)) {
		pr_err("kernel_clone: static_call trampoline is not a direct jump to %pS; refusing to load\n",
		       (void *)addr);
		static_call_update(cwp_kernel_clone_call,
				   cwp_kernel_clone_unresolved);
		return -EOPNOTSUPP;
	}
	cwp_ibt |= CWP_IBT_SAFE;

	pr_info("kernel_clone at %pS: %s; called by static_call (direct jump, verified); IBT %s\n",
		(void *)addr,
		!IS_ENABLED(CONFIG_X86_KERNEL_IBT) ? "kernel built without IBT" :
		sealed ? "ENDBR sealed" : "ENDBR present",
		cwp_cpu_has_ibt() ? "enforced by this CPU" : "not enforced by this CPU");
	return 0;
}

void cwp_ksyms_exit(void)
{
	static_call_update(cwp_kernel_clone_call, cwp_kernel_clone_unresolved);
}
