/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * long __cwp_clone_fn_raw(long nr, long a1, long a2, long a3, long a4, long a5)
 *
 * See ../x86_64/clone_fn.S. 32-bit ARM (EABI, armhf programs on arm64
 * kernels): the system call number goes in r7, its arguments in r0-r4;
 * a4 and a5 come on the stack. The child stack's top holds fn and arg.
 */
	.syntax unified
	.arm
	.text
	.globl	__cwp_clone_fn_raw
	.hidden	__cwp_clone_fn_raw
	.type	__cwp_clone_fn_raw, %function
	.p2align 2
__cwp_clone_fn_raw:
	.fnstart
	push	{r4, r5, r7, lr}
	mov	r7, r0
	mov	r0, r1
	mov	r1, r2
	mov	r2, r3
	ldr	r3, [sp, #16]		/* a4 */
	ldr	r4, [sp, #20]		/* a5 */
	svc	#0
	cmp	r0, #0
	beq	1f
	pop	{r4, r5, r7, pc}
1:
	.cantunwind
	mov	fp, #0
	mov	lr, #0
	ldr	r1, [sp]		/* fn */
	ldr	r0, [sp, #4]		/* arg */
	add	sp, sp, #8		/* 8-byte aligned at the call */
	blx	r1
	mov	r7, #1			/* __NR_exit */
	svc	#0
	udf	#0
	.fnend
	.size	__cwp_clone_fn_raw, .-__cwp_clone_fn_raw

	.section .note.GNU-stack, "", %progbits
