/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * long __cwp_clone_fn_raw(long nr, long a1, long a2, long a3, long a4, long a5)
 *
 * See ../x86_64/clone_fn.S. The child stack's top holds fn and arg.
 *
 * Branch protection: the entry is a BTI landing pad (the library calls it
 * directly, but a caller may reach it through a PLT or a pointer), fn is
 * called with BLR and so must be one (C functions built with
 * -mbranch-protection=standard are), and the GNU property note below marks
 * the object BTI- and PAC-compatible, so that a program linked only from
 * such objects is BTI-marked as a whole. The function is a leaf in the
 * parent and never returns in the child: there is no return address to
 * sign.
 */
	.text
	.globl	__cwp_clone_fn_raw
	.hidden	__cwp_clone_fn_raw
	.type	__cwp_clone_fn_raw, %function
	.p2align 4
__cwp_clone_fn_raw:
	.cfi_startproc
	hint	#34			/* bti c */
	mov	x8, x0
	mov	x0, x1
	mov	x1, x2
	mov	x2, x3
	mov	x3, x4
	mov	x4, x5
	svc	#0
	cbz	x0, 1f
	ret
1:
	.cfi_undefined x30
	mov	x29, #0
	mov	x30, #0
	ldp	x1, x0, [sp], #16	/* fn, arg */
	blr	x1
	mov	x8, #93			/* __NR_exit */
	svc	#0
	brk	#0
	.cfi_endproc
	.size	__cwp_clone_fn_raw, .-__cwp_clone_fn_raw

	.section .note.GNU-stack, "", %progbits

/* GNU_PROPERTY_AARCH64_FEATURE_1_AND: BTI (1) | PAC (2). */
	.section .note.gnu.property, "a"
	.p2align 3
	.word	4			/* name size */
	.word	16			/* descriptor size */
	.word	5			/* NT_GNU_PROPERTY_TYPE_0 */
	.asciz	"GNU"
	.word	0xc0000000		/* GNU_PROPERTY_AARCH64_FEATURE_1_AND */
	.word	4
	.word	3
	.word	0
