/* SPDX-License-Identifier: GPL-2.0 */
/*
 * System calls without the C library, for bare threads that have no TLS
 * and no errno: the tests' and the bench's.
 */
#ifndef CWP_TESTS_RAW_H
#define CWP_TESTS_RAW_H

/* exit_group(0) without the C library (no errno, no TLS). */
static inline void t_raw_exit_group(void)
{
#if defined(__x86_64__)
	asm volatile("syscall" : : "a"(231), "D"(0) : "rcx", "r11", "memory");
#elif defined(__i386__)
	asm volatile("int $0x80" : : "a"(252), "b"(0) : "memory");
#elif defined(__aarch64__)
	register long x8 asm("x8") = 94;	/* __NR_exit_group */
	register long x0 asm("x0") = 0;

	asm volatile("svc #0" : : "r"(x8), "r"(x0) : "memory");
#elif defined(__arm__)
	register long r7 asm("r7") = 248;	/* __NR_exit_group */
	register long r0 asm("r0") = 0;

	asm volatile("svc #0" : : "r"(r7), "r"(r0) : "memory");
#else
#error "t_raw_exit_group: unsupported architecture"
#endif
}

/* A system call without the C library: for bare threads without a TLS. */
static inline long t_raw_syscall4(long nr, long a, long b, long c, long d)
{
	long ret;
#if defined(__x86_64__)
	register long r10 asm("r10") = d;

	asm volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
		     : "rcx", "r11", "memory");
#elif defined(__i386__)
	/* %ebx may be the PIC register: swap it in and out by hand. */
	asm volatile("xchgl %%ebx, %%edi\n\tint $0x80\n\txchgl %%ebx, %%edi"
		     : "=a"(ret) : "a"(nr), "D"(a), "c"(b), "d"(c), "S"(d) : "memory");
#elif defined(__aarch64__)
	register long x8 asm("x8") = nr;
	register long x0 asm("x0") = a;
	register long x1 asm("x1") = b;
	register long x2 asm("x2") = c;
	register long x3 asm("x3") = d;

	asm volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
	ret = x0;
#elif defined(__arm__)
	register long r7 asm("r7") = nr;
	register long r0 asm("r0") = a;
	register long r1 asm("r1") = b;
	register long r2 asm("r2") = c;
	register long r3 asm("r3") = d;

	asm volatile("svc #0" : "+r"(r0) : "r"(r7), "r"(r1), "r"(r2), "r"(r3) : "memory");
	ret = r0;
#else
#error "t_raw_syscall4: unsupported architecture"
#endif
	return ret;
}

#endif
