/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * long __cwp_clone_fn_raw(long nr, long a1, long a2, long a3, long a4, long a5)
 *
 * See ../x86_64/clone_fn.S. The child stack's top holds fn and arg.
 */
	.text
	.globl	__cwp_clone_fn_raw
	.hidden	__cwp_clone_fn_raw
	.type	__cwp_clone_fn_raw, %function
	.p2align 4
__cwp_clone_fn_raw:
	.cfi_startproc
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
