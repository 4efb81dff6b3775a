// SPDX-License-Identifier: GPL-2.0
/*
 * Pointer authentication is enforced for the test programs: a function
 * that signs its return address (PACIASP), finds it changed, and
 * authenticates it (AUTIASP) before returning must fault (SIGSEGV on the
 * poisoned address, or SIGILL where the CPU faults at the authentication
 * itself, FEAT_FPAC); the same function without the change must return.
 * x86-64 and i386: skipped.
 */
#include "t.h"

#if defined(__aarch64__)
#include <sys/auxv.h>

#ifndef HWCAP_PACA
#define HWCAP_PACA	(1UL << 30)
#endif

/* t_pac_ret(flip): returns 42, after XORing @flip into its signed return address. */
int t_pac_ret(unsigned long flip);
asm(".text\n"
    ".p2align 2\n"
    ".globl t_pac_ret\n"
    ".hidden t_pac_ret\n"
    ".type t_pac_ret, %function\n"
    "t_pac_ret:\n"
    "	hint #25\n"		/* paciasp */
    "	eor x30, x30, x0\n"
    "	mov w0, #42\n"
    "	hint #29\n"		/* autiasp */
    "	ret\n"
    ".size t_pac_ret, . - t_pac_ret\n");

int main(void)
{
	pid_t pid;
	int st;

	T_ASSERT(getauxval(AT_HWCAP) & HWCAP_PACA, "the CPU has no address authentication (HWCAP %#lx)",
		 getauxval(AT_HWCAP));
	T_ASSERT(t_pac_ret(0) == 42, "an unchanged signed return address");

	pid = fork();
	T_ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		t_catch_faults();
		/* A bit of the signature (bits 48 to 54 with 48-bit addresses). */
		t_pac_ret(1UL << 50);
		_exit(2);
	}
	st = t_wait(pid);
	T_ASSERT(st == 100 + SIGSEGV || st == 100 + SIGILL,
		 "a corrupted signed return address: status %d, no fault", st);
	printf("corrupted signed return address: %s\n", st == 100 + SIGILL ? "SIGILL" : "SIGSEGV");
	return T_PASS;
}
#else
int main(void)
{
	t_skip("pointer authentication is arm64's");
}
#endif
