/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * long __cwp_clone_fn_raw(int fd, unsigned long cmd, void *args)
 *
 * ioctl(fd, cmd, args) for CWP_IOC_CLONE with a child stack whose top
 * holds fn and arg (placed by clone_with_pids_fn()). Returns the raw
 * result (-errno on failure) in the parent; the child, on its new stack,
 * calls fn(arg) and exits with its return value, never returning here.
 */
	.text
	.globl	__cwp_clone_fn_raw
	.hidden	__cwp_clone_fn_raw
	.type	__cwp_clone_fn_raw, @function
	.p2align 4
__cwp_clone_fn_raw:
	.cfi_startproc
	movl	$16, %eax		/* __NR_ioctl; fd, cmd, args in place */
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
