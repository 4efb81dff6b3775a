/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * long __cwp_clone_fn_raw(long nr, long a1, long a2, long a3, long a4, long a5)
 *
 * System call @nr, which creates a task on a new stack whose top holds fn
 * and arg (placed by clone_with_pids_fn()): ioctl(fd, CWP_IOC_CLONE, args)
 * or clone(flags, stack, ptid, ctid, tls). Returns the raw result (-errno
 * on failure) in the parent; the child calls fn(arg) on its new stack and
 * exits with its return value, never returning here.
 */
	.text
	.globl	__cwp_clone_fn_raw
	.hidden	__cwp_clone_fn_raw
	.type	__cwp_clone_fn_raw, @function
	.p2align 4
__cwp_clone_fn_raw:
	.cfi_startproc
	movq	%rdi, %rax
	movq	%rsi, %rdi
	movq	%rdx, %rsi
	movq	%rcx, %rdx
	movq	%r8, %r10
	movq	%r9, %r8
	syscall
	testq	%rax, %rax
	jz	1f
	ret
1:
	.cfi_undefined rip		/* the child has no caller */
	xorl	%ebp, %ebp
	popq	%rax			/* fn */
	popq	%rdi			/* arg; %rsp is 16-byte aligned again */
	call	*%rax
	movl	%eax, %edi
	movl	$60, %eax		/* __NR_exit */
	syscall
	hlt
	.cfi_endproc
	.size	__cwp_clone_fn_raw, .-__cwp_clone_fn_raw

	.section .note.GNU-stack, "", @progbits
