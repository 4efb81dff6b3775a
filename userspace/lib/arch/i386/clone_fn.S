/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * long __cwp_clone_fn_raw(long nr, long a1, long a2, long a3, long a4, long a5)
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
	pushl	%esi
	.cfi_adjust_cfa_offset 4
	.cfi_rel_offset esi, 0
	pushl	%edi
	.cfi_adjust_cfa_offset 4
	.cfi_rel_offset edi, 0
	movl	16(%esp), %eax		/* nr */
	movl	20(%esp), %ebx
	movl	24(%esp), %ecx
	movl	28(%esp), %edx
	movl	32(%esp), %esi
	movl	36(%esp), %edi
	int	$0x80
	testl	%eax, %eax
	jz	1f
	popl	%edi
	.cfi_adjust_cfa_offset -4
	.cfi_restore edi
	popl	%esi
	.cfi_adjust_cfa_offset -4
	.cfi_restore esi
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
