/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * long __cwp_clone_fn_raw(int fd, unsigned long cmd, void *args)
 *
 * See ../x86_64/clone_fn.S. The child stack's top holds fn and arg.
 */
	.text
	.globl	__cwp_clone_fn_raw
	.hidden	__cwp_clone_fn_raw
	.type	__cwp_clone_fn_raw, @function
	.p2align 4
__cwp_clone_fn_raw:
	.cfi_startproc
	pushl	%ebx
	.cfi_adjust_cfa_offset 4
	.cfi_rel_offset ebx, 0
	movl	8(%esp), %ebx		/* fd */
	movl	12(%esp), %ecx		/* cmd */
	movl	16(%esp), %edx		/* args */
	movl	$54, %eax		/* __NR_ioctl */
	int	$0x80
	testl	%eax, %eax
	jz	1f
	popl	%ebx
	.cfi_adjust_cfa_offset -4
	.cfi_restore ebx
	ret
1:
	.cfi_undefined eip
	xorl	%ebp, %ebp
	popl	%eax			/* fn */
	popl	%ecx			/* arg */
	subl	$4, %esp		/* %esp 16-byte aligned at the call */
	pushl	%ecx
	call	*%eax
	movl	%eax, %ebx
	movl	$1, %eax		/* __NR_exit */
	int	$0x80
	hlt
	.cfi_endproc
	.size	__cwp_clone_fn_raw, .-__cwp_clone_fn_raw

	.section .note.GNU-stack, "", @progbits
