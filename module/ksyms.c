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

/* Does the static_call trampoline @tramp jump directly to @target (or past its ENDBR)? */
static bool cwp_static_call_is_direct(const u8 *tramp, unsigned long target)
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
 * Resolve the data symbol @name with kallsyms_lookup_name(), called once
 * here through a static_call verified to be a direct jump (so IBT-safe),
 * then unresolved again. The address must be the symbol's own: kallsyms
 * holds data symbols only with CONFIG_KALLSYMS_ALL. Returns NULL, and
 * says why, when it cannot.
 */
static void *cwp_ksym_data(const char *name)
{
	char buf[KSYM_SYMBOL_LEN], want[KSYM_NAME_LEN + 4];
	unsigned long fn, addr = 0;

	fn = cwp_ksym_func("kallsyms_lookup_name");
	if (!fn)
		goto err;
	static_call_update(cwp_kallsyms_call, (typeof(&cwp_kallsyms_unresolved))fn);
	if (cwp_static_call_is_direct((const u8 *)STATIC_CALL_TRAMP_ADDR(cwp_kallsyms_call), fn))
		addr = static_call(cwp_kallsyms_call)(name);
	static_call_update(cwp_kallsyms_call, cwp_kallsyms_unresolved);
	if (!addr)
		goto err;
	sprint_symbol(buf, addr);
	snprintf(want, sizeof(want), "%s+0x0/", name);
	if (strncmp(buf, want, strlen(want)))
		goto err;
	return (void *)addr;

err:
	pr_warn("cannot find %s: pid reservations are not available\n", name);
	return NULL;
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
	if (!cwp_static_call_is_direct((const u8 *)STATIC_CALL_TRAMP_ADDR(cwp_kernel_clone_call),
				       addr)) {
		pr_err("kernel_clone: static_call trampoline is not a direct jump to %pS; refusing to load\n",
		       (void *)addr);
		static_call_update(cwp_kernel_clone_call,
				   cwp_kernel_clone_unresolved);
		return -EOPNOTSUPP;
	}
	cwp_ibt |= CWP_IBT_SAFE;
	cwp_pidmap_lock = cwp_ksym_data("pidmap_lock");

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
