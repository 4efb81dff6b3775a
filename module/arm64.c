// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 only: reading the address of the first spinlock a function takes
 * in its machine code, for a kernel variable kallsyms does not list (no
 * CONFIG_KALLSYMS_ALL on Debian's arm64 5.10 and 6.1 kernels). The
 * address of a global is built by ADRP + ADD (and perhaps moved with MOV);
 * that is all this follows. arm64 inlines spin_lock() and its _irq and
 * _irqsave forms (ARCH_INLINE_SPIN_LOCK* without PREEMPTION): the lock is
 * then the base register of a compare-and-swap (CASA, LSE atomics, as the
 * alternatives patched it) or of a load-exclusive (LDAXR, LL/SC); out of
 * line, it is x0 of the call to _raw_spin_lock*().
 */
#include <linux/kernel.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>

#include "cwp.h"
#include "compat.h"

#define CWP_SCAN_INSNS	64

/**
 * cwp_lock_arg() - the address of the first spinlock @fn takes
 * @fn: start of the function
 * @callee: start of the out-of-line lock function it would call, or 0
 *
 * Follows ADRP, ADD (immediate) and MOV (register) into the general
 * registers over the first CWP_SCAN_INSNS instructions of @fn, forgets a
 * register any other instruction may write and the caller-saved ones at
 * any other call, and stops at the first return or unconditional branch.
 *
 * Return: the value of the base register of the first CAS or
 * load-exclusive, or of x0 at the first BL to @callee, whichever comes
 * first; 0 if that value is not known there or there is neither.
 */
unsigned long cwp_lock_arg(unsigned long fn, unsigned long callee)
{
	unsigned long val[32];
	u32 known = 0;
	int i;

	for (i = 0; i < CWP_SCAN_INSNS; i++) {
		unsigned long pc = fn + 4 * i;
		unsigned int rd, rn;
		__le32 raw;
		u32 insn;
		s64 off;

		if (copy_from_kernel_nofault(&raw, (void *)pc, sizeof(raw)))
			return 0;
		insn = le32_to_cpu(raw);
		rd = insn & 0x1f;
		rn = (insn >> 5) & 0x1f;

		if ((insn & 0xfc000000) == 0x14000000 ||	/* b */
		    (insn & 0xfffffc1f) == 0xd65f0000)		/* ret */
			break;
		if ((insn & 0x9f000000) == 0x90000000) {		/* adrp */
			off = ((insn >> 29) & 3) | (((insn >> 5) & 0x7ffff) << 2);
			off = sign_extend64(off, 20) * SZ_4K;
			val[rd] = (pc & ~0xfffUL) + off;
			known |= BIT(rd);
		} else if ((insn & 0xff800000) == 0x91000000) {	/* add xd, xn, #imm */
			if (rn != 31 && (known & BIT(rn))) {
				val[rd] = val[rn] + (((insn >> 10) & 0xfff) <<
						     ((insn >> 22) & 1 ? 12 : 0));
				known |= BIT(rd);
			} else {
				known &= ~BIT(rd);
			}
		} else if ((insn & 0xffe0ffe0) == 0xaa0003e0) {	/* mov xd, xm */
			rn = (insn >> 16) & 0x1f;
			if (rn != 31 && (known & BIT(rn))) {
				val[rd] = val[rn];
				known |= BIT(rd);
			} else {
				known &= ~BIT(rd);
			}
		} else if ((insn & 0x3fa07c00) == 0x08a07c00 ||	/* cas* */
			   (insn & 0x3f400000) == 0x08400000) {	/* ld*xr */
			return known & BIT(rn) ? val[rn] : 0;
		} else if ((insn & 0xfc000000) == 0x94000000) {	/* bl */
			off = sign_extend64((insn & 0x3ffffff) << 2, 27);
			if (callee && pc + off == callee)
				return known & BIT(0) ? val[0] : 0;
			known &= ~GENMASK(18, 0);
		} else {
			/* Rd or Rt of most encodings: forget it, to be safe. */
			known &= ~BIT(rd);
		}
	}
	return 0;
}

#define CWP_SCAN_LDR_INSNS	512

/**
 * cwp_ldr_addr() - the one 32-bit global @fn loads that holds @value
 * @fn: start of the function
 * @value: what the global holds now
 *
 * Follows ADRP, ADD (immediate) and MOV (register) over the first
 * CWP_SCAN_LDR_INSNS instructions of @fn, as cwp_lock_arg() does, but
 * past branches (an unconditional one forgets every register: its next
 * instruction is reached from elsewhere) up to the first return, and
 * looks at each LDR (32-bit, unsigned offset) from a known base.
 *
 * Return: the address such a load reads that holds @value; 0 if there is
 * none, or more than one.
 */
unsigned long cwp_ldr_addr(unsigned long fn, u32 value)
{
	unsigned long val[32], found = 0;
	u32 known = 0, held;
	int i;

	for (i = 0; i < CWP_SCAN_LDR_INSNS; i++) {
		unsigned long pc = fn + 4 * i, addr;
		unsigned int rd, rn;
		__le32 raw;
		u32 insn;
		s64 off;

		if (copy_from_kernel_nofault(&raw, (void *)pc, sizeof(raw)))
			return 0;
		insn = le32_to_cpu(raw);
		rd = insn & 0x1f;
		rn = (insn >> 5) & 0x1f;

		if ((insn & 0xfffffc1f) == 0xd65f0000)		/* ret */
			break;
		if ((insn & 0xfc000000) == 0x14000000) {	/* b */
			known = 0;
		} else if ((insn & 0x9f000000) == 0x90000000) {	/* adrp */
			off = ((insn >> 29) & 3) | (((insn >> 5) & 0x7ffff) << 2);
			off = sign_extend64(off, 20) * SZ_4K;
			val[rd] = (pc & ~0xfffUL) + off;
			known |= BIT(rd);
		} else if ((insn & 0xff800000) == 0x91000000) {	/* add xd, xn, #imm */
			if (rn != 31 && (known & BIT(rn))) {
				val[rd] = val[rn] + (((insn >> 10) & 0xfff) <<
						     ((insn >> 22) & 1 ? 12 : 0));
				known |= BIT(rd);
			} else {
				known &= ~BIT(rd);
			}
		} else if ((insn & 0xffe0ffe0) == 0xaa0003e0) {	/* mov xd, xm */
			rn = (insn >> 16) & 0x1f;
			if (rn != 31 && (known & BIT(rn))) {
				val[rd] = val[rn];
				known |= BIT(rd);
			} else {
				known &= ~BIT(rd);
			}
		} else if ((insn & 0xffc00000) == 0xb9400000) {	/* ldr wt, [xn, #imm] */
			if (rn != 31 && (known & BIT(rn))) {
				addr = val[rn] + ((insn >> 10) & 0xfff) * 4;
				if (!copy_from_kernel_nofault(&held, (void *)addr, sizeof(held)) &&
				    held == value) {
					if (found && found != addr)
						return 0;
					found = addr;
				}
			}
			known &= ~BIT(rd);
		} else if ((insn & 0xfc000000) == 0x94000000) {	/* bl */
			known &= ~GENMASK(18, 0);
		} else {
			/* Rd or Rt of most encodings: forget it, to be safe. */
			known &= ~BIT(rd);
		}
	}
	return found;
}
