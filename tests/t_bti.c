// SPDX-License-Identifier: GPL-2.0
/*
 * Branch Target Identification is enforced for the test programs: they are
 * built with -mbranch-protection=standard and linked only from BTI-marked
 * objects (the trampoline's assembly included), so the kernel maps their
 * text guarded, and an indirect call to an instruction that is not a
 * landing pad must end in SIGILL. A call through the same kind of pointer
 * to a function that starts with BTI c must work. Without this, a test
 * pass on arm64 would say nothing about BTI. x86-64 and i386: skipped.
 */
#include "t.h"

#if defined(__aarch64__)
#include <sys/auxv.h>
#include <sys/wait.h>

#ifndef HWCAP2_BTI
#define HWCAP2_BTI	(1UL << 17)
#endif

/*
 * Two functions returning 42: one with a landing pad, one without. Global
 * symbols: the GOT entries of two local ones in one section came out as
 * one (both pointers were t_bti_pad's).
 */
int t_bti_pad(void);
int t_bti_nopad(void);
asm(".text\n"
    ".p2align 2\n"
    ".globl t_bti_pad\n"
    ".hidden t_bti_pad\n"
    ".type t_bti_pad, %function\n"
    "t_bti_pad:\n"
    "	hint #34\n"		/* bti c */
    "	mov w0, #42\n"
    "	ret\n"
    ".size t_bti_pad, . - t_bti_pad\n"
    ".globl t_bti_nopad\n"
    ".hidden t_bti_nopad\n"
    ".type t_bti_nopad, %function\n"
    "t_bti_nopad:\n"
    "	mov w0, #42\n"
    "	ret\n"
    ".size t_bti_nopad, . - t_bti_nopad\n");

/* A pointer the compiler cannot see through: the call is a BLR (main's code shows it). */
static int (*volatile target)(void);

static int call(int (*fn)(void))
{
	target = fn;
	return target();
}

/* The VmFlags of the mapping holding @addr ("bt": guarded by BTI), for a failure. */
static void print_vmflags(unsigned long addr)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[256];
	int in = 0;

	while (f && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2)
			in = addr >= lo && addr < hi;
		else if (in && !strncmp(line, "VmFlags:", 8))
			fprintf(stderr, "mapping of %#lx: %s", addr, line);
	}
	if (f)
		fclose(f);
}

int main(void)
{
	pid_t pid;
	int st;

	T_ASSERT(getauxval(AT_HWCAP2) & HWCAP2_BTI, "the CPU has no BTI (HWCAP2 %#lx)",
		 getauxval(AT_HWCAP2));
	T_ASSERT(call(t_bti_pad) == 42, "call to a landing pad");

	pid = fork();
	T_ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		t_catch_faults();
		_exit(call(t_bti_nopad) == 42 ? 0 : 2);
	}
	st = t_wait(pid);
	if (st != 100 + SIGILL)
		print_vmflags((unsigned long)t_bti_nopad);
	T_ASSERT(st == 100 + SIGILL, "an indirect call to a non-landing pad: status %d, not SIGILL", st);
	printf("indirect call to a landing pad: ok; to no landing pad: SIGILL\n");
	return T_PASS;
}
#else
int main(void)
{
	t_skip("BTI is arm64's");
}
#endif
